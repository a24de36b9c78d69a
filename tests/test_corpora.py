"""Tests for training.corpora: registry, catalogue, cleaning, swap negatives, and the real corpora.

Tests marked by the `corpora` fixture read the shared data dir (MODERATION_DATA_DIR, else
<repo>/../shared/datasets) and skip when it is absent. The rest use hand-made text only.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from moderation.labels import LABELS, OFF_TOPIC, PROFANITY, SARCASM
from training.corpora import CORPORA, CorpusInfo, article_swap_negatives, clean_text, load_corpus
from training.examples import TEST, TRAIN, UNSPLIT, Example

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "datasets" / "catalogue.json"
NON_COMMERCIAL = {
    "sfu_constructiveness_toxicity",
    "ucc_unhealthy_comments",
    "semeval2016_task3_cqa",
    "semeval2015_task3_cqa",
}
# Corpora whose examples sit under an article (or question, event, video).
WITH_ARTICLE = {
    "fox_news_hate_comments",
    "sfu_constructiveness_toxicity",
    "semeval2016_task3_cqa",
    "semeval2015_task3_cqa",
    "crisislex_t6_ontopic",
    "youtube_spam_collection",
}
SPLIT_WORDS = {TRAIN: "train", TEST: "test", UNSPLIT: "unsplit"}


# --- registry and catalogue (no data needed) ------------------------------------------------


def test_registry_is_keyed_by_folder_name_and_well_formed():
    assert len(CORPORA) == 12
    for name, info in CORPORA.items():
        assert isinstance(info, CorpusInfo)
        assert info.name == name
        assert info.labels and set(info.labels) <= set(LABELS)
        assert info.licence
        assert info.files and all(not Path(f).is_absolute() for f in info.files)
        assert callable(info.loader)


def test_commercial_ok_is_false_exactly_for_the_non_commercial_and_research_only_corpora():
    assert {name for name, info in CORPORA.items() if not info.commercial_ok} == NON_COMMERCIAL


def test_every_label_has_a_corpus():
    assert {label for info in CORPORA.values() for label in info.labels} == set(LABELS)


def test_catalogue_agrees_with_registry():
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    assert [entry["name"] for entry in catalogue] == list(CORPORA)
    for entry in catalogue:
        info = CORPORA[entry["name"]]
        assert tuple(entry["labels"]) == info.labels
        assert entry["licence"] == info.licence
        assert entry["commercial_ok"] is info.commercial_ok
        assert tuple(entry["files"]) == info.files
        assert entry["baseline"] == info.baseline
        assert set(entry["label_mapping"]) == set(info.labels)
        assert entry["splits"] and set(entry["splits"]) <= set(SPLIT_WORDS.values())


# --- cleaning -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("fish &amp; chips", "fish & chips"),
        ("&#8220;quoted&#8221;", "\u201cquoted\u201d"),
        ("it&amp;#8217;s double escaped", "it\u2019s double escaped"),
        ("RT @some_user: the actual text", "the actual text"),
        ("RT @a: RT @b the actual text", "the actual text"),
        ("keep RT @a: in the middle", "keep RT @a: in the middle"),
        ("  padded \ufeff ", "padded"),
        ("", ""),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


# --- article_swap_negatives -----------------------------------------------------------------


def _ex(text, group, corpus="news", off_topic=0, **kwargs):
    labels = {PROFANITY: 0} if off_topic is None else {PROFANITY: 0, OFF_TOPIC: off_topic}
    return Example(
        text=text,
        labels=labels,
        corpus=corpus,
        split=kwargs.pop("split", TRAIN),
        group=group,
        article_title=kwargs.pop("article_title", f"Headline {group}"),
        article_body=kwargs.pop("article_body", f"Summary of story {group}."),
        meta=kwargs.pop("meta", {"k": "v"}),
    )


def _swap_pool():
    return [
        _ex("about the bridge", "a"),
        _ex("more on the bridge", "a", split=TEST),
        _ex("about the election", "b"),
        _ex("about the weather", "c"),
        _ex("already off topic", "a", off_topic=1),
        _ex("no off-topic label", "b", off_topic=None),
        _ex("no article", "d", article_title="", article_body=""),
        _ex("alone in its corpus", "x", corpus="lonely"),
    ]


def test_article_swap_negatives_moves_on_topic_examples_to_another_group():
    pool = _swap_pool()
    swapped = article_swap_negatives(pool, seed=1)
    by_text = {e.text: e for e in pool}
    assert sorted(e.text for e in swapped) == [
        "about the bridge",
        "about the election",
        "about the weather",
        "more on the bridge",
    ]
    articles = {e.group: (e.article_title, e.article_body) for e in pool if e.corpus == "news"}
    for copy in swapped:
        original = by_text[copy.text]
        assert copy.labels == {OFF_TOPIC: 1}
        assert copy.corpus == "news+swap"
        assert copy.split == original.split and copy.group == original.group
        assert copy.meta == {"swap": "1"}
        new_article = (copy.article_title, copy.article_body)
        assert new_article != (original.article_title, original.article_body)
        assert new_article in [a for g, a in articles.items() if g != original.group]


def test_article_swap_negatives_is_deterministic_per_seed_and_leaves_input_alone():
    pool = _swap_pool()
    before = list(pool)
    first = article_swap_negatives(pool, seed=7)
    assert first == article_swap_negatives(pool, seed=7)
    assert pool == before
    # With 3 groups each example has 2 choices: some seed must pick differently.
    assert any(article_swap_negatives(pool, seed=s) != first for s in range(20))


def test_article_swap_negatives_never_crosses_corpora():
    pool = [_ex("one", "a", corpus="c1"), _ex("two", "b", corpus="c2")]
    assert article_swap_negatives(pool, seed=0) == []


# --- loaders on hand-made files (format handling, no shared data) ---------------------------


def test_load_corpus_names_the_missing_folder_and_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="olid_offenseval2019"):
        load_corpus(tmp_path, "olid_offenseval2019")
    (tmp_path / "olid_offenseval2019").mkdir()
    (tmp_path / "olid_offenseval2019" / "olid-training-v1.0.tsv").write_text("id\ttweet\n")
    with pytest.raises(FileNotFoundError, match="testset-levela.tsv"):
        load_corpus(tmp_path, "olid_offenseval2019")
    with pytest.raises(KeyError, match="no_such_corpus"):
        load_corpus(tmp_path, "no_such_corpus")


def test_olid_reads_stray_quotes_literally(tmp_path):
    folder = tmp_path / "olid_offenseval2019"
    folder.mkdir()
    header = "id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\n"
    (folder / "olid-training-v1.0.tsv").write_text(
        header + '1\t"an open quote &amp; more\tOFF\tUNT\tNULL\n2\tplain\tNOT\tNULL\tNULL\n'
    )
    (folder / "testset-levela.tsv").write_text('id\ttweet\n3\tshe said "hi\n')
    (folder / "labels-levela.csv").write_text("3,OFF\n")
    got = load_corpus(tmp_path, "olid_offenseval2019")
    assert [(e.text, e.labels, e.split) for e in got] == [
        ('"an open quote & more', {PROFANITY: 1}, TRAIN),
        ("plain", {PROFANITY: 0}, TRAIN),
        ('she said "hi', {PROFANITY: 1}, TEST),
    ]


def test_semeval2015_uses_cbody_only_strips_markup_and_joins_gold(tmp_path):
    folder = tmp_path / "semeval2015_task3_cqa"
    folder.mkdir()
    xml = """<root>
