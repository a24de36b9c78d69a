"""The promotion gate: a challenger replaces the champion (models/current) only if it is not worse.

    python -m training.promote CHALLENGER [--tolerance 0.02] [--decisions decisions.jsonl] [--dry-run]
    python -m training.promote --rollback

Both models are scored on the same fixed evaluation sets: every corpus's held-back split
(seeded as in training), our own test rows, the obfuscation and look-alike fixtures, and the
newest moderators' decisions when given. Promotion is refused (exit 1, with the reasons) when a
label's F1 drops by more than the tolerance on any set, obfuscation recall drops, the
false-positive rate on innocent look-alikes rises, or the identity-term check fails. Promotion
atomically rewrites `models/current` and appends to `models/history.jsonl`, so `--rollback`
is one command.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import random
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from moderation.labels import LABELS, PROFANITY
from moderation.model_file import CURRENT_FILE, ModelLoadError, set_current
from training.evaluate import baseline_table, per_corpus_metrics
from training.examples import TEST, Example
from training.fairness import DEFAULT_MARGIN, DEFAULT_TEMPLATES, IdentityReport, identity_check, moderator_scores
from training.train import DEFAULT_SEED, REPO_ROOT, _progress, default_data_dir, held_back

__all__ = [
    "EvaluationSets", "ModelResult", "Check", "evaluation_sets", "fixture_examples", "evaluate_model",
    "compare", "promote", "rollback", "read_history", "main", "DEFAULT_TOLERANCE", "HISTORY_FILE",
]

DEFAULT_TOLERANCE = 0.02  # F1 may fall this much (absolute) on a set before promotion is refused
MIN_POSITIVES = 20        # below this many positives an F1 difference is noise: shown, not judged
FIXTURES = REPO_ROOT / "tests" / "data" / "obfuscation_cases.jsonl"
OBFUSCATION, LOOKALIKE = "obfuscation", "lookalike"
HISTORY_FILE = "history.jsonl"
QUICK_ROWS = 300


# --- evaluation sets --------------------------------------------------------------------------

@dataclass
class EvaluationSets:
    """The fixed rows both models are judged on."""

    held_back: list[Example]
    fixtures: list[Example]
    decisions: list[Example] = field(default_factory=list)
    seed: int = DEFAULT_SEED
    notes: list[str] = field(default_factory=list)

    @property
    def judged(self) -> list[Example]:
        """Rows whose per-corpus F1 is compared: held-back splits and the newest decisions."""
        return self.held_back + self.decisions


def fixture_examples(path: Path = FIXTURES) -> list[Example]:
    """Obfuscated swearing (must be caught) and innocent look-alikes (must not be)."""
    examples = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            profane = bool(row["expect_profane"])
            examples.append(Example(text=row["text"], labels={PROFANITY: int(profane)},
                                    corpus=OBFUSCATION if profane else LOOKALIKE, split=TEST,
                                    meta={"why": row.get("why") or ""}))
    return examples


def _sample(examples: list[Example], rows: int, seed: int) -> list[Example]:
    """At most `rows` per corpus, seeded, in the original order (for quick runs)."""
    by_corpus: dict[str, list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        by_corpus[example.corpus].append(i)
    keep: set[int] = set()
    for corpus, indices in by_corpus.items():
        keep.update(indices if len(indices) <= rows else random.Random(f"{seed}:{corpus}").sample(indices, rows))
    return [e for i, e in enumerate(examples) if i in keep]


def evaluation_sets(data_dir: Path | None, own_dir: Path | None, seed: int = DEFAULT_SEED,
                    decisions: list[Example] | None = None, fixtures: Path = FIXTURES, quick: int = 0,
                    progress=_progress(False)) -> EvaluationSets:
    """Held-back rows of every commercially usable corpus (and of the others, test only), own test rows, fixtures."""
    from training.corpora import CORPORA

    notes = []
    if data_dir is not None and data_dir.is_dir():
        present = [name for name, info in CORPORA.items() if info.commercial_ok and (data_dir / name).is_dir()]
        rows = held_back(data_dir, present, own_dir, seed, progress).test
    else:
        from training.dataset import build_dataset

        notes.append("public corpora not found: judged on our own test rows, fixtures and decisions only")
        rows = build_dataset(None, [], own_dir, seed).test
    if quick:
        rows = _sample(rows, quick, seed)
        notes.append(f"quick run: at most {quick} held-back rows per corpus")
    return EvaluationSets(rows, fixture_examples(fixtures), list(decisions or []), seed, notes)


# --- scoring one model ------------------------------------------------------------------------

@dataclass
class ModelResult:
    """One model's figures on the evaluation sets, at its own thresholds."""

    version: str
    card: dict
    thresholds: dict
    per_corpus: dict
    baselines: list
    fixtures: dict
    identity: IdentityReport
    probabilities: np.ndarray  # rows of `sets.judged`
    fixture_probabilities: np.ndarray


