"""The library contract (what the service and the CLI rely on), on the tiny fixture model."""

import numpy as np
import pytest

from moderation import LABELS, Article
from moderation.fast import FastScorer
from moderation.features import prepare_batch

ARTICLE = Article(title="Council approves bus lanes on High Street",
                  body="The council voted to add bus lanes and cycle paths despite objections from shop owners.")
TEXTS = [
    "What a load of bull$hit, these councillors are incompetent morons.",
    "Great, more bus lanes. Just what we needed /s",
    "Check out my channel for free giveaways www.example.com",
    "The bus lanes will help cyclists but shops will lose parking.",
    "ｆｕｃｋ", "a" * 500, "😀😀😀", "x", "Dick Van Dyke visited", "\u202eevil\u202c text", "tab\tand\nnewline",
]


def test_result_shape(tiny_moderator):
    verdict = tiny_moderator.score(TEXTS[0], article=ARTICLE)
    assert set(verdict.scores) == set(LABELS)
    assert all(0.0 <= s <= 1.0 for s in verdict.scores.values())
    assert verdict.decision in ("publish", "review", "reject")
    assert verdict.flags == [l for l in LABELS if verdict.scores[l] >= tiny_moderator.thresholds[l].review]
    assert verdict.model_version == "tiny-1"
    as_dict = verdict.to_dict()
    assert set(as_dict) == {"scores", "flags", "decision", "spans", "model_version"}


@pytest.mark.parametrize("text", TEXTS)
def test_spans_slice_the_original_text(tiny_moderator, text):
    verdict = tiny_moderator.score(text, article=ARTICLE)
    for span in verdict.spans:
        assert text[span["start"]:span["end"]] == span["text"]
        assert span["label"] in verdict.flags


def test_profanity_span_for_a_flagged_comment(tiny_moderator):
    verdict = tiny_moderator.score("You are a total f*cking idiot", article=ARTICLE)
    assert "profanity" in verdict.flags
    assert {"label": "profanity", "start": 16, "end": 23, "text": "f*cking"} in verdict.spans


def test_batch_equals_one_by_one(tiny_moderator):
    items = [(t, ARTICLE if i % 2 else None) for i, t in enumerate(TEXTS)]
    batch = tiny_moderator.score_many(items)
    single = [tiny_moderator.score(t, article=a) for t, a in items]
    assert [b.to_dict() for b in batch] == [s.to_dict() for s in single]
    assert tiny_moderator.score_many([]) == []


def test_fast_scorer_matches_the_pipeline(tiny_moderator):
    prepared = prepare_batch([(t, ARTICLE.title, ARTICLE.body) for t in TEXTS] + [(t, "", "") for t in TEXTS])
    fast = FastScorer(tiny_moderator.pipeline).predict_proba(prepared)
    slow = tiny_moderator.pipeline[1:].predict_proba(prepared)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
    # Small batches take a row-by-row path; it must agree too.
    for start in range(0, len(prepared), 3):
        chunk = prepared[start:start + 3]
        np.testing.assert_allclose(FastScorer(tiny_moderator.pipeline).predict_proba(chunk),
                                   tiny_moderator.pipeline[1:].predict_proba(chunk), rtol=0, atol=1e-12)


def test_article_may_be_a_mapping_or_none(tiny_moderator):
    as_mapping = tiny_moderator.score(TEXTS[3], article={"title": ARTICLE.title, "body": ARTICLE.body})
    assert as_mapping.scores == tiny_moderator.score(TEXTS[3], article=ARTICLE).scores
    assert tiny_moderator.score(TEXTS[3]).scores["off_topic"] >= 0.0


@pytest.mark.parametrize("bad, error", [
    ((5, None), "text must be a string"),
    (("ok", 42), "article must be"),
    (("ok",), "expected a \\(text, article\\) pair"),
])
def test_bad_items_raise_type_errors(tiny_moderator, bad, error):
    with pytest.raises(TypeError, match=error):
        tiny_moderator.score_many([bad])


def test_article_fields_must_be_strings():
    with pytest.raises(TypeError, match="Article.title"):
        Article(title=3)


