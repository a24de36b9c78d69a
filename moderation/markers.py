"""Explicit sarcasm markers: a trailing `/s`, "yeah right", eye-rolls, mocking case.

Markers are evidence, not verdicts: "yeah, right next to the station" or a sincere
"oh great news!" contain them too, so each marker is a feature the trained model weighs,
and its span is shown to moderators when the sarcasm label is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import ASCII_UPPERCASE, ascii_letter_runs, count_ascii

__all__ = ["Marker", "find_markers", "MARKER_KINDS"]

# (kind, gate, pattern). The gate is a tuple of word sets, one of which must occur whole among
# the comment's words ("yeah" and "right"), or a tuple of substrings one of which must occur in
# the lower-cased text, so the ordinary comment, which has no marker, runs no regular expression.
def _all_of(*alternatives: str) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    """(anchor words, alternatives): one anchor is in every alternative, a cheap first test."""
    sets = tuple(frozenset(word.encode("ascii") for word in words.split()) for words in alternatives)
    anchors = frozenset(max(words, key=lambda w: (w.decode() not in _COMMON, len(w))) for words in sets)
    return anchors, sets


_COMMON = frozenset("a i you me no not that what who have could would just good great one well done yes sure".split())


_PHRASES = [
    ("slash_s", ("/s",), r"(?:^|\s)(/s(?:arcasm)?)\s*(?:[\U0001F300-\U0001FAFF\u2600-\u27BF]\s*)*$"),
    ("yeah_right", _all_of("yeah right", "yea right", "ya right"), r"\b(yeah,?\s+right|yea,?\s+right|ya,?\s+right)\b(?!\s+(?:next|there|here|now|away|on|by|behind|after|before|outside|in|at|to|around|up|down|over|under|beside|across)\b)"),
    ("oh_great", _all_of(*("oh " + word for word in "great wonderful good joy brilliant fantastic perfect terrific lovely sure yes goody splendid".split())),
     r"\b(oh,?\s+(?:great|wonderful|good|joy|brilliant|fantastic|perfect|terrific|lovely|sure|yes|goody|splendid))\b(?!\s+(?:news|job|work|result|idea|point|question|article)\b)"),
    ("sure_because", _all_of("sure because", "because that well"), r"\b(sure,?\s+because|because\s+that\s+(?:worked|went|has\s+worked|always\s+works)(?:\s+so)?\s+well(?:\s+(?:the\s+)?last\s+time|\s+before)?)\b"),
    ("what_a_surprise", _all_of(*["what a " + word for word in ("shock", "surprise", "shocker", "twist")],
                                "big surprise", "surprise", "colour me", "color me", "shocked i tell you",
                                "who could have", "who would have"),
     r"\b(what\s+a\s+(?:shock|surprise|shocker|twist)|big\s+surprise|surprise,?\s+surprise|colou?r\s+me\s+(?:shocked|surprised)|shocked,?\s+i\s+tell\s+you|who\s+(?:could|would)\s+have\s+(?:seen|guessed|predicted|thought))\b"),
    ("said_no_one", _all_of("said no ever"), r"\b(said\s+no\s+(?:one|body)\s+ever)\b"),
    ("thanks_genius", _all_of(*[thanks + " " + who for who in ("genius", "einstein", "obvious", "sherlock")
                                for thanks in ("thanks", "thank you", "nice one", "well done", "good job")]),
     r"\b((?:thanks|thank\s+you|nice\s+one|well\s+done|good\s+job),?\s+(?:genius|einstein|captain\s+obvious|sherlock))\b"),
    ("slow_clap", _all_of("slow clap", "wow just", "bravo", "sure jan", "totally not", "not at all suspicious"),
     r"\b(slow\s+clap|wow,?\s+just\s+wow|bravo,?\s+bravo|sure,?\s+jan|totally\s+not|not\s+at\s+all\s+suspicious)\b"),
    ("eye_roll", ("\U0001F644", "\U0001F612", "\U0001F643", "\U0001F60F", "eye"),
     r"([\U0001F644\U0001F612\U0001F643\U0001F60F]|:\s*eyeroll\s*:|\*eye\s*roll\*|\*rolls\s+eyes\*)"),
]

MARKER_KINDS: tuple[str, ...] = tuple(kind for kind, _, _ in _PHRASES) + ("mocking_case",)

_COMPILED = [(kind, keywords, re.compile(pattern, re.IGNORECASE)) for kind, keywords, pattern in _PHRASES]
_GATED = [(kind, not isinstance(gate[0], str), gate, pattern) for kind, gate, pattern in _COMPILED]
_ALL_ANCHORS = frozenset().union(*(gate[0] for _kind, by_words, gate, _pattern in _GATED if by_words))
_WORD_RE = re.compile(r"[A-Za-z]{4,}")
_CASE_FLIP_RE = re.compile(r"[a-z][A-Z][a-z][A-Z]|[A-Z][a-z][A-Z][a-z]")


@dataclass(frozen=True, slots=True)
class Marker:
    """One explicit sarcasm marker with offsets into the original text."""

    kind: str
    start: int
    end: int


def _case_switches(word: str) -> int:
    return sum(1 for a, b in zip(word, word[1:]) if a.isupper() != b.isupper())


def _mocking_case(text: str) -> list[Marker]:
    """'tHiS wIlL fIx EvErYtHiNg': two or more words whose case flips letter by letter."""
    words = [m for m in _WORD_RE.finditer(text) if _case_switches(m.group()) >= 3]
    if len(words) < 2:
        return []
    return [Marker("mocking_case", words[0].start(), words[-1].end())]


def _words_open(gate: tuple, words: frozenset[bytes]) -> bool:
    anchors, alternatives = gate
    return not anchors.isdisjoint(words) and any(map(words.issuperset, alternatives))


def find_markers(text: str) -> list[Marker]:
    """Every explicit sarcasm marker in the original text."""
    found: list[Marker] = []
    lowered = text.lower()
    # The gates are exact for ASCII text: each pattern's words are whole runs of a-z there. Other
    # text runs every pattern, as case-insensitive matching pairs "ſ" with "s" and "K" with "k".
    ascii_text = text.isascii()
    words = frozenset(ascii_letter_runs(lowered)) if ascii_text else frozenset()
    any_anchor = not ascii_text or not _ALL_ANCHORS.isdisjoint(words)  # usually False: skip every word gate at once
    for kind, by_words, gate, pattern in _GATED:
        if ascii_text:
            if by_words:
                if not any_anchor or not _words_open(gate, words):
                    continue
            elif not any(map(lowered.__contains__, gate)):
                continue
        for match in pattern.finditer(text):
            found.append(Marker(kind, match.start(1), match.end(1)))
    # Mocking case needs at least two words with two capitals each: count capitals (a fast
    # single-class scan) before the slower pattern search.
    if count_ascii(text, ASCII_UPPERCASE) >= 4 and _CASE_FLIP_RE.search(text):
        found.extend(_mocking_case(text))
    return found
