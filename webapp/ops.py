"""Operations endpoints: /healthz, /metrics, /openapi.json."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from . import metrics
from .openapi import build_spec, operation
from .store import repo
from .store.db import get_session, ping

__all__ = ["bp"]

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@operation(summary="Liveness and readiness: model loaded, database reachable",
           responses={"200": {"description": "Healthy"}, "503": {"description": "Model or database unavailable"}})
def healthz():
    moderator = current_app.extensions.get("moderation.moderator")
    database_ok = ping(current_app.extensions["moderation.engine"])
    model_loaded = moderator is not None and getattr(moderator, "loaded", True)  # False: UnloadedModel
    healthy = model_loaded and database_ok
    body = {"status": "ok" if healthy else "unavailable", "model_loaded": model_loaded,
            "model_version": current_app.extensions.get("moderation.model_version"),
            "database": "ok" if database_ok else "unreachable"}
    return jsonify(body), 200 if healthy else 503


@bp.get("/metrics")
@operation(summary="Prometheus metrics", responses={"200": {"description": "Prometheus text format"}})
def prometheus_metrics():
    try:
        depth = repo.queue_depth(get_session())
    except Exception:  # the scrape still answers when the database is down
        depth = -1
    return Response(metrics.render(depth), mimetype="text/plain; version=0.0.4")


@bp.get("/openapi.json")
@operation(summary="This OpenAPI document", responses={"200": {"description": "OpenAPI 3 document"}})
def openapi():
    if "moderation.openapi" not in current_app.extensions:
        current_app.extensions["moderation.openapi"] = build_spec(current_app)
    return jsonify(current_app.extensions["moderation.openapi"])
