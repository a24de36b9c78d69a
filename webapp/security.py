"""Abuse limits: requests per API key, login attempts per name, lock-out after repeated failures.

Counters live in Flask-Limiter's storage: `memory://` by default (each gunicorn worker counts on
its own, so the effective limit is the configured one times the workers), Redis when
`RATELIMIT_STORAGE_URI` is `redis://host:port`. The lock-out counts `login-failed` rows of the
audit log, so it holds across workers and restarts on any database.
"""

from __future__ import annotations

import hashlib
import math
import time
from datetime import timedelta

from flask import Flask, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from sqlalchemy import func, select

from .auth import bearer_token, check_api_key
from .errors import _respond
from .store.models import AuditLog, utcnow

__all__ = ["init_app", "lockout_remaining", "api_limit_key", "login_limit_key", "LOGIN_FAILED"]

LOGIN_FAILED = "login-failed"  # the audit action review.login writes for a wrong name or password


def api_limit_key() -> str:
    """A valid key's own bucket (its hash, never the key itself); unknown keys share their address's."""
    token = bearer_token() or request.args.get("key")
    if token and check_api_key(token) is not None:
        return "key:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "?")


def login_limit_key() -> str:
    """Login attempts are counted per name tried (case-folded), whoever sends them."""
    name = (request.form.get("name") or "").strip().casefold()[:120]
    return "login:" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def lockout_remaining(session, name: str) -> int:
    """Seconds until `name` may try again: >0 after LOGIN_MAX_FAILURES failures within the window."""
    config = current_app.config
    limit, window = int(config["LOGIN_MAX_FAILURES"]), int(config["LOGIN_LOCKOUT_SECONDS"])
    if limit <= 0 or window <= 0 or not name:
        return 0
    actor = name[:120]
    now = utcnow()
    since = now - timedelta(seconds=window)
    last_login = session.scalar(select(func.max(AuditLog.at)).where(
        AuditLog.actor == actor, AuditLog.action == "login", AuditLog.at > since))
    if last_login is not None:  # a successful login resets the count
        since = last_login
    failures = list(session.scalars(
        select(AuditLog.at).where(AuditLog.actor == actor, AuditLog.action == LOGIN_FAILED, AuditLog.at > since)
        .order_by(AuditLog.at.desc()).limit(limit)))
    if len(failures) < limit:
        return 0
    unlock = failures[-1] + timedelta(seconds=window)  # the oldest of the last `limit` failures ages out
    return max(1, int((unlock - now).total_seconds()) + 1)


def init_app(app: Flask, api_blueprints=()) -> Limiter:
    """Limit each API key on `api_blueprints` and each login name on the login form."""
    config = app.config
    limiter = Limiter(api_limit_key, app=app, storage_uri=config["RATELIMIT_STORAGE_URI"],
                      strategy="fixed-window", headers_enabled=False,
                      key_prefix=config.get("RATELIMIT_KEY_PREFIX") or "moderation")
    api_limit = limiter.limit(lambda: current_app.config["RATE_LIMIT_API"],
                              error_message="Too many requests for this API key; retry after Retry-After seconds.")
    for blueprint in api_blueprints:
        api_limit(blueprint)
    login_view = app.view_functions["review.login"]
    app.view_functions["review.login"] = limiter.limit(
        lambda: current_app.config["RATE_LIMIT_LOGIN"], key_func=login_limit_key, methods=["POST"],
        error_message="Too many login attempts for this name; wait a minute.")(login_view)
    app.extensions["moderation.limiter"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error: RateLimitExceeded):
        response = app.make_response(_respond(429, "too_many_requests", error.description))
        current = limiter.current_limit
        wait = math.ceil(current.reset_at - time.time()) if current is not None else 60
        response.headers["Retry-After"] = str(max(1, wait))
        return response

    @app.after_request
    def transport_headers(response):
        if app.config["ENV"] == "production":  # served over HTTPS behind the proxy
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    return limiter
