"""Engine per app, one session per request on `g`, schema through Alembic migrations."""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..config import SQLITE_SYNCHRONOUS_MODES
from .direct import DirectConnection

__all__ = ["database_url", "make_engine", "init_app", "get_session", "get_direct", "make_session", "upgrade",
           "migration_lock"]

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def database_url(app: Flask) -> str:
    """DATABASE_URL, or the embedded SQLite file under the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + os.path.join(app.instance_path, "moderation.sqlite3")


def _sqlite_pragmas(synchronous: str):
    """The connect hook: WAL, foreign keys, a busy timeout, and how hard each commit is synced."""
    if synchronous not in SQLITE_SYNCHRONOUS_MODES:  # interpolated below: only SQLite's own keywords
        raise ValueError(f"synchronous must be one of {SQLITE_SYNCHRONOUS_MODES}, not {synchronous!r}")

    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        # FULL: a queued comment survives a power cut once committed; NORMAL: a crash of the service only
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return on_connect


def make_engine(url: str, sqlite_synchronous: str = "FULL") -> Engine:
    """An engine with the settings each backend needs (`sqlite_synchronous`: see Defaults.SQLITE_SYNCHRONOUS)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous.upper()))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def init_app(app: Flask, engine: Engine) -> None:
    """Keep the engine and session factory on the app; close the request's session on teardown."""
    app.extensions["moderation.engine"] = engine
    app.extensions["moderation.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["moderation.kept_direct"] = threading.local()
    app.teardown_appcontext(_close_session)


def make_session(app: Flask) -> Session:
    """A session outside any request (CLI commands, first start); use it as a context manager."""
    return app.extensions["moderation.sessionmaker"]()


def get_session() -> Session:
    """The session of the current request (or app context), opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["moderation.sessionmaker"]()
    return g.db_session


def get_direct() -> DirectConnection:
    """The request's DBAPI connection for the scoring path (lookups and queue inserts), opened on first use.

    On SQLite each worker thread keeps its connection from one request to the next: the pool's
    checkout and reset cost about 25 µs a request and guard against nothing a local file needs.
    Elsewhere the pool hands one out per request, with its pre-ping.
    """
    direct = g.get("db_direct")
    if direct is None:
        engine = current_app.extensions["moderation.engine"]
        kept = current_app.extensions["moderation.kept_direct"]
        direct = getattr(kept, "connection", None)
        if direct is None or direct.engine is not engine or direct.pid != os.getpid():  # a forked worker opens its own
            direct = DirectConnection(engine)
            if engine.dialect.name == "sqlite":
                kept.connection = direct
        g.db_direct = direct
    return direct


def _close_session(exc=None) -> None:
    connection = g.pop("db_direct", None)
    if connection is not None:
        kept = current_app.extensions["moderation.kept_direct"]
        if getattr(kept, "connection", None) is not connection:
            connection.close()
        elif exc is not None or connection.failed or connection.in_transaction:  # never carry a doubtful one over
            kept.connection = None
            connection.close()
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def migration_lock(app: Flask) -> Iterator[None]:
    """Serialise first-start work across gunicorn workers on this machine."""
    os.makedirs(app.instance_path, exist_ok=True)
    with open(os.path.join(app.instance_path, ".startup.lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def alembic_config(engine: Engine):
    """An Alembic config pointing at our migrations and at `engine`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (creates it on an empty database)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