@pytest.mark.parametrize("text", TEXTS + [
    "Muslim and gay neighbours", "Moby Dick is a long book", "bull shit", "s h i t happens", "nothing to see here",
])
def test_prepare_skips_offsets_only_when_they_change_nothing(text):
    """The fast path (folded words, no offsets) must give what the full token path gives."""
    from moderation.features import model_text, prepare
    from moderation.normalize import normalize, tokens
    from moderation.profanity import find_profanity

    prepared = prepare(text)
    normalized = normalize(text)
    full = tokens(normalized)
    assert prepared.folded == [t.folded for t in full]
    assert prepared.text == model_text(normalized, full, frozenset(prepared.folded))
    assert prepared.hits == find_profanity(normalized, full)


def test_a_batch_leaves_no_reference_cycles_and_restores_the_collector(tiny_moderator):
    """score_many pauses the cyclic collector, which is only safe while a batch makes no cycles."""
    import gc

    items = [(t, ARTICLE if i % 2 else None) for i, t in enumerate(TEXTS * 3)]
    tiny_moderator.score_many(items)
    while gc.collect():  # earlier tests' leftovers: a collection can run finalizers that free more
        pass
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        tiny_moderator.score_many(items)
        tiny_moderator.score(TEXTS[0], article=ARTICLE)
        assert gc.collect() == 0
        assert not gc.isenabled()  # left as the caller set it
    finally:
        if was_enabled:
            gc.enable()
    tiny_moderator.score_many(items)
    assert gc.isenabled() == was_enabled


@pytest.mark.parametrize("ngram_range", [(2, 5), (3, 5), (1, 3), (4, 4)])
def test_char_gram_slicer_matches_scikit_learn(ngram_range):
    from sklearn.feature_extraction.text import CountVectorizer

    from moderation.char_grams import gram_slicer as _gram_slicer

    analyse = CountVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False).build_analyzer()
    for word in ["a", "ab", "abc", "abcd", "bullshit", "x" * 12]:
        padded = " " + word + " "
        assert list(_gram_slicer(len(padded), *ngram_range)(padded)) == analyse(word)


@pytest.mark.parametrize("ngram_range", [(2, 4), (1, 3), (3, 5), (2, 7)])
def test_char_gram_index_vectorised_equals_word_by_word(ngram_range):
    """New words of a batch are cut in numpy; each must get exactly the columns the analyser's n-grams give."""
    from sklearn.feature_extraction.text import CountVectorizer

    from moderation.char_grams import CharGramIndex

    words = ["a", "ab", "abc", "abcd", "abcde", "bullshit", "x" * 12, "aaaa", "café", "naïve", "日本語", "a😀b",
             "\x00a", "a\x00", "zz" * 30, "don't", "$5", "idterm", "the", "e", "ee", "eee"]
    vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False)
    vectorizer.fit([" ".join(words), "ab cd ef gh xyz aa bb théâtre 日本"])
    index = CharGramIndex(dict(vectorizer.vocabulary_), ngram_range)
    one_by_one = [index.columns_of_word(word) for word in words]
    together = index.columns_of_words(words)
    assert len(together) == len(words)
    for word, single, batch in zip(words, one_by_one, together):
        assert sorted(batch.tolist()) == sorted(single.tolist()), word
        assert batch.dtype == single.dtype
    # Against scikit-learn itself: the counts per column match the analyser's.
    analyse = vectorizer.build_analyzer()
    for word, batch in zip(words, together):
        expected = sorted(vectorizer.vocabulary_[g] for g in analyse(word) if g in vectorizer.vocabulary_)
        assert sorted(batch.tolist()) == expected, word


def test_remembered_articles_never_leak_between_articles(tiny_moderator):
    """Articles are folded once and their relevance weights kept; a different body must still count."""
    from moderation import Moderator

    on_topic = Article(title="Bus lanes", body="The council voted for bus lanes and cycle paths on High Street.")
    elsewhere = Article(title="Bus lanes", body="The football club signed a new striker for the season.")
    text = "Cycle paths and bus lanes on High Street are overdue."
    first = tiny_moderator.score(text, article=on_topic).scores
    other = tiny_moderator.score(text, article=elsewhere).scores
    again = tiny_moderator.score(text, article=Article(on_topic.title, "".join(on_topic.body))).scores
    assert first == again
    assert other["off_topic"] > first["off_topic"]
    fresh = Moderator(pipeline=tiny_moderator.pipeline, card=tiny_moderator.card)
    assert fresh.score(text, article=elsewhere).scores == other
