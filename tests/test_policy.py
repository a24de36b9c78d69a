import pytest

from moderation.policy import DEFAULT_THRESHOLDS, Threshold, decide, flags, parse_thresholds

T = {"profanity": Threshold(0.5, 0.9), "sarcasm": Threshold(0.7, None), "off_topic": Threshold(0.6, None)}


@pytest.mark.parametrize("scores, expected_flags, expected_decision", [
    ({"profanity": 0.1, "sarcasm": 0.1, "off_topic": 0.1}, [], "publish"),
    ({"profanity": 0.49, "sarcasm": 0.69, "off_topic": 0.59}, [], "publish"),
    ({"profanity": 0.5, "sarcasm": 0.0, "off_topic": 0.0}, ["profanity"], "review"),
    ({"profanity": 0.89, "sarcasm": 0.0, "off_topic": 0.0}, ["profanity"], "review"),
    ({"profanity": 0.9, "sarcasm": 0.0, "off_topic": 0.0}, ["profanity"], "reject"),
    ({"profanity": 1.0, "sarcasm": 1.0, "off_topic": 1.0}, ["profanity", "sarcasm", "off_topic"], "reject"),
    ({"profanity": 0.0, "sarcasm": 0.99, "off_topic": 0.0}, ["sarcasm"], "review"),      # never rejected alone
    ({"profanity": 0.0, "sarcasm": 0.0, "off_topic": 1.0}, ["off_topic"], "review"),
    ({"profanity": 0.2, "sarcasm": 0.8, "off_topic": 0.7}, ["sarcasm", "off_topic"], "review"),
])
def test_decision_table(scores, expected_flags, expected_decision):
    assert flags(scores, T) == expected_flags
    assert decide(scores, T) == expected_decision


def test_defaults_cover_every_label():
    assert set(DEFAULT_THRESHOLDS) == {"profanity", "sarcasm", "off_topic"}


def test_overrides_layer_on_the_base():
    merged = parse_thresholds({"sarcasm": {"review": 0.9}, "off_topic": 0.8}, T)
    assert merged["sarcasm"] == Threshold(0.9, None)
    assert merged["off_topic"].review == 0.8
    assert merged["profanity"] == T["profanity"]


@pytest.mark.parametrize("raw, message", [
    ({"toxicity": 0.5}, "unknown label"),
    ({"profanity": {"review": 1.5}}, "review threshold"),
    ({"profanity": {"review": 0.8, "reject": 0.5}}, "reject threshold"),
    ({"profanity": {"review": "high"}}, "must be a number"),
    ({"profanity": {"level": 0.3}}, "unknown keys"),
    ({"profanity": [0.5]}, "expected a number"),
    ([0.5], "JSON object"),
])
def test_bad_thresholds_say_what_is_wrong(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_thresholds(raw, T)
