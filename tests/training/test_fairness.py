"""The identity-term check: it fails a model whose profanity score depends on the group named."""

import pytest

from moderation import Verdict
from training.fairness import DEFAULT_TEMPLATES, identity_check, load_templates, moderator_scores


class ToyModerator:
    """Scores profanity 0.9 for texts naming `biased` groups (or containing a swear word), else 0.1."""

    def __init__(self, biased=(), deaf_to=()):
        self.biased, self.deaf_to = biased, deaf_to

    def score_many(self, items):
        verdicts = []
        for text, _ in items:
            profane = any(w in text.lower() for w in ("idiot", "scum", "moron", "shit", "fuck", "bitch", "bastard"))
            named = lambda groups: any(f" {g} " in f" {text} " for g in groups)
            score = 0.9 if (profane and not named(self.deaf_to)) or named(self.biased) else 0.1
            verdicts.append(Verdict({"profanity": score}, [], "publish", [], "toy"))
        return verdicts


def test_templates_cover_every_group_with_neutral_and_profane_sentences():
    groups, templates = load_templates(DEFAULT_TEMPLATES)
    assert {"gay", "Muslim", "Black", "Jewish", "trans", "disabled", "immigrant", "Mexican", "Christian", "old"} <= set(groups)
    assert {profane for _, profane in templates} == {0, 1}


def test_a_fair_model_passes():
    report = identity_check(moderator_scores(ToyModerator()), 0.5)
    assert report.passed and report.overall_fp_rate == 0.0


@pytest.mark.parametrize("toy, group, words", [
    (ToyModerator(biased=("Muslim",)), "Muslim", "neutral sentences flagged"),
    (ToyModerator(deaf_to=("trans",)), "trans", "abuse caught 0.0%"),
])
def test_a_biased_model_fails_and_the_report_names_the_group(toy, group, words):
    report = identity_check(moderator_scores(toy), 0.5)
    assert not report.passed
    assert len(report.failures) == 1 and report.failures[0].startswith(f"'{group}': {words}")
    assert report.to_dict()["passed"] is False


def test_the_tiny_real_model_passes(tiny_moderator):
    assert identity_check(moderator_scores(tiny_moderator), tiny_moderator.thresholds["profanity"].review).passed
