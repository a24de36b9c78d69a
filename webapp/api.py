"""The JSON scoring API: /v1/score, /v1/score:batch, /v1/articles/<id>, /v1/decisions."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from . import metrics
from .auth import require_api_key
from .errors import ApiError
from .openapi import error_responses, operation
from .scoring import make_article, score_items
from .store import repo
from .store.db import get_direct, get_session
from .store.models import APPROVE, APPROVED, REJECTED, Article
from .validation import (
    MAX_ROW_ID, small_int, json_body, optional_bool, optional_object, optional_str, require_object, required_str,
)

__all__ = ["bp", "score_one"]

bp = Blueprint("api", __name__, url_prefix="/v1")

_JSON = "application/json"


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _ok(schema: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _parse_comment(obj: Any, where: str, articles: dict[str, tuple[str, str]], config) -> dict[str, Any]:
    """Validate one comment of a request and resolve its article (`articles` caches lookups per request)."""
    obj = require_object(obj, where)
    comment = {
        "external_id": required_str(obj, "id", where, config["MAX_ID_CHARS"]),
        "text": required_str(obj, "text", where, config["MAX_TEXT_CHARS"]),
        "author": optional_str(obj, "author", where, config["MAX_ID_CHARS"]),
        "enqueue": optional_bool(obj, "enqueue", where, default=True),
        "article_id": None, "article_inline": False, "article_title": "", "article_body": "",
        "has_article": False,
    }
    article = optional_object(obj, "article", where)
    if article is None:
        return comment
    awhere = f"{where}.article"
    article_id = optional_str(article, "id", awhere, config["MAX_ID_CHARS"])
    title = optional_str(article, "title", awhere, config["MAX_ARTICLE_CHARS"])
    body = optional_str(article, "body", awhere, config["MAX_ARTICLE_CHARS"])
    if title is None and body is None:
        if not article_id:
            raise ApiError(400, "missing_field", f"{awhere} needs an id, or a title and body.")
        stored = articles.get(article_id) or _stored_article(article_id)
        if stored is None:
            raise ApiError(404, "unknown_article",
                           f"{awhere}.id {article_id!r} is not stored; PUT /v1/articles/{{id}} first "
                           "or send the title and body.")
        articles[article_id] = stored
        title, body = stored
    else:
        comment["article_inline"] = bool(article_id)
    comment.update(article_id=article_id or None, article_title=title or "", article_body=body or "",
                   has_article=True)
    return comment


def _stored_article(article_id: str) -> tuple[str, str] | None:
    """(title, body) of a stored article, kept in this worker for ARTICLE_CACHE_SECONDS.

    A busy thread names the same article in every comment; reading it costs about a twentieth of a
    scoring request. A replacement (PUT) is seen at once by the worker that stored it, by the others
    within ARTICLE_CACHE_SECONDS. An unknown id is not remembered: it may be stored any moment.
    """
    app = current_app._get_current_object()
    cache = app.extensions["moderation.article_cache"]
    stored = cache.get(article_id)
    if stored is None:
        stored = repo.article_text(get_direct(), article_id)
        if stored is not None:
            cache.put(article_id, stored, app.config["ARTICLE_CACHE_SECONDS"])
    return stored


def _score_and_enqueue(comments: list[dict[str, Any]], app) -> list[dict[str, Any]]:
    """Answer each comment: stored answers for known ids, fresh scores otherwise, queued ones committed first."""
    answers = {eid: dict(response, queued=True)
               for eid, response in repo.stored_answers(get_direct(), [c["external_id"] for c in comments]).items()}
    todo: dict[str, dict[str, Any]] = {}
    for comment in comments:
        if comment["external_id"] not in answers:
            todo.setdefault(comment["external_id"], comment)  # the same id twice in a batch: one answer
    pending = list(todo.values())
    moderator = app.extensions["moderation.moderator"]
    inputs = [(c["text"], make_article(c["article_title"], c["article_body"]) if c["has_article"] else None)
              for c in pending]
    results = score_items(moderator, inputs, app.config["FAIL_MODE"])
    to_queue = []
    queue_on = app.extensions["moderation.enqueue_decisions"]
    for comment, result in zip(pending, results):
        response = {"id": comment["external_id"], "scores": result["scores"], "flags": list(result["flags"]),
                    "decision": result["decision"], "spans": list(result["spans"]),
                    "model_version": str(result["model_version"])}
        if result.get("degraded"):
            response["degraded"] = True
        metrics.record_result(response, app)
        queued = comment["enqueue"] and response["decision"] in queue_on
        if queued:
            to_queue.append({**comment, "result": result, "response": response})
        answers[comment["external_id"]] = dict(response, queued=queued)
    if to_queue:
        rows = repo.enqueue(get_direct(), to_queue)  # committed here, before any answer leaves
        for eid, row in rows.items():
            answers[eid] = dict(row.response, queued=True)
    return [answers[c["external_id"]] for c in comments]


@bp.post("/score")
@require_api_key
@operation(
    summary="Score one comment",
    description="Scores the comment; when the decision is configured to enqueue (default: review) and "
                "`enqueue` is true, the comment is stored in the review queue before the answer is sent. "
                "The same id sent again returns the stored answer.",
    requestBody=_body("ScoreRequest"),
    responses={"200": _ok("ScoreResult"), **error_responses(400, 404, 413, 415)},
)
def score():
    return jsonify(score_one(json_body(), current_app._get_current_object()))


def score_one(body: Any, app) -> dict[str, Any]:
    """The answer to one /v1/score body, queued first when held; ApiError for bad input (and webapp/fastpath.py)."""
    return _score_and_enqueue([_parse_comment(body, "body", {}, app.config)], app)[0]


@bp.post("/score:batch")
@require_api_key
@operation(
    summary="Score a batch of comments",
    description="Same as /v1/score for each comment, in order, scored as one batch.",
    requestBody=_body("BatchRequest"),
    responses={"200": _ok("BatchResult"), **error_responses(400, 404, 413, 415)},
)
def score_batch():
    body = require_object(json_body(), "body")
    items = body.get("comments")
    if items is None:
        raise ApiError(400, "missing_field", "body.comments is required: an array of comments.")
    if not isinstance(items, list):
        raise ApiError(400, "invalid_type", "body.comments must be an array.")
    if not items:
        raise ApiError(400, "empty_batch", "body.comments is empty; send at least one comment.")
    app = current_app._get_current_object()
    limit = app.config["MAX_BATCH"]
    if len(items) > limit:
        raise ApiError(400, "batch_too_large", f"body.comments has {len(items)} comments; the limit is {limit}.")
    articles: dict[str, tuple[str, str]] = {}
    comments = [_parse_comment(item, f"comments[{i}]", articles, app.config) for i, item in enumerate(items)]
    return jsonify(results=_score_and_enqueue(comments, app))


def _article_json(article: Article) -> dict[str, Any]:
    return {"id": article.id, "title": article.title, "body": article.body, "url": article.url,
            "updated_at": _iso(article.updated_at)}


@bp.put("/articles/<article_id>")
@require_api_key
@operation(
    summary="Store or replace an article",
    description="Later comments can name it as {\"article\": {\"id\": ...}} instead of resending the body.",
    requestBody=_body("Article"),
    responses={"200": {"description": "Replaced"}, "201": {"description": "Created"},
               **error_responses(400, 413, 415)},
)
def put_article(article_id: str):
    config = current_app.config
    if len(article_id) > config["MAX_ID_CHARS"]:
        raise ApiError(400, "value_too_long", f"The article id is longer than {config['MAX_ID_CHARS']} characters.")
    body = require_object(json_body(), "body")
    title = required_str(body, "title", "body", config["MAX_ARTICLE_CHARS"], allow_blank=True)
    text = optional_str(body, "body", "body", config["MAX_ARTICLE_CHARS"], default="")
    url = optional_str(body, "url", "body", 2048)
    article, created = repo.put_article(get_session(), article_id, title, text, url)
    current_app.extensions["moderation.article_cache"].pop(article_id)
    return jsonify(_article_json(article)), 201 if created else 200


@bp.get("/articles/<article_id>")
@require_api_key
@operation(summary="Read a stored article", responses={"200": {"description": "The article"},
                                                        **error_responses(404)})
def get_article(article_id: str):
    article = repo.get_article(get_session(), article_id)
    if article is None:
        raise ApiError(404, "unknown_article", f"Article {article_id!r} is not stored.")
    return jsonify(_article_json(article))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="microseconds") + "Z" if value is not None else None


def decision_json(decision) -> dict[str, Any]:
    """A moderator's decision as the site's backend sees it."""
    return {
        "decision_id": decision.id,
        "comment_id": decision.comment.external_id,
        "action": decision.action,
        "status": APPROVED if decision.action == APPROVE else REJECTED,
        "reason": decision.reason,
        "note": decision.note,
        "reviewer": decision.reviewer.name,
        "decided_at": _iso(decision.decided_at),
    }


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def _parse_since(value: str | None) -> tuple[int, datetime | None]:
    if value is None or value == "":
        return 0, None
    if value.isascii() and value.isdigit():
        after_id = small_int(value)
        if after_id is None:
            raise ApiError(400, "invalid_parameter", f"since is larger than any decision id ({MAX_ROW_ID}).")
        return after_id, None
    if _ISO.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is not None:  # stored times are naive UTC
                parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
            return 0, parsed
    raise ApiError(400, "invalid_parameter",
                   "since must be a decision id from next_since or an ISO 8601 time such as 2026-01-31T12:00:00Z.")


@bp.get("/decisions")
@require_api_key
@operation(
    summary="Moderators' decisions, oldest first",
    description="Poll with ?since=<next_since of the previous page> (or an ISO 8601 time) to publish or "
                "remove held comments. The same decisions are POSTed to the configured webhook, signed.",
    parameters=[{"name": "since", "in": "query", "required": False, "schema": {
                    "type": "string", "description": "a decision id (next_since) or a UTC time",
                    "pattern": "^[0-9]{1,9}$|^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
                               "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$"}},
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
    responses={"200": _ok("DecisionList"), **error_responses(400)},
)
def decisions():
    after_id, after_time = _parse_since(request.args.get("since"))
    page_size = current_app.config["DECISIONS_PAGE_SIZE"]
    limit = small_int(request.args.get("limit", str(page_size)), page_size)
    if not limit:
        raise ApiError(400, "invalid_parameter", f"limit must be an integer from 1 to {page_size}.")
    rows = repo.decisions_since(get_session(), after_id, after_time, limit)
    items = [decision_json(row) for row in rows]
    next_since = str(rows[-1].id) if rows else str(after_id) if after_time is None else request.args["since"]
    return jsonify(decisions=items, next_since=next_since)
