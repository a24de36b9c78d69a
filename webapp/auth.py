"""Who is calling: API keys for the JSON API, a session login for the reviewer pages."""

from __future__ import annotations

import functools
import hmac
from typing import Callable

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from .config import api_keys
from .errors import ApiError
from .expiring import ExpiringCache
from .store import repo
from .store.db import get_session

__all__ = ["init_app", "require_api_key", "check_api_key", "api_key_digest", "token_from_authorization", "login_required", "current_reviewer", "login", "logout",
           "CookieSessions"]


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus building a signer for requests without the cookie (every API call)."""

    def open_session(self, app, request):
        if app.secret_key and "HTTP_COOKIE" not in request.environ:
            return self.session_class()  # what the parent returns for a missing cookie, 25 µs sooner
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """Hash the environment's keys once; keep a short-lived cache of keys found in the database."""
    app.extensions["moderation.env_key_hashes"] = [repo.hash_api_key(k) for k in api_keys(app.config)]
    app.extensions["moderation.key_cache"] = ExpiringCache()  # key hash -> name, API_KEY_CACHE_SECONDS


def check_api_key(key: str | None) -> str | None:
    """The name of the valid key `key`, or None (remembered for the request: the rate limit asks first)."""
    found = _valid_key(key)
    return found[0] if found is not None else None


def api_key_digest(key: str | None) -> str | None:
    """The stored hash of `key` when it is a valid key, else None (the rate limit's bucket, never the key)."""
    found = _valid_key(key)
    return found[1] if found is not None else None


def _valid_key(key: str | None) -> tuple[str, str] | None:
    """(name, hash) of a valid key, looked up once per request."""
    if not key:
        return None
    context = g._get_current_object()  # one proxy lookup for the reads and the write below
    checked = context.get("api_key_checked")
    if checked is not None and checked[0] == key:
        return checked[1]
    digest = repo.hash_api_key(key)
    name = _check_api_key(digest)
    found = (name, digest) if name is not None else None
    context.api_key_checked = (key, found)
    return found


def _check_api_key(digest: str) -> str | None:
    app = current_app._get_current_object()
    for known in app.extensions["moderation.env_key_hashes"]:
        if hmac.compare_digest(digest, known):
            return "env"
    cache = app.extensions["moderation.key_cache"]
    name = cache.get(digest)
    if name is not None:
        return name
    row = repo.find_api_key_by_hash(get_session(), digest)
    if row is None:
        cache.pop(digest)
        return None
    cache.put(digest, row.name, app.config["API_KEY_CACHE_SECONDS"])
    return row.name


def bearer_token() -> str | None:
    return token_from_authorization(request.headers.get("Authorization", ""))


def token_from_authorization(header: str) -> str | None:
    """The key of an `Authorization: Bearer <key>` header value, or None."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def require_api_key(view: Callable) -> Callable:
    """Refuse the request with 401 JSON unless it carries a valid `Authorization: Bearer` key."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        name = check_api_key(bearer_token() or request.args.get("key"))
        if name is None:
            raise ApiError(401, "unauthorized", "Send a valid API key as 'Authorization: Bearer <key>'.")
        g.api_key_name = name
        return view(*args, **kwargs)

    wrapped.requires_api_key = True
    return wrapped


def current_reviewer():
    """The logged-in reviewer or None, looked up once per request."""
    if "reviewer" not in g:
        reviewer_id = session.get("reviewer_id")
        reviewer = repo.get_reviewer(get_session(), reviewer_id) if reviewer_id is not None else None
        g.reviewer = reviewer if reviewer is not None and reviewer.active else None
    return g.reviewer


def login_required(view: Callable) -> Callable:
    """Send people without a session to the login page, keeping where they were going."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_reviewer() is None:
            return redirect(url_for("review.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def login(reviewer) -> None:
    session.clear()  # no fixation: a fresh session on every login
    session.permanent = True
    session["reviewer_id"] = reviewer.id
    g.reviewer = reviewer


def logout() -> None:
    session.clear()
    g.pop("reviewer", None)
