"""webapp/fastpath.py: plain POST /v1/score requests skip Flask, and every answer is the one Flask gives."""

from __future__ import annotations

import json

import pytest
from flask import request_started
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from service_support import API_KEY, KeywordModerator, comment_bodies, json_values
from webapp import create_app

AUTH = {"Authorization": f"Bearer {API_KEY}"}
ARTICLE = {"id": "a1", "title": "Budget vote", "body": "The council voted on the budget."}


def build(tmp_path, name: str, fast: bool, **extra):
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "API_KEYS": API_KEY, "SCORE_FAST_PATH": fast,
              "DATABASE_URL": f"sqlite:///{tmp_path / (name + '.sqlite3')}", **extra}
    return create_app(config, moderator=KeywordModerator(), instance_path=str(tmp_path / name))


@pytest.fixture
def pair(tmp_path):
    """The same app twice: with the fast path and without."""
    apps = {"fast": build(tmp_path, "fast", True), "flask": build(tmp_path, "flask", False)}
    yield apps
    for app in apps.values():
        app.extensions["moderation.engine"].dispose()


def flask_saw(app, send) -> tuple[object, bool]:
    """`send()`'s response, and whether Flask's request handling ran for it."""
    seen = []

    def record(sender, **_extra):
        seen.append(sender)

    with request_started.connected_to(record, app):
        response = send()
    return response, bool(seen)


def test_a_plain_request_skips_flask_and_others_do_not(pair):
    fast = pair["fast"].test_client()
    plain = {"id": "c1", "text": "hello there", "article": ARTICLE}
    response, through_flask = flask_saw(pair["fast"], lambda: fast.post("/v1/score", json=plain, headers=AUTH))
    assert response.status_code == 200 and response.get_json()["decision"] == "publish"
    assert through_flask is False
    for send in (
        lambda: fast.post("/v1/score", json={"id": "c2", "text": ""}, headers=AUTH),  # refused: Flask answers
        lambda: fast.post("/v1/score", json=plain),  # no key
        lambda: fast.post("/v1/score?key=" + API_KEY, json={"id": "c3", "text": "hi"}),  # key in the query
        lambda: fast.post("/v1/score:batch", json={"comments": [plain]}, headers=AUTH),  # another path
    ):
        assert flask_saw(pair["fast"], send)[1] is True
    off = pair["flask"].test_client()
    assert flask_saw(pair["flask"], lambda: off.post("/v1/score", json=plain, headers=AUTH))[1] is True


def _requests():
    """(method, path, raw body, headers) in order; later ones depend on earlier ones (repeated ids)."""
    j = {"Content-Type": "application/json", **AUTH}

    def body(obj) -> bytes:
        return json.dumps(obj).encode()

    yield "POST", "/v1/score", body({"id": "p1", "text": "a fine comment", "article": {"id": "a1"}}), j
    yield "POST", "/v1/score", body({"id": "q1", "text": "well darn it", "article": ARTICLE, "author": "ann"}), j
    yield "POST", "/v1/score", body({"id": "q1", "text": "well darn it", "article": ARTICLE, "author": "ann"}), j
    yield "POST", "/v1/score", body({"id": "q2", "text": "buy now cheap pills", "article": {"id": "a1"}}), j
    yield "POST", "/v1/score", body({"id": "r1", "text": "damn you", "enqueue": False}), j
    yield "POST", "/v1/score", body({"id": "s1", "text": "oh sure, great plan /s"}), j
    yield "POST", "/v1/score", body({"id": "x1", "text": "explode"}), j  # the model fails: degraded answer
    yield "POST", "/v1/score", body({"id": "u1", "text": "hi", "article": {"id": "missing"}}), j  # 404
    yield "POST", "/v1/score", body({"id": "e1", "text": "   "}), j  # 400 empty
    yield "POST", "/v1/score", body({"id": "t1", "text": "x" * 20_001}), j  # 400 too long
    yield "POST", "/v1/score", body({"id": "n1", "text": "nul \x00 here"}), j  # 400 NUL
    yield "POST", "/v1/score", body({"id": 5, "text": "wrong id type"}), j
    yield "POST", "/v1/score", body({"id": "b1", "text": "hi", "enqueue": "yes"}), j
    yield "POST", "/v1/score", body(["not", "an", "object"]), j
    yield "POST", "/v1/score", b'{"id": "d1", "text": "ok", "text": "damn"}', j  # duplicate key
    yield "POST", "/v1/score", b'{"id": "j1", "text": ', j  # invalid JSON
    yield "POST", "/v1/score", body({"id": "c1", "text": "charset given"}), {**j, "Content-Type": "application/json; charset=utf-8"}
    yield "POST", "/v1/score", '{"id": "w1", "text": "utf-16 body"}'.encode("utf-16"), j
    yield "POST", "/v1/score", body({"id": "f1", "text": "form?"}), {**AUTH, "Content-Type": "text/plain"}  # 415
    yield "POST", "/v1/score", body({"id": "k1", "text": "no key"}), {"Content-Type": "application/json"}  # 401
    yield "POST", "/v1/score", body({"id": "k2", "text": "bad key"}), {**j, "Authorization": "Bearer nope"}
    yield "POST", "/v1/score", body({"id": "k3", "text": "basic"}), {**j, "Authorization": "Basic abc"}
    yield "POST", "/v1/score", b"", j  # empty body
    yield "POST", "/v1/score?key=" + API_KEY, body({"id": "k4", "text": "key in query"}), {"Content-Type": "application/json"}
    yield "POST", "/v1/score", body({"id": "<script>alert(1)</script>", "text": "\"><img onerror=x>"}), j
    yield "GET", "/v1/score", b"", AUTH  # 405


