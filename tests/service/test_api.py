"""The scoring API: contract, every validation error, idempotency, durability."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from webapp.store.db import make_session
from webapp.store.models import Comment

from service_support import API_KEY


def score_body(**overrides):
    body = {"id": "c1", "text": "What a nice article, thanks.", "article": {"id": "a1", "title": "Budget",
                                                                          "body": "The city budget."}}
    body.update(overrides)
    return body


def stored(app, external_id):
    with make_session(app) as session:
        return session.scalars(select(Comment).where(Comment.external_id == external_id)).one_or_none()


def test_score_publish_is_not_queued(api, app):
    response = api.post("/v1/score", score_body())
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"id", "scores", "flags", "decision", "spans", "model_version", "queued"}
    assert body["id"] == "c1" and body["decision"] == "publish" and body["queued"] is False
    assert set(body["scores"]) == {"profanity", "sarcasm", "off_topic"}
    assert stored(app, "c1") is None


def test_review_is_stored_before_the_answer(api, app):
    response = api.post("/v1/score", score_body(text="what a darn mess", author="bob"))
    body = response.get_json()
    assert response.status_code == 200
    assert body["decision"] == "review" and body["queued"] is True and body["flags"] == ["profanity"]
    assert body["spans"] == [{"label": "profanity", "start": 7, "end": 11, "text": "darn"}]
    row = stored(app, "c1")  # a new session: the row is committed, not just flushed
    assert row is not None and row.status == "pending" and row.author == "bob"
    assert row.article_id == "a1" and row.article_title == "Budget"


def test_same_id_twice_is_one_item_and_the_same_answer(api, app, moderator):
    first = api.post("/v1/score", score_body(text="what a darn mess")).get_json()
    calls = moderator.calls
    second = api.post("/v1/score", score_body(text="what a darn mess")).get_json()
    assert first == second
    assert moderator.calls == calls  # answered from the store
    with make_session(app) as session:
        assert session.query(Comment).count() == 1


def test_a_queued_id_sent_again_gets_its_stored_answer_whatever_else_changed(api, app):
    first = api.post("/v1/score", score_body(text="what a darn mess")).get_json()
    assert first["queued"] is True
    for changed in ({"enqueue": False}, {"text": "what a lovely day"}, {"article": None}):
        assert api.post("/v1/score", score_body(**{"text": "what a darn mess", **changed})).get_json() == first
    with make_session(app) as session:
        assert session.query(Comment).count() == 1


def test_an_id_answered_without_queueing_is_scored_afresh_and_stored_once_queued(api, app):
    """Only queued answers are stored, so an id first published has nothing to repeat."""
    first = api.post("/v1/score", score_body(text="fine words")).get_json()
    assert first["queued"] is False and api.post("/v1/score", score_body(text="fine words")).get_json() == first
    held = api.post("/v1/score", score_body(text="darn words")).get_json()
    assert held["decision"] == "review" and held["queued"] is True
    assert api.post("/v1/score", score_body(text="fine words")).get_json() == held
    with make_session(app) as session:
        assert session.query(Comment).count() == 1


def test_a_duplicate_that_misses_the_lookup_gets_the_first_answer(api, app, monkeypatch):
    """Two workers looking the id up at once both miss it: the unique id keeps one row, both get its answer."""
    first = api.post("/v1/score", score_body(text="what a darn mess")).get_json()
    import webapp.api

    monkeypatch.setattr(webapp.api.repo, "stored_answers", lambda connection, ids: {})
    racer = api.post("/v1/score", score_body(text="what a darn mess maybe"))
    assert racer.status_code == 200 and racer.get_json() == first
    with make_session(app) as session:
        assert session.query(Comment).count() == 1


def test_enqueue_false_does_not_store(api, app):
    body = api.post("/v1/score", score_body(text="darn", enqueue=False)).get_json()
    assert body["decision"] == "review" and body["queued"] is False
    assert stored(app, "c1") is None


def test_reject_not_queued_by_default(api, app):
    body = api.post("/v1/score", score_body(text="damn you")).get_json()
    assert body["decision"] == "reject" and body["queued"] is False


@pytest.mark.parametrize("decisions", [["review", "reject"], "review,reject"])
def test_reject_queued_when_configured(config, decisions, request):
    config["ENQUEUE_DECISIONS"] = decisions
    api = request.getfixturevalue("api")
    body = api.post("/v1/score", score_body(text="damn you")).get_json()
    assert body["decision"] == "reject" and body["queued"] is True


def test_article_by_id(api):
    put = api.put("/v1/articles/a9", {"title": "Rail strike", "body": "Trains stop.", "url": "https://x.test/a9"})
    assert put.status_code == 201
    assert api.put("/v1/articles/a9", {"title": "Rail strike ends", "body": "Trains run."}).status_code == 200
    assert api.get("/v1/articles/a9").get_json()["title"] == "Rail strike ends"
    response = api.post("/v1/score", score_body(article={"id": "a9"}, text="darn trains"))
    assert response.status_code == 200 and response.get_json()["queued"] is True



def _record_article_bodies(app, monkeypatch) -> list[str]:
    seen: list[str] = []
    moderator = app.extensions["moderation.moderator"]
    original = moderator.score
    monkeypatch.setattr(moderator, "score", lambda text, article=None: seen.append(article.body) or original(text, article))
    return seen


def _replace_elsewhere(app, body: str) -> None:
    """What another worker's PUT does here: the row changes, this worker's copy is not told."""
    from webapp.store import repo

    with make_session(app) as session:
        repo.put_article(session, "a1", "Budget", body, None)


def test_stored_article_replaced_by_another_worker_is_read_again_once_the_copy_expires(api, app, monkeypatch):
    seen = _record_article_bodies(app, monkeypatch)
    now = [1000.0]
    app.extensions["moderation.article_cache"].clock = lambda: now[0]
    api.put("/v1/articles/a1", {"title": "Budget", "body": "first"})
    api.post("/v1/score", score_body(id="c1", article={"id": "a1"}, text="fine"))
    _replace_elsewhere(app, "second")
    api.post("/v1/score", score_body(id="c2", article={"id": "a1"}, text="fine"))
    now[0] += app.config["ARTICLE_CACHE_SECONDS"] + 0.01
    api.post("/v1/score", score_body(id="c3", article={"id": "a1"}, text="fine"))
    api.put("/v1/articles/a1", {"title": "Budget", "body": "third"})  # this worker's own PUT: seen at once
    api.post("/v1/score", score_body(id="c4", article={"id": "a1"}, text="fine"))
    assert seen == ["first", "first", "second", "third"]


def test_article_cache_off(config, request, monkeypatch):
    config["ARTICLE_CACHE_SECONDS"] = 0
    api, app = request.getfixturevalue("api"), request.getfixturevalue("app")
    seen = _record_article_bodies(app, monkeypatch)
    api.put("/v1/articles/a1", {"title": "Budget", "body": "first"})
    api.post("/v1/score", score_body(id="c1", article={"id": "a1"}, text="fine"))
    _replace_elsewhere(app, "second")
    api.post("/v1/score", score_body(id="c2", article={"id": "a1"}, text="fine"))
    assert seen == ["first", "second"]

def test_article_optional(api):
    response = api.post("/v1/score", {"id": "x", "text": "hello"})
    assert response.status_code == 200


def test_batch_in_order_and_idempotent(api, app):
    comments = [score_body(id=f"b{i}", text=t) for i, t in enumerate(["fine", "darn it", "buy now cheap", "fine"])]
    comments.append(score_body(id="b1", text="darn it"))  # same id twice in one batch
    response = api.post("/v1/score:batch", {"comments": comments})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["id"] for r in results] == ["b0", "b1", "b2", "b3", "b1"]
    assert [r["decision"] for r in results] == ["publish", "review", "review", "publish", "review"]
    assert results[1] == results[4]
    with make_session(app) as session:
        assert session.query(Comment).count() == 2
    again = api.post("/v1/score:batch", {"comments": comments}).get_json()["results"]
    assert again[1] == results[1] and again[2] == results[2]


def test_fail_closed_holds_for_review(api, app):
    body = api.post("/v1/score", score_body(text="explode")).get_json()
    assert body["decision"] == "review" and body["degraded"] is True and body["queued"] is True


def test_fail_open_publishes(config, request):
    config["FAIL_MODE"] = "open"
    api = request.getfixturevalue("api")
    body = api.post("/v1/score", score_body(text="explode")).get_json()
    assert body["decision"] == "publish" and body["degraded"] is True and body["queued"] is False


def test_batch_with_one_failure_scores_the_rest(api):
    comments = [score_body(id="ok", text="fine"), score_body(id="bad", text="explode")]
    results = api.post("/v1/score:batch", {"comments": comments}).get_json()["results"]
    assert results[0]["decision"] == "publish" and "degraded" not in results[0]
    assert results[1]["degraded"] is True


# --- errors: status and body ------------------------------------------------------------------------

def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body is not None, response.get_data(as_text=True)
    assert set(body) == {"error", "message"} and body["error"] == code and body["message"]


@pytest.mark.parametrize("body,status,code", [
    ({"id": "c", "text": ""}, 400, "empty_text"),
    ({"id": "c", "text": "   \n"}, 400, "empty_text"),
    ({"id": "c"}, 400, "missing_field"),
    ({"id": "c", "text": None}, 400, "missing_field"),
    ({"text": "hi"}, 400, "missing_field"),
    ({"id": 5, "text": "hi"}, 400, "invalid_type"),
    ({"id": "c", "text": 5}, 400, "invalid_type"),
    ({"id": "c", "text": ["hi"]}, 400, "invalid_type"),
    ({"id": "c", "text": "hi", "article": "a1"}, 400, "invalid_type"),
    ({"id": "c", "text": "hi", "article": {"title": 3}}, 400, "invalid_type"),
    ({"id": "c", "text": "hi", "article": {}}, 400, "missing_field"),
    ({"id": "c", "text": "hi", "article": {"id": "nope"}}, 404, "unknown_article"),
    ({"id": "c", "text": "hi", "author": {}}, 400, "invalid_type"),
    ({"id": "c", "text": "hi", "enqueue": "yes"}, 400, "invalid_type"),
    ({"id": "", "text": "hi"}, 400, "invalid_value"),
    ({"id": "x" * 300, "text": "hi"}, 400, "value_too_long"),
    ([1, 2], 400, "invalid_type"),
    ("text", 400, "invalid_type"),
    (7, 400, "invalid_type"),
])
def test_score_validation(api, body, status, code):
    assert_error(api.post("/v1/score", body), status, code)


def test_json_null_body(api):
    assert_error(api.raw("POST", "/v1/score", b"null"), 400, "invalid_type")


def test_text_over_limit(api):
    assert_error(api.post("/v1/score", {"id": "c", "text": "a" * 20_001}), 400, "text_too_long")
    assert api.post("/v1/score", {"id": "c", "text": "a" * 20_000}).status_code == 200


def test_text_limit_is_configurable(config, request):
    config["MAX_TEXT_CHARS"] = 10
    api = request.getfixturevalue("api")
    assert_error(api.post("/v1/score", {"id": "c", "text": "a" * 11}), 400, "text_too_long")


@pytest.mark.parametrize("data", [b"{", b"{'id': 1}", b"", b"\xff\xfe", b"NaN", b'{"id": "c", "text": NaN}'])
def test_invalid_json(api, data):
    assert_error(api.raw("POST", "/v1/score", data), 400, "invalid_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_wrong_content_type(api, content_type):
    assert_error(api.raw("POST", "/v1/score", b'{"id": "c", "text": "hi"}', content_type), 415,
                 "unsupported_media_type")


def test_body_too_large(config, request):
    config["MAX_CONTENT_LENGTH"] = 1000
    api = request.getfixturevalue("api")
    assert_error(api.raw("POST", "/v1/score", b'{"id": "c", "text": "' + b"a" * 2000 + b'"}'), 413,
                 "payload_too_large")


def test_unknown_path_and_wrong_method(api, client):
    assert_error(api.get("/v1/nothing"), 404, "not_found")
    assert_error(client.get("/v1/score"), 405, "method_not_allowed")
    assert_error(api.raw("DELETE", "/v1/score:batch", b""), 405, "method_not_allowed")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {API_KEY}"},
                                     {"Authorization": "Bearer"}])
def test_no_valid_key(client, headers):
    response = client.post("/v1/score", json={"id": "c", "text": "hi"}, headers=headers)
    assert_error(response, 401, "unauthorized")


def test_key_created_in_the_store_works(app, client, runner):
    result = runner.invoke(args=["create-api-key", "site"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("mk_")
    response = client.post("/v1/score", json={"id": "c", "text": "hi"}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    with make_session(app) as session:
        from webapp.store.models import ApiKey

        row = session.query(ApiKey).filter_by(name="site").one()
        assert key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    duplicate = runner.invoke(args=["create-api-key", "site"])
    assert duplicate.exit_code != 0 and "exists" in duplicate.output


@pytest.mark.parametrize("body,code", [
    ({}, "missing_field"),
    ({"comments": {}}, "invalid_type"),
    ({"comments": []}, "empty_batch"),
    ({"comments": [{"id": "a", "text": "x"}] * 101}, "batch_too_large"),
    ({"comments": [{"id": "a", "text": "x"}, {"id": "b", "text": ""}]}, "empty_text"),
    ({"comments": ["x"]}, "invalid_type"),
])
def test_batch_validation(api, body, code):
    response = api.post("/v1/score:batch", body)
    assert_error(response, 400, code)


def test_batch_error_names_the_comment(api):
    response = api.post("/v1/score:batch", {"comments": [{"id": "a", "text": "x"}, {"id": "b", "text": ""}]})
    assert "comments[1].text" in response.get_json()["message"]


def test_batch_unknown_article(api):
    response = api.post("/v1/score:batch", {"comments": [{"id": "a", "text": "x", "article": {"id": "zz"}}]})
    assert_error(response, 404, "unknown_article")


def test_batch_limit_configurable(config, request):
    config["MAX_BATCH"] = 2
    api = request.getfixturevalue("api")
    assert_error(api.post("/v1/score:batch", {"comments": [{"id": str(i), "text": "x"} for i in range(3)]}),
                 400, "batch_too_large")


@pytest.mark.parametrize("body,code", [
    ({"body": "x"}, "missing_field"),
    ({"title": 1}, "invalid_type"),
    ({"title": "t", "url": 3}, "invalid_type"),
    ([], "invalid_type"),
])
def test_article_validation(api, body, code):
    assert_error(api.put("/v1/articles/a1", body), 400, code)


def test_unknown_article_get(api):
    assert_error(api.get("/v1/articles/none"), 404, "unknown_article")


# --- decisions feed --------------------------------------------------------------------------------

def test_decisions_feed_paging_and_since(api, app):
    from datetime import timedelta

    from webapp.store import repo

    for i in range(3):
        api.post("/v1/score", score_body(id=f"d{i}", text="darn"))
    with make_session(app) as session:
        reviewer = repo.create_reviewer(session, "r1", "password-123").id
        ids = [c.id for c in session.query(Comment).order_by(Comment.id)]
        from webapp.store.models import utcnow

        base = utcnow()
        for offset, comment_id in enumerate(ids):
            repo.decide(session, comment_id, reviewer, "approve", "ok", now=base + timedelta(minutes=offset))
    page = api.get("/v1/decisions?limit=2").get_json()
    assert [d["comment_id"] for d in page["decisions"]] == ["d0", "d1"]
    assert set(page["decisions"][0]) == {"decision_id", "comment_id", "action", "status", "reason", "note",
                                         "reviewer", "decided_at"}
    rest = api.get(f"/v1/decisions?since={page['next_since']}").get_json()
    assert [d["comment_id"] for d in rest["decisions"]] == ["d2"]
    empty = api.get(f"/v1/decisions?since={rest['next_since']}").get_json()
    assert empty["decisions"] == [] and empty["next_since"] == rest["next_since"]
    when = page["decisions"][1]["decided_at"]
    assert [d["comment_id"] for d in api.get(f"/v1/decisions?since={when}").get_json()["decisions"]] == ["d2"]


@pytest.mark.parametrize("query", ["since=yesterday", "since=2026-13-45", "limit=0", "limit=abc", "limit=100000"])
def test_decisions_bad_parameters(api, query):
    assert_error(api.get(f"/v1/decisions?{query}"), 400, "invalid_parameter")


def test_decisions_need_a_key(client):
    assert_error(client.get("/v1/decisions"), 401, "unauthorized")


def test_batch_sharing_a_new_inline_article(api, app):
    article = {"id": "new-a", "title": "Ferry", "body": "The ferry is late."}
    comments = [score_body(id="s1", text="darn ferry", article=article),
                score_body(id="s2", text="buy now tickets", article=article)]
    results = api.post("/v1/score:batch", {"comments": comments}).get_json()["results"]
    assert [r["queued"] for r in results] == [True, True]
    assert api.get("/v1/articles/new-a").get_json()["title"] == "Ferry"
    assert api.post("/v1/score", score_body(id="s3", text="ok", article={"id": "new-a"})).status_code == 200


def test_unicode_and_control_characters(api):
    for text in ["😀 darn", "zero\u200bwidth", "rtl \u202e text", "tab\tnew\nline"]:
        response = api.post("/v1/score", {"id": text, "text": text})
        assert response.status_code == 200, text


@pytest.mark.parametrize("raw", [b'{"id": "x", "text": "a\\u0000b"}', b'{"id": "x", "text": "\\ud800"}',
                                 b'{"id": "\\udfff", "text": "hi"}'])
def test_unstorable_strings_are_refused(api, raw):
    assert_error(api.raw("POST", "/v1/score", raw), 400, "invalid_value")


@pytest.mark.parametrize("since", ["9" * 20, "9" * 5000])
def test_decisions_huge_since(api, since):
    assert_error(api.get(f"/v1/decisions?since={since}"), 400, "invalid_parameter")


@pytest.mark.parametrize("method,path", [("GET", "/v1/articles/a%00b"), ("PUT", "/v1/articles/a%00b"),
                                         ("GET", "/v1/decisions?since=%00")])
def test_nul_in_url_refused(api, method, path):
    assert_error(api.raw(method, path, b'{"title": "t"}'), 400, "invalid_value")