<Question QID="Q1" QCATEGORY="c" QDATE="d" QUSERID="U1" QTYPE="GENERAL">
  <QSubject>Best bakery?</QSubject><QBody>Where do I buy bread?</QBody>
  <Comment CID="Q1_C1" CUSERID="U2" CGOLD="?"><CSubject>RE: Best bakery?</CSubject>
    <CBody>Try the market&lt;br&gt;on Fridays</CBody></Comment>
  <Comment CID="Q1_C2" CUSERID="U3" CGOLD="?"><CSubject>RE: Best bakery?</CSubject>
    <CBody>hello friend how are you</CBody></Comment>
</Question></root>"""
    for name in ("CQA-QL-devel-input.xml", "test_task3_English.xml"):
        (folder / name).write_text(xml)
    (folder / "CQA-QL-devel-gold.txt").write_text("Q1_C1\tGood\r\nQ1_C2\tDialogue\r\n")
    (folder / "CQA-QL-test-gold.txt").write_text("Q1_C1\tPotential\nQ1_C2\tNot English\n")
    got = load_corpus(tmp_path, "semeval2015_task3_cqa")
    assert [(e.text, e.labels[OFF_TOPIC], e.split, e.meta["relevance"]) for e in got] == [
        ("Try the market\non Fridays", 0, TRAIN, "Good"),
        ("hello friend how are you", 1, TRAIN, "Dialogue"),
        ("Try the market\non Fridays", 0, TEST, "Potential"),
        ("hello friend how are you", 1, TEST, "Not English"),
    ]
    assert all("RE:" not in e.text for e in got)
    assert {(e.group, e.article_title, e.article_body) for e in got} == {
        ("Q1", "Best bakery?", "Where do I buy bread?")
    }


def test_youtube_never_keeps_author_and_renders_markup(tmp_path):
    folder = tmp_path / "youtube_spam_collection"
    folder.mkdir()
    for name in CORPORA["youtube_spam_collection"].files:
        (folder / name).write_text(
            "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n"
            'id1,Jane Example,2014-01-01,"nice song<br />love it\ufeff",0\n'
            'id2,Jane Example,,"sub to my channel &lt;3 <a href=""http://x.test"">link</a>",1\n'
        )
    got = load_corpus(tmp_path, "youtube_spam_collection")
    assert len(got) == 10
    assert {e.text for e in got} == {"nice song\nlove it", "sub to my channel <3 link"}
    assert all("Jane Example" not in repr(e) for e in got)
    assert Counter(e.split for e in got) == {TRAIN: 8, TEST: 2}


def test_crisislex_reads_spaced_header_and_titles_events(tmp_path):
    folder = tmp_path / "crisislex_t6_ontopic"
    folder.mkdir()
    for name in CORPORA["crisislex_t6_ontopic"].files:
        (folder / name).write_text(
            "tweet id, tweet, label\n'1',\"RT @x: water everywhere\",on-topic\n'2',lunch time,off-topic\n"
        )
    got = load_corpus(tmp_path, "crisislex_t6_ontopic")
    assert [(e.text, e.labels) for e in got[:2]] == [
        ("water everywhere", {OFF_TOPIC: 0}),
        ("lunch time", {OFF_TOPIC: 1}),
    ]
    titles = {e.group: e.article_title for e in got}
    assert titles["2013_West_Texas_Explosion"] == "West Texas fertilizer plant explosion (2013)"
    assert titles["2012_Sandy_Hurricane"] == "Hurricane Sandy (2012)"
    assert all(e.article_body for e in got)
    assert {e.group for e in got if e.split == TEST} == {"2013_West_Texas_Explosion"}


# --- the real corpora -----------------------------------------------------------------------


def _data_dir() -> Path:
    return Path(os.environ.get("MODERATION_DATA_DIR") or REPO.parent / "shared" / "datasets")


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[Example]]:
    data_dir = _data_dir()
    if not data_dir.is_dir():
        pytest.skip(f"shared data dir not found: {data_dir} (set MODERATION_DATA_DIR)")
    return {name: load_corpus(data_dir, name) for name in CORPORA}


# (split, label) -> (negatives, positives), measured after cleaning and filtering.
# All match SOURCE.md except iSarcasmEval train, which drops the one empty (non-sarcastic) tweet.
EXPECTED = {
    "davidson_hate_offensive": {(UNSPLIT, PROFANITY): (4163, 20620)},
    "olid_offenseval2019": {(TRAIN, PROFANITY): (8840, 4400), (TEST, PROFANITY): (620, 240)},
    "fox_news_hate_comments": {(UNSPLIT, PROFANITY): (1093, 435), (UNSPLIT, OFF_TOPIC): (1528, 0)},
    "sfu_constructiveness_toxicity": {(UNSPLIT, PROFANITY): (1079, 42), (UNSPLIT, OFF_TOPIC): (1121, 0)},
    "isarcasmeval_semeval2022": {(TRAIN, SARCASM): (2600, 867), (TEST, SARCASM): (1200, 200)},
    "sarcasm_corpus_v2_iac": {(UNSPLIT, SARCASM): (4693, 4693)},
    "figlang2020_sarcasm": {(TRAIN, SARCASM): (4700, 4700), (TEST, SARCASM): (1800, 1800)},
    "ucc_unhealthy_comments": {(TRAIN, SARCASM): (4232, 195), (TEST, SARCASM): (4224, 201)},
    "semeval2016_task3_cqa": {(TRAIN, OFF_TOPIC): (1364 + 649, 1777), (TEST, OFF_TOPIC): (818 + 413, 1209)},
    "semeval2015_task3_cqa": {
        (TRAIN, OFF_TOPIC): (875 + 187, 269 + 312 + 2),
        (TEST, OFF_TOPIC): (997 + 167, 362 + 435 + 15),
    },
    "crisislex_t6_ontopic": {(TRAIN, OFF_TOPIC): (32462 - 5246, 27620 - 4760), (TEST, OFF_TOPIC): (5246, 4760)},
    "youtube_spam_collection": {(TRAIN, OFF_TOPIC): (951 - 196, 1005 - 174), (TEST, OFF_TOPIC): (196, 174)},
}


def test_expected_table_covers_every_corpus():
    assert set(EXPECTED) == set(CORPORA)


@pytest.mark.parametrize("name", list(CORPORA))
def test_label_counts_match_source_md(corpora, name):
    counts = Counter((e.split, label, value) for e in corpora[name] for label, value in e.labels.items())
    got = {(split, label): (counts[split, label, 0], counts[split, label, 1]) for split, label, _ in counts}
    assert got == EXPECTED[name]


@pytest.mark.parametrize("name", list(CORPORA))
def test_examples_are_well_formed(corpora, name):
    info = CORPORA[name]
    for e in corpora[name]:
        assert e.corpus == name
        assert e.split in (TRAIN, TEST, UNSPLIT)
        assert set(e.labels) == set(info.labels)
        assert set(e.labels.values()) <= {0, 1}
        assert e.text and e.text == e.text.strip()
        assert "&amp;" not in e.text and not e.text.startswith("RT @")
        assert e.has_article is (name in WITH_ARTICLE)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in e.meta.items())


@pytest.mark.parametrize("name", list(CORPORA))
def test_splits_match_catalogue(corpora, name):
    catalogue = {entry["name"]: entry for entry in json.loads(CATALOGUE.read_text(encoding="utf-8"))}
    assert {SPLIT_WORDS[e.split] for e in corpora[name]} == set(catalogue[name]["splits"])


@pytest.mark.parametrize(
    "name, groups",
    [
        ("fox_news_hate_comments", 10),
        ("sfu_constructiveness_toxicity", 13),
        ("semeval2016_task3_cqa", 379 + 244),
        ("semeval2015_task3_cqa", 300 + 329),
        ("crisislex_t6_ontopic", 6),
        ("youtube_spam_collection", 5),
    ],
)
def test_groups_count_and_do_not_straddle_splits(corpora, name, groups):
    examples = corpora[name]
    assert len({e.group for e in examples}) == groups
    assert "" not in {e.group for e in examples}
    train = {e.group for e in examples if e.split == TRAIN}
    test = {e.group for e in examples if e.split == TEST}
    assert not train & test


def test_sfu_titles_lose_the_newspaper_suffix(corpora):
    titles = {e.article_title for e in corpora["sfu_constructiveness_toxicity"]}
    assert not any(t.endswith("The Globe and Mail") for t in titles)


def test_meta_carries_what_evaluation_needs_and_nothing_personal(corpora):
    davidson = Counter(e.meta["class"] for e in corpora["davidson_hate_offensive"])
    assert davidson == {"hate": 1430, "offensive": 19190, "neither": 4163}
    assert Counter(e.meta["subset"] for e in corpora["sarcasm_corpus_v2_iac"]) == {
        "GEN": 6520,
        "HYP": 1164,
        "RQ": 1702,
    }
    assert Counter(e.meta["platform"] for e in corpora["figlang2020_sarcasm"]) == {
        "reddit": 6200,
        "twitter": 6800,
    }
    for name in ("semeval2016_task3_cqa", "semeval2015_task3_cqa"):
        assert all(e.meta["question_id"] == e.group for e in corpora[name])
    assert all(e.meta == {} for e in corpora["youtube_spam_collection"])
    assert all(e.meta == {} for e in corpora["fox_news_hate_comments"])


def test_registered_files_exist(corpora):
    data_dir = _data_dir()
    for name, info in CORPORA.items():
        for file in info.files:
            assert (data_dir / name / file).is_file(), f"{name}/{file}"


def test_swap_negatives_on_real_article_corpora(corpora):
    pool = [e for name in sorted(WITH_ARTICLE) for e in corpora[name]]
    swapped = article_swap_negatives(pool, seed=0)
    on_topic = sum(e.labels[OFF_TOPIC] == 0 for e in pool)
    assert len(swapped) == on_topic
    assert all(e.corpus.endswith("+swap") and e.labels == {OFF_TOPIC: 1} for e in swapped)
