"""Score prepared comments with a fitted pipeline's numbers, without scikit-learn's per-call cost.

`Pipeline.predict_proba` on one comment spends most of a millisecond in input validation
and in the n-gram analysers' generic code. `FastScorer` reads the fitted vocabularies, IDF
weights and the folded-in linear weights once, then computes the same sparse row and the
same dot product. The test suite checks that both give the same probabilities.
"""

from __future__ import annotations

import math
from array import array
from itertools import chain

import numpy as np
from scipy import sparse
from scipy.special import expit

from .features import extract_signals
from .char_grams import CharGramIndex
from .memo import BoundedMemo

__all__ = ["FastScorer"]

_SMALL_BATCH = 8  # up to this many comments are scored row by row, without sparse matrices
_ARTICLES_REMEMBERED = 128  # articles whose relevance weights are kept between calls
_WORD_CACHE_SIZE = 200_000  # distinct words whose char n-gram columns are kept (a few tens of MB at most)



def _counted_logits(rows: np.ndarray, columns: np.ndarray, n_rows: int, idf: np.ndarray,
                    coef: np.ndarray) -> np.ndarray:
    """l2-normalised sublinear TF-IDF rows times `coef`, from one (row, column) pair per occurrence.

    Occurrences are counted by sorting row*width+column keys: one numpy sort instead of a
    sparse matrix built from Python lists and de-duplicated row by row.
    """
    width = len(idf)
    keys = np.sort(rows.astype(np.int64, copy=False) * width + columns)
    if not len(keys):
        return np.zeros((n_rows, coef.shape[1]))
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(starts, len(keys)))
    keys = keys[starts]
    row_of = keys // width
    column_of = keys - row_of * width
    values = (1.0 + np.log(counts)) * idf[column_of]
    norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=n_rows))
    values /= norms[row_of]
    indptr = np.searchsorted(row_of, np.arange(n_rows + 1))
    return np.asarray(sparse.csr_matrix((values, column_of, indptr), shape=(n_rows, width)) @ coef)


