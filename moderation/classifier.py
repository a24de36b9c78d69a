"""One calibrated linear classifier per label, on a shared feature matrix.

Corpora label different things (tweets know about profanity, forum posts about sarcasm),
so each label is fit only on the rows where it is known (-1 marks unknown). Each label is
a stock `LogisticRegression` calibrated with Platt scaling on out-of-fold decision values;
the scaling is folded into the weights, so scoring a batch is one sparse product.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

__all__ = ["PerLabelClassifier", "UNKNOWN"]

UNKNOWN = -1


class PerLabelClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated logistic regression per label; `predict_proba` gives one column per label."""

    def __init__(self, labels=(), C=None, class_weight="balanced", calibration_folds=3, max_iter=2000, random_state=0,
                 n_jobs=None):
        self.labels = labels
        self.n_jobs = n_jobs
        self.C = C
        self.class_weight = class_weight
        self.calibration_folds = calibration_folds
        self.max_iter = max_iter
        self.random_state = random_state

    def _regularisation(self, label: str) -> float:
        if isinstance(self.C, dict):
            return float(self.C.get(label, 1.0))
        return float(self.C) if self.C is not None else 1.0

    def _fit_label(self, label: str, X, y, weights):
        """Fit one label; returns (weights, intercept) with Platt scaling folded in."""
        base = LogisticRegression(
            C=self._regularisation(label), class_weight=self.class_weight, solver="liblinear",
            max_iter=self.max_iter, random_state=self.random_state,
        )
        folds = StratifiedKFold(self.calibration_folds, shuffle=True, random_state=self.random_state)
        params = {"sample_weight": weights} if weights is not None else None
        decision = cross_val_predict(base, X, y, cv=folds, method="decision_function", params=params)
        platt = LogisticRegression(C=1e4, solver="lbfgs").fit(decision.reshape(-1, 1), y)
        scale, shift = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        base.fit(X, y, sample_weight=weights)
        return base.coef_[0] * scale, base.intercept_[0] * scale + shift

    def fit(self, X, Y, sample_weight=None):
        Y = np.asarray(Y)
        if Y.ndim != 2 or Y.shape[1] != len(self.labels):
            raise ValueError(f"Y must have one column per label {self.labels}, got shape {Y.shape}")
        jobs = []
        self.n_train_ = {}
        for j, label in enumerate(self.labels):
            known = Y[:, j] != UNKNOWN
            y = Y[known, j].astype(int)
            if known.sum() == 0 or len(np.unique(y)) < 2:
                raise ValueError(f"label {label!r} needs positive and negative training rows")
            weights = None if sample_weight is None else np.asarray(sample_weight)[known]
            jobs.append(delayed(self._fit_label)(label, X[known], y, weights))
            self.n_train_[label] = int(known.sum())
        # liblinear releases the GIL, so threads fit the labels side by side without copying X.
        fitted = Parallel(n_jobs=self.n_jobs, prefer="threads")(jobs)
        self.coef_ = np.column_stack([coef for coef, _ in fitted]).astype(np.float64)
        self.intercept_ = np.array([intercept for _, intercept in fitted], dtype=np.float64)
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X):
        return np.asarray(X @ self.coef_) + self.intercept_

    def predict_proba(self, X):
        """Calibrated probability of each label, shape (n_samples, n_labels)."""
        return expit(self.decision_function(X))

    def predict(self, X):
        return (self.predict_proba(X) >= 0.5).astype(int)