def _state(app) -> dict:
    """What the store and the metrics hold after the requests (latency left out: it differs run to run)."""
    with app.extensions["moderation.engine"].connect() as connection:
        comments = connection.execute(text(
            "SELECT external_id, text, author, article_id, article_title, article_body, scores, flags, spans, "
            "model_decision, model_version, response, status FROM comments ORDER BY external_id")).all()
        flags = connection.execute(text("SELECT c.external_id, f.label FROM comment_flags f "
                                        "JOIN comments c ON c.id = f.comment_id ORDER BY 1, 2")).all()
    metrics = app.extensions["moderation.metrics"]
    samples = {}
    for metric in (metrics.requests, metrics.decisions, metrics.flags, metrics.degraded, metrics.latency):
        for family in metric.collect():
            for sample in family.samples:
                if sample.name.endswith(("_total", "_count")):
                    samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return {"comments": [tuple(row) for row in comments], "flags": [tuple(row) for row in flags], "metrics": samples}


def test_both_paths_answer_every_request_alike(pair):
    clients = {name: app.test_client() for name, app in pair.items()}
    for client in clients.values():  # its answer holds the time it was stored, so it is not compared
        assert client.put("/v1/articles/a1", json={"title": ARTICLE["title"], "body": ARTICLE["body"]},
                          headers=AUTH).status_code == 201
    for method, path, raw, headers in _requests():
        answers = {}
        for name, client in clients.items():
            response = client.open(path, method=method, data=raw, headers=headers)
            answers[name] = (response.status_code, sorted(response.headers.items()), response.get_data())
        assert answers["fast"] == answers["flask"], (method, path, raw[:80])
    fast, flask = _state(pair["fast"]), _state(pair["flask"])
    assert fast["comments"] and fast["flags"]  # some comments were queued, so the comparison means something
    assert fast == flask


