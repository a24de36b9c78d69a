"""OpenAPI document derived from the code: each API view declares its operation next to its code."""

from __future__ import annotations

import re
from typing import Any, Callable

from apispec import APISpec
from flask import Flask

__all__ = ["operation", "build_spec", "error_responses"]


def operation(**spec: Any) -> Callable:
    """Attach an OpenAPI operation object to a view (summary, requestBody, responses, ...)."""

    def decorate(view: Callable) -> Callable:
        view.__openapi__ = spec
        return view

    return decorate


def error_responses(*statuses: int) -> dict[str, Any]:
    """The Error response for each status: every API error has this one shape."""
    descriptions = {400: "Invalid input", 401: "Missing or invalid API key", 404: "Not found",
                    405: "Method not allowed", 413: "Request body too large", 415: "Body is not JSON",
                    429: "Rate limit reached (see Retry-After)", 503: "Database unavailable (see Retry-After)"}
    return {str(s): {"description": descriptions.get(s, "Error"),
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for s in statuses}


# What explicit validation refuses, said in JSON Schema: no NUL anywhere (PostgreSQL text cannot hold it),
# and required strings need one character that str.strip() keeps (it also strips U+001C-U+001F and U+0085).
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000\\u001c-\\u001f\\u0085][^\\u0000]*$"


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _schemas(config) -> dict[str, dict]:
    from moderation.labels import DECISIONS, LABELS

    from .store.models import APPROVE, APPROVED, REJECT, REJECTED

    text_limit = config["MAX_TEXT_CHARS"]
    id_limit = config["MAX_ID_CHARS"]
    article_limit = config["MAX_ARTICLE_CHARS"]
    labels = {"type": "string", "enum": list(LABELS)}
    article_text = {"type": "string", "maxLength": article_limit, "pattern": NO_NUL}
    article_ref = {
        "type": "object",
        "description": "An article given inline (title, body) or by the id of one stored with PUT /v1/articles/{id}.",
        "properties": {"id": {"type": "string", "maxLength": id_limit, "pattern": NO_NUL}, "title": article_text,
                       "body": article_text},
        "anyOf": [{"required": ["title"]}, {"required": ["body"]},
                  {"required": ["id"], "properties": {"id": {"minLength": 1}}}],
    }
    return {
        "Error": {"type": "object", "required": ["error", "message"],
                  "properties": {"error": {"type": "string", "description": "machine-readable code"},
                                 "message": {"type": "string", "description": "what is wrong and how to fix it"}}},
        "ArticleRef": article_ref,
        "Article": {"type": "object", "required": ["title"],
                    "properties": {"title": article_text, "body": article_text,
                                   "url": {"type": "string", "maxLength": 2048, "pattern": NO_NUL}}},
        "ScoreRequest": {
            "type": "object", "required": ["id", "text"],
            "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": id_limit, "pattern": NOT_BLANK,
                       "description": "the site's comment id; idempotency key"},
                "text": {"type": "string", "minLength": 1, "maxLength": text_limit, "pattern": NOT_BLANK},
                "article": {"$ref": "#/components/schemas/ArticleRef"},
                "author": {"type": "string", "maxLength": id_limit, "pattern": NO_NUL},
                "enqueue": {"type": "boolean", "default": True},
            },
        },
        "Span": {"type": "object", "properties": {"label": labels, "start": {"type": "integer"},
                                                   "end": {"type": "integer"}, "text": {"type": "string"}}},
        "ScoreResult": {
            "type": "object", "required": ["id", "scores", "flags", "decision", "spans", "model_version", "queued"],
            "properties": {
                "id": {"type": "string"},
                "scores": {"type": "object", "properties": {label: {"type": "number"} for label in LABELS}},
                "flags": {"type": "array", "items": labels},
                "decision": {"type": "string", "enum": list(DECISIONS)},
                "spans": {"type": "array", "items": {"$ref": "#/components/schemas/Span"}},
                "model_version": {"type": "string"},
                "queued": {"type": "boolean", "description": "stored in the review queue before this answer"},
                "degraded": {"type": "boolean", "description": "present when the model could not score"},
            },
        },
        "BatchRequest": {"type": "object", "required": ["comments"],
                         "properties": {"comments": {"type": "array", "minItems": 1, "maxItems": config["MAX_BATCH"],
                                                     "items": {"$ref": "#/components/schemas/ScoreRequest"}}}},
        "AnalyzeCommentRequest": {
            "type": "object", "required": ["comment", "requestedAttributes"],
            "properties": {
                "comment": {"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string", "minLength": 1, "maxLength": text_limit, "pattern": NOT_BLANK}}},
                "requestedAttributes": {
                    "type": "object", "minProperties": 1, "additionalProperties": False,
                    "properties": {name: {"type": "object", "properties": {
                        "scoreThreshold": {"type": "number", "minimum": 0, "maximum": 1},
                        "scoreType": {"type": "string", "enum": ["PROBABILITY"]}}} for name in _perspective_attributes()}},
                "languages": {"type": "array", "items": {"type": "string", "enum": ["en"]}},
                "doNotStore": {"type": "boolean"},
                "spanAnnotations": {"type": "boolean"},
                "context": {"type": "object", "required": ["entries"], "properties": {"entries": {
                    "type": "array", "items": {"type": "object", "properties": {"text": {"type": "string"}}}}}},
                "clientToken": {"type": "string"},
            },
        },
        "BatchResult": {"type": "object", "properties": {
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/ScoreResult"}}}},
        "Decision": {"type": "object", "properties": {
            "decision_id": {"type": "integer"}, "comment_id": {"type": "string"},
            "action": {"type": "string", "enum": [APPROVE, REJECT]},
            "status": {"type": "string", "enum": [APPROVED, REJECTED]},
            "reason": {"type": "string"}, "decided_at": {"type": "string", "format": "date-time"}}},
        "DecisionList": {"type": "object", "properties": {
            "decisions": {"type": "array", "items": {"$ref": "#/components/schemas/Decision"}},
            "next_since": {"type": "string", "description": "pass as ?since= to get only newer decisions"}}},
    }


def _perspective_attributes():
    from .perspective import ATTRIBUTES

    return ATTRIBUTES


def build_spec(app: Flask) -> dict[str, Any]:
    """Walk the URL map and collect every view's declared operation."""
    from . import __version__

    spec = APISpec(title="Comment moderation service", version=__version__, openapi_version="3.0.3",
                   info={"description": "Scores comments for profanity, sarcasm and off-topic; "
                                        "holds uncertain ones for human review."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in _schemas(app.config).items():
        spec.components.schema(name, schema)
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        operation_spec = getattr(view, "__openapi__", None)
        if operation_spec is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op = dict(operation_spec)
            op.setdefault("operationId", rule.endpoint.replace(".", "_") + ("" if method == "GET" else "_" + method.lower()))
            if getattr(view, "requires_api_key", False):
                op["security"] = [{"bearer": []}]
                # any keyed call may meet its rate limit or a database that is down
                op["responses"] = {**error_responses(401, 429, 503), **op.get("responses", {})}
            params = [{"name": arg, "in": "path", "required": True,
                       "schema": {"type": "string", "minLength": 1, "maxLength": app.config["MAX_ID_CHARS"],
                                  "pattern": NO_NUL}}
                      for arg in sorted(rule.arguments)]
            if params:
                op["parameters"] = params + op.get("parameters", [])
            paths.setdefault(_openapi_path(rule.rule), {})[method.lower()] = op
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()
