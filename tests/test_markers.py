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
