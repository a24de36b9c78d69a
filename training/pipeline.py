"""The one scikit-learn Pipeline a saved model is: prepare -> features -> per-label classifier."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from moderation.classifier import PerLabelClassifier
from moderation.features import extract_signals, prepare_batch, select_text
from moderation.labels import LABELS
from moderation.relevance import ArticleRelevance

__all__ = ["build_pipeline", "DEFAULT_PARAMS"]

DEFAULT_PARAMS = {
    "word_max_features": 60000,
    "char_max_features": 60000,
    "char_ngrams": (2, 4),
    "C": {"profanity": 2.0, "sarcasm": 0.5, "off_topic": 1.0},
    "n_jobs": 2,  # labels are fit in threads; this machine has two cores
}


def build_pipeline(params: dict | None = None, seed: int = 0) -> Pipeline:
    """A fresh, unfitted pipeline. Every step is a stock estimator or a pure module function."""
    p = {**DEFAULT_PARAMS, **(params or {})}
    text = FunctionTransformer(select_text)
    return Pipeline([
        ("prepare", FunctionTransformer(prepare_batch)),
        ("features", FeatureUnion([
            ("words", Pipeline([
                ("select", text),
                ("tfidf", TfidfVectorizer(
                    analyzer="word", token_pattern=None, tokenizer=str.split, lowercase=False,
                    ngram_range=(1, 2), min_df=2, max_features=p["word_max_features"], sublinear_tf=True,
                    dtype=np.float64,
                )),
            ])),
            ("chars", Pipeline([
                ("select", FunctionTransformer(select_text)),
                ("tfidf", TfidfVectorizer(
                    analyzer="char_wb", lowercase=False, ngram_range=tuple(p["char_ngrams"]), min_df=3,
                    max_features=p["char_max_features"], sublinear_tf=True, dtype=np.float64,
                )),
            ])),
            ("signals", Pipeline([
                ("extract", FunctionTransformer(extract_signals)),
                ("vectorize", DictVectorizer()),
            ])),
            ("relevance", ArticleRelevance()),
        ])),
        ("classify", PerLabelClassifier(labels=LABELS, C=p["C"], random_state=seed, n_jobs=p["n_jobs"])),
    ])
