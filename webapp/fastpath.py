"""POST /v1/score's plain case answered without Flask's request machinery; everything else goes to Flask.

Under gunicorn a scoring request spent about a quarter of its worker's CPU in Flask and werkzeug:
request and response objects, URL matching, seven hooks. This WSGI layer takes only the plain case (the
path and method, no query string, no cookie, `Content-Type: application/json` with a declared length
within MAX_CONTENT_LENGTH, a valid bearer key, a body the view accepts) and answers it with the view's
own functions inside an app context, so `current_app`, `g`, the database connection and its teardown
are the same. It does what the hooks would: the model-reload check, the rate limit, the security
headers, the request metrics. Anything else, including every error answer, goes to Flask with the
body put back; a request the fast path already counted for the rate limit carries that count along
(`security.API_RATE_COUNTED`) so it is counted once. `SCORE_FAST_PATH = False` turns it off, and
tests/service/test_fastpath.py checks that both paths give the same answers.
"""

from __future__ import annotations

import io
import logging
import time
from typing import Callable, Iterable

from flask import Flask

from . import api, metrics
from .auth import api_key_digest, token_from_authorization
from .errors import ApiError
from .security import API_RATE_COUNTED, count_api_request, key_bucket
from .validation import decode_json

__all__ = ["ScoreFastPath", "init_app"]

log = logging.getLogger(__name__)

PATH = "/v1/score"  # the URL rule too: the request metrics are labelled with it, as Flask's hook does
_JSON = "application/json"


class ScoreFastPath:
    """WSGI middleware in front of `app.wsgi_app` (see the module docstring)."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.app = app
        self.wsgi_app = wsgi_app
        self.metrics = app.extensions["moderation.metrics"]
        self.watcher = app.extensions.get("moderation.model_watcher")
        self.headers = list(app.extensions["moderation.security_headers"])

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self._plain(environ):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        try:
            raw = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        except Exception:  # the client went away mid-body: Flask answers that as it always does (400)
            environ["wsgi.input"] = io.BytesIO(b"")
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():  # popped before any hand-over: Flask pushes its own
            body = self._answer(environ, raw)
        if body is None:
            environ["wsgi.input"] = io.BytesIO(raw)
            return self.wsgi_app(environ, start_response)
        data = body.encode("utf-8")
        start_response("200 OK", [("Content-Type", _JSON), ("Content-Length", str(len(data))), *self.headers])
        metrics.count_request(self.metrics, PATH, "POST", 200, started)
        return [data]

    def _plain(self, environ: dict) -> bool:
        """The request shapes the fast path takes; the checks Flask would add do not apply to them."""
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return False
        if environ.get("QUERY_STRING") or "HTTP_COOKIE" in environ or "HTTP_TRANSFER_ENCODING" in environ:
            return False  # a query may carry ?key= or a NUL; a cookie opens a session; chunked bodies: Flask
        if "HTTP_AUTHORIZATION" not in environ or self.app.json.indents():
            return False  # no key: Flask's 401; indented JSON: Flask writes it
        if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != _JSON:
            return False  # the view's test (the mimetype); the body's encoding is detected either way
        length = environ.get("CONTENT_LENGTH") or ""
        if not (length.isascii() and length.isdigit()):
            return False
        limit = self.app.config["MAX_CONTENT_LENGTH"]
        return 0 < int(length) and (limit is None or int(length) <= limit)

    def _answer(self, environ: dict, raw: bytes) -> str | None:
        """The JSON text of the answer, or None to hand the request to Flask."""
        app = self.app
        if self.watcher is not None:
            self.watcher.check()
        digest = api_key_digest(token_from_authorization(environ["HTTP_AUTHORIZATION"]))
        if digest is None:
            return None  # Flask counts the address and answers 401
        wait = environ[API_RATE_COUNTED] = count_api_request(app, key_bucket(digest))
        if wait is not None:
            return None  # Flask answers 429 with Retry-After from the count just made
        try:
            return app.json.compact_body(api.score_one(decode_json(raw), app))
        except ApiError:
            return None  # the view finds the same fault and answers it
        except Exception:  # e.g. the database is down: the view meets it too, and its handler answers (503)
            # A comment scored before the failure has its decision counted in the metrics again by the view.
            log.debug("the fast path handed a request to Flask after an error", exc_info=True)
            return None


def init_app(app: Flask) -> None:
    """Put the fast path in front of the app's WSGI callable when SCORE_FAST_PATH is on (the default)."""
    if app.config["SCORE_FAST_PATH"]:
        app.wsgi_app = ScoreFastPath(app, app.wsgi_app)
