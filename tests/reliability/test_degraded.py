"""Degraded operation: a model that cannot load or score follows FAIL_MODE and says so; a database that goes
away gives a clear 503 and the service recovers by itself when it is back."""

from __future__ import annotations

import socket
import threading

import pytest
from sqlalchemy import create_engine, text

from service_support import API_KEY, Api, KeywordModerator
from webapp import create_app

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:{port}/test"


def make(tmp_path, moderator=None, **config):
    base = {"TESTING": True, "SECRET_KEY": "test-secret", "API_KEYS": API_KEY,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    return create_app({**base, **config}, moderator=moderator, instance_path=str(tmp_path / "instance"))


@pytest.fixture(params=["missing", "corrupt"])
def bad_model_path(request, tmp_path):
    if request.param == "missing":
        return str(tmp_path / "no-such-model")
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "model.joblib").write_bytes(b"not a pickle at all")
    (folder / "card.json").write_text('{"version": "broken", "labels": []}')
    return str(folder)


@pytest.mark.parametrize("fail_mode, decision, queued", [("closed", "review", True), ("open", "publish", False)])
def test_model_that_cannot_load_follows_fail_mode(tmp_path, bad_model_path, fail_mode, decision, queued, caplog):
    app = make(tmp_path, MODEL_PATH=bad_model_path, FAIL_MODE=fail_mode)
    assert "the model could not be loaded" in caplog.text
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["model_loaded"] is False
    body = Api(client).post("/v1/score", {"id": "a", "text": "hello"}).get_json()
    assert body["degraded"] is True and body["decision"] == decision and body["queued"] is queued
    assert body["model_version"] == "unavailable"
    batch = Api(client).post("/v1/score:batch", {"comments": [{"id": "b", "text": "x"}, {"id": "c", "text": "y"}]})
    assert [r["degraded"] for r in batch.get_json()["results"]] == [True, True]
    perspective = Api(client).post("/v1alpha1/comments:analyze",
                                   {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}})
    assert perspective.status_code == 503
    app.extensions["moderation.engine"].dispose()


@pytest.mark.parametrize("fail_mode, decision", [("closed", "review"), ("open", "publish")])
def test_model_that_fails_to_score_follows_fail_mode(tmp_path, fail_mode, decision):
    app = make(tmp_path, KeywordModerator(), FAIL_MODE=fail_mode)
    body = Api(app.test_client()).post("/v1/score", {"id": "a", "text": "this will explode"}).get_json()
    assert body["degraded"] is True and body["decision"] == decision
    app.extensions["moderation.engine"].dispose()


class Proxy:
    """A TCP forwarder to PostgreSQL that the test can take down and bring back on the same port."""

    def __init__(self, target_port=5432):
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.listener = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(32)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if listener is not self.listener:  # stopped meanwhile: refuse, as a database that went away would
                client.close()
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        """The database 'goes away': no new connections, and every open one is cut."""
        listener, self.listener = self.listener, None
        try:
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in _accept; close() alone lets
        except OSError:                          # it take one more connection after the "stop"
            pass
        listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.sockets.clear()


@pytest.fixture
def pg_proxy():
    try:
        engine = create_engine(PG_URL.format(port=5432), connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {type(exc).__name__}")
    proxy = Proxy()
    proxy.start()
    yield proxy
    proxy.stop()


def test_database_down_gives_503_and_recovers(tmp_path, pg_proxy, postgres_schema_url):
    url = postgres_schema_url.replace("127.0.0.1:5432", f"127.0.0.1:{pg_proxy.port}")
    app = make(tmp_path, KeywordModerator(), DATABASE_URL=url)
    client = app.test_client()
    api = Api(client)
    assert api.post("/v1/score", {"id": "before", "text": "darn"}).get_json()["queued"] is True

    pg_proxy.stop()
    for n in range(3):
        response = api.post("/v1/score", {"id": f"during-{n}", "text": "darn"})
        assert response.status_code == 503, response.get_data()
        assert response.get_json()["error"] == "unavailable" and response.headers["Retry-After"]
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    assert client.get("/review/login", headers={"Accept": "text/html"}).status_code in (200, 503)

    pg_proxy.start()  # back on the same port: the pool reconnects by itself (pre-ping), no restart
    response = api.post("/v1/score", {"id": "after", "text": "darn"})
    assert response.status_code == 200 and response.get_json()["queued"] is True
    assert client.get("/healthz").status_code == 200
    assert api.post("/v1/score", {"id": "before", "text": "darn"}).get_json()["queued"] is True  # stored once
    app.extensions["moderation.engine"].dispose()


def test_database_on_a_wrong_port_is_a_clear_503(tmp_path):
    """A running service whose DATABASE_URL stops answering (nothing listens): 503 JSON, never a 500 or a hang."""
    app = make(tmp_path, KeywordModerator())
    from sqlalchemy.orm import sessionmaker

    from webapp.store.db import make_engine

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    broken = make_engine(PG_URL.format(port=dead_port) + "?connect_timeout=2")
    app.extensions["moderation.engine"] = broken
    app.extensions["moderation.sessionmaker"] = sessionmaker(broken)
    response = Api(app.test_client()).post("/v1/score", {"id": "a", "text": "darn"})
    assert response.status_code == 503 and response.get_json() == {
        "error": "unavailable", "message": "The database is unavailable; retry shortly."}
    broken.dispose()