def prepare_rows(examples: list[Example], progress=_progress(False), desc: str = "preparing evaluation rows"):
    """Fold and match each row once; every model then scores the same prepared rows."""
    from moderation.features import prepare_batch

    triples = [(e.text, e.article_title, e.article_body) for e in examples]
    prepared = []
    for start in progress(range(0, len(triples), 2000), desc=desc, unit="chunk"):
        prepared.extend(prepare_batch(triples[start:start + 2000]))
    return prepared


def _probabilities(moderator, prepared) -> np.ndarray:
    from moderation.fast import FastScorer

    if not prepared:
        return np.zeros((0, len(LABELS)))
    try:
        return FastScorer(moderator.pipeline).predict_proba(prepared)
    except (ValueError, KeyError, AttributeError):
        return moderator.pipeline[1:].predict_proba(prepared)


def evaluate_model(moderator, sets: EvaluationSets, prepared_judged, prepared_fixtures,
                   templates: Path = DEFAULT_TEMPLATES, margin: float = DEFAULT_MARGIN) -> ModelResult:
    """Score the prepared rows with `moderator` (a loaded `moderation.Moderator`) and summarise."""
    review = {label: moderator.thresholds[label].review for label in LABELS}
    probabilities = _probabilities(moderator, prepared_judged)
    fixture_probabilities = _probabilities(moderator, prepared_fixtures)
    column = LABELS.index(PROFANITY)
    flagged = fixture_probabilities[:, column] >= review[PROFANITY] if len(sets.fixtures) else np.zeros(0, bool)
    kinds = np.array([e.corpus for e in sets.fixtures])
    obfuscations, lookalikes = kinds == OBFUSCATION, kinds == LOOKALIKE
    fixtures = {
        "obfuscations": int(obfuscations.sum()), "caught": int(flagged[obfuscations].sum()),
        "obfuscation_recall": round(float(flagged[obfuscations].mean()), 4) if obfuscations.any() else None,
        "lookalikes": int(lookalikes.sum()), "flagged": int(flagged[lookalikes].sum()),
        "lookalike_fp_rate": round(float(flagged[lookalikes].mean()), 4) if lookalikes.any() else None,
    }
    identity = identity_check(moderator_scores(moderator), review[PROFANITY], templates, margin)
    judged = sets.judged
    return ModelResult(
        version=moderator.model_version, card=moderator.card, thresholds=dict(moderator.thresholds),
        per_corpus=per_corpus_metrics(judged, probabilities, review) if judged else {},
        baselines=baseline_table(sets.held_back, probabilities[:len(sets.held_back)]) if sets.held_back else [],
        fixtures=fixtures, identity=identity, probabilities=probabilities,
        fixture_probabilities=fixture_probabilities,
    )


# --- the gate -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One comparison of the gate; `passed` False refuses the promotion."""

    name: str
    champion: float | None
    challenger: float | None
    passed: bool
    note: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "champion": self.champion, "challenger": self.challenger,
                "passed": self.passed, "note": self.note}


def compare(champion: ModelResult | None, challenger: ModelResult, tolerance: float = DEFAULT_TOLERANCE) -> list[Check]:
    """Every gate check, challenger against champion (absolute checks only when there is no champion)."""
    checks: list[Check] = []
    if champion is not None:
        seeds = champion.card.get("seed", DEFAULT_SEED), challenger.card.get("seed", DEFAULT_SEED)
        checks.append(Check("split seed", seeds[0], seeds[1], seeds[0] == seeds[1],
                            "" if seeds[0] == seeds[1] else "different seeds split the corpora differently: "
                            "the challenger was trained on some of these test rows"))
        for corpus, by_label in challenger.per_corpus.items():
            for label, mine in by_label.items():
                theirs = champion.per_corpus.get(corpus, {}).get(label)
                if theirs is None:
                    continue
                name = f"F1 {label} on {corpus}"
                if mine["support"] < MIN_POSITIVES:
                    checks.append(Check(name, theirs["f1"], mine["f1"], True,
                                        f"only {mine['support']} positives: shown, not judged"))
                    continue
                drop = theirs["f1"] - mine["f1"]
                checks.append(Check(name, theirs["f1"], mine["f1"], drop <= tolerance + 1e-9,
                                    f"F1 fell {drop:.3f} (tolerance {tolerance})" if drop > tolerance + 1e-9 else ""))
        before, after = champion.fixtures["obfuscation_recall"], challenger.fixtures["obfuscation_recall"]
        if before is not None and after is not None:
            checks.append(Check("obfuscation recall", before, after, after >= before - 1e-9,
                                f"{challenger.fixtures['caught']} of {challenger.fixtures['obfuscations']} caught"))
        before, after = champion.fixtures["lookalike_fp_rate"], challenger.fixtures["lookalike_fp_rate"]
        if before is not None and after is not None:
            checks.append(Check("look-alike false-positive rate", before, after, after <= before + 1e-9,
                                f"{challenger.fixtures['flagged']} of {challenger.fixtures['lookalikes']} innocent "
                                "look-alikes flagged"))
    identity = challenger.identity
    checks.append(Check("identity-term check", champion.identity.overall_fp_rate if champion else None,
                        identity.overall_fp_rate, identity.passed,
                        "; ".join(identity.failures) if identity.failures else
                        f"no group above {identity.overall_fp_rate:.1%} + {identity.margin:.0%}"))
    return checks


