"""The moderation web service: JSON scoring API, review queue pages, operations endpoints."""

from __future__ import annotations

import json
import os
import secrets
import sys
from typing import Any, Callable, Mapping

from flask import Flask, redirect, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFProtect

__all__ = ["create_app", "__version__"]

__version__ = "0.1.0"


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, with the compact encoder of `jsonify` built once instead of on every call."""

    def response(self, *args: Any, **kwargs: Any):
        body = self.compact_body(self._prepare_response_obj(args, kwargs))
        if body is None:
            return super().response(*args, **kwargs)  # indented output, as Flask writes it
        return self._app.response_class(body, mimetype=self.mimetype)

    def indents(self) -> bool:
        """Whether Flask writes `jsonify` output indented (debug, unless compact is set; or compact off)."""
        return (self.compact is None and self._app.debug) or self.compact is False

    def compact_body(self, obj: Any) -> str | None:
        """The text `jsonify(obj)` sends, or None when Flask would indent it (see `indents`)."""
        if self.indents():
            return None
        settings = (self.ensure_ascii, self.sort_keys)
        encoder = self.__dict__.get("_compact_encoder")
        if encoder is None or encoder[0] != settings:
            encoder = self._compact_encoder = (settings, json.JSONEncoder(
                default=self.default, ensure_ascii=self.ensure_ascii, sort_keys=self.sort_keys, separators=(",", ":")))
        return f"{encoder[1].encode(obj)}\n"


class App(Flask):
    """Flask, remembering which views and hooks are plain functions.

    Flask asks `inspect.iscoroutinefunction` about every hook and view on every request (nine per
    scoring request here, about 10 µs); none of ours changes between requests.
    """

    json_provider_class = JSONProvider

    def ensure_sync(self, func: Callable) -> Callable:
        known = self.__dict__.setdefault("_sync_functions", {})
        sync = known.get(func)
        if sync is None:
            sync = known[func] = super().ensure_sync(func)
        return sync


def create_app(test_config: Mapping[str, Any] | None = None, *, moderator: Any = None,
               instance_path: str | None = None, webhook_sender: Callable[..., None] | None = None) -> Flask:
    """Build the app: config, database (migrated), the model (loaded once), blueprints, CLI.

    `moderator` injects an already loaded `moderation.Moderator` (tests load a small one);
    `webhook_sender` replaces the HTTP delivery of webhooks; `instance_path` (or MODERATION_INSTANCE_PATH)
    moves the instance folder (config file, SQLite database) from ./instance.
    """
    from . import api, auth, cli, errors, metrics, ops, perspective, review, webhook
    from .config import enqueue_decisions, load_config
    from .errors import ApiError
    from .expiring import ExpiringCache
    from .scoring import load_or_stand_in
    from .store import db

    # The instance folder holds the config file, so its own location comes from the caller or the environment.
    instance_path = instance_path or os.environ.get("MODERATION_INSTANCE_PATH") or None
    app = App(__name__, instance_path=instance_path, instance_relative_config=True)
    app.session_interface = auth.CookieSessions()
    load_config(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    engine = db.make_engine(db.database_url(app), app.config["SQLITE_SYNCHRONOUS"])
    db.init_app(app, engine)
    with db.migration_lock(app):
        db.upgrade(engine)
        if app.config["BOOTSTRAP"] and app.config["ENV"] == "development" and not app.testing:
            _bootstrap(app)

    if moderator is None:
        moderator = load_or_stand_in(app.config["MODEL_PATH"], app.config["THRESHOLDS"] or None)
    app.extensions["moderation.moderator"] = moderator
    model_version = getattr(moderator, "model_version", None) or moderator.score("ok").model_version
    app.extensions["moderation.model_version"] = str(model_version)

    app.extensions["moderation.enqueue_decisions"] = frozenset(enqueue_decisions(app.config))
    app.extensions["moderation.article_cache"] = ExpiringCache()  # article id -> (title, body); see api._stored_article
    metrics.init_app(app, str(model_version))
    from . import model_reload  # follow models/current: a promoted model is served without a restart

    model_reload.init_app(app)
    auth.init_app(app)
    webhook.init_app(app, webhook_sender)
    csrf = CSRFProtect(app)
    for blueprint in (api.bp, perspective.bp, ops.bp):
        csrf.exempt(blueprint)  # API clients authenticate with a bearer key, not a cookie
        app.register_blueprint(blueprint)
    app.register_blueprint(review.bp)
    errors.register_error_handlers(app)
    from . import security  # rate limits per API key and login name, login lock-out

    security.init_app(app, (api.bp, perspective.bp))
    cli.init_app(app)

    @app.get("/")
    def index():
        return redirect(url_for("review.queue"))

    @app.before_request
    def refuse_nul_characters():
        """PostgreSQL text cannot hold NUL: refuse it in the path, query or form on every backend alike."""
        req = request._get_current_object()  # one proxy lookup, not one per attribute
        query = req.environ.get("QUERY_STRING", "")
        fields = [req.path]
        if "%00" in query or "\x00" in query:  # only then can a decoded argument hold NUL: skip parsing otherwise
            fields.extend(req.args.values())
        if req.method == "POST" and req.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields.extend(req.form.values())
        if any("\x00" in value for value in fields):
            raise ApiError(400, "invalid_value", "The request contains a NUL character.")

    if app.config["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
    from . import fastpath  # last: it reads what the hooks above keep in app.extensions

    fastpath.init_app(app)
    return app


def _bootstrap(app: Flask) -> None:
    """First local start: make a reviewer and an API key and print them once (only hashes are stored)."""
    from sqlalchemy.exc import IntegrityError

    from .config import api_keys
    from .store import repo
    from .store.db import make_session

    with make_session(app) as session:
        if repo.reviewer_count(session) == 0:
            password = secrets.token_urlsafe(12)
            try:
                repo.create_reviewer(session, "admin", password)
                print(f" * First start: reviewer 'admin', password {password}  (log in at /review/login)",
                      file=sys.stderr, flush=True)
            except IntegrityError:
                session.rollback()
        if repo.api_key_count(session) == 0 and not api_keys(app.config):
            try:
                key = repo.create_api_key(session, "local")
                print(f" * First start: API key 'local': {key}  (send as 'Authorization: Bearer <key>')",
                      file=sys.stderr, flush=True)
            except IntegrityError:
                session.rollback()
