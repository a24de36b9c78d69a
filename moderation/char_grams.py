"""A word's char_wb n-gram columns, cut and looked up the way scikit-learn's analyser does.

`FastScorer` needs, for each word of a comment, the vocabulary columns of its character
n-grams. Words repeat, so each word's columns are remembered; what remains is the first
sight of a word, a few µs in Python for every new word of a cold batch. `CharGramIndex`
does the new words of a batch together in numpy: n-grams of up to seven Latin-1 characters
fit exactly in one 64-bit integer (no hashing, so no collisions), and the vocabulary becomes
a sorted array of such codes searched with `np.searchsorted`.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import repeat
from operator import itemgetter

import numpy as np

__all__ = ["CharGramIndex", "gram_slicer"]

_LENGTH_SHIFT = np.uint64(56)  # bits 56+ hold the n-gram's length, bits 0-55 its seven bytes
_BYTES_MASK = np.uint64((1 << 56) - 1)
_MAX_CODED = 7
_LONGEST_VECTORISED_WORD = 40  # longer words (URLs, keyboard mashing) take the per-word path: no wide matrices


@lru_cache(maxsize=512)
def gram_slicer(length: int, low: int, high: int):
    """All char n-grams of a padded word of this length, cut in one C call (operator.itemgetter of slices).

    The same n-grams, in the same order, as scikit-learn's char_wb analyser: a word shorter than n
    gives itself once and stops the longer sizes.
    """
    slices = []
    for n in range(low, high + 1):
        if length <= n:
            slices.append(slice(0, n))
            break
        slices.extend(slice(i, i + n) for i in range(length - n + 1))
    if len(slices) == 1:  # itemgetter with one item returns the item, not a tuple
        only = slices[0]
        return lambda text: (text[only],)
    return itemgetter(*slices)


def _code(gram: bytes) -> int:
    return int.from_bytes(gram, "little") | (len(gram) << int(_LENGTH_SHIFT))


class CharGramIndex:
    """Vocabulary columns of words' char_wb n-grams; many words at once in numpy."""

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]):
        self.vocabulary = vocabulary
        self.low, self.high = ngram_range
        self.vectorised = self.high <= _MAX_CODED
        coded = []
        for gram, column in vocabulary.items():
            try:
                coded.append((_code(gram.encode("latin-1")), column))
            except UnicodeEncodeError:
                pass  # only words with such a character can contain it: they take the per-word path
        coded.sort()
        self.codes = np.array([code for code, _ in coded], dtype=np.uint64)
        self.columns = np.array([column for _, column in coded], dtype=np.int32)

    def columns_of_word(self, word: str) -> np.ndarray:
        """One word's known columns, in the analyser's order (one per n-gram occurrence)."""
        padded = " " + word + " "
        grams = gram_slicer(len(padded), self.low, self.high)(padded)
        return np.array([column for column in map(self.vocabulary.get, grams, repeat(-1)) if column >= 0],
                        dtype=np.int32)

    def columns_of_words(self, words: list[str]) -> list[np.ndarray]:
        """`columns_of_word` for each word (columns in another order within a word: they are counted)."""
        if not self.vectorised or not self.codes.size:
            return [self.columns_of_word(word) for word in words]
        encoded, others = [], []
        for index, word in enumerate(words):
            try:
                if len(word) <= _LONGEST_VECTORISED_WORD:
                    encoded.append((index, (" " + word + " ").encode("latin-1")))
                    continue
            except UnicodeEncodeError:
                pass
            others.append(index)
        result: list[np.ndarray] = [None] * len(words)  # type: ignore[list-item]
        for index in others:
            result[index] = self.columns_of_word(words[index])
        if encoded:
            for (index, _), columns in zip(encoded, self._coded_columns([padded for _, padded in encoded])):
                result[index] = columns
        return result

    def _coded_columns(self, padded: list[bytes]) -> list[np.ndarray]:
        count = len(padded)
        lengths = np.fromiter(map(len, padded), dtype=np.int64, count=count)
        width = int(lengths.max())
        letters = np.zeros((count, width + _MAX_CODED), dtype=np.uint64)  # room to read past the end
        flat = np.frombuffer(b"".join(padded), dtype=np.uint8)
        rows = np.repeat(np.arange(count), lengths)
        starts = np.cumsum(lengths) - lengths
        letters[rows, np.arange(flat.size) - starts[rows]] = flat
        found_rows, found_codes = [], []
        positions = np.arange(width)
        for n in range(self.low, self.high + 1):
            codes = np.zeros((count, width), dtype=np.uint64)
            for j in range(n):
                codes |= letters[:, j:j + width] << np.uint64(8 * j)
            # A word longer than n gives every n-gram; a word of exactly n gives itself once, and so does a
            # word shorter than the smallest n, which then stops (bytes past its end are zero).
            full = (positions[None, :] <= (lengths - n)[:, None]) & (lengths >= n)[:, None]
            if n == self.low:
                short = lengths < n
                full[short, 0] = True
                codes[short, 0] = (codes[short, 0] & _BYTES_MASK) | (lengths[short].astype(np.uint64) << _LENGTH_SHIFT)
                codes[~short] |= np.uint64(n) << _LENGTH_SHIFT
            else:
                codes |= np.uint64(n) << _LENGTH_SHIFT
            word_rows, word_positions = np.nonzero(full)
            found_rows.append(word_rows)
            found_codes.append(codes[word_rows, word_positions])
        word_rows = np.concatenate(found_rows)
        codes = np.concatenate(found_codes)
        slots = np.minimum(np.searchsorted(self.codes, codes), self.codes.size - 1)
        known = self.codes[slots] == codes
        word_rows = word_rows[known]
        columns = self.columns[slots[known]]
        order = np.argsort(word_rows, kind="stable")
        counts = np.bincount(word_rows, minlength=count)
        return np.split(columns[order], np.cumsum(counts)[:-1])