def format_checks(checks: list[Check]) -> str:
    def number(value):
        return "-" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))

    lines = [f"{'check':<52} {'champion':>9} {'challenger':>10}  verdict"]
    for check in checks:
        verdict = "ok" if check.passed else "FAIL"
        lines.append(f"{check.name:<52} {number(check.champion):>9} {number(check.challenger):>10}  {verdict}"
                     + (f"  ({check.note})" if check.note else ""))
    return "\n".join(lines)


# --- switching the pointer --------------------------------------------------------------------

@contextmanager
def _locked(models_dir: Path):
    with open(models_dir / ".promote.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_version(models_dir: Path) -> str | None:
    path = Path(models_dir) / CURRENT_FILE
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def read_history(models_dir: Path) -> list[dict]:
    path = Path(models_dir) / HISTORY_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _append_history(models_dir: Path, entry: dict) -> None:
    entry = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **entry}
    with open(Path(models_dir) / HISTORY_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, sort_keys=True) + "\n")
        handle.flush()


def _stack(history: list[dict]) -> list[str]:
    """The versions promoted so far, oldest first, with rolled-back ones removed."""
    stack: list[str] = []
    for entry in history:
        if entry["action"] == "promote":
            if entry.get("from") and (not stack or stack[-1] != entry["from"]):
                stack.append(entry["from"])  # the pointer had been set by hand: that version is the way back
            stack.append(entry["to"])
        elif entry["action"] == "rollback" and stack:
            stack.pop()
    return stack


def promote(models_dir: Path, version: str, note: str = "") -> str | None:
    """Atomically make `version` current and record it; returns the version it replaced."""
    models_dir = Path(models_dir)
    with _locked(models_dir):
        previous = current_version(models_dir)
        set_current(models_dir, version)
        _append_history(models_dir, {"action": "promote", "from": previous, "to": version, "note": note})
    return previous


def rollback(models_dir: Path) -> tuple[str, str]:
    """Point `current` back at the version the last promotion replaced; returns (from, to)."""
    models_dir = Path(models_dir)
    with _locked(models_dir):
        current = current_version(models_dir)
        stack = _stack(read_history(models_dir))
        if len(stack) < 2:
            raise ModelLoadError(f"nothing to roll back to: {models_dir / HISTORY_FILE} records no earlier promotion")
        if stack[-1] != current:
            raise ModelLoadError(f"{models_dir / CURRENT_FILE} names {current!r} but the last promotion was "
                                 f"{stack[-1]!r}; it was changed by hand, so set it by hand too")
        target = stack[-2]
        set_current(models_dir, target)
        _append_history(models_dir, {"action": "rollback", "from": current, "to": target})
    return current, target


# --- command line -----------------------------------------------------------------------------

def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m training.promote", description=__doc__.split("\n\n")[0])
    parser.add_argument("challenger", nargs="?", help="model version in the models folder (or its path)")
    parser.add_argument("--rollback", action="store_true", help="point current back at the previous version")
    parser.add_argument("--models-dir", type=Path, default=REPO_ROOT / "models")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                        help=f"largest F1 drop allowed on any set and label (default {DEFAULT_TOLERANCE})")
    parser.add_argument("--margin", type=float, default=DEFAULT_MARGIN,
                        help=f"identity check: largest excess of a group's false-positive rate (default {DEFAULT_MARGIN})")
    parser.add_argument("--data-dir", type=Path, default=None, help="public corpora (default: $MODERATION_DATA_DIR "
                        "or ../shared/datasets)")
    parser.add_argument("--own-dir", type=Path, default=REPO_ROOT / "datasets" / "own")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="obfuscation and look-alike cases")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--decisions", type=Path, help="moderators' decisions (JSON lines from export-decisions)")
    source.add_argument("--database-url", help="read the decisions from the queue store instead")
    parser.add_argument("--quick", type=int, nargs="?", const=QUICK_ROWS, default=0,
                        help=f"sample at most N held-back rows per corpus (default N {QUICK_ROWS}) for a fast check")
    parser.add_argument("--dry-run", action="store_true", help="judge only; never switch the pointer")
    parser.add_argument("--no-progress", action="store_true")
    return parser.parse_args(argv)


