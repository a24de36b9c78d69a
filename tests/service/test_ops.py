"""Health, metrics, the OpenAPI document, the error pages for people."""

from __future__ import annotations



def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "model_loaded": True, "model_version": "keyword-test-1",
                                   "database": "ok"}


def test_healthz_database_down(app, client):
    app.extensions["moderation.engine"].dispose()
    from sqlalchemy import create_engine

    app.extensions["moderation.engine"] = create_engine("sqlite:////nonexistent/dir/x.db")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"


def test_metrics(api, client):
    api.post("/v1/score", {"id": "a", "text": "darn it"})
    api.post("/v1/score", {"id": "b", "text": "fine"})
    client.get("/v1/nowhere")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'moderation_http_requests_total{endpoint="/v1/score",method="POST",status="200"} 2.0' in text
    assert 'moderation_http_requests_total{endpoint="unmatched",method="GET",status="404"} 1.0' in text
    assert 'moderation_http_request_duration_seconds_bucket{endpoint="/v1/score"' in text
    assert 'moderation_decisions_total{decision="review"} 1.0' in text
    assert 'moderation_flags_total{label="profanity"} 1.0' in text
    assert "moderation_queue_depth 1.0" in text
    assert 'moderation_model_info{version="keyword-test-1"} 1.0' in text


def test_metrics_registry_is_per_app(app, moderator, tmp_path):
    from prometheus_client import REGISTRY

    assert REGISTRY.get_sample_value("moderation_queue_depth") is None
    assert app.extensions["moderation.metrics"].registry is not REGISTRY


def test_openapi_matches_the_routes(app, client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, method in [("/v1/score", "post"), ("/v1/score:batch", "post"), ("/v1/articles/{article_id}", "put"),
                         ("/v1/decisions", "get"), ("/v1alpha1/comments:analyze", "post"), ("/healthz", "get"),
                         ("/metrics", "get")]:
        assert method in paths[path], (path, method)
    score = paths["/v1/score"]["post"]
    assert {"200", "400", "401", "404", "413", "415"} <= set(score["responses"])
    assert score["security"] == [{"bearer": []}]
    schema = spec["components"]["schemas"]["ScoreRequest"]
    assert schema["properties"]["text"]["maxLength"] == app.config["MAX_TEXT_CHARS"]
    assert spec["components"]["schemas"]["BatchRequest"]["properties"]["comments"]["maxItems"] == 100
    assert set(spec["components"]["schemas"]["ScoreResult"]["required"]) == {
        "id", "scores", "flags", "decision", "spans", "model_version", "queued"}
    # every API rule of the app is documented
    documented = {p.replace("{article_id}", "<article_id>") for p in paths}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/v1/", "/v1alpha1/")):
            assert rule.rule in documented


def test_people_get_an_html_404(client):
    response = client.get("/review/nowhere", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_security_headers(client):
    response = client.get("/review/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_database_down_is_503_json(app, api):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    broken = create_engine("sqlite:////nonexistent/dir/x.db")
    app.extensions["moderation.engine"] = broken
    app.extensions["moderation.sessionmaker"] = sessionmaker(broken)
    response = api.post("/v1/score", {"id": "a", "text": "hello"})
    assert response.status_code == 503 and response.get_json()["error"] == "unavailable"
    assert response.headers["Retry-After"] == "5"


def test_metrics_add_up_workers_in_multiprocess_mode(tmp_path):
    """Two apps in one process stand in for two gunicorn workers sharing PROMETHEUS_MULTIPROC_DIR."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    code = f"""
import sys
sys.path.insert(0, {os.path.join(root, 'tests', 'service')!r})
from service_support import KeywordModerator
from webapp import create_app
apps = [create_app({{"TESTING": True, "DATABASE_URL": "sqlite:///{tmp_path}/m.db", "API_KEYS": "k"}},
                   moderator=KeywordModerator(), instance_path="{tmp_path}/instance") for _ in range(2)]
for app in apps:
    app.test_client().post("/v1/score", json={{"id": "x", "text": "fine"}}, headers={{"Authorization": "Bearer k"}})
print(apps[0].test_client().get("/metrics").get_data(as_text=True))
"""
    (tmp_path / "prom").mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"), "PYTHONPATH": root}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert 'moderation_decisions_total{decision="publish"} 2.0' in out
    assert 'moderation_model_info{version="keyword-test-1"} 1.0' in out
