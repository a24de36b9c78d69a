"""Fixtures for the service: an app on a fresh SQLite file per test, clients, a reviewer, a fake clock."""

from __future__ import annotations

import os

import pytest

from service_support import API_KEY, Api, Clock, KeywordModerator, make_reviewer
from webapp import create_app


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Tests see only the configuration they set: no MODERATION_* or DATABASE_URL from the shell."""
    for name in list(os.environ):
        if name.startswith("MODERATION_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)


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
