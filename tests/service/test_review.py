"""Reviewer pages: login, CSRF, the queue, claims with leases, decisions, escaping, export."""

from __future__ import annotations

import json
import re

import pytest

from webapp.store.db import make_session
from webapp.store.models import Comment, Decision

from service_support import PASSWORD, csrf_token, login, make_reviewer


def queue_comment(api, external_id, text, **extra):
    response = api.post("/v1/score", {"id": external_id, "text": text, **extra})
    assert response.get_json()["queued"] is True, response.get_json()
    with make_session(api.client.application) as session:
        return session.query(Comment).filter_by(external_id=external_id).one().id


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.headers.get("Location"))
    return response.get_data(as_text=True)


def decide(client, comment_id, action, reason="", note="", token_page="/review/"):
    token = csrf_token(page(client, token_page))
    return client.post(f"/review/comments/{comment_id}/decide",
                       data={"action": action, "reason": reason, "note": note, "csrf_token": token})


@pytest.mark.parametrize("path", ["/review/", "/review/audit", "/review/authors/bob", "/review/comments/1",
                                  "/review/next"])
def test_every_page_but_login_needs_a_session(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/review/login" in response.headers["Location"]


def test_posts_need_a_session(client, reviewer):
    token = csrf_token(page(client, "/review/login"))
    response = client.post("/review/comments/1/decide", data={"action": "approve", "csrf_token": token})
    assert response.status_code == 302 and "/review/login" in response.headers["Location"]


def test_login_wrong_password(client, reviewer):
    token = csrf_token(page(client, "/review/login"))
    response = client.post("/review/login", data={"name": "alice", "password": "nope", "csrf_token": token})
    assert response.status_code == 401 and "wrong password" in response.get_data(as_text=True)
    assert client.get("/review/").status_code == 302


def test_login_and_logout(client, reviewer):
    login(client)
    assert "alice" in page(client, "/review/")
    token = csrf_token(page(client, "/review/"))
    assert client.post("/review/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/review/").status_code == 302


def test_login_redirect_stays_on_site(client, reviewer):
    token = csrf_token(page(client, "/review/login"))
    response = client.post("/review/login?next=https://evil.test/", data={
        "name": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/review/"


def test_password_stored_hashed(app, reviewer):
    with make_session(app) as session:
        from webapp.store.models import Reviewer

        stored = session.get(Reviewer, reviewer).password_hash
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


@pytest.mark.parametrize("path,data", [
    ("/review/login", {"name": "alice", "password": PASSWORD}),
    ("/review/logout", {}),
    ("/review/comments/1/decide", {"action": "approve", "reason": "ok"}),
    ("/review/bulk", {"action": "approve", "ids": "1"}),
])
def test_csrf_refused(client, reviewer, path, data):
    if path != "/review/login":
        login(client)
    response = client.post(path, data=data)
    assert response.status_code == 400
    response = client.post(path, data={**data, "csrf_token": "forged"})
    assert response.status_code == 400


def test_csrf_refusal_is_json_for_api_clients(client):
    response = client.post("/review/login", data={"name": "x"}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf_failed"


def test_queue_shows_comment_with_spans_bars_and_article(api, client, reviewer):
    api.put("/v1/articles/a1", {"title": "Rail strike", "body": "Trains stop.", "url": "https://news.test/a1"})
    queue_comment(api, "c1", "what a darn mess", author="bob", article={"id": "a1"})
    login(client)
    html = page(client, "/review/")
    assert '<mark class="span span-profanity" title="profanity">darn</mark>' in html
    assert '<meter min="0" max="1"' in html and "Rail strike" in html and 'href="https://news.test/a1"' in html
    assert "/review/authors/bob" in html
    assert "<kbd>j</kbd>" in html and "review.js" in html  # shortcut hints and the script file


def test_queue_filters_and_sorting(api, client, reviewer):
    queue_comment(api, "p", "darn it")          # profanity 0.60 -> uncertainty 0.8
    queue_comment(api, "s", "oh maybe")        # sarcasm 0.72 -> uncertainty 0.56
    queue_comment(api, "o", "buy now cheap", article={"id": "a2", "title": "T", "body": "B"})  # 0.9 -> 0.2
    login(client)
    html = page(client, "/review/")
    assert html.index("id p") < html.index("id s") < html.index("id o")  # most uncertain first
    html = page(client, "/review/?sort=oldest")
    assert html.index("id p") < html.index("id s") < html.index("id o")
    html = page(client, "/review/?label=sarcasm")
    assert "id s" in html and "id p" not in html and "id o" not in html
    html = page(client, "/review/?article=a2")
    assert "id o" in html and "id p" not in html
    assert "3 pending" in page(client, "/review/?label=bogus")


def test_sort_oldest_first(api, client, reviewer, clock, app):
    queue_comment(api, "first", "buy now cheap")
    queue_comment(api, "second", "darn it")
    login(client)
    html = page(client, "/review/?sort=oldest")
    assert html.index("id first") < html.index("id second")
    html = page(client, "/review/?sort=uncertain")
    assert html.index("id second") < html.index("id first")


XSS = ['<script>alert(1)</script> darn', '"><img src=x onerror=alert(1)> darn', "darn <b>bold</b> & 'quotes'"]


@pytest.mark.parametrize("text", XSS)
def test_comment_text_is_escaped_everywhere(api, client, reviewer, text):
    api.put("/v1/articles/x", {"title": '<script>t()</script>"><img onerror=1>', "body": "b",
                               "url": "javascript:alert(1)"})
    comment_id = queue_comment(api, "x1", text, author='<img src=x onerror=alert(2)>', article={"id": "x"})
    login(client)
    for path in ["/review/", f"/review/comments/{comment_id}", "/review/authors/%3Cimg%20src=x%20onerror=alert(2)%3E"]:
        html = page(client, path)
        assert "<script>alert" not in html and "<script>t()" not in html
        assert "<img" not in html, path
        assert "javascript:" not in html
        assert "&lt;" in html
        assert '<mark class="span span-profanity" title="profanity">darn</mark>' in html


def test_span_highlight_splits_text_safely():
    from webapp.highlight import highlight

    text = '<b>"darn"</b>'
    html = str(highlight(text, [{"label": "profanity", "start": 4, "end": 8},
                                {"label": "<x>", "start": 99, "end": 120}, {"start": "bad"}]))
    assert html == '&lt;b&gt;&#34;<mark class="span span-profanity" title="profanity">darn</mark>&#34;&lt;/b&gt;'


def test_approve_and_reject_with_reason(api, client, reviewer, app, webhooks):
    first = queue_comment(api, "c1", "darn it")
    second = queue_comment(api, "c2", "buy now cheap")
    login(client)
    assert decide(client, first, "approve", "ok").status_code == 303
    assert decide(client, second, "reject", "spam").status_code == 303
    with make_session(app) as session:
        assert session.get(Comment, first).status == "approved"
        assert session.get(Comment, second).status == "rejected"
        assert [(d.action, d.reason) for d in session.query(Decision).order_by(Decision.id)] == [
            ("approve", "ok"), ("reject", "spam")]
    assert "0 pending" in page(client, "/review/")
    decisions = api.get("/v1/decisions").get_json()
    assert [(d["comment_id"], d["status"], d["reason"]) for d in decisions["decisions"]] == [
        ("c1", "approved", "ok"), ("c2", "rejected", "spam")]
    assert webhooks == []  # no webhook configured


def test_webhook_is_signed(config, request, webhooks):
    from webapp.webhook import verify

    config.update(WEBHOOK_URL="http://127.0.0.1:9/hook", WEBHOOK_SECRET="shh")
    api, client, app = (request.getfixturevalue(name) for name in ("api", "client", "app"))
    make_reviewer(app)
    comment_id = queue_comment(api, "c1", "darn it")
    login(client)
    decide(client, comment_id, "reject", "profanity")
    [(url, body, headers)] = webhooks
    assert url == "http://127.0.0.1:9/hook"
    assert verify("shh", headers["X-Moderation-Timestamp"], body, headers["X-Moderation-Signature"])
    assert not verify("other", headers["X-Moderation-Timestamp"], body, headers["X-Moderation-Signature"])
    payload = json.loads(body)
    assert payload["decisions"][0]["comment_id"] == "c1" and payload["decisions"][0]["status"] == "rejected"


@pytest.mark.parametrize("action,reason,note,message", [
    ("reject", "", "", "does not fit reject"),
    ("reject", "other", "", "needs a note"),
    ("approve", "spam", "", "does not fit approve"),
    ("delete", "ok", "", "Unknown action"),
])
def test_bad_decisions_are_refused_with_a_message(api, client, reviewer, app, action, reason, note, message):
    comment_id = queue_comment(api, "c1", "darn it")
    login(client)
    response = decide(client, comment_id, action, reason, note)
    assert response.status_code == 303
    assert message in page(client, "/review/")
    with make_session(app) as session:
        assert session.get(Comment, comment_id).status == "pending"


def test_reject_other_with_note(api, client, reviewer, app):
    comment_id = queue_comment(api, "c1", "darn it")
    login(client)
    decide(client, comment_id, "reject", "other", "doxxing")
    with make_session(app) as session:
        assert session.query(Decision).one().note == "doxxing"


def test_claim_blocks_another_reviewer_until_the_lease_ends(api, app, reviewer, clock):
    make_reviewer(app, "bob")
    comment_id = queue_comment(api, "c1", "darn it")
    alice, bob = app.test_client(), app.test_client()
    login(alice)
    login(bob, "bob")
    assert "Claimed by you" in page(alice, f"/review/comments/{comment_id}")
    html = page(bob, f"/review/comments/{comment_id}")
    assert "claimed by alice" in html
    decide(bob, comment_id, "approve", "ok")
    assert "claimed by alice" in page(bob, "/review/")  # refused, with the reason
    with make_session(app) as session:
        assert session.get(Comment, comment_id).status == "pending"
    clock.advance(app.config["CLAIM_LEASE_SECONDS"] + 1)  # alice's lease runs out
    assert "Claimed by you" in page(bob, f"/review/comments/{comment_id}")
    decide(alice, comment_id, "reject", "profanity")
    assert "claimed by bob" in page(alice, "/review/")
    decide(bob, comment_id, "approve", "ok")
    with make_session(app) as session:
        assert session.get(Comment, comment_id).status == "approved"


def test_claim_next_and_release(api, app, client, reviewer):
    first = queue_comment(api, "c1", "darn it")
    login(client)
    response = client.get("/review/next")
    assert response.status_code == 302 and f"/review/comments/{first}" in response.headers["Location"]
    token = csrf_token(page(client, f"/review/comments/{first}"))
    client.post(f"/review/comments/{first}/release", data={"csrf_token": token})
    with make_session(app) as session:
        assert session.get(Comment, first).claimed_by_id is None


def test_bulk_actions(api, app, client, reviewer):
    ids = [queue_comment(api, f"c{i}", f"darn {i}") for i in range(3)]
    make_reviewer(app, "bob")
    bob = app.test_client()
    login(bob, "bob")
    page(bob, f"/review/comments/{ids[2]}")  # bob holds the third
    login(client)
    token = csrf_token(page(client, "/review/"))
    response = client.post("/review/bulk", data={"ids": [str(i) for i in ids], "action": "reject",
                                                 "reason": "profanity", "csrf_token": token})
    assert response.status_code == 303
    html = page(client, "/review/")
    assert "2 comment(s) rejected" in html and "claimed by bob" in html
    with make_session(app) as session:
        assert [session.get(Comment, i).status for i in ids] == ["rejected", "rejected", "pending"]


def test_author_history_and_audit_log(api, app, client, reviewer):
    comment_id = queue_comment(api, "c1", "darn it", author="bob")
    queue_comment(api, "c2", "buy now", author="bob")
    login(client)
    decide(client, comment_id, "reject", "profanity")
    html = page(client, "/review/authors/bob")
    assert "id c1" in html and "id c2" in html and "rejected" in html and "Profanity or abuse" in html
    html = page(client, "/review/audit")
    assert "login" in html and "reject" in html and "c1" in html


def test_create_reviewer_command(runner, client):
    result = runner.invoke(args=["create-reviewer", "carol"], input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    login(client, "carol", "s3cret-pass")
    assert runner.invoke(args=["create-reviewer", "carol", "--password", "another-pass"]).exit_code != 0
    assert runner.invoke(args=["create-reviewer", "carol", "--password", "short"]).exit_code != 0
    result = runner.invoke(args=["create-reviewer", "carol", "--reset", "--generate"])
    assert result.exit_code == 0 and "password: " in result.output


def test_export_decisions(api, app, client, reviewer, runner, tmp_path):
    ids = {}
    for name, text in [("ok", "darn fine"), ("sarc", "oh maybe"), ("prof", "darn you"), ("spam", "buy now"),
                       ("other", "darn x")]:
        ids[name] = queue_comment(api, name, text, article={"id": "a1", "title": "Budget", "body": "Money."})
    login(client)
    decide(client, ids["ok"], "approve", "ok")
    decide(client, ids["sarc"], "approve", "sarcasm_fine")
    decide(client, ids["prof"], "reject", "profanity")
    decide(client, ids["spam"], "reject", "spam")
    decide(client, ids["other"], "reject", "other", "unclear")
    out = tmp_path / "decisions.jsonl"
    result = runner.invoke(args=["export-decisions", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {"ok", "sarc", "prof", "spam"}  # 'other' rejections teach no label
    assert by_id["ok"]["labels"] == {"profanity": 0, "sarcasm": 0, "off_topic": 0}
    assert by_id["sarc"]["labels"] == {"profanity": 0, "sarcasm": 1, "off_topic": 0}
    assert by_id["prof"]["labels"] == {"profanity": 1}
    assert by_id["spam"]["labels"] == {"off_topic": 1}
    row = by_id["prof"]
    assert row["text"] == "darn you" and row["article"] == {"title": "Budget", "body": "Money."}
    assert row["reason"] == "profanity" and re.match(r"\d{4}-\d\d-\d\dT", row["decided_at"])


def test_claim_next_follows_the_filters_and_says_when_empty(api, app, client, reviewer):
    queue_comment(api, "p", "darn it")
    sarcastic = queue_comment(api, "s", "oh maybe")
    login(client)
    response = client.get("/review/next?label=sarcasm")
    assert f"/review/comments/{sarcastic}" in response.headers["Location"]
    response = client.get("/review/next?label=sarcasm", follow_redirects=True)
    assert "Nothing left to claim" in response.get_data(as_text=True)  # the only sarcasm item is ours now


def test_queue_pages(config, request):
    config["QUEUE_PAGE_SIZE"] = 2
    api, app, client = (request.getfixturevalue(name) for name in ("api", "app", "client"))
    make_reviewer(app)
    for i in range(5):
        queue_comment(api, f"c{i}", f"darn {i}")
    login(client)
    first = page(client, "/review/?sort=oldest")
    assert "page 1 of 3" in first and "id c0" in first and "id c2" not in first
    last = page(client, "/review/?sort=oldest&page=3")
    assert "id c4" in last and "id c0" not in last
    assert "page 1 of 3" in page(client, "/review/?page=x")


def test_pages_are_not_cached(client, reviewer):
    login(client)
    assert client.get("/review/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/review/comments/99999999999999999999", "/review/comments/" + "9" * 5000])
def test_huge_ids_are_not_found(client, reviewer, path):
    login(client)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/review/?page=" + "9" * 30, "/review/?page=" + "9" * 5000, "/review/audit?page=" + "9" * 30])
def test_huge_page_numbers_are_ignored(client, reviewer, path):
    login(client)
    assert client.get(path).status_code == 200


def test_bulk_reject_without_reason_says_so_once(api, client, reviewer, app):
    ids = [queue_comment(api, f"c{i}", f"darn {i}") for i in range(3)]
    login(client)
    token = csrf_token(page(client, "/review/"))
    client.post("/review/bulk", data={"ids": [str(i) for i in ids] + ["9" * 40], "action": "reject",
                                      "reason": "", "csrf_token": token})
    html = page(client, "/review/")
    assert html.count("does not fit reject") == 1 and "3 pending" in html


def test_nul_in_forms_and_queries_refused(client, reviewer):
    token = csrf_token(page(client, "/review/login"))
    response = client.post("/review/login", data={"name": "al\x00ice", "password": "x", "csrf_token": token})
    assert response.status_code == 400
    login(client)
    assert client.get("/review/?article=a%00").status_code == 400
    assert client.get("/review/authors/a%00b").status_code == 400


def test_reviewer_flow_on_postgresql(pg_app, clock, tmp_path):
    """Queue, claim conflict, lease expiry, decision, feed, author page, audit and export on PostgreSQL."""
    from service_support import Api

    app = pg_app
    make_reviewer(app)
    make_reviewer(app, "bob")
    api = Api(app.test_client())
    api.put("/v1/articles/a1", {"title": "<i>Rail</i>", "body": "Trains."})
    comment_id = queue_comment(api, "c1", '<script>x()</script> darn', author="eve", article={"id": "a1"})
    queue_comment(api, "c2", "oh maybe", author="eve")
    alice, bob = app.test_client(), app.test_client()
    login(alice)
    login(bob, "bob")
    html = page(alice, "/review/?label=profanity")
    assert "&lt;script&gt;" in html and "<script>x()" not in html and "id c2" not in html
    assert "Claimed by you" in page(alice, f"/review/comments/{comment_id}")
    assert "claimed by alice" in page(bob, f"/review/comments/{comment_id}")
    decide(bob, comment_id, "reject", "profanity")
    assert "claimed by alice" in page(bob, "/review/")
    clock.advance(app.config["CLAIM_LEASE_SECONDS"] + 1)
    decide(bob, comment_id, "reject", "profanity")
    assert [d["comment_id"] for d in api.get("/v1/decisions").get_json()["decisions"]] == ["c1"]
    assert "rejected" in page(alice, "/review/authors/eve")
    assert "reject" in page(alice, "/review/audit")
    out = tmp_path / "decisions.jsonl"
    assert app.test_cli_runner().invoke(args=["export-decisions", "--out", str(out)]).exit_code == 0
    assert json.loads(out.read_text())["labels"] == {"profanity": 1}
