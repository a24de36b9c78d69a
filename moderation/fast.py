"""Score prepared comments with a fitted pipeline's numbers, without scikit-learn's per-call cost.

`Pipeline.predict_proba` on one comment spends most of a millisecond in input validation
and in the n-gram analysers' generic code. `FastScorer` reads the fitted vocabularies, IDF
weights and the folded-in linear weights once, then computes the same sparse row and the
same dot product. The test suite checks that both give the same probabilities.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain, repeat

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
        self._char_cache = BoundedMemo(self.char_grams.columns_of_word, _WORD_CACHE_SIZE)
        self.signal_vocabulary = blocks["signals"].named_steps["vectorize"].vocabulary_
        self.relevance = blocks["relevance"]
        self._article_weights: dict = {}
        sizes = [len(self.word_vocabulary), len(self.char_vocabulary), len(self.signal_vocabulary),
                 len(self.relevance.get_feature_names_out())]
        self.offsets = np.cumsum([0] + sizes).tolist()
        classifier = pipeline.named_steps["classify"]
        self.coef = classifier.coef_
        self.intercept = classifier.intercept_
        if self.coef.shape[0] != self.offsets[-1]:
            raise ValueError("classifier width does not match the feature blocks")

    def _char_columns(self, tokens: list[str]) -> list[int]:
        """char_wb n-grams never cross words, so each word's columns are computed once and remembered."""
        arrays = list(map(self._char_cache.__getitem__, tokens))
        return np.concatenate(arrays).tolist() if arrays else []

    def _word_columns(self, tokens: list[str]) -> list[int]:
        """Vocabulary columns (-1: unknown) of a document's words and word pairs."""
        lookup = self.word_vocabulary.get
        unknown = repeat(-1)
        return list(map(lookup, tokens, unknown)) + list(map(lookup, map(" ".join, zip(tokens, tokens[1:])), unknown))

    def _row_tfidf_logits(self, columns: list[int], idf: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """One document's TF-IDF block times its weights, without building a sparse matrix."""
        counted = Counter(column for column in columns if column >= 0)
        if not counted:
            return np.zeros(coef.shape[1])
        index = np.fromiter(counted.keys(), dtype=np.int64, count=len(counted))
        values = (1.0 + np.log(np.fromiter(counted.values(), dtype=np.float64, count=len(counted)))) * idf[index]
        values /= np.sqrt(values @ values)
        return values @ coef[index]

    def _batch_text_logits(self, splits: list[list[str]]) -> np.ndarray:
        """Word and char n-gram logits of many documents (each split into words), counted in numpy."""
        o_words, o_chars, o_signals = self.offsets[:3]
        n_rows = len(splits)
        row_numbers = np.arange(n_rows)
        word_docs = list(map(self._word_columns, splits))
        columns = np.asarray(list(chain.from_iterable(word_docs)), dtype=np.int64)
        rows = np.repeat(row_numbers, list(map(len, word_docs)))
        known = columns >= 0
        logits = _counted_logits(rows[known], columns[known], n_rows, self.word_idf, self.coef[o_words:o_chars])
        cache = self._char_cache
        new_words = [word for word in set(chain.from_iterable(splits)) if word not in cache]  # not set - keys(): that walks the cache
        if new_words:  # first sight of these words: cut and look up together
            if len(cache) + len(new_words) > cache.max_size:
                cache.clear()
            cache.update(zip(new_words, self.char_grams.columns_of_words(new_words)))
        char_of_word = cache.__getitem__
        arrays: list[np.ndarray] = []
        lengths: list[int] = []
        for words_of_text in splits:
            words = list(map(char_of_word, words_of_text))
            arrays.extend(words)
            lengths.append(sum(map(len, words)))
        if arrays:
            logits += _counted_logits(np.repeat(row_numbers, lengths), np.concatenate(arrays), n_rows, self.char_idf,
                                      self.coef[o_chars:o_signals])
        return logits

    def predict_proba(self, prepared) -> np.ndarray:
        n_rows = len(prepared)
        o_words, o_chars, o_signals, o_relevance, end = self.offsets
        splits = [p.text.split() for p in prepared]
        if n_rows <= _SMALL_BATCH:
            # Sorting and counting in numpy costs more than scoring a handful of comments one by one.
            logits = np.array([
                self._row_tfidf_logits(self._word_columns(tokens), self.word_idf, self.coef[o_words:o_chars])
                + self._row_tfidf_logits(self._char_columns(tokens), self.char_idf, self.coef[o_chars:o_signals])
                for tokens in splits
            ]).reshape(n_rows, self.coef.shape[1])
        else:
            logits = self._batch_text_logits(splits)
        # The hand-made features are few (tens of columns): a dense block is cheaper than a sparse one.
        signals = np.zeros((n_rows, o_relevance - o_signals))
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        signal_vocabulary = self.signal_vocabulary
        for row, row_signals in enumerate(extract_signals(prepared)):
            for key, value in row_signals.items():
                index = signal_vocabulary.get(key)
                if index is not None:
                    rows.append(row)
                    columns.append(index)
                    values.append(value)
        signals[rows, columns] = values
        logits += signals @ self.coef[o_signals:o_relevance]
        article_cache = self._article_weights  # kept between calls: the service scores one comment at a time
        if len(article_cache) > _ARTICLES_REMEMBERED:
            article_cache.clear()
        relevance = np.array([self.relevance.row(p, article_cache) for p in prepared]).reshape(n_rows, end - o_relevance)
        logits += relevance @ self.coef[o_relevance:]
        return expit(logits + self.intercept)
