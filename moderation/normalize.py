"""Fold a comment into a canonical form while remembering where every character came from.

Swearing is disguised with look-alike Unicode, zero-width characters, accents, fullwidth
letters, leetspeak (`sh1t`, `bull$hit`, `b!tch`), censoring stars (`f*ck`), repeated
letters and spaced or dotted letters. The matcher and the model both work on the folded
form; spans are mapped back to the *original* text through `Normalized.origin`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .memo import BoundedMemo

__all__ = ["Normalized", "Token", "normalize", "fold_token", "tokens", "folded_words", "folded_text", "count_ascii",
           "ascii_letter_runs", "ASCII_UPPERCASE", "ASCII_LETTERS", "ASCII_DIGITS"]

# Characters that render as nothing: stripped before anything else.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u3164\ufeff\uffa0"
)

# Look-alike letters from other scripts that NFKC leaves alone (Cyrillic, Greek, Armenian...).
_CONFUSABLES = {
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "ц": "u", "у": "y", "х": "x", "ѡ": "w", "ь": "b", "ы": "bi", "п": "n",
    "и": "u", "л": "n", "д": "a", "ф": "o", "я": "r", "з": "3", "ч": "y",
    "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
    "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "ς": "c", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɪ": "i", "ʏ": "y", "ᴄ": "c", "ᴏ": "o", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ᴢ": "z", "ս": "u", "օ": "o", "ց": "g", "ի": "h", "ո": "n", "ք": "p",
    "ⅰ": "i", "ⅼ": "l", "ℓ": "l", "€": "e", "¢": "c", "ß": "ss", "ø": "o", "đ": "d", "ł": "l",
    "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i", "ȷ": "j",
}

# Leetspeak inside a word: only applied to tokens that contain at least one letter, so
# prices, scores and years ("$5.99", "3-1", "1337") are never turned into words.
_LEET = str.maketrans({
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "$": "s", "@": "a", "!": "i", "|": "i", "+": "t",
})

# A token is a run of word characters that may hold disguising symbols inside it
# ("sh!t", "a$$hole", "f.u.c.k", "f**k") and may start with $ or @ ("$hit", "@ss").
_TOKEN_RE = re.compile(r"[$@]*\w+(?:[$@!|*.'’\-+]+\w+)*[$*]*")
_INNER_SEPARATORS = re.compile(r"[.'’\-]")
_LETTER_RE = re.compile(r"[^\W\d_]")


class Token(NamedTuple):
    """One token of the folded text: its folded form and its offsets in the folded text."""

    folded: str
    start: int
    end: int


@dataclass(frozen=True)
class Normalized:
    """A comment in folded form with a map from folded positions back to the original."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # None means identity (plain ASCII input)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original text of the folded slice [start, end)."""
        if self.origin is None:
            return start, end
        # An original character folded into several (e.g. "ß" -> "ss") keeps its whole width.
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """Fold one non-ASCII character: compatibility form, no accents, lower case, look-alikes."""
    if char in _INVISIBLE:
        return ""
    lowered = char.lower()
    if lowered in _CONFUSABLES:
        return _CONFUSABLES[lowered]
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    out = []
    for c in kept.lower():
        if c in _INVISIBLE:
            continue
        out.append(_CONFUSABLES.get(c, c))
    return "".join(out)


_ASCII_LOWER = {ord(c): c.lower() for c in map(chr, range(128)) if c.lower() != c}


def normalize(text: str) -> Normalized:
    """Fold `text` (NFKC-style, casefolded, look-alikes mapped, invisible marks removed)."""
    if text.isascii():
        return Normalized(text, text.lower(), None)
    table = {ord(char): _fold_char(char) for char in set(text) if not char.isascii()}
    if all(len(folded) == 1 for folded in table.values()):
        # Curly quotes, accents, look-alikes: one character for one, so offsets do not move.
        table.update(_ASCII_LOWER)
        return Normalized(text, text.translate(table), None)
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            pieces.append(char.lower())
            origin.append(index)
            continue
        folded = _fold_char(char)
        if folded:
            pieces.append(folded)
            origin.extend([index] * len(folded))
    return Normalized(text, "".join(pieces), tuple(origin))


def fold_token(raw: str) -> str:
    """Undo leetspeak and drop inner dots/hyphens/apostrophes in one token of folded text."""
    if raw.isalpha():
        return raw
    token = _INNER_SEPARATORS.sub("", raw)
    if not _LETTER_RE.search(token):
        return token
    # A trailing "!" is punctuation, not an "i": "shit!" is "shit".
    stripped = token.rstrip("!|")
    return stripped.translate(_LEET) if stripped else token


_FOLDED = BoundedMemo(fold_token)  # raw token -> folded form


def tokens(normalized: Normalized) -> list[Token]:
    """The tokens of a folded text, each with its folded form and folded-text offsets."""
    make = tuple.__new__
    fold = _FOLDED.__getitem__
    return [make(Token, (fold(match.group()), *match.span())) for match in _TOKEN_RE.finditer(normalized.text)]


def folded_words(normalized: Normalized) -> list[str]:
    """The folded form of every token, without offsets: what most comments need, at a third of the cost."""
    return list(map(_FOLDED.__getitem__, _TOKEN_RE.findall(normalized.text)))


def folded_text(token_list: list[Token]) -> str:
    """The canonical text the n-gram features read: folded tokens joined by spaces."""
    return " ".join(token.folded for token in token_list)


ASCII_UPPERCASE = bytes(range(ord("A"), ord("Z") + 1))
ASCII_DIGITS = b"0123456789"
ASCII_LETTERS = ASCII_UPPERCASE + ASCII_UPPERCASE.lower()


def count_ascii(text: str, characters: bytes) -> int:
    """How many of `text`'s characters are among the ASCII `characters` (bytes.translate: no Python loop).

    ASCII bytes never occur inside a multi-byte UTF-8 character, so counting bytes counts characters.
    """
    encoded = text.encode("utf-8", "surrogatepass")
    return len(encoded) - len(encoded.translate(None, characters))


_LETTERS_ONLY = bytes(c if chr(c).isascii() and chr(c).isalpha() else ord(" ") for c in range(256))


def ascii_letter_runs(ascii_text: str) -> list[bytes]:
    """The runs of a-z/A-Z letters of an ASCII text, as bytes (one translate and one split: no regex)."""
    return ascii_text.encode("ascii").translate(_LETTERS_ONLY).split()
