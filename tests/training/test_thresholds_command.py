"""`python -m training.thresholds`: candidate thresholds on the evaluation sets, dry run on the queue store."""

import re

from training.thresholds import dry_run, main, threshold_table

from conftest import make_store

import numpy as np


def test_threshold_table_counts_precision_and_recall():
    truth = np.array([1, 1, 0, 0])
    rows = threshold_table(truth, np.array([0.9, 0.4, 0.6, 0.1]), [0.5])
    assert rows == [{"threshold": 0.5, "precision": 0.5, "recall": 0.5, "f1": 0.5, "flagged": 0.5}]


def test_dry_run_counts_changed_decisions():
    from moderation.policy import DEFAULT_THRESHOLDS, parse_thresholds

    stricter = parse_thresholds({"profanity": {"review": 0.3}})
    changes = dry_run([{"profanity": 0.4, "sarcasm": 0, "off_topic": 0}, {"profanity": 0.1, "sarcasm": 0, "off_topic": 0}],
                      DEFAULT_THRESHOLDS, stricter)
    assert changes == {("publish", "review"): 1, ("publish", "publish"): 1}


def test_the_command_prints_candidates_and_a_dry_run_on_stored_comments(models_dir, tiny_data_dir, tmp_path, capsys):
    url = make_store(tmp_path / "store.sqlite3", [
        {"text": "What a load of bull$hit", "status": "rejected"},
        {"text": "Lovely weather for the match", "status": "approved"},
        {"text": "Oh great, another delay /s", "status": "pending"},
    ])
    args = ["--model", str(models_dir), "--data-dir", str(tiny_data_dir), "--quick", "--no-progress", "--database-url", url]
    assert main(args + ["--set", "profanity.review=0.01"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"profanity: \d+ positives in \d+ rows", out)
    assert re.search(r"^\s+0\.50\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+%\s+review \(in use\)$", out, re.M)
    assert "dry run on the 3 newest stored comments" in out
    assert re.search(r"with profanity.review=0.01: [12] of 3 comments would change decision", out)
    assert main(args) == 0
    assert re.search(r"^\s+off_topic(\s+\d+){14}$", capsys.readouterr().out, re.M)
    assert main(args + ["--set", "profanity.bogus=1"]) == 2
    assert main(args[:-2] + ["--database-url", "sqlite:///" + str(tmp_path / "none" / "x.db")]) == 2