def _challenger_version(models_dir: Path, name: str) -> str:
    path = Path(name)
    if path.is_dir() and (path / "card.json").is_file():
        if path.resolve().parent != models_dir.resolve():
            raise ModelLoadError(f"{path} is not inside {models_dir}; copy the version folder there first")
        return path.name
    if not (models_dir / name / "card.json").is_file():
        raise ModelLoadError(f"no model version {name!r} in {models_dir}")
    return name


def _newest_decisions(args, challenger_card: dict) -> tuple[list[Example], str]:
    """The decisions the challenger did not train on: after its cutoff, else the newest slice."""
    from training.retrain import DEFAULT_HOLDOUT, deduplicate_decisions, read_decisions, read_decisions_database, split_by_time

    if args.decisions is None and args.database_url is None:
        return [], ""
    examples = read_decisions(args.decisions) if args.decisions else read_decisions_database(args.database_url)
    examples, _ = deduplicate_decisions(examples)
    cutoff = challenger_card.get("training_data", {}).get("decisions", {}).get("test_from")
    if cutoff:
        since = datetime.fromisoformat(cutoff)
        chosen = [e for e in examples if datetime.fromisoformat(e.meta["decided_at"]) >= since]
        return [replace(e, split=TEST) for e in chosen], f"decisions from {cutoff} (the challenger's cutoff)"
    _, test, cutoff = split_by_time(examples, DEFAULT_HOLDOUT)
    return test, f"newest {DEFAULT_HOLDOUT:.0%} of decisions (from {cutoff})"


def main(argv=None) -> int:
    args = _parse_args(argv)
    models_dir = args.models_dir
    if args.rollback:
        try:
            before, after = rollback(models_dir)
        except (ModelLoadError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"rolled back: current is now {after} (was {before})")
        return 0
    if not args.challenger:
        print("error: name the challenger version, or pass --rollback", file=sys.stderr)
        return 2
    from moderation import Moderator
    from training.retrain import DecisionsError

    started = time.perf_counter()
    progress = _progress(not args.no_progress)
    try:
        version = _challenger_version(models_dir, args.challenger)
        challenger_model = Moderator.load(models_dir / version)
        champion_version = current_version(models_dir)
        champion_model = Moderator.load(models_dir / champion_version) if champion_version else None
        decisions, decisions_note = _newest_decisions(args, challenger_model.card)
    except (ModelLoadError, OSError, ValueError) as error:
        for line in (error.lines if isinstance(error, DecisionsError) else [str(error)]):
            print(f"error: {line}", file=sys.stderr)
        return 2
    seed = champion_model.card.get("seed", DEFAULT_SEED) if champion_model else challenger_model.card.get("seed", DEFAULT_SEED)
    data_dir = args.data_dir or default_data_dir()
    sets = evaluation_sets(data_dir, args.own_dir, seed, decisions, args.fixtures, args.quick, progress)
    prepared = prepare_rows(sets.judged, progress)
    prepared_fixtures = prepare_rows(sets.fixtures, progress, "preparing fixtures")
    challenger = evaluate_model(challenger_model, sets, prepared, prepared_fixtures, margin=args.margin)
    champion = (evaluate_model(champion_model, sets, prepared, prepared_fixtures, margin=args.margin)
                if champion_model else None)
    checks = compare(champion, challenger, args.tolerance)

    print(f"challenger {version} vs champion {champion_version or '(none)'}: {len(sets.held_back):,} held-back rows, "
          f"{len(sets.fixtures)} fixtures, {len(sets.decisions):,} decisions"
          + (f" ({decisions_note})" if decisions_note else "") + f", {time.perf_counter() - started:.0f} s")
    for note in sets.notes:
        print(f"note: {note}")
    print(format_checks(checks))
    failed = [c for c in checks if not c.passed]
    if failed:
        print(f"\nREFUSED: {len(failed)} check(s) failed: " + "; ".join(
            c.name + (f" ({c.note})" if c.note else "") for c in failed))
        return 1
    if version == champion_version:
        print(f"\nPASSED: {version} is already current; nothing to switch")
        return 0
    if args.dry_run:
        print(f"\nPASSED (dry run): {version} would replace {champion_version or '(none)'}")
        return 0
    previous = promote(models_dir, version, note=f"gate passed, tolerance {args.tolerance}")
    print(f"\nPROMOTED: current is now {version} (was {previous or '(none)'}); "
          f"undo with: python -m training.promote --rollback --models-dir {models_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