class FastScorer:
    """Probabilities for prepared comments, equal to `pipeline[1:].predict_proba(prepared)`."""

    def __init__(self, pipeline):
        union = pipeline.named_steps["features"]
        if union.transformer_weights:
            raise ValueError("FastScorer does not support transformer weights")
        blocks = dict(union.transformer_list)
        if list(blocks) != ["words", "chars", "signals", "relevance"]:
            raise ValueError(f"unexpected feature blocks {list(blocks)}")
        words = blocks["words"].named_steps["tfidf"]
        chars = blocks["chars"].named_steps["tfidf"]
        for vectorizer in (words, chars):
            if vectorizer.norm != "l2" or not vectorizer.use_idf or not vectorizer.sublinear_tf:
                raise ValueError("FastScorer expects l2-normalised sublinear TF-IDF")
        if words.ngram_range != (1, 2) or chars.analyzer != "char_wb":
            raise ValueError("FastScorer expects word (1, 2)-grams and char_wb n-grams")
        self.word_vocabulary = dict(words.vocabulary_)
        self.word_idf = np.asarray(words.idf_, dtype=np.float64)
        self.char_vocabulary = dict(chars.vocabulary_)
        self.char_idf = np.asarray(chars.idf_, dtype=np.float64)
        self.char_grams = CharGramIndex(self.char_vocabulary, chars.ngram_range)
        self.signal_vocabulary = blocks["signals"].named_steps["vectorize"].vocabulary_
        self.relevance = blocks["relevance"]
        self._article_weights: dict = {}
        sizes = [len(self.word_vocabulary), len(self.char_vocabulary), len(self.signal_vocabulary),
                 len(self.relevance.get_feature_names_out())]
        self.offsets = np.cumsum([0] + sizes).tolist()
        # Each word's char n-gram columns, shifted past the word block: columns of the whole text side.
        self._char_cache = BoundedMemo(self._text_columns_of_word, _WORD_CACHE_SIZE)
        classifier = pipeline.named_steps["classify"]
        self.coef = classifier.coef_
        self.intercept = classifier.intercept_
        if self.coef.shape[0] != self.offsets[-1]:
            raise ValueError("classifier width does not match the feature blocks")
        self._text_idf = np.concatenate((self.word_idf, self.char_idf))  # the word and char blocks side by side
        # The signal and relevance blocks' weights, and the intercept as the weight of a constant 1.
        self._dense_coef = np.vstack((self.coef[self.offsets[2]:], self.intercept[None, :]))

    def _text_columns_of_word(self, word: str) -> bytes:
        return self._packed_text_columns(self.char_grams.columns_of_word(word))

    def _packed_text_columns(self, char_columns: np.ndarray) -> bytes:
        """A word's char n-gram columns, shifted past the word block, packed as int32 bytes.

        Bytes join in one C call (numpy concatenates a dozen small arrays at about a tenth of the
        cost of scoring a comment) and take 40-65% of an array's memory in the cache.
        """
        return (char_columns + self.offsets[1]).astype(np.int32).tobytes()

    def _row_text_logits(self, tokens: list[str]) -> np.ndarray:
        """One document's word and char TF-IDF blocks times their weights, in one sort and one gather.

        Both blocks' columns are counted together (char columns come after the word block), then
        each block is l2-normalised on its own, as the two vectorisers do. Every numpy call costs
        a few microseconds here whatever its size, so they are kept few.
        """
        parts = list(map(self._char_cache.__getitem__, tokens))
        words = self._word_columns(tokens)
        if words:
            parts.append(array("i", words).tobytes())
        columns = np.sort(np.frombuffer(b"".join(parts), dtype=np.int32))
        size = len(columns)
        if not size:
            return np.zeros(self.coef.shape[1])
        bounds = np.empty(size + 1, dtype=bool)  # True where a column's run starts, and once past the end
        bounds[0] = bounds[size] = True
        np.not_equal(columns[1:], columns[:-1], out=bounds[1:size])
        bounds = bounds.nonzero()[0]
        values = np.log(bounds[1:] - bounds[:-1])
        values += 1.0
        columns = columns.take(bounds[:-1])  # take, not fancy indexing: less set-up cost at this size
        values *= self._text_idf.take(columns)
        split = int(columns.searchsorted(self.offsets[1]))
        words_block, chars_block = values[:split], values[split:]
        if split:
            words_block *= 1.0 / math.sqrt(np.dot(words_block, words_block))
        if split < len(values):
            chars_block *= 1.0 / math.sqrt(np.dot(chars_block, chars_block))
        return np.dot(values, self.coef.take(columns, axis=0))

    def _word_columns(self, tokens: list[str]) -> list[int]:
        """Vocabulary columns of a document's known words and word pairs."""
        lookup = self.word_vocabulary.get
        words = [column for column in map(lookup, tokens) if column is not None]
        words += [column for column in map(lookup, map(" ".join, zip(tokens, tokens[1:]))) if column is not None]
        return words

    def _batch_text_logits(self, splits: list[list[str]]) -> np.ndarray:
        """Word and char n-gram logits of many documents (each split into words), counted in numpy."""
        o_words, o_chars, o_signals = self.offsets[:3]
        n_rows = len(splits)
        row_numbers = np.arange(n_rows)
        word_docs = list(map(self._word_columns, splits))
        columns = np.asarray(list(chain.from_iterable(word_docs)), dtype=np.int64)
        rows = np.repeat(row_numbers, list(map(len, word_docs)))
        logits = _counted_logits(rows, columns, n_rows, self.word_idf, self.coef[o_words:o_chars])
        cache = self._char_cache
        new_words = [word for word in set(chain.from_iterable(splits)) if word not in cache]  # not set - keys(): that walks the cache
        if new_words:  # first sight of these words: cut and look up together
            if len(cache) + len(new_words) > cache.max_size:
                cache.clear()
            cache.update(zip(new_words, map(self._packed_text_columns, self.char_grams.columns_of_words(new_words))))
        char_of_word = cache.__getitem__
        packed: list[bytes] = []
        lengths: list[int] = []
        for words_of_text in splits:
            words = b"".join(map(char_of_word, words_of_text))
            packed.append(words)
            lengths.append(len(words) // 4)
        if packed:
            columns = np.frombuffer(b"".join(packed), dtype=np.int32) - o_chars
            logits += _counted_logits(np.repeat(row_numbers, lengths), columns, n_rows, self.char_idf,
                                      self.coef[o_chars:o_signals])
        return logits

    def predict_proba(self, prepared) -> np.ndarray:
        n_rows = len(prepared)
        if not n_rows:
            return np.zeros((0, self.coef.shape[1]))
        splits = [p.text.split() for p in prepared]
        if n_rows <= _SMALL_BATCH:
            # Sorting and counting in numpy costs more than scoring a handful of comments one by one.
            logits = np.vstack(list(map(self._row_text_logits, splits)))
        else:
            logits = self._batch_text_logits(splits)
        # The hand-made features are few (tens of columns): each comment's signals, relevance features and a 1
        # for the intercept go in one Python list, and the rows become one array (cheaper than numpy assignments).
        n_signals = self.offsets[3] - self.offsets[2]
        signal_vocabulary = self.signal_vocabulary
        article_cache = self._article_weights  # kept between calls: the service scores one comment at a time
        if len(article_cache) > _ARTICLES_REMEMBERED:
            article_cache.clear()
        dense_rows = []
        for p, row_signals in zip(prepared, extract_signals(prepared)):
            row = [0.0] * n_signals
            for key, value in row_signals.items():
                index = signal_vocabulary.get(key)
                if index is not None:
                    row[index] = value
            row += self.relevance.row(p, article_cache)
            row.append(1.0)
            dense_rows.append(row)
        logits += np.array(dense_rows) @ self._dense_coef
        return expit(logits, out=logits)
