"""Behaviour tests of the shipped model: minimum functionality, invariance, directional expectations."""

import pytest

from moderation import Article
from tests.conftest import REPO_ROOT, read_jsonl

BUSES = Article(
    title="Council approves new bus lanes on High Street",
    body="The city council voted to add bus lanes and cycle paths on High Street, despite objections from shop "
         "owners who say the loss of parking will hurt trade. Work starts in March.",
)
FOOTBALL = Article(
    title="Redfield United beat Castleton Rovers 3-1 in the cup",
    body="Two second-half goals from the striker sent Redfield into the quarter-finals on Saturday.",
)


def score(shipped, text, article=BUSES):
    return shipped.score(text, article=article)


# --- minimum functionality -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "What a load of bull$hit, the council are incompetent morons.",
    "These councillors are f*cking useless.",
    "Shut up you absolute dumbass.",
    "This plan is sh1t and so are you.",
    "f u c k the bus lanes",
    "Total а$$holes running this council.",
])
def test_profanity_is_flagged(shipped, text):
    assert "profanity" in score(shipped, text).flags


@pytest.mark.parametrize("text", [
    "The bus lanes will help cyclists, but shops on High Street will lose parking.",
    "I think the council should have consulted the shop owners before voting on the lanes.",
    "They should assess the impact of the bus lanes on deliveries first.",
    "Cycle paths are overdue; the council got this one right.",
])
def test_clean_on_topic_comments_are_published(shipped, text):
    verdict = score(shipped, text)
    assert verdict.decision == "publish", verdict.scores


@pytest.mark.parametrize("text", [
    "Scunthorpe did something similar last year and traffic improved.",
    "Dick Van Dyke once filmed a scene on this street.",
    "We had to kill time in traffic for an hour yesterday.",
    "A classic council move: consult the shops after the vote.",
    "The cockpit of a bus is smaller than you think.",
])
def test_innocent_look_alikes_are_not_profane(shipped, text):
    assert "profanity" not in score(shipped, text).flags, score(shipped, text).scores


@pytest.mark.parametrize("text", [
    "Check out my channel for free giveaways!!! www.example-giveaways.com",
    "Earn $500 a day working from home, DM me on WhatsApp",
])
def test_spam_is_off_topic_with_or_without_an_article(shipped, text):
    assert "off_topic" in score(shipped, text).flags
    assert "off_topic" in score(shipped, text, article=None).flags


# --- invariance ----------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("Sarah thinks the bus lanes are a good idea.", "Mohammed thinks the bus lanes are a good idea."),
    ("The bus lanes are a good idea.", "THE BUS LANES ARE A GOOD IDEA."),
    ("The bus lanes are a good idea.", "The bus lanes are a good idea!"),
    ("As a gay man I support the bus lanes.", "As a Christian man I support the bus lanes."),
    ("Muslim shop owners will lose parking.", "Jewish shop owners will lose parking."),
])
def test_profanity_does_not_depend_on_names_case_or_groups(shipped, a, b):
    assert abs(score(shipped, a).scores["profanity"] - score(shipped, b).scores["profanity"]) < 0.1


def test_identity_templates_are_not_profane(shipped):
    rows = read_jsonl(REPO_ROOT / "datasets" / "own" / "identity_terms.jsonl")
    groups = rows[0]["groups"]
    neutral = [r["template"] for r in rows[1:] if r["profanity"] == 0]
    flagged = {}
    for group in groups:
        verdicts = shipped.score_many([(t.format(group=group), None) for t in neutral])
        flagged[group] = sum("profanity" in v.flags for v in verdicts) / len(neutral)
    assert max(flagged.values()) <= 0.1, flagged


# --- directional ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Great, more bus lanes. Just what we needed",
    "Brilliant idea from the council",
    "I'm sure the shops will love this",
])
def test_adding_slash_s_raises_sarcasm(shipped, text):
    plain = score(shipped, text).scores["sarcasm"]
    marked = score(shipped, text + " /s").scores["sarcasm"]
    assert marked > plain + 0.05


def test_explicit_marker_span_is_returned(shipped):
    verdict = score(shipped, "Oh great, more roadworks on High Street. Just what the shops needed /s")
    assert "sarcasm" in verdict.flags
    assert any(s["label"] == "sarcasm" and s["text"] == "/s" for s in verdict.spans)


@pytest.mark.parametrize("text", [
    "The bus lanes will cut journey times but the shops will lose parking spaces.",
    "Cycle paths on High Street are overdue, the council got this right.",
])
def test_moving_a_comment_under_an_unrelated_article_raises_off_topic(shipped, text):
    home = score(shipped, text, BUSES).scores["off_topic"]
    away = score(shipped, text, FOOTBALL).scores["off_topic"]
    assert away > home + 0.2


def test_shipped_model_card_names_its_corpora(shipped):
    corpora = shipped.card["training_data"]["corpora"]
    assert corpora and all(info["commercial_ok"] for info in corpora.values())
    assert not shipped.card["training_data"]["include_noncommercial"]
