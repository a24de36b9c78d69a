"""Test support for the service: a keyword stand-in moderator, a settable clock, an API client, login helpers.

Kept out of conftest.py so test modules import it by a name no other conftest can shadow.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
from datetime import datetime, timedelta
from hypothesis import strategies as st

from moderation import Verdict
from moderation.labels import OFF_TOPIC, PROFANITY, SARCASM
from moderation.policy import DEFAULT_THRESHOLDS, decide, flags
from webapp.store import repo
from webapp.store.db import make_session

API_KEY = "test-key-0123456789"
PASSWORD = "correct horse battery"


class KeywordModerator:
    """A stand-in with the library's interface and result type, scoring by keywords so tests can aim.

    darn → profanity 0.60 (review), damn → 0.97 (reject), "/s" → sarcasm 0.80, "maybe" → sarcasm 0.72,
    "buy now" → off_topic 0.90; "explode" makes scoring fail. Everything else scores 0.02 and publishes.
    """

    model_version = "keyword-test-1"
    thresholds = DEFAULT_THRESHOLDS

    def __init__(self):
        self.calls = 0

    def _one(self, text: str, article) -> Verdict:
        if "explode" in text:
            raise RuntimeError("model failure for the test")
        scores = {PROFANITY: 0.02, SARCASM: 0.02, OFF_TOPIC: 0.02}
        spans = []
        for word, value in (("darn", 0.6), ("damn", 0.97), ("bull$hit", 0.97)):
            for match in re.finditer(re.escape(word), text):
                scores[PROFANITY] = max(scores[PROFANITY], value)
                spans.append({"label": PROFANITY, "start": match.start(), "end": match.end(), "text": match.group()})
        if text.rstrip().endswith("/s"):
            scores[SARCASM] = 0.8
            start = text.rstrip().rfind("/s")
            spans.append({"label": SARCASM, "start": start, "end": start + 2, "text": "/s"})
        elif "maybe" in text:
            scores[SARCASM] = 0.72
        if "buy now" in text.lower():
            scores[OFF_TOPIC] = 0.9
        flagged = flags(scores, self.thresholds)
        spans = [s for s in spans if s["label"] in flagged]
        return Verdict(scores, flagged, decide(scores, self.thresholds), spans, self.model_version)

    def score(self, text, article=None):
        self.calls += 1
        return self._one(text, article)

    def score_many(self, items):
        self.calls += 1
        return [self._one(text, article) for text, article in items]


class Clock:
    """A settable clock for leases: tests move time instead of sleeping."""

    def __init__(self):
        self.now = datetime(2026, 1, 1, 12, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Api:
    """The test client with the API key and JSON content type filled in."""

    def __init__(self, client, key=API_KEY):
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def post(self, path, json=None, **kwargs):
        return self.client.post(path, json=json, headers=self.headers, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.client.put(path, json=json, headers=self.headers, **kwargs)

    def get(self, path, **kwargs):
        return self.client.get(path, headers=self.headers, **kwargs)

    def raw(self, method, path, data, content_type="application/json"):
        return self.client.open(path, method=method, data=data, content_type=content_type, headers=self.headers)


def make_reviewer(app, name="alice", password=PASSWORD):
    with make_session(app) as session:
        return repo.create_reviewer(session, name, password).id


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, name="alice", password=PASSWORD):
    page = client.get("/review/login")
    response = client.post("/review/login", data={"name": name, "password": password,
                                                  "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def throwaway_postgres_schema(prefix: str):
    """Yield the URL of a fresh, migrated schema in database `test`; drop it afterwards.

    Skips the calling test when PostgreSQL is not reachable (the SQLite half still runs).
    """
    import uuid

    import pytest
    from sqlalchemy import create_engine, text

    from webapp.store.db import make_engine, upgrade

    admin = create_engine(PG_URL, connect_args={"connect_timeout": 2})
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Tests see only the configuration they set: no MODERATION_* or DATABASE_URL from the shell."""
    for name in list(os.environ):
        if name.startswith("MODERATION_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)


# Any JSON value, and comment objects whose fields may hold any of them (test_fuzz, test_fastpath).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
comment_bodies = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.text(max_size=10), json_values), "text": st.one_of(st.text(max_size=40), json_values),
    "article": st.one_of(st.none(), json_values, st.fixed_dictionaries({}, optional={
        "id": st.text(max_size=5), "title": st.text(max_size=10), "body": json_values})),
    "author": json_values, "enqueue": json_values,
})
