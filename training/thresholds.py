"""Choosing per-label thresholds on the validation split (never on a test split)."""

from __future__ import annotations

import numpy as np

from moderation.labels import LABELS, PROFANITY
from moderation.policy import Threshold

__all__ = ["choose_thresholds", "REVIEW_RANGE", "REJECT_PRECISION"]

REVIEW_RANGE = (0.3, 0.9)   # a review threshold outside this range would say the model is broken
REJECT_PRECISION = 0.97     # rejecting without a person needs this precision on validation rows
# The share of comments we expect to carry each label in a news comment section. Validation
# corpora are often balanced 50/50 (sarcasm sets, spam sets); F1 there would pick thresholds
# that flood the queue. Each corpus's rows are reweighted to this prevalence first.
PREVALENCE = {"profanity": 0.10, "sarcasm": 0.08, "off_topic": 0.10}
# A review threshold sends comments to a person, so missing abuse or spam costs more than one
# extra look: F2 for those. Sarcasm is rarely harmful: F1, so it does not flood the queue.
BETA = {"profanity": 2.0, "sarcasm": 1.0, "off_topic": 2.0}
CANDIDATES = np.round(np.arange(0.05, 0.96, 0.01), 2)


def _weighted_counts(truth, scores, weights, threshold):
    predicted = scores >= threshold
    tp = float(weights[predicted & (truth == 1)].sum())
    fp = float(weights[predicted & (truth == 0)].sum())
    fn = float(weights[~predicted & (truth == 1)].sum())
    return tp, fp, fn


def prevalence_weights(truth: np.ndarray, corpora: np.ndarray, prevalence: float) -> np.ndarray:
    """Weights that make each corpus (swaps counted with their source) show `prevalence` positives."""
    weights = np.ones(len(truth), dtype=np.float64)
    for corpus in np.unique(corpora):
        rows = corpora == corpus
        share = truth[rows].mean()
        if 0 < share < 1:
            weights[rows & (truth == 1)] = prevalence / share
            weights[rows & (truth == 0)] = (1 - prevalence) / (1 - share)
    return weights


def choose_thresholds(labels_matrix: np.ndarray, probabilities: np.ndarray, weights: np.ndarray,
                      corpora=None) -> tuple[dict[str, Threshold], dict]:
    """Review threshold = best F-beta at news-like prevalence on validation; reject = precision >= 0.97."""
    chosen: dict[str, Threshold] = {}
    report: dict = {}
    sources = np.array([c.removesuffix("+swap") for c in corpora]) if corpora is not None else None
    for j, label in enumerate(LABELS):
        known = labels_matrix[:, j] >= 0
        truth, scores, w = labels_matrix[known, j], probabilities[known, j], weights[known]
        if sources is not None:
            w = w * prevalence_weights(truth, sources[known], PREVALENCE[label])
        if known.sum() == 0 or truth.min() == truth.max():
            chosen[label] = Threshold(0.5, 0.95 if label == PROFANITY else None)
            report[label] = {"note": "no validation rows with both classes; defaults kept"}
            continue
        best_f1, best = -1.0, 0.5
        b2 = BETA[label] ** 2
        for threshold in CANDIDATES:
            tp, fp, fn = _weighted_counts(truth, scores, w, threshold)
            f_beta = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
            if f_beta > best_f1:
                best_f1, best = f_beta, float(threshold)
        review = float(min(max(best, REVIEW_RANGE[0]), REVIEW_RANGE[1]))
        reject = None
        if label == PROFANITY:
            reject = 0.97
            for threshold in CANDIDATES[CANDIDATES >= review]:
                tp, fp, _ = _weighted_counts(truth, scores, w, threshold)
                if tp + fp > 0 and tp / (tp + fp) >= REJECT_PRECISION:
                    reject = float(threshold)
                    break
        chosen[label] = Threshold(review, reject)
        report[label] = {"validation_rows": int(known.sum()), "f_beta": BETA[label], "best_weighted_f_beta": round(best_f1, 4),
                         "review": review, "reject": reject, "prevalence_assumed": PREVALENCE[label]}
    return chosen, report
