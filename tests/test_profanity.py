import pytest

from moderation.normalize import normalize, tokens
from moderation.profanity import find_profanity
from tests.conftest import TEST_DATA, read_jsonl

CASES = read_jsonl(TEST_DATA / "obfuscation_cases.jsonl")


def hits(text):
    normalized = normalize(text)
    return find_profanity(normalized, tokens(normalized))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_obfuscation_and_allow_list_table(case):
    found = hits(case["text"])
    assert bool(found) == case["expect_profane"], (case["why"], [case["text"][h.start:h.end] for h in found])
    if case["span"]:
        assert case["span"] in [case["text"][h.start:h.end] for h in found]


def test_table_covers_both_sides():
    assert sum(c["expect_profane"] for c in CASES) >= 40
    assert sum(not c["expect_profane"] for c in CASES) >= 40


@pytest.mark.parametrize("text", [
    "Scunthorpe United won 3-1", "Dick Cheney said so", "Moby Dick is a long book", "Philip K. Dick wrote it",
    "We had to kill time at the airport", "Please assess the cockpit", "A classic bass line", "Hancock and the peacock",
    "Shiitake mushrooms from Matsushita", "The therapist's analysis", "Penistone and Middlesex", "Arsenal won at Essex",
    "It costs $5.99", "cocktail hour", "I am a gay man", "Muslim and Jewish neighbours", "a s s e s s m e n t day",
])
def test_innocent_look_alikes_are_not_flagged(text):
    assert hits(text) == []


@pytest.mark.parametrize("text, span", [
    ("what a dick", "dick"),
    ("f u c k this", "f u c k"),
    ("What a s h i t plan", "s h i t"),
    ("fuuuuuck", "fuuuuuck"),
    ("total bull shit", "bull shit"),
    ("incompetent morons", "morons"),
    ("you dumbass", "dumbass"),
    ("shitshow of a council", "shitshow"),
])
def test_swearing_is_found_with_its_span(text, span):
    assert span in [text[h.start:h.end] for h in hits(text)]


def test_censored_word_resolves_to_the_common_swear():
    assert [h.word for h in hits("f*ck it")] == ["fuck"]


def test_obfuscated_hits_are_marked():
    plain, disguised = hits("shit")[0], hits("sh1t")[0]
    assert not plain.obfuscated and disguised.obfuscated
