"""The promotion gate: refuses a worse challenger, accepts an equal one, switches and rolls back atomically."""

from dataclasses import replace

import pytest

from moderation import Moderator
from moderation.model_file import ModelLoadError
from training.fairness import IdentityReport
from training.promote import (
    compare, current_version, evaluate_model, evaluation_sets, main, prepare_rows, promote, read_history, rollback,
)

from conftest import OWN_DIR, save_version


def _gate(models_dir, tiny_data_dir, *args):
    return main([*args, "--models-dir", str(models_dir), "--data-dir", str(tiny_data_dir), "--no-progress"])


def test_an_equal_challenger_is_promoted(models_dir, tiny_pipeline, tiny_data_dir, capsys):
    pipeline, card = tiny_pipeline
    save_version(models_dir, pipeline, card, "tiny-2")
    assert _gate(models_dir, tiny_data_dir, "tiny-2") == 0
    out = capsys.readouterr().out
    assert "PROMOTED: current is now tiny-2 (was tiny-1)" in out
    assert "FAIL" not in out and "F1 profanity on own" in out and "obfuscation recall" in out
    assert current_version(models_dir) == "tiny-2"
    assert [(h["action"], h["from"], h["to"]) for h in read_history(models_dir)] == [("promote", "tiny-1", "tiny-2")]


def test_a_worse_challenger_is_refused_with_reasons(models_dir, worse_pipeline, tiny_pipeline, tiny_data_dir, capsys):
    save_version(models_dir, worse_pipeline, tiny_pipeline[1], "worse")
    assert _gate(models_dir, tiny_data_dir, "worse") == 1
    out = capsys.readouterr().out
    assert "REFUSED" in out and "F1 profanity on own" in out.split("REFUSED")[1]
    assert current_version(models_dir) == "tiny-1" and read_history(models_dir) == []


def test_thresholds_that_miss_abuse_are_refused(models_dir, tiny_pipeline, tiny_data_dir, capsys):
    pipeline, card = tiny_pipeline
    lax = {**card, "thresholds": {**card["thresholds"], "profanity": {"review": 0.99, "reject": 0.995}}}
    save_version(models_dir, pipeline, lax, "lax")
    assert _gate(models_dir, tiny_data_dir, "lax", "--dry-run") == 1
    refused = capsys.readouterr().out.split("REFUSED")[1]
    assert "F1 profanity on own" in refused
    assert current_version(models_dir) == "tiny-1"


def test_each_absolute_failure_refuses_on_its_own(models_dir, tiny_data_dir):
    sets = evaluation_sets(tiny_data_dir, OWN_DIR, quick=50)
    prepared, fixtures = prepare_rows(sets.judged), prepare_rows(sets.fixtures)
    champion = evaluate_model(Moderator.load(models_dir / "tiny-1"), sets, prepared, fixtures)
    assert all(check.passed for check in compare(champion, champion))
    fixtures = champion.fixtures
    worse = {
        "identity-term check": {"identity": IdentityReport([], 0.05, 1.0, 0.5, 0.05, ["'Muslim': flagged 90%"])},
        "split seed": {"card": {**champion.card, "seed": 7}},
        "obfuscation recall": {"fixtures": {**fixtures, "obfuscation_recall": fixtures["obfuscation_recall"] - 0.02}},
        "look-alike false-positive rate": {"fixtures": {**fixtures, "lookalike_fp_rate": fixtures["lookalike_fp_rate"] + 0.02}},
    }
    for name, change in worse.items():
        assert [c.name for c in compare(champion, replace(champion, **change)) if not c.passed] == [name]
    better = replace(champion, fixtures={**fixtures, "lookalike_fp_rate": 0.0, "obfuscation_recall": 1.0})
    assert all(c.passed for c in compare(champion, better))


def test_rollback_walks_back_one_promotion_at_a_time(models_dir, tiny_pipeline, capsys):
    pipeline, card = tiny_pipeline
    for version in ("b", "c"):
        save_version(models_dir, pipeline, card, version)
        promote(models_dir, version)
    assert main(["--rollback", "--models-dir", str(models_dir)]) == 0
    assert "current is now b (was c)" in capsys.readouterr().out
    assert rollback(models_dir) == ("b", "tiny-1")
    assert current_version(models_dir) == "tiny-1"
    assert main(["--rollback", "--models-dir", str(models_dir)]) == 2
    assert "nothing to roll back to" in capsys.readouterr().err
    (models_dir / "current").write_text("c\n")  # changed by hand: rollback does not guess
    promote(models_dir, "b")
    rollback(models_dir)
    assert current_version(models_dir) == "c"


def test_an_unknown_challenger_is_a_clear_error(models_dir, tiny_data_dir, capsys):
    assert _gate(models_dir, tiny_data_dir, "nope") == 2
    assert "no model version 'nope'" in capsys.readouterr().err
    with pytest.raises(ModelLoadError):
        promote(models_dir, "nope")
