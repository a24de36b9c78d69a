"""Retraining from decisions: a loadable new version with its card, time split, clear input errors."""

import json

from moderation import Moderator
from training.examples import TEST, TRAIN
from training.retrain import deduplicate_decisions, decision_example, main, read_decisions_database, split_by_time

from conftest import decision_rows, make_store, write_jsonl


def _retrain(tiny_data_dir, out, *extra):
    return main(["--data-dir", str(tiny_data_dir), "--out", str(out), "--max-features", "2000", "--no-progress", *extra])


def test_retraining_on_a_tiny_corpus_and_decisions_gives_a_loadable_model_with_a_card(
        tiny_data_dir, decisions_file, tmp_path, capsys):
    out = tmp_path / "models"
    assert _retrain(tiny_data_dir, out, "--decisions", str(decisions_file), "--version", "r1") == 0
    printed = capsys.readouterr().out
    assert "Decisions: 80 read" in printed and "python -m training.promote r1" in printed

    moderator = Moderator.load(out / "r1")
    assert moderator.model_version == "r1"
    assert moderator.score("Earn $300 a day from home, DM me now").scores["off_topic"] > 0.5
    card = json.loads((out / "r1" / "card.json").read_text())
    decisions = card["training_data"]["decisions"]
    assert decisions["read"] == 80 and decisions["test"] == 16
    assert decisions["train"] + decisions["validation"] + decisions["copies_of_test_dropped"] == 64
    assert decisions["test_from"] == "2026-10-04T01:00:00"  # the 65th hour: the newest fifth is held back
    assert card["metrics"]["per_corpus"]["decisions"]["profanity"]["rows"] > 0
    assert card["params"]["word_max_features"] == 2000
    assert "davidson_hate_offensive" in card["training_data"]["corpora"]
    assert (out / "r1" / "report.html").is_file()
    assert not (out / "current").exists()  # retraining never promotes

    # Versions are never overwritten.
    assert _retrain(tiny_data_dir, out, "--decisions", str(decisions_file), "--version", "r1") == 2
    assert "already exists" in capsys.readouterr().err


def test_bad_decision_lines_are_named_and_nothing_is_trained(tiny_data_dir, tmp_path, capsys):
    good = decision_rows(3)
    path = write_jsonl(tmp_path / "decisions.jsonl", [
        good[0], "{not json", {**good[1], "text": ""}, {**good[1], "labels": {"toxicity": 1}},
        {**good[2], "decided_at": "yesterday"}, {**good[2], "labels": {"sarcasm": 2}}])
    with path.open("ab") as handle:
        handle.write(b'{"text": "caf\xe9"}\n')
    assert _retrain(tiny_data_dir, tmp_path / "models", "--decisions", str(path)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"error: {path}:2: invalid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"error: {path}:3: 'text' must be a non-empty string",
        f"error: {path}:4: unknown label 'toxicity'; expected profanity, sarcasm, off_topic",
        f"error: {path}:5: decided_at 'yesterday' is not an ISO 8601 time",
        f"error: {path}:6: label 'sarcasm' must be 0 or 1, not 2",
        f"error: {path}:7: not UTF-8",
    ]
    assert not (tmp_path / "models").exists()
    assert _retrain(tiny_data_dir, tmp_path / "models", "--decisions", str(tmp_path / "missing.jsonl")) == 2
    assert "missing.jsonl: no such file" in capsys.readouterr().err


def test_the_latest_decision_wins_and_the_newest_slice_is_held_back():
    rows = decision_rows(10)
    rows.append({**rows[0], "labels": {"profanity": 1}, "decided_at": "2026-10-02T00:00:00Z"})  # c0 decided again
    rows.append({**rows[1], "id": "other", "decided_at": "2026-10-02T01:00:00+00:00"})  # same text, other comment
    examples, dropped = deduplicate_decisions([decision_example(r) for r in rows])
    assert dropped == 2 and len(examples) == 10
    assert next(e for e in examples if e.meta["id"] == "c0").labels == {"profanity": 1}
    train, test, cutoff = split_by_time(examples, 0.2)
    assert [e.split for e in train] == [TRAIN] * 8 and [e.split for e in test] == [TEST] * 2
    assert max(e.meta["decided_at"] for e in train) < cutoff <= min(e.meta["decided_at"] for e in test)
    assert {e.meta["id"] for e in test} == {"c0", "other"}


def test_decisions_are_read_from_the_queue_store_as_export_decisions_writes_them(tmp_path):
    url = make_store(tmp_path / "store.sqlite3", [
        {"text": "What a load of sh1t", "status": "rejected", "action": "reject", "reason": "profanity"},
        {"text": "Fair point about fares", "status": "approved", "action": "approve", "reason": "ok"},
        {"text": "Still waiting", "status": "pending"},
    ])
    examples = read_decisions_database(url)
    assert [(e.text, dict(e.labels)) for e in examples] == [
        ("What a load of sh1t", {"profanity": 1}),
        ("Fair point about fares", {"profanity": 0, "sarcasm": 0, "off_topic": 0})]
    assert examples[0].meta["decided_at"].startswith("2026-11-02T00:00")
