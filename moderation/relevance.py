"""How much a comment is about the article it sits under.

Word-overlap features weighted by inverse document frequency learned at fit time, so
"the" and "people" count for little and "levy" or "tornado" for a lot. Every feature is
multiplied by "an article was given", so a comment scored without an article gets zeros
here and only article-independent evidence (spam, lyrics) can call it off-topic.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .memo import BoundedMemo

__all__ = ["ArticleRelevance", "content_words", "FEATURE_NAMES"]

_STOP = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    "im dont doesnt didnt cant wont isnt arent wasnt youre theyre thats whats its ive id ill "
    "just like really get got going people think know said says say one would could also lol".split()
)

FEATURE_NAMES = (
    "article_given", "rel_cosine", "rel_comment_covered", "rel_title_covered", "rel_shared_any",
    "rel_none_shared", "rel_low", "rel_mid", "rel_high", "rel_short_comment", "rel_max_idf_shared",
)


def _stem(word: str) -> str:
    """A deliberately crude stem so 'floods', 'flooding' and 'flooded' meet."""
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _content_form(token: str) -> str:
    """A folded token's stem, or "" for a stop word, number or short noise."""
    return _stem(token) if len(token) > 2 and token not in _STOP and not token.isdigit() else ""


_CONTENT_FORMS = BoundedMemo(_content_form)


def content_words(folded_tokens) -> list[str]:
    """Stemmed folded tokens without stop words, numbers or one-letter noise."""
    return [form for form in map(_CONTENT_FORMS.__getitem__, folded_tokens) if form]


class ArticleRelevance(TransformerMixin, BaseEstimator):
    """Comment–article relevance features; learns document frequencies in `fit`."""

    def __init__(self, min_df: int = 2):
        self.min_df = min_df

    def fit(self, prepared, y=None):
        counts: Counter[str] = Counter()
        documents = 0
        seen_articles: set[tuple[str, ...]] = set()
        for p in prepared:
            counts.update(set(content_words(p.folded)))
            documents += 1
            if p.article is not None and p.article not in seen_articles:
                seen_articles.add(p.article)
                counts.update(set(content_words(p.article)))
                documents += 1
        self.n_documents_ = max(documents, 1)
        self.idf_ = {w: math.log((1 + self.n_documents_) / (1 + c)) + 1.0 for w, c in counts.items() if c >= self.min_df}
        self.default_idf_ = math.log(1 + self.n_documents_) + 1.0
        self.max_idf_ = self.default_idf_
        return self

    def get_feature_names_out(self, input_features=None):
        return np.asarray(FEATURE_NAMES, dtype=object)

    def _weights(self, words) -> dict[str, float]:
        weights: dict[str, float] = {}
        idf = self.idf_
        default = self.default_idf_
        for w in words:
            weights[w] = weights.get(w, 0.0) + idf.get(w, default)
        return weights

    def row(self, p, article_cache: dict) -> list[float]:
        """The relevance features of one prepared comment (zeros without an article)."""
        values = [0.0] * len(FEATURE_NAMES)
        if p.article is None:
            return values
        # Keyed by identity: hashing an article's token tuple costs as much as a comment's features.
        # The tuple is kept in the entry, so its id cannot be reused while the entry lives.
        entry = article_cache.get(id(p.article))
        if entry is None or entry[0] is not p.article:
            article_weights = self._weights(content_words(p.article))
            norm = math.sqrt(sum(v * v for v in article_weights.values())) or 1.0
            entry = article_cache[id(p.article)] = (p.article, article_weights, set(content_words(p.title or ())), norm)
        _article, article_weights, title_words, article_norm = entry
        comment_weights = self._weights(content_words(p.folded))
        values[0] = 1.0
        if not comment_weights:
            values[9] = 1.0
            return values
        shared = [w for w in comment_weights if w in article_weights]
        comment_norm = math.sqrt(sum(v * v for v in comment_weights.values())) or 1.0
        dot = sum(comment_weights[w] * article_weights[w] for w in shared)
        total = sum(comment_weights.values())
        covered = sum(comment_weights[w] for w in shared) / total
        values[1] = dot / (comment_norm * article_norm)
        values[2] = covered
        values[3] = sum(comment_weights[w] for w in comment_weights if w in title_words) / total
        values[4] = 1.0 if shared else 0.0
        values[5] = 0.0 if shared else 1.0
        values[6] = 1.0 if covered < 0.1 else 0.0
        values[7] = 1.0 if 0.1 <= covered < 0.3 else 0.0
        values[8] = 1.0 if covered >= 0.3 else 0.0
        values[9] = 1.0 if len(comment_weights) <= 3 else 0.0
        if shared:
            values[10] = max(self.idf_.get(w, self.default_idf_) for w in shared) / self.max_idf_
        return values

    def transform(self, prepared):
        cache: dict = {}
        rows = np.array([self.row(p, cache) for p in prepared], dtype=np.float64).reshape(len(prepared), len(FEATURE_NAMES))
        return sparse.csr_matrix(rows)
