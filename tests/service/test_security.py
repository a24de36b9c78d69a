"""Security: headers, cookies, rate limits per key and per login name, lock-out, key checks, logs, roles."""

from __future__ import annotations

import logging
import re
import socket
import time
import uuid

import pytest

from service_support import API_KEY, PASSWORD, Api, csrf_token, login, make_reviewer
from webapp import create_app


def post_login(client, name, password):
    token = csrf_token(client.get("/review/login").get_data(as_text=True))
    return client.post("/review/login", data={"name": name, "password": password, "csrf_token": token})


@pytest.mark.parametrize("path", ["/review/login", "/review/", "/healthz", "/v1/score"])
def test_security_headers_on_pages_and_api(client, reviewer, path):
    login(client)
    response = client.get(path)
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'" and "unsafe" not in response.headers["Content-Security-Policy"]
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'" and response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_carry_no_inline_script(api, client, reviewer):
    """The CSP forbids inline script; the pages must not need any (no <script> body, no on* attributes)."""
    api.post("/v1/score", {"id": "a", "text": "darn it"})
    login(client)
    for path in ("/review/", "/review/audit", "/review/comments/1", "/review/login"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path


def test_cookies_httponly_samesite_and_secure_in_production(config, tmp_path, moderator, reviewer, client):
    cookie = login(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over plain http on 127.0.0.1: documented
    prod = create_app({**config, "ENV": "production", "SECRET_KEY": "a-long-production-secret"},
                      moderator=moderator, instance_path=str(tmp_path / "prod"))
    make_reviewer(prod, "bob")
    cookie = login(prod.test_client(), "bob").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert prod.test_client().get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")
    prod.extensions["moderation.engine"].dispose()


@pytest.fixture
def limited(config, moderator, tmp_path):
    config.update(API_KEYS=f"{API_KEY},other-key-987654321", RATE_LIMIT_API="5 per minute")
    app = create_app(config, moderator=moderator, instance_path=str(tmp_path / "limited"))
    yield app
    app.extensions["moderation.engine"].dispose()


def test_rate_limit_per_api_key(limited):
    client = limited.test_client()
    first, second = Api(client), Api(client, "other-key-987654321")
    statuses = [first.post("/v1/score", {"id": f"a{i}", "text": "fine"}).status_code for i in range(5)]
    assert statuses == [200] * 5
    refused = first.post("/v1/score", {"id": "a6", "text": "fine"})
    assert refused.status_code == 429 and refused.get_json()["error"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 61  # the rest of the one-minute window
    assert second.post("/v1/score", {"id": "b1", "text": "fine"}).status_code == 200  # its own bucket
    # Wrong keys are refused as before and do not eat into a valid key's budget.
    assert Api(client, "wrong-key").post("/v1/score", {"id": "c", "text": "x"}).status_code in (401, 429)
    assert second.get("/v1/decisions").status_code == 200


def test_rate_limit_on_perspective_endpoint_too(limited):
    api = Api(limited.test_client())
    body = {"comment": {"text": "fine"}, "requestedAttributes": {"PROFANITY": {}}}
    statuses = [api.post("/v1alpha1/comments:analyze", body).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_login_rate_limit_per_name(config, moderator, tmp_path):
    config.update(RATE_LIMIT_LOGIN="3 per minute", LOGIN_MAX_FAILURES=0)
    app = create_app(config, moderator=moderator, instance_path=str(tmp_path / "i"))
    make_reviewer(app)
    client = app.test_client()
    assert [post_login(client, "alice", "wrong").status_code for _ in range(3)] == [401] * 3
    refused = post_login(client, "Alice ", PASSWORD)  # the same name, however it is typed
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert post_login(client, "bob", "wrong").status_code == 401  # another name is not held up
    app.extensions["moderation.engine"].dispose()


def test_lockout_after_repeated_failures(config, moderator, tmp_path):
    config.update(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=2)
    app = create_app(config, moderator=moderator, instance_path=str(tmp_path / "i"))
    make_reviewer(app)
    make_reviewer(app, "bob")
    client = app.test_client()
    assert post_login(client, "alice", PASSWORD).status_code == 302  # a success resets nothing yet to reset
    for _ in range(3):
        assert post_login(client, "alice", "guess").status_code == 401
    locked = post_login(client, "alice", PASSWORD)
    assert locked.status_code == 429 and "Too many failed logins" in locked.get_data(as_text=True)
    assert post_login(app.test_client(), "bob", PASSWORD).status_code == 302  # others are not locked
    time.sleep(2.2)
    assert post_login(client, "alice", PASSWORD).status_code == 302  # the failures aged out
    app.extensions["moderation.engine"].dispose()


def test_successful_login_resets_the_failure_count(config, moderator, tmp_path):
    config.update(LOGIN_MAX_FAILURES=3)
    app = create_app(config, moderator=moderator, instance_path=str(tmp_path / "i"))
    make_reviewer(app)
    client = app.test_client()
    for _ in range(2):
        post_login(client, "alice", "guess")
    assert post_login(client, "alice", PASSWORD).status_code == 302
    for _ in range(2):
        assert post_login(client, "alice", "guess").status_code == 401
    assert post_login(client, "alice", PASSWORD).status_code == 302
    app.extensions["moderation.engine"].dispose()


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_rate_limit_shared_through_redis(config, moderator, tmp_path):
    """Two apps stand in for two gunicorn workers: with Redis storage they share one budget per key."""
    if not _redis_up():
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    config.update(RATE_LIMIT_API="4 per minute", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
                  RATELIMIT_KEY_PREFIX=f"moderation-test-{uuid.uuid4().hex}")
    apps = [create_app(config, moderator=moderator, instance_path=str(tmp_path / "i")) for _ in range(2)]
    statuses = [Api(apps[i % 2].test_client()).post("/v1/score", {"id": f"r{i}", "text": "ok"}).status_code
                for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    for app in apps:
        app.extensions["moderation.engine"].dispose()


def test_api_keys_are_compared_in_constant_time(app, api, monkeypatch):
    """Keys are hashed, then compared with hmac.compare_digest: no early exit on the first differing byte."""
    import webapp.auth as auth

    calls = []
    real = auth.hmac.compare_digest
    monkeypatch.setattr(auth.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    assert api.post("/v1/score", {"id": "a", "text": "fine"}).status_code == 200
    assert Api(api.client, API_KEY[:-1] + "X").post("/v1/score", {"id": "b", "text": "fine"}).status_code == 401
    assert calls and all(len(a) == len(b) == 64 for a, b in calls)  # SHA-256 hex digests, never raw keys
    assert all(API_KEY not in (a, b) for a, b in calls)


def test_secrets_are_never_logged(config, moderator, tmp_path, caplog):
    config.update(SECRET_KEY="super-secret-signing-key-42", WEBHOOK_URL="https://hooks.example/x",
                  WEBHOOK_SECRET="webhook-secret-value-43")
    caplog.set_level(logging.DEBUG)
    app = create_app(config, moderator=moderator, instance_path=str(tmp_path / "i"))
    app.logger.setLevel(logging.DEBUG)
    make_reviewer(app)
    client = app.test_client()
    api = Api(client)
    api.post("/v1/score", {"id": "a", "text": "darn it"})
    client.post("/v1/score?key=" + API_KEY, json={"id": "b", "text": "explode"})  # scoring fails: logged
    Api(client, "wrong-key-that-is-secret-44").post("/v1/score", {"id": "c", "text": "x"})
    post_login(client, "alice", "wrong-password-45")
    post_login(client, "alice", PASSWORD)
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    broken = create_engine("sqlite:////nonexistent/dir/x.db")  # database errors are logged with their SQL
    app.extensions["moderation.engine"] = broken
    app.extensions["moderation.sessionmaker"] = sessionmaker(broken)
    api.post("/v1/score", {"id": "d", "text": "darn"})
    post_login(app.test_client(), "alice", PASSWORD)
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "scoring" in logged and "database unavailable" in logged  # the logs were captured
    for secret in (API_KEY, PASSWORD, "super-secret-signing-key-42", "webhook-secret-value-43",
                   "wrong-key-that-is-secret-44", "wrong-password-45"):
        assert secret not in logged, secret


def test_reviewers_cannot_reach_admin_actions(app, client, reviewer):
    """Keys and reviewers are made only on the command line; a reviewer's session opens no API door."""
    login(client)
    for method, path, body in [("PUT", "/v1/articles/a1", {"title": "t"}), ("POST", "/v1/score", {"id": "x", "text": "y"}),
                               ("GET", "/v1/decisions", None), ("GET", "/v1/articles/a1", None)]:
        response = client.open(path, method=method, json=body)
        assert response.status_code == 401, (method, path, response.status_code)
    writes = sorted((rule.rule, method) for rule in app.url_map.iter_rules()
                    for method in rule.methods - {"GET", "HEAD", "OPTIONS"})
    assert writes == sorted([
        ("/review/login", "POST"), ("/review/logout", "POST"), ("/review/bulk", "POST"),
        ("/review/comments/<int(max=2147483647):comment_id>/decide", "POST"),
        ("/review/comments/<int(max=2147483647):comment_id>/release", "POST"),
        ("/v1/score", "POST"), ("/v1/score:batch", "POST"), ("/v1/articles/<article_id>", "PUT"),
        ("/v1alpha1/comments:analyze", "POST"),
    ]), "a new state-changing route needs a decision on who may call it"
    for path in ("/review/keys", "/review/reviewers", "/admin", "/review/admin"):
        assert client.get(path).status_code == 404
