"""Reliability tests share the service's test support (keyword moderator, API key, login helpers)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SERVICE_TESTS = Path(__file__).resolve().parent.parent / "service"
if str(SERVICE_TESTS) not in sys.path:
    sys.path.insert(0, str(SERVICE_TESTS))

from service_support import clean_env  # noqa: E402, F401  (autouse fixture: no MODERATION_* from the shell)






@pytest.fixture
def postgres_schema_url():
    """A fresh, migrated schema in database `test` for one test, dropped afterwards; skips without PostgreSQL."""
    from service_support import throwaway_postgres_schema

    with throwaway_postgres_schema("moderation_rel") as url:
        yield url
