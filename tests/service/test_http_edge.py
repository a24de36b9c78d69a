"""The HTTP edge: malformed bodies, wrong content types, huge and deep documents, absurd numbers → 4xx JSON."""

from __future__ import annotations

import io

import pytest

from service_support import API_KEY

AUTH = {"Authorization": f"Bearer {API_KEY}"}


def assert_json_error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    body = response.get_json()
    assert body is not None and set(body) == {"error", "message"} and body["message"], body
    if code:
        assert body["error"] == code, body


@pytest.mark.parametrize("raw", [
    b'{"id": "a", "text": "\xff\xfe"}',  # invalid UTF-8
    b'{"id": "a", "text": "caf\xe9"}',  # Latin-1 sent as JSON
    b"\xef\xbb\xbf\xef\xbb\xbf{}",  # two byte-order marks
    b'{"id": "a", "text": "x"} trailing',
    b'{"id": "a", "text": NaN}', b'{"id": "a", "text": Infinity}',
    b"[" * 100_000 + b"]" * 100_000,  # deep arrays
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,  # deep objects
    b'{"id": "a", "text": "x", "enqueue": ' + b"9" * 10_000 + b"}",  # a number too long to convert
])
def test_malformed_json_is_400(client, raw):
    assert_json_error(client.post("/v1/score", data=raw, content_type="application/json", headers=AUTH),
                      400, "invalid_json")


@pytest.mark.parametrize("raw", [b'{"id": "a", "text": "\xed\xa0\x80"}', b'{"id": "a", "text": "\\ud800"}'])
def test_lone_surrogates_are_400(client, raw):
    """Encoded or escaped lone surrogates cannot be stored as UTF-8 text."""
    assert_json_error(client.post("/v1/score", data=raw, content_type="application/json", headers=AUTH), 400)


def test_duplicate_keys_are_refused(client):
    """Two "text" keys: one parser reads the first, another the last; refuse rather than guess."""
    response = client.post("/v1/score", data=b'{"id": "a", "text": "fine", "text": "damn"}',
                           content_type="application/json", headers=AUTH)
    assert_json_error(response, 400, "invalid_json")
    assert "duplicate key 'text'" in response.get_json()["message"]
    nested = b'{"comments": [{"id": "a", "id": "b", "text": "x"}]}'
    assert_json_error(client.post("/v1/score:batch", data=nested, content_type="application/json", headers=AUTH),
                      400, "invalid_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml",
                                          "application/jsonx", "multipart/form-data; boundary=x", None])