@pytest.fixture(scope="module")
def fuzz_pair(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("fastpath-fuzz")
    # Hypothesis may send more than a minute's budget while shrinking; the limit has its own test below.
    apps = {name: build(tmp_path, name, fast, RATE_LIMIT_API="1000000 per minute")
            for name, fast in (("fast", True), ("flask", False))}
    for app in apps.values():
        app.test_client().put("/v1/articles/a", json={"title": "t", "body": "b"}, headers=AUTH)
    yield apps
    for app in apps.values():
        app.extensions["moderation.engine"].dispose()


# Mostly well-formed comments (so most answers are the fast path's own), with a wrong value here and there.
_words = st.sampled_from(["", " darn", " buy now", " /s", " damn", " explode"])
_letters = st.characters(blacklist_categories=("Cs", "Cc", "Zs"))  # no lone surrogates, NULs or blank-only texts
_well_formed = st.fixed_dictionaries(
    {"id": st.text(st.sampled_from("abc<>&\"é1"), min_size=1, max_size=4),
     "text": st.builds(str.__add__, st.text(_letters, min_size=1, max_size=30), _words)},
    optional={"article": st.one_of(st.just({"id": "a"}), st.just({"id": "missing"}), st.none(),
                                   st.fixed_dictionaries({"title": st.text(max_size=10), "body": st.text(max_size=20)},
                                                         optional={"id": st.text(max_size=3)})),
              "author": st.one_of(st.text(max_size=8), st.none()), "enqueue": st.booleans()})
_bodies = st.one_of(_well_formed, _well_formed, _well_formed, _well_formed.flatmap(
    lambda body: st.sampled_from(sorted(body)).flatmap(lambda key: json_values.map(lambda bad: {**body, key: bad}))),
    comment_bodies, json_values)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies)
def test_generated_bodies_get_the_same_answer_both_ways(fuzz_pair, body):
    """Whatever JSON arrives, the fast path answers as Flask does (or hands it over, which is the same)."""
    raw = json.dumps(body).encode()
    answers = {}
    for name, app in fuzz_pair.items():
        response = app.test_client().post("/v1/score", data=raw, headers={"Content-Type": "application/json", **AUTH})
        answers[name] = (response.status_code, sorted(response.headers.items()), response.get_data())
    assert answers["fast"] == answers["flask"]


def test_the_rate_limit_counts_each_request_once(tmp_path):
    """Requests the fast path hands to Flask after counting (a 404 here) are not counted again."""
    statuses = {}
    for fast in (True, False):
        app = build(tmp_path, f"limit-{fast}", fast, RATE_LIMIT_API="3 per minute")
        client = app.test_client()
        sent = [client.post("/v1/score", json={"id": "a", "text": "hi"}, headers=AUTH),
                client.post("/v1/score", json={"id": "b", "text": "hi", "article": {"id": "nope"}}, headers=AUTH),
                client.post("/v1/score", json={"id": "c", "text": "hi"}, headers=AUTH),
                client.post("/v1/score", json={"id": "d", "text": "hi"}, headers=AUTH)]
        statuses[fast] = [response.status_code for response in sent]
        assert sent[-1].headers.get("Retry-After"), sent[-1].headers
        app.extensions["moderation.engine"].dispose()
    assert statuses[True] == statuses[False] == [200, 404, 200, 429]


def test_a_database_error_is_answered_by_flask(pair, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from webapp.store import repo

    def down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(repo, "stored_answers", down)
    response = pair["fast"].test_client().post("/v1/score", json={"id": "z", "text": "hi"}, headers=AUTH)
    assert response.status_code == 503 and response.get_json()["error"] == "unavailable"


def test_a_body_cut_short_is_answered_by_flask(pair):
    """A client that goes away mid-body: no 500 from the fast path, Flask's usual 400."""

    class Broken:
        def read(self, *_args):
            raise OSError("connection reset by peer")

    environ_overrides = {"wsgi.input": Broken()}
    response = pair["fast"].test_client().post("/v1/score", data=b'{"id": "cut", "text": "hi"}', headers=AUTH,
                                               content_type="application/json", environ_overrides=environ_overrides)
    assert response.status_code == 400 and response.get_json()["error"]


def test_indented_json_is_left_to_flask(pair):
    """In debug mode Flask indents `jsonify` output; the fast path then steps aside rather than answer compactly."""
    answers = {}
    for name, app in pair.items():
        app.debug = True
        response = app.test_client().post("/v1/score", json={"id": "dbg", "text": "hello"}, headers=AUTH)
        answers[name] = (response.status_code, response.get_data())
        assert app.extensions["moderation.moderator"].calls == 1  # scored once, not once more after a hand-over
    assert answers["fast"] == answers["flask"] and b'\n  "' in answers["fast"][1]
