"""POST /v1alpha1/comments:analyze against a recorded Perspective request/response pair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service_support import API_KEY

EXAMPLE = json.loads((Path(__file__).parent / "data" / "perspective_analyze.json").read_text())
PATH = "/v1alpha1/comments:analyze"


def shape(value):
    """The structure of a JSON value: keys and types, not the numbers."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def analyze(client, body, key=API_KEY):
    return client.post(f"{PATH}?key={key}", json=body)


def test_recorded_example_has_the_same_shape(client):
    response = analyze(client, {**EXAMPLE["request"], "spanAnnotations": True})
    assert response.status_code == 200
    assert shape(response.get_json()) == shape(EXAMPLE["response"])


def test_recorded_example_without_spans(client):
    body = analyze(client, EXAMPLE["request"]).get_json()
    expected = json.loads(json.dumps(EXAMPLE["response"]))
    del expected["attributeScores"]["TOXICITY"]["spanScores"]
    assert shape(body) == shape(expected)


def test_recorded_error_shape(client):
    response = analyze(client, EXAMPLE["error_request"])
    assert response.status_code == 400
    assert response.get_json() == EXAMPLE["error_response"]


def test_attributes_map_to_our_labels(client):
    body = analyze(client, {"comment": {"text": "a damn fine idea /s"}, "spanAnnotations": True,
                            "requestedAttributes": {"TOXICITY": {}, "PROFANITY": {}, "SARCASM": {},
                                                    "OFF_TOPIC": {}}, "clientToken": "t-1", "doNotStore": True}
                   ).get_json()
    scores = {name: entry["summaryScore"]["value"] for name, entry in body["attributeScores"].items()}
    assert scores == {"TOXICITY": 0.97, "PROFANITY": 0.97, "SARCASM": 0.8, "OFF_TOPIC": 0.02}
    assert body["attributeScores"]["PROFANITY"]["spanScores"] == [
        {"begin": 2, "end": 6, "score": {"value": 0.97, "type": "PROBABILITY"}}]
    assert body["clientToken"] == "t-1"


def test_score_threshold_omits_low_attributes(client):
    body = analyze(client, {"comment": {"text": "damn"}, "requestedAttributes": {
        "TOXICITY": {"scoreThreshold": 0.5}, "SARCASM": {"scoreThreshold": 0.5}}}).get_json()
    assert list(body["attributeScores"]) == ["TOXICITY"]


def test_bearer_key_also_works(client):
    response = client.post(PATH, json=EXAMPLE["request"], headers={"Authorization": f"Bearer {API_KEY}"})
    assert response.status_code == 200


def test_never_stores(client, app):
    from webapp.store.db import make_session
    from webapp.store.models import Comment

    analyze(client, {"comment": {"text": "darn"}, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": False})
    with make_session(app) as session:
        assert session.query(Comment).count() == 0


@pytest.mark.parametrize("body,fragment", [
    ({"requestedAttributes": {"TOXICITY": {}}}, "comment.text"),
    ({"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}}, "non-empty"),
    ({"comment": {"text": 3}, "requestedAttributes": {"TOXICITY": {}}}, "comment.text"),
    ({"comment": {"text": "hi"}}, "requestedAttributes"),
    ({"comment": {"text": "hi"}, "requestedAttributes": {"THREAT": {}}}, "Unknown attribute: THREAT"),
    ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}}}, "scoreThreshold"),
    ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreType": "RAW"}}}, "scoreType"),
    ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "languages": "en"}, "languages"),
    ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": "yes"}, "doNotStore"),
    ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "context": {"entries": "x"}}, "context"),
    ({"comment": {"text": "x" * 20_001}, "requestedAttributes": {"TOXICITY": {}}}, "too long"),
    ([], "object"),
])
def test_errors_in_google_shape(client, body, fragment):
    response = analyze(client, body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT" and fragment in error["message"]


def test_unauthenticated_and_bad_json_in_google_shape(client):
    response = analyze(client, EXAMPLE["request"], key="wrong")
    assert response.status_code == 401 and response.get_json()["error"]["status"] == "UNAUTHENTICATED"
    response = client.post(f"{PATH}?key={API_KEY}", data=b"{", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["status"] == "INVALID_ARGUMENT"


def test_context_is_the_article(client, moderator):
    seen = []
    original = moderator.score

    def spy(text, article=None):
        seen.append(article)
        return original(text, article)

    moderator.score = spy
    analyze(client, {"comment": {"text": "hi"}, "requestedAttributes": {"OFF_TOPIC": {}},
                     "context": {"entries": [{"text": "The budget vote."}]}})
    assert seen[0].body == "The budget vote."
