"""POST /v1alpha1/comments:analyze: Perspective API's AnalyzeComment shape over our labels."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from moderation.labels import OFF_TOPIC, PROFANITY, SARCASM

from . import metrics
from .auth import require_api_key
from .errors import ApiError
from .openapi import operation
from .scoring import make_article, score_items
from .validation import json_body

__all__ = ["bp", "ATTRIBUTES"]

bp = Blueprint("perspective", __name__, url_prefix="/v1alpha1")

# Perspective attribute -> our label (documented in docs/perspective.md).
ATTRIBUTES: dict[str, str] = {
    "TOXICITY": PROFANITY,
    "PROFANITY": PROFANITY,
    "SARCASM": SARCASM,
    "OFF_TOPIC": OFF_TOPIC,
}
LANGUAGES = ("en",)


def _bad(message: str) -> ApiError:
    return ApiError(400, "invalid_argument", message)


def _parse(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _bad("Invalid JSON payload: the request must be an object.")
    comment = body.get("comment")
    if not isinstance(comment, dict) or not isinstance(comment.get("text"), str):
        raise _bad("comment.text is required and must be a string.")
    text = comment["text"]
    if not text.strip():
        raise _bad("Comment must be non-empty.")
    limit = current_app.config["MAX_TEXT_CHARS"]
    if len(text) > limit:
        raise _bad(f"Comment text too long: {len(text)} characters; the limit is {limit}.")
    requested = body.get("requestedAttributes")
    if not isinstance(requested, dict) or not requested:
        raise _bad("requestedAttributes must be a non-empty object, e.g. {\"TOXICITY\": {}}.")
    attributes: dict[str, float | None] = {}
    for name, options in requested.items():
        if name not in ATTRIBUTES:
            raise _bad(f"Unknown attribute: {name}. Supported: {', '.join(ATTRIBUTES)}.")
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise _bad(f"requestedAttributes.{name} must be an object.")
        threshold = options.get("scoreThreshold")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                      or not 0 <= threshold <= 1):
            raise _bad(f"requestedAttributes.{name}.scoreThreshold must be a number from 0 to 1.")
        score_type = options.get("scoreType", "PROBABILITY")
        if score_type != "PROBABILITY":
            raise _bad(f"requestedAttributes.{name}.scoreType {score_type!r} is not supported; use PROBABILITY.")
        attributes[name] = threshold
    languages = body.get("languages")
    if languages is not None:
        if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
            raise _bad("languages must be an array of language codes.")
        unsupported = [x for x in languages if x.split("-")[0].lower() not in LANGUAGES]
        if unsupported:
            raise _bad(f"Attribute {next(iter(attributes))} does not support request languages: "
                       f"{', '.join(unsupported)}")
    for flag in ("doNotStore", "spanAnnotations"):
        if body.get(flag) is not None and not isinstance(body.get(flag), bool):
            raise _bad(f"{flag} must be true or false.")
    context_text = ""
    context = body.get("context")
    if context is not None:
        entries = context.get("entries") if isinstance(context, dict) else None
        if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("text", ""), str)
                                                    for e in entries):
            raise _bad("context.entries must be an array of {\"text\": ...} objects.")
        context_text = "\n".join(e.get("text", "") for e in entries)
    client_token = body.get("clientToken")
    if client_token is not None and not isinstance(client_token, str):
        raise _bad("clientToken must be a string.")
    return {"text": text, "attributes": attributes, "languages": languages or ["en"],
            "spans": bool(body.get("spanAnnotations")), "context": context_text, "client_token": client_token}


def _score(value: float) -> dict[str, Any]:
    return {"value": round(float(value), 7), "type": "PROBABILITY"}


@bp.post("/comments:analyze")
@require_api_key
@operation(
    summary="Perspective-compatible AnalyzeComment",
    description="Accepts Perspective API's AnalyzeComment request for TOXICITY, PROFANITY (both our "
                "profanity), SARCASM and OFF_TOPIC and answers in its shape. Comments sent here are never "
                "stored, whatever doNotStore says. Errors use Google's {\"error\": {code, message, status}} shape. "
                "See docs/perspective.md.",
    requestBody={"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/AnalyzeCommentRequest"}}}},
    responses={"200": {"description": "AnalyzeCommentResponse"},
               "400": {"description": "Google API error shape"}, "413": {"description": "Request body too large"},
               "415": {"description": "Body is not JSON"},
               "401": {"description": "Missing or invalid API key"}, "429": {"description": "Rate limit reached"},
               "503": {"description": "The model could not score the comment, or the database is down"}},
)
def analyze():
    request_ = _parse(json_body())
    article = make_article("", request_["context"]) if request_["context"] else None
    moderator = current_app.extensions["moderation.moderator"]
    result = score_items(moderator, [(request_["text"], article)], current_app.config["FAIL_MODE"])[0]
    if result.get("degraded"):
        raise ApiError(503, "unavailable", "The model could not score this comment; retry later.")
    metrics.record_result(result)
    text = request_["text"]
    attribute_scores: dict[str, Any] = {}
    for name, threshold in request_["attributes"].items():
        label = ATTRIBUTES[name]
        value = float(result["scores"].get(label, 0.0))
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, Any] = {"summaryScore": _score(value)}
        if request_["spans"]:
            spans = [s for s in result["spans"] if s.get("label") == label]
            entry["spanScores"] = ([{"begin": s["start"], "end": s["end"], "score": _score(value)} for s in spans]
                                   or [{"begin": 0, "end": len(text), "score": _score(value)}])
        attribute_scores[name] = entry
    response: dict[str, Any] = {"attributeScores": attribute_scores, "languages": request_["languages"],
                                "detectedLanguages": ["en"]}
    if request_["client_token"] is not None:
        response["clientToken"] = request_["client_token"]
    return jsonify(response)
