import numpy as np

from training.thresholds import choose_thresholds, prevalence_weights


def test_review_threshold_separates_a_clean_validation_set():
    truth = np.array([[1, 1, 0]] * 50 + [[0, 0, 1]] * 50)
    scores = np.where(truth == 1, 0.8, 0.2).astype(float)
    chosen, report = choose_thresholds(truth, scores, np.ones(100), ["c"] * 100)
    for label in ("profanity", "sarcasm", "off_topic"):
        assert 0.2 < chosen[label].review <= 0.8
    assert chosen["profanity"].reject is not None and chosen["sarcasm"].reject is None
    assert report["profanity"]["validation_rows"] == 100


def test_balanced_corpora_are_reweighted_to_the_assumed_prevalence():
    truth = np.array([1] * 50 + [0] * 50)
    weights = prevalence_weights(truth, np.array(["c"] * 100), 0.1)
    assert np.isclose(weights[truth == 1].sum() / weights.sum(), 0.1)


def test_noisy_positives_raise_the_threshold_at_low_prevalence():
    rng = np.random.default_rng(0)
    truth = np.array([1] * 500 + [0] * 500)
    scores = np.clip(np.where(truth == 1, 0.65, 0.4) + rng.normal(0, 0.15, 1000), 0, 1)
    matrix = np.column_stack([truth, truth, truth])
    probs = np.column_stack([scores, scores, scores])
    balanced, _ = choose_thresholds(matrix, probs, np.ones(1000))
    realistic, _ = choose_thresholds(matrix, probs, np.ones(1000), ["c"] * 1000)
    assert realistic["sarcasm"].review > balanced["sarcasm"].review
