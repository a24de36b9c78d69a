"""Fixtures for the service: an app on a fresh SQLite file per test, clients, a reviewer, a fake clock."""

from __future__ import annotations


import pytest
from sqlalchemy import text

from service_support import API_KEY, Api, Clock, KeywordModerator, clean_env, make_reviewer, throwaway_postgres_schema  # noqa: F401 (clean_env: autouse fixture)
from webapp import create_app
from webapp.store.db import make_engine
from webapp.store.models import Base





@pytest.fixture
def moderator():
    return KeywordModerator()


@pytest.fixture
def webhooks():
    """Webhook deliveries recorded instead of sent."""
    return []


@pytest.fixture
def config(tmp_path):
    """The test dict; tests change it before asking for `app`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "API_KEYS": API_KEY,
    }


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(config, moderator, tmp_path, webhooks, clock):
    app = create_app(config, moderator=moderator, instance_path=str(tmp_path / "instance"),
                     webhook_sender=lambda url, body, headers, timeout: webhooks.append((url, body, headers)))
    app.extensions["moderation.clock"] = clock
    yield app
    app.extensions["moderation.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def reviewer(app):
    """Reviewer 'alice' (id returned); log in with `login(client)`."""
    return make_reviewer(app)


@pytest.fixture(scope="session")
def postgres_schema():
    """A uniquely named schema in database `test`, migrated once and dropped at the end of the run."""
    with throwaway_postgres_schema("moderation_test") as url:
        yield url


def truncate_all(url: str) -> None:
    """Empty every table of the schema behind `url`, keeping the migrated schema."""
    engine = make_engine(url)
    with engine.begin() as connection:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def pg_app(postgres_schema, moderator, tmp_path, webhooks, clock, config):
    """The app on PostgreSQL (empty tables), same settings as `app` otherwise."""
    truncate_all(postgres_schema)
    config["DATABASE_URL"] = postgres_schema
    app = create_app(config, moderator=moderator, instance_path=str(tmp_path / "instance"),
                     webhook_sender=lambda url, body, headers, timeout: webhooks.append((url, body, headers)))
    app.extensions["moderation.clock"] = clock
    yield app
    app.extensions["moderation.engine"].dispose()
