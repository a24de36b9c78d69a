"""Configuration in layers: code defaults, instance file, MODERATION_* environment, test dict."""

from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask

from moderation.labels import DECISIONS

from .ratelimit import parse_limits

__all__ = ["Defaults", "load_config", "DEV_SECRET_KEY", "ConfigError", "SQLITE_SYNCHRONOUS_MODES"]

DEV_SECRET_KEY = "dev"  # refused in production by `check_config`
SQLITE_SYNCHRONOUS_MODES = ("EXTRA", "FULL", "NORMAL")  # SQLite's PRAGMA synchronous levels that keep the file sound


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which key and why."""


class Defaults:
    """Code defaults: everything runs locally on SQLite and the shipped model."""

    ENV = "development"  # "production" turns on the safety checks below
    SECRET_KEY = DEV_SECRET_KEY
    DATABASE_URL: str | None = None  # None: SQLite file under the instance folder
    # SQLite only: FULL syncs each commit, so a queued comment survives a power cut once acknowledged;
    # NORMAL (faster) keeps it through a crash of the service but not of the machine. See docs/service.md.
    SQLITE_SYNCHRONOUS = "FULL"
    MODEL_PATH: str | None = None  # None: the model shipped with `moderation`
    THRESHOLDS: dict = {}  # label -> {"review": float, "reject": float} overrides
    FAIL_MODE = "closed"  # scoring failure: "closed" holds for review, "open" publishes
    MAX_TEXT_CHARS = 20_000
    MAX_ARTICLE_CHARS = 200_000
    MAX_ID_CHARS = 256
    MAX_BATCH = 100
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # whole request body; Flask answers 413 above it
    SCORE_FAST_PATH = True  # answer plain POST /v1/score requests without Flask's per-request machinery (webapp/fastpath.py)
    ENQUEUE_DECISIONS = [DECISIONS[1]]  # "review"; add "reject" to hold rejected comments for a human too
    API_KEYS: str | list = ""  # comma-separated extra keys (MODERATION_API_KEYS)
    API_KEY_CACHE_SECONDS = 30
    ARTICLE_CACHE_SECONDS = 2  # a replaced article (PUT) reaches the other workers within this long; 0: no cache
    CLAIM_LEASE_SECONDS = 300
    QUEUE_PAGE_SIZE = 50
    DECISIONS_PAGE_SIZE = 500
    WEBHOOK_URL: str | None = None
    WEBHOOK_SECRET: str | None = None
    WEBHOOK_TIMEOUT_SECONDS = 5
    BOOTSTRAP = True  # first start: create and print a reviewer password and an API key
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    # Abuse limits (webapp/security.py, webapp/ratelimit.py), in `limits` syntax; memory:// counts per worker,
    # redis://host:port shares the counters
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_SWALLOW_ERRORS = True  # the limiter's storage down: serve rather than fail (logged)
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATE_LIMIT_API = "1200 per minute"  # per API key
    RATE_LIMIT_LOGIN = "10 per minute"  # login attempts per name tried
    LOGIN_MAX_FAILURES = 5  # failed logins within LOGIN_LOCKOUT_SECONDS lock the name for that long
    LOGIN_LOCKOUT_SECONDS = 900


_RAW_STRING_KEYS = ("SECRET_KEY", "API_KEYS", "WEBHOOK_SECRET", "WEBHOOK_URL", "DATABASE_URL", "MODEL_PATH",
                    "RATELIMIT_STORAGE_URI")


def load_config(app: Flask, test_config: Mapping[str, Any] | None = None) -> None:
    """Fill `app.config` from the four layers, later layers winning, then check it."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    toml_path = os.path.join(app.instance_path, "config.toml")
    if os.path.exists(toml_path):
        import tomllib

        app.config.from_file(toml_path, load=tomllib.load, text=False)
    # The conventional unprefixed DATABASE_URL, then MODERATION_* (values parsed as JSON when they can be).
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env(prefix="MODERATION")
    for key in _RAW_STRING_KEYS:  # secrets stay strings even when they happen to parse as JSON
        if f"MODERATION_{key}" in os.environ:
            app.config[key] = os.environ[f"MODERATION_{key}"]
    if test_config:
        app.config.from_mapping(test_config)
    check_config(app.config)


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse settings that are unsafe or meaningless, with a message naming the key."""
    if config["ENV"] not in ("development", "production"):
        raise ConfigError(f"MODERATION_ENV must be 'development' or 'production', not {config['ENV']!r}")
    if config["ENV"] == "production" and config["SECRET_KEY"] in (None, "", DEV_SECRET_KEY):
        raise ConfigError("production refuses the development SECRET_KEY: set MODERATION_SECRET_KEY")
    synchronous = config["SQLITE_SYNCHRONOUS"]
    if not isinstance(synchronous, str) or synchronous.upper() not in SQLITE_SYNCHRONOUS_MODES:
        raise ConfigError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS_MODES)}, not {synchronous!r} "
                          "(OFF is refused: a machine crash could corrupt the database)")
    if config["FAIL_MODE"] not in ("open", "closed"):
        raise ConfigError(f"FAIL_MODE must be 'open' or 'closed', not {config['FAIL_MODE']!r}")
    unknown = set(enqueue_decisions(config)) - set(DECISIONS)
    if unknown:
        raise ConfigError(f"ENQUEUE_DECISIONS has unknown decisions {sorted(unknown)}; known: {list(DECISIONS)}")
    for key in ("MAX_TEXT_CHARS", "MAX_BATCH", "CLAIM_LEASE_SECONDS", "MAX_ID_CHARS"):
        if not isinstance(config[key], int) or config[key] <= 0:
            raise ConfigError(f"{key} must be a positive integer, not {config[key]!r}")
    for key in ("API_KEY_CACHE_SECONDS", "ARTICLE_CACHE_SECONDS"):
        if isinstance(config[key], bool) or not isinstance(config[key], (int, float)) or config[key] < 0:
            raise ConfigError(f"{key} must be a number of seconds, 0 or more, not {config[key]!r}")
    if not isinstance(config["SCORE_FAST_PATH"], bool):  # "no" from a file would otherwise count as on
        raise ConfigError(f"SCORE_FAST_PATH must be true or false, not {config['SCORE_FAST_PATH']!r}")
    if config["MAX_ID_CHARS"] > 256:  # the id, author and article id columns are VARCHAR(256)
        raise ConfigError(f"MAX_ID_CHARS is at most 256, not {config['MAX_ID_CHARS']}")
    for key in ("RATE_LIMIT_API", "RATE_LIMIT_LOGIN"):
        try:
            parse_limits(str(config[key]))
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}; write it as '1200 per minute'") from None
    if config.get("WEBHOOK_URL") and not config.get("WEBHOOK_SECRET"):
        raise ConfigError("WEBHOOK_URL needs WEBHOOK_SECRET to sign the payloads")


def enqueue_decisions(config: Mapping[str, Any]) -> list[str]:
    """ENQUEUE_DECISIONS as a list, whether it came as a list or a comma-separated string."""
    value = config["ENQUEUE_DECISIONS"]
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v.strip()]


def api_keys(config: Mapping[str, Any]) -> list[str]:
    """API_KEYS as a list, whether it came as a list or a comma-separated string."""
    value = config.get("API_KEYS") or ""
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]
