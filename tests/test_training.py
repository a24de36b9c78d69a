"""The training data plumbing: fixed seeded splits, deduplication, label matrix, CLI errors."""

import json

import numpy as np
import pytest

from training.dataset import assign_split, build_dataset, deduplicate, label_matrix, load_own
from training.examples import TEST, TRAIN, UNSPLIT, Example
from training.train import main
from tests.conftest import REPO_ROOT


def ex(text, split=UNSPLIT, corpus="c", group="", **labels):
    return Example(text=text, labels=labels, corpus=corpus, split=split, group=group)


def test_split_is_fixed_by_seed_and_keeps_official_splits():
    rows = [ex(f"comment {i}") for i in range(2000)]
    first = [assign_split(r, seed=13).split for r in rows]
    assert first == [assign_split(r, seed=13).split for r in rows]
    assert first != [assign_split(r, seed=14).split for r in rows]
    assert 0.15 < first.count(TEST) / len(first) < 0.25
    assert assign_split(ex("x", split=TRAIN), seed=13).split == TRAIN


def test_groups_stay_on_one_side():
    rows = [ex(f"comment {i}", group=f"article {i % 7}") for i in range(700)]
    by_group = {}
    for row in (assign_split(r, 13) for r in rows):
        by_group.setdefault(row.group, set()).add(row.split)
    assert all(len(splits) == 1 for splits in by_group.values())


def test_deduplicate_by_normalised_text_and_prefer_the_test_copy():
    rows = [ex("Shit happens", TRAIN, profanity=1), ex("SH1T   happens!", TEST, profanity=1), ex("other", TRAIN)]
    unique, dropped = deduplicate(rows)
    assert dropped == 1
    assert [r.split for r in unique] == [TEST, TRAIN]


def test_copies_of_a_test_text_under_other_articles_move_to_test():
    a = Example("subscribe to my channel", {"off_topic": 1}, "c", TRAIN, "video1", "Song one")
    b = Example("subscribe to my channel", {"off_topic": 1}, "c", TEST, "video2", "Song two")
    unique, dropped = deduplicate([a, b])
    assert dropped == 0 and [e.split for e in unique] == [TEST, TEST]


def test_same_text_under_another_article_is_not_a_duplicate():
    a = Example("the flood was bad", {"off_topic": 0}, "c", TRAIN, "g1", "River floods town")
    b = Example("the flood was bad", {"off_topic": 1}, "c", TRAIN, "g2", "Budget announced")
    assert len(deduplicate([a, b])[0]) == 2


def test_label_matrix_marks_unknown_labels():
    matrix = label_matrix([ex("a", profanity=1), ex("b", sarcasm=0, off_topic=1)])
    np.testing.assert_array_equal(matrix, [[1, -1, -1], [-1, 0, 1]])


def test_own_examples_load_with_articles():
    examples = load_own(REPO_ROOT / "datasets" / "own")
    assert len(examples) > 800
    assert {e.split for e in examples} == {TRAIN, TEST}
    assert any(e.article_title for e in examples)
    assert all(set(e.labels) == {"profanity", "sarcasm", "off_topic"} for e in examples)


def test_train_without_data_dir_is_a_clear_error(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "missing"), "--out", str(tmp_path)]) == 2
    assert "data directory" in capsys.readouterr().err


def test_noncommercial_corpora_need_the_flag(tmp_path, capsys, data_dir):
    code = main(["--data-dir", str(data_dir), "--out", str(tmp_path), "--corpora", "ucc_unhealthy_comments"])
    assert code == 2
    assert "--include-noncommercial" in capsys.readouterr().err


def test_build_dataset_on_real_corpora_keeps_test_text_out_of_train(data_dir):
    dataset = build_dataset(data_dir, ["youtube_spam_collection", "isarcasmeval_semeval2022"], None, seed=13)
    from training.dataset import dedup_key
    train_keys = {dedup_key(e) for e in dataset.train}
    assert not any(dedup_key(e) in train_keys for e in dataset.test)
    assert dataset.rows_per_corpus["youtube_spam_collection"]["test"] > 0


@pytest.mark.slow
def test_training_on_real_corpora_writes_a_model_with_a_card(data_dir, tmp_path, capsys):
    code = main(["--data-dir", str(data_dir), "--out", str(tmp_path), "--no-progress", "--version", "small",
                 "--corpora", "youtube_spam_collection,isarcasmeval_semeval2022,fox_news_hate_comments"])
    assert code == 0
    out = capsys.readouterr().out
    assert "iSarcasmEval task A" in out and "published 0.605" in out
    card = json.loads((tmp_path / "small" / "card.json").read_text())
    assert card["training_data"]["file_sha256"]["youtube_spam_collection/Youtube01-Psy.csv"] == (
        "19797e6c77690e3c8809cfd2853ae7341390636367ba66cf5d4f4083f0b88535")
    assert card["training_data"]["corpora"]["fox_news_hate_comments"]["licence"]
    assert card["metrics"]["per_corpus"]["all"]["off_topic"]["rows"] > 0
    from moderation import Moderator
    assert Moderator.load(tmp_path / "small").model_version == "small"
