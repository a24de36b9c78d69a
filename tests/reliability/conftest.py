"""Reliability tests share the service's test support (keyword moderator, API key, login helpers)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SERVICE_TESTS = Path(__file__).resolve().parent.parent / "service"
if str(SERVICE_TESTS) not in sys.path:
    sys.path.insert(0, str(SERVICE_TESTS))


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Tests see only the configuration they set: no MODERATION_* or DATABASE_URL from the shell."""
    for name in list(os.environ):
        if name.startswith("MODERATION_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)


PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def postgres_schema_url():
    """A fresh, migrated schema in database `test` for one test, dropped afterwards; skips without PostgreSQL."""
    import uuid

    from sqlalchemy import create_engine, text

    from webapp.store.db import make_engine, upgrade

    admin = create_engine(PG_URL, connect_args={"connect_timeout": 2})
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}")
    schema = f"moderation_rel_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
