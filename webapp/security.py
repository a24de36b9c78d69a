"""Abuse limits: requests per API key, login attempts per name, lock-out after repeated failures.

Counters (webapp/ratelimit.py) live in each worker's memory by default (`memory://`: the effective
limit is the configured one times the workers), in Redis when `RATELIMIT_STORAGE_URI` is
`redis://host:port`. The lock-out counts `login-failed` rows of the audit log, so it holds across
workers and restarts on any database.
"""

from __future__ import annotations

import functools
import hashlib
import math
from datetime import timedelta

from flask import Flask, current_app, request
from sqlalchemy import func, select

from .auth import api_key_digest, bearer_token
from .errors import ApiError, _respond
from .ratelimit import make_counters, parse_limits
from .store.models import AuditLog, utcnow

__all__ = ["init_app", "lockout_remaining", "api_limit_key", "key_bucket", "count_api_request", "API_RATE_COUNTED", "login_limit_key", "RateLimited", "LOGIN_FAILED"]


class RateLimited(ApiError):
    """429 too_many_requests; the handler adds Retry-After."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(429, "too_many_requests", message)
        self.retry_after = max(1, math.ceil(retry_after))


# No 'unsafe-inline': every script and style comes from /static.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

LOGIN_FAILED = "login-failed"  # the audit action review.login writes for a wrong name or password


# WSGI environ key: webapp/fastpath.py counted this request already; the value is what the count answered.
API_RATE_COUNTED = "moderation.api_rate_counted"


def api_limit_key() -> str:
    """A valid key's own bucket (its hash, never the key itself); unknown keys share their address's."""
    token = bearer_token() or request.args.get("key")
    digest = api_key_digest(token)  # checked once per request; the view's own check reuses it
    if digest is not None:
        return key_bucket(digest)
    return "addr:" + (request.remote_addr or "?")


def key_bucket(digest: str) -> str:
    """The rate-limit bucket of a valid API key, from its stored hash."""
    return "key:" + digest[:32]


def count_api_request(app: Flask, bucket: str) -> float | None:
    """Count one API request in `bucket`: None when allowed, else seconds until it may retry."""
    return app.extensions["moderation.rate_counters"].hit("api:" + bucket, parse_limits(app.config["RATE_LIMIT_API"]))


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


def init_app(app: Flask, api_blueprints=()) -> None:
    """Limit each API key on `api_blueprints` and each login name on the login form (POST)."""
    config = app.config  # the limit strings were checked by config.check_config
    counters = make_counters(config["RATELIMIT_STORAGE_URI"], config.get("RATELIMIT_KEY_PREFIX") or "moderation",
                             bool(config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"]),
                             bool(config["RATELIMIT_SWALLOW_ERRORS"]))
    app.extensions["moderation.rate_counters"] = counters
    limited = frozenset(blueprint.name for blueprint in api_blueprints)

    @app.before_request
    def limit_api_key():
        """Runs before the view checks the key: a client over its budget hears 429 whatever key it sends."""
        if request.blueprint in limited:
            environ = request.environ
            if API_RATE_COUNTED in environ:  # handed over by the fast path, which counted it: count once
                wait = environ[API_RATE_COUNTED]
            else:
                wait = count_api_request(app, api_limit_key())
            if wait is not None:
                raise RateLimited("Too many requests for this API key; retry after Retry-After seconds.", wait)

    login_view = app.view_functions["review.login"]

    @functools.wraps(login_view)
    def limited_login(*args, **kwargs):
        if request.method == "POST":
            wait = counters.hit(login_limit_key(), parse_limits(config["RATE_LIMIT_LOGIN"]))
            if wait is not None:
                raise RateLimited("Too many login attempts for this name; wait a minute.", wait)
        return login_view(*args, **kwargs)

    app.view_functions["review.login"] = limited_login

    @app.errorhandler(RateLimited)
    def too_many_requests(error: RateLimited):
        response = app.make_response(_respond(error.status, error.code, error.message))
        response.headers["Retry-After"] = str(error.retry_after)
        return response

    defaults = [("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Content-Type-Options", "nosniff"),
                ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
                ("Cross-Origin-Opener-Policy", "same-origin")]
    if config["ENV"] == "production":  # served over HTTPS behind the proxy
        defaults.append(("Strict-Transport-Security", "max-age=31536000"))
    app.extensions["moderation.security_headers"] = tuple(defaults)  # also sent by webapp/fastpath.py

    @app.after_request
    def security_headers(response):
        """Each header unless the view set its own (one pass: six `setdefault` calls cost 13 µs a request)."""
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        headers.extend([(name, value) for name, value in defaults if name.lower() not in present])
        return response
