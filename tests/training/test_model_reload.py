"""A running app follows models/current: promotion and rollback change the version it serves."""

import pytest

from training.promote import main as promote_main, promote
from webapp import create_app

from conftest import save_version

API_KEY = "reload-test-key-0123"


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("MODERATION_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    apps = []

    def build(model_path, **extra):
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "API_KEYS": API_KEY, "MODEL_PATH": str(model_path),
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "MODEL_RELOAD_SECONDS": 0, **extra},
                         instance_path=str(tmp_path / "instance"))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["moderation.engine"].dispose()


def _served(client):
    health = client.get("/healthz").get_json()["model_version"]
    scored = client.post("/v1/score", json={"id": "x", "text": "What a load of bull$hit"},
                         headers={"Authorization": f"Bearer {API_KEY}"}).get_json()["model_version"]
    metrics = client.get("/metrics").get_data(as_text=True)
    info = [line for line in metrics.splitlines() if line.startswith("moderation_model_info{") and line.endswith(" 1.0")]
    return health, scored, info


def test_promotion_and_rollback_switch_the_version_a_running_app_serves(models_dir, tiny_pipeline, make_app, capsys):
    save_version(models_dir, *tiny_pipeline, "tiny-2")
    client = make_app(models_dir).test_client()
    assert _served(client) == ("tiny-1", "tiny-1", ['moderation_model_info{version="tiny-1"} 1.0'])
    promote(models_dir, "tiny-2")
    assert _served(client) == ("tiny-2", "tiny-2", ['moderation_model_info{version="tiny-2"} 1.0'])
    assert promote_main(["--rollback", "--models-dir", str(models_dir)]) == 0
    assert _served(client) == ("tiny-1", "tiny-1", ['moderation_model_info{version="tiny-1"} 1.0'])


def test_a_version_that_fails_to_load_leaves_the_old_model_serving(models_dir, make_app):
    client = make_app(models_dir).test_client()
    broken = models_dir / "broken"
    broken.mkdir()
    (broken / "card.json").write_text("{}")
    (broken / "model.joblib").write_bytes(b"not a model")
    promote(models_dir, "broken")
    assert client.get("/healthz").get_json()["model_version"] == "tiny-1"


def test_a_pinned_version_is_never_replaced(models_dir, tiny_pipeline, make_app):
    save_version(models_dir, *tiny_pipeline, "tiny-2")
    app = make_app(models_dir / "tiny-1")
    assert "moderation.model_watcher" not in app.extensions
    promote(models_dir, "tiny-2")
    assert app.test_client().get("/healthz").get_json()["model_version"] == "tiny-1"


def test_the_check_runs_at_most_once_per_interval(models_dir, tiny_pipeline, make_app):
    save_version(models_dir, *tiny_pipeline, "tiny-2")
    client = make_app(models_dir, MODEL_RELOAD_SECONDS=3600).test_client()
    client.get("/healthz")  # the first check happens now
    promote(models_dir, "tiny-2")
    assert client.get("/healthz").get_json()["model_version"] == "tiny-1"


def test_a_service_started_without_a_loadable_model_recovers_when_one_is_promoted(models_dir, tiny_pipeline, make_app):
    broken = models_dir / "broken"
    broken.mkdir()
    (broken / "card.json").write_text("{}")
    (broken / "model.joblib").write_bytes(b"not a model")
    promote(models_dir, "broken")
    client = make_app(models_dir).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["model_loaded"] is False
    save_version(models_dir, *tiny_pipeline, "tiny-2")
    promote(models_dir, "tiny-2")
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["model_version"] == "tiny-2"
    assert _served(client)[1] == "tiny-2"
