"""A fast profanity matcher over folded text; it feeds the model and gives the spans.

better-profanity's `contains_profanity` expands every spelling variant at run time (about
28 ms a comment). Here the list is folded once (see `lexicon`) and each comment is folded
once (see `normalize`), so matching is a dictionary lookup per token plus a few rules for
censoring stars, stretched letters, spaced letters and compounds.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Sequence

from .memo import BoundedMemo
from .lexicon import NAME_WORDS, STEM_ALLOWED, Lexicon, load_lexicon
from .normalize import Normalized, Token

__all__ = ["Hit", "find_profanity", "might_contain_profanity", "profanity_hits"]

_RUN_RE = re.compile(r"([a-z])\1{2,}")
_GAP_FOR_SPACED_LETTERS = re.compile(r"[\s.\-_,*]{1,3}")
_SPACED_GATE = re.compile(r"(?:^| )[^\W\d_] [^\W\d_] [^\W\d_](?: |$)")


@dataclass(frozen=True, slots=True)
class Hit:
    """One matched swear word, with offsets into the original text."""

    start: int
    end: int
    word: str
    category: str
    obfuscated: bool


def _squeezed_forms(word: str) -> tuple[str, ...]:
    """'fuuuuck' -> ('fuck', 'fuuck'): stretched letters shortened to one and to two."""
    if not _RUN_RE.search(word):
        return ()
    return (_RUN_RE.sub(r"\1", word), _RUN_RE.sub(r"\1\1", word))


def _censored_match(word: str, lexicon: Lexicon) -> str | None:
    """'f**k' or 'FU*K' -> 'fuck': each star stands for one letter; the first must be a letter."""
    if not word[0].isalpha() or word.count("*") > len(word) - 1 or len(word) < 3:
        return None
    candidates = lexicon.by_length.get(len(word), ())
    matches = [c for c in candidates if all(w == "*" or w == c[i] for i, w in enumerate(word))]
    if not matches:
        return None
    # Prefer the common swear: "f*ck" is "fuck", not "fack".
    matches.sort(key=lambda m: (not any(stem in m for stem in lexicon.stems), lexicon.words[m] != "strong", m))
    return matches[0]


def _lookup(word: str, lexicon: Lexicon) -> str | None:
    """The lexicon word this folded token spells, if any."""
    if word in lexicon.words:
        return word
    if "*" in word:
        return _censored_match(word, lexicon)
    for form in _squeezed_forms(word):
        if form in lexicon.words:
            return form
    if word not in STEM_ALLOWED:
        for stem in lexicon.stems:
            if stem in word:
                return stem
    return None


_lookup_default = BoundedMemo(lambda word: _lookup(word, load_lexicon())).__getitem__


def _spelled_word(tokens: list[Token], first: int, last: int, lexicon: Lexicon) -> tuple[int, int, str] | None:
    """The longest run of 3+ single letters inside tokens[first..last] that spells a listed word.

    "What a s h i t plan" spells "shit" from the "s", not "ashit" from the "a".
    """
    letters = [t.folded for t in tokens[first:last + 1]]
    for size in range(len(letters), 2, -1):
        # At most one stray letter each side ("a s h i t"), or "a s s e s s m e n t" spells "asses".
        for offset in range(max(0, len(letters) - size - 1), min(1, len(letters) - size) + 1):
            word = "".join(letters[offset:offset + size])
            found = word if word in lexicon.words else None
            if found is None:
                for form in _squeezed_forms(word):
                    if form in lexicon.words:
                        found = form
                        break
            if found:
                return first + offset, first + offset + size - 1, found
    return None


def _written_as_name(original: str, tokens: list[Token], index: int, normalized: Normalized) -> bool:
    """'Dick Cheney', 'Moby Dick', 'Philip K. Dick': a capitalised name word beside another name."""

    def raw(i: int) -> str:
        start, end = normalized.original_span(tokens[i].start, tokens[i].end)
        return original[start:end]

    if not raw(index).istitle():
        return False
    neighbours = [i for i in (index - 1, index + 1) if 0 <= i < len(tokens)]
    return any(raw(i)[:1].isupper() for i in neighbours)


def name_positions(normalized: Normalized, tokens: list[Token]) -> set[int]:
    """Indexes of tokens that are name words written as names ("Dick Cheney")."""
    return {
        index for index, token in enumerate(tokens)
        if token.folded in NAME_WORDS and _written_as_name(normalized.original, tokens, index, normalized)
    }


def _is_obfuscated(normalized: Normalized, start: int, end: int, word: str) -> bool:
    return normalized.original[start:end].lower() != word


def might_contain_profanity(folded: Sequence[str], lexicon: Lexicon | None = None) -> bool:
    """False for the ordinary comment: no listed word, no first half of a two-word swear, nothing spaced out.

    Needs only the folded words, so callers can skip the token offsets when it says False.
    """
    if lexicon is None:
        if any(map(_lookup_default, folded)):
            return True
        lexicon = load_lexicon()
    elif any(_lookup(word, lexicon) for word in folded):
        return True
    if not lexicon.compounds.isdisjoint(map(operator.add, folded, folded[1:])):
        return True  # two tokens that spell a swear together: "bull shit"
    return bool(_SPACED_GATE.search(" ".join(folded)))


def find_profanity(normalized: Normalized, tokens: list[Token], lexicon: Lexicon | None = None) -> list[Hit]:
    """Every swear word in a comment, as spans of the original text."""
    if not might_contain_profanity([t.folded for t in tokens], lexicon):
        return []
    return profanity_hits(normalized, tokens, lexicon)


def profanity_hits(normalized: Normalized, tokens: list[Token], lexicon: Lexicon | None = None) -> list[Hit]:
    """`find_profanity` for a comment `might_contain_profanity` has already let through."""
    hits: list[Hit] = []
    lookup = _lookup_default if lexicon is None else (lambda word: _lookup(word, lexicon))
    lexicon = lexicon or load_lexicon()
    text = normalized.text
    index = 0
    count = len(tokens)
    while index < count:
        token = tokens[index]
        word = token.folded
        # Spaced or dotted single letters: "f u c k", "s h i t".
        if len(word) == 1 and word.isalpha():
            last = index
            while (
                last + 1 < count
                and len(tokens[last + 1].folded) == 1
                and tokens[last + 1].folded.isalpha()
                and _GAP_FOR_SPACED_LETTERS.fullmatch(text[tokens[last].end:tokens[last + 1].start])
            ):
                last += 1
            if last - index >= 2:
                spelled = _spelled_word(tokens, index, last, lexicon)
                if spelled:
                    first, final, found = spelled
                    start, end = normalized.original_span(tokens[first].start, tokens[final].end)
                    hits.append(Hit(start, end, found, lexicon.words.get(found, "strong"), True))
                    index = final + 1
                    continue
        found = lookup(word)
        if found and found in NAME_WORDS and _written_as_name(normalized.original, tokens, index, normalized):
            found = None
        if found:
            start, end = normalized.original_span(token.start, token.end)
            category = lexicon.words.get(found, "strong")
            hits.append(Hit(start, end, found, category, _is_obfuscated(normalized, start, end, found)))
        elif word in lexicon.first_parts and index + 1 < count and text[token.end:tokens[index + 1].start].isspace():
            # Two words that spell one: "bull shit", "dumb ass".
            joined = word + tokens[index + 1].folded
            if joined in lexicon.compounds:
                start, end = normalized.original_span(token.start, tokens[index + 1].end)
                hits.append(Hit(start, end, joined, lexicon.words[joined], True))
                index += 2
                continue
        index += 1
    return hits
