"""The service on the real shipped model, loaded the way production loads it (create_app without a moderator)."""

from __future__ import annotations

import pytest

from moderation import ModelLoadError, Moderator
from moderation.labels import LABELS, PROFANITY

from service_support import API_KEY


@pytest.fixture(scope="module")
def shipped_model_available():
    try:
        Moderator.load()
    except ModelLoadError as exc:
        pytest.skip(f"no shipped model yet: {exc}")


@pytest.fixture
def real_app(shipped_model_available, config, tmp_path):
    from webapp import create_app

    config["THRESHOLDS"] = {PROFANITY: {"review": 0.5, "reject": 0.999}}
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    yield app
    app.extensions["moderation.engine"].dispose()


def test_default_model_is_loaded_once_with_configured_thresholds(real_app):
    moderator = real_app.extensions["moderation.moderator"]
    assert isinstance(moderator, Moderator)
    assert moderator.thresholds[PROFANITY].reject == 0.999
    assert real_app.test_client().get("/healthz").get_json()["model_version"] == moderator.model_version


def test_score_contract_on_the_real_model(real_app):
    client = real_app.test_client()
    headers = {"Authorization": f"Bearer {API_KEY}"}
    body = {"id": "r1", "text": "This is bull$hit, you incompetent morons.",
            "article": {"title": "City budget", "body": "The council passed the budget."}}
    answer = client.post("/v1/score", json=body, headers=headers).get_json()
    assert set(answer["scores"]) == set(LABELS)
    assert PROFANITY in answer["flags"] and answer["decision"] in ("review", "reject")
    assert any(span["label"] == PROFANITY and span["text"] == "bull$hit" for span in answer["spans"])
    batch = client.post("/v1/score:batch", json={"comments": [dict(body, id="r2"), {"id": "r3", "text": "Thanks!"}]},
                        headers=headers).get_json()["results"]
    assert batch[0]["scores"] == answer["scores"]
    assert batch[1]["decision"] == "publish"
    perspective = client.post(f"/v1alpha1/comments:analyze?key={API_KEY}", json={
        "comment": {"text": body["text"]}, "requestedAttributes": {"TOXICITY": {}}}).get_json()
    bare = client.post("/v1/score", json={"id": "r4", "text": body["text"]}, headers=headers).get_json()
    assert perspective["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == pytest.approx(
        bare["scores"][PROFANITY], abs=1e-6)


def test_service_on_a_tiny_model_trained_by_the_real_training_code(tiny_moderator, config, tmp_path):
    """The library's own result types through the whole API, with the project's tiny-model fixture."""
    from webapp import create_app

    app = create_app(config, moderator=tiny_moderator, instance_path=str(tmp_path / "instance"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {API_KEY}"}
    comments = [{"id": f"t{i}", "text": text, "article": {"title": "Budget vote", "body": "The council voted."}}
                for i, text in enumerate(["What a load of bull$hit", "Thanks, clear piece.", "yeah right /s"])]
    results = client.post("/v1/score:batch", json={"comments": comments}, headers=headers).get_json()["results"]
    assert [r["id"] for r in results] == ["t0", "t1", "t2"]
    for result in results:
        assert set(result["scores"]) == set(LABELS) and result["model_version"] == tiny_moderator.model_version
        assert result["queued"] == (result["decision"] == "review")
    again = client.post("/v1/score", json=comments[0], headers=headers).get_json()
    assert again == results[0]
    app.extensions["moderation.engine"].dispose()
