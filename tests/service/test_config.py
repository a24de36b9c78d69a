"""Configuration layers, production safety, first start."""

from __future__ import annotations

import os

import pytest

from webapp import create_app
from webapp.config import ConfigError
from webapp.store.db import get_direct


def build(tmp_path, moderator, config=None):
    return create_app(config, moderator=moderator, instance_path=str(tmp_path / "instance"))


def test_layers_in_order(tmp_path, moderator, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("MAX_BATCH = 7\nMAX_TEXT_CHARS = 70\nFAIL_MODE = 'open'\n")
    (instance / "config.toml").write_text("MAX_TEXT_CHARS = 80\nCLAIM_LEASE_SECONDS = 81\n")
    monkeypatch.setenv("MODERATION_CLAIM_LEASE_SECONDS", "90")
    monkeypatch.setenv("MODERATION_API_KEYS", "k1, k2")
    monkeypatch.setenv("MODERATION_SECRET_KEY", "12345")  # stays a string, not a number
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    app = build(tmp_path, moderator, {"TESTING": True, "FAIL_MODE": "closed"})
    assert app.config["MAX_BATCH"] == 7  # instance .py over defaults
    assert app.config["MAX_TEXT_CHARS"] == 80  # .toml over .py
    assert app.config["CLAIM_LEASE_SECONDS"] == 90  # environment over files
    assert app.config["FAIL_MODE"] == "closed"  # test dict over everything
    assert app.config["SECRET_KEY"] == "12345"
    assert app.config["DATABASE_URL"].endswith("env.sqlite3") and (tmp_path / "env.sqlite3").exists()
    client = app.test_client()
    assert client.post("/v1/score", json={"id": "a", "text": "hi"},
                       headers={"Authorization": "Bearer k2"}).status_code == 200


def test_default_database_is_sqlite_under_instance(tmp_path, moderator):
    app = build(tmp_path, moderator, {"TESTING": True})
    assert (tmp_path / "instance" / "moderation.sqlite3").exists()
    assert app.test_client().get("/healthz").status_code == 200


def test_production_refuses_the_dev_secret(tmp_path, moderator, monkeypatch):
    monkeypatch.setenv("MODERATION_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        build(tmp_path, moderator)
    monkeypatch.setenv("MODERATION_SECRET_KEY", "a-real-secret")
    app = build(tmp_path, moderator)
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("config,match", [
    ({"FAIL_MODE": "maybe"}, "FAIL_MODE"),
    ({"ENQUEUE_DECISIONS": ["review", "hold"]}, "ENQUEUE_DECISIONS"),
    ({"MAX_TEXT_CHARS": 0}, "MAX_TEXT_CHARS"),
    ({"WEBHOOK_URL": "http://127.0.0.1:9/hook"}, "WEBHOOK_SECRET"),
    ({"ENV": "staging"}, "ENV"),
    ({"MAX_ID_CHARS": 1000}, "MAX_ID_CHARS"),
    ({"ARTICLE_CACHE_SECONDS": -1}, "ARTICLE_CACHE_SECONDS"),
    ({"API_KEY_CACHE_SECONDS": "soon"}, "API_KEY_CACHE_SECONDS"),
    ({"SQLITE_SYNCHRONOUS": "OFF"}, "SQLITE_SYNCHRONOUS"),
    ({"SQLITE_SYNCHRONOUS": "FULL; DROP TABLE comments"}, "SQLITE_SYNCHRONOUS"),
    ({"SQLITE_SYNCHRONOUS": 2}, "SQLITE_SYNCHRONOUS"),
    ({"SCORE_FAST_PATH": "no"}, "SCORE_FAST_PATH"),
])
def test_bad_settings_refused(tmp_path, moderator, config, match):
    with pytest.raises(ConfigError, match=match):
        build(tmp_path, moderator, {"TESTING": True, **config})


def _synchronous_level(app) -> int:
    with app.extensions["moderation.engine"].connect() as connection:
        return connection.exec_driver_sql("PRAGMA synchronous").scalar()


def test_sqlite_commits_are_synced_fully_unless_configured(tmp_path, moderator, monkeypatch):
    assert _synchronous_level(build(tmp_path, moderator, {"TESTING": True})) == 2  # FULL: survives a power cut
    monkeypatch.setenv("MODERATION_SQLITE_SYNCHRONOUS", "normal")
    app = build(tmp_path, moderator, {"TESTING": True})
    assert _synchronous_level(app) == 1  # NORMAL
    with app.app_context():  # the scoring path's own connection, which commits queued comments
        assert get_direct().dbapi.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_first_start_prints_a_reviewer_password_and_an_api_key(tmp_path, moderator, capsys):
    app = build(tmp_path, moderator, {"SECRET_KEY": "x"})
    err = capsys.readouterr().err
    assert "reviewer 'admin', password" in err and "API key 'local': mk_" in err
    key = err.split("API key 'local': ")[1].split()[0]
    password = err.split("password ")[1].split()[0]
    client = app.test_client()
    assert client.post("/v1/score", json={"id": "a", "text": "hi"},
                       headers={"Authorization": f"Bearer {key}"}).status_code == 200
    from service_support import csrf_token

    token = csrf_token(client.get("/review/login").get_data(as_text=True))
    assert client.post("/review/login", data={"name": "admin", "password": password,
                                              "csrf_token": token}).status_code == 302
    build(tmp_path, moderator, {"SECRET_KEY": "x"})  # second start: nothing new
    assert "First start" not in capsys.readouterr().err


def test_import_does_no_work(tmp_path):
    import subprocess
    import sys

    code = ("import sys, os; os.chdir(sys.argv[1]); import moderation.moderator as m; "
            "m.load_model = lambda *a, **k: sys.exit('a model was loaded at import time'); "
            "import service, webapp.api, webapp.review, webapp.perspective, webapp.cli; "
            "assert not os.path.exists('instance'), 'import created the instance folder'")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True,
                   cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
                   env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.dirname(__file__)))})