def test_wrong_content_types_are_415(client, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post("/v1/score", data=b'{"id": "a", "text": "x"}', headers=AUTH, **kwargs)
    assert_json_error(response, 415, "unsupported_media_type")


def test_multipart_upload_is_415(client):
    response = client.post("/v1/score", data={"f": (io.BytesIO(b"x" * 1000), "f.txt")}, headers=AUTH,
                           content_type="multipart/form-data")
    assert_json_error(response, 415, "unsupported_media_type")


def test_huge_body_is_413_before_it_is_read(app, client):
    """A declared Content-Length above MAX_CONTENT_LENGTH is refused without reading the body."""
    limit = app.config["MAX_CONTENT_LENGTH"]

    class Exploding(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            raise AssertionError("the body was read")

    environ = {"CONTENT_LENGTH": str(limit + 1), "CONTENT_TYPE": "application/json", "wsgi.input": Exploding()}
    response = client.post("/v1/score", headers=AUTH, environ_overrides=environ)
    assert_json_error(response, 413, "payload_too_large")
    for path in ("/v1/score:batch", "/v1alpha1/comments:analyze"):
        response = client.post(path, headers=AUTH, environ_overrides=dict(environ, **{"wsgi.input": Exploding()}))
        assert response.status_code == 413


def test_huge_body_on_login_form_is_413(client):
    response = client.post("/review/login", data=b"name=" + b"a" * (9 * 1024 * 1024),
                           content_type="application/x-www-form-urlencoded", headers={"Accept": "application/json"})
    assert_json_error(response, 413, "payload_too_large")


@pytest.mark.parametrize("body, code", [
    ({"comments": []}, "empty_batch"),
    ({"comments": [{"id": str(i), "text": "x"} for i in range(101)]}, "batch_too_large"),
    ({"comments": [1] * 100_000}, "batch_too_large"),
    ({"comments": {"length": -1}}, "invalid_type"),
    ({"comments": -1}, "invalid_type"),
    ({"comments": 10 ** 30}, "invalid_type"),
    ({"comments": None}, "missing_field"),
])
def test_absurd_batches_are_400(client, body, code):
    response = client.post("/v1/score:batch", json=body, headers=AUTH)
    assert_json_error(response, 400, code)


@pytest.mark.parametrize("query", ["limit=-1", "limit=0", "limit=1e9", "limit=99999999999999999999999999",
                                   "limit=%ff", "since=-5", "since=99999999999999999999", "since=2026-13-45T99:99",
                                   "since=%00"])
def test_absurd_query_parameters_are_400(client, query):
    response = client.get(f"/v1/decisions?{query}", headers=AUTH)
    assert_json_error(response, 400)


@pytest.mark.parametrize("path", ["/v1/articles/%ff%fe", "/v1/articles/" + "a" * 300, "/v1/articles/%e2%80%ae"])
def test_odd_article_ids_never_500(client, path):
    """Undecodable bytes arrive as U+FFFD, bidi marks are kept (shown escaped); too long is 400."""
    response = client.put(path, json={"title": "t"}, headers=AUTH)
    assert response.status_code in (200, 201, 400), response.status_code
    if response.status_code == 400:
        assert_json_error(response, 400, "value_too_long")


@pytest.mark.parametrize("method", ["GET", "DELETE", "PATCH", "PUT"])
def test_wrong_methods_are_405_json(client, method):
    response = client.open("/v1/score", method=method, headers=AUTH)
    assert_json_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer \x7f\x80", "Bearer " + "k" * 10_000])
def test_odd_authorization_headers_are_401(client, header):
    response = client.post("/v1/score", json={"id": "a", "text": "x"}, headers={"Authorization": header})
    assert_json_error(response, 401, "unauthorized")


def test_bidi_controls_are_named_not_applied():
    from webapp.highlight import highlight

    html = str(highlight("darn \u202egnp.exe\u202c <b>", [{"label": "profanity", "start": 0, "end": 4}]))
    assert "\u202e" not in html and "\u202c" not in html
    assert '<span class="bidi-control" title="U+202E">⟨RLO⟩</span>gnp.exe' in html and "&lt;b&gt;" in html
    marked = str(highlight("\u202edarn", [{"label": "profanity", "start": 0, "end": 5}]))
    assert marked.startswith('<mark class="span span-profanity" title="profanity"><span class="bidi-control"')


def test_chunked_body_without_length_is_cut_at_the_limit(app, client):
    """No Content-Length (chunked): reading stops at MAX_CONTENT_LENGTH with a 413, not at the end of the body."""
    limit = app.config["MAX_CONTENT_LENGTH"]

    class Endless(io.RawIOBase):
        served = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            n = len(buffer)
            self.served += n
            assert self.served <= limit + 2 * 1024 * 1024, "read far past the limit"
            buffer[:n] = b" " * n
            return n

    from werkzeug.test import EnvironBuilder, run_wsgi_app

    environ = EnvironBuilder(path="/v1/score", method="POST", headers=AUTH).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"CONTENT_TYPE": "application/json", "wsgi.input": Endless(), "wsgi.input_terminated": True,
                    "HTTP_TRANSFER_ENCODING": "chunked"})
    app_iter, status, headers = run_wsgi_app(app, environ)
    body = b"".join(app_iter)
    assert status.startswith("413") and b'"payload_too_large"' in body, (status, body[:200])
