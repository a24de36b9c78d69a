import pytest

from moderation.markers import find_markers
from tests.conftest import TEST_DATA, read_jsonl

CASES = read_jsonl(TEST_DATA / "sarcasm_marker_cases.jsonl")


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_marker_table(case):
    found = find_markers(case["text"])
    assert bool(found) == case["marker_expected"], [case["text"][m.start:m.end] for m in found]
    if case["span"]:
        assert case["span"] in [case["text"][m.start:m.end] for m in found]


@pytest.mark.parametrize("text, kind", [
    ("Great plan /s", "slash_s"),
    ("Great plan /s 🙄", "slash_s"),
    ("yeah right, as if", "yeah_right"),
    ("Oh great, another tax", "oh_great"),
    ("what a surprise", "what_a_surprise"),
    ("said no one ever", "said_no_one"),
    ("tHiS wIlL fIx EvErYtHiNg", "mocking_case"),
    ("Sure, because that always works", "sure_because"),
    ("fine 🙄", "eye_roll"),
])
def test_each_marker_kind(text, kind):
    assert kind in [m.kind for m in find_markers(text)]


@pytest.mark.parametrize("text", [
    "Wind at 3 m/s today", "yeah, right next to the station", "Oh great news, congratulations!", "iPhone and McDonald",
])
def test_look_alike_phrases_are_not_markers(text):
    assert find_markers(text) == []


GATE_TEXTS = [case["text"] for case in CASES] + [
    "Yeah, RIGHT.", "oh, sure", "Oh yes, lovely", "Thank you, Captain Obvious", "nice one, Sherlock", "well done genius",
    "colour me surprised", "Color me shocked", "who would have guessed", "Who could have predicted this?",
    "Big surprise there", "Surprise, surprise!", "Shocked, I tell you, shocked", "What a twist",
    "Sure, Jan.", "totally not a scam", "not at all suspicious", "because that went so well last time",
    "because that has worked so well before", "said no body ever", "Slow clap for the council", "wow, just wow",
    "Bravo, bravo", "sure because they care", "ya right", "yea right lol", "Oh good, more rain",
    "I said what I thought; who knew it was seen as a shock", "Thanks for the article", "wow what a goal",
    "oh yes...because it always works", "yeah right...sure", "Yeah, right.Sure", "wow-just wow", "Said-no one ever",
    "ſure, becauſe it works", "Great plan /S", "oh ſure", "Yeah, rıght", "what a ſhock",
    "sure :eyeroll:", "*eye roll* ok", "*rolls eyes* fine", "great 🙄", "smirk 😏",
]


@pytest.mark.parametrize("text", GATE_TEXTS)
def test_word_gates_never_hide_a_match(text):
    """The gates only skip patterns that cannot match: the result equals running every pattern."""
    from moderation.markers import _COMPILED

    everything = sorted((kind, m.start(1), m.end(1)) for kind, _gate, pattern in _COMPILED for m in pattern.finditer(text))
    gated = sorted((m.kind, m.start, m.end) for m in find_markers(text) if m.kind != "mocking_case")
    assert gated == everything


def test_gate_texts_exercise_every_pattern():
    """The texts above must make every gated pattern match somewhere, or the equality proves little."""
    from moderation.markers import _COMPILED

    matched = {kind for text in GATE_TEXTS for kind, _gate, pattern in _COMPILED if pattern.search(text)}
    assert matched == {kind for kind, _gate, _pattern in _COMPILED}
