"""Retrain from moderators' decisions plus the corpora: a challenger for `training.promote`.

    python -m training.retrain --decisions decisions.jsonl [--data-dir DIR] [--out models/] [--seed 13]
    python -m training.retrain --database-url sqlite:///instance/moderation.sqlite3

Decisions (from `flask --app service export-decisions`, or read from the queue store) are
checked line by line, deduplicated (the latest decision per comment and per normalised text
wins) and split by time: the older ones are trained on, the newest slice is only evaluated
on, and no text of that slice is trained on under any corpus. The model is built by the same
`training.train.fit_model` as every other model and saved as a new version with its card and
report; it is not made current (that is the gate's job).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from moderation.labels import LABELS
from moderation.model_file import sha256_file
from training.dataset import assign_validation, dedup_key
from training.examples import TEST, TRAIN, VALIDATION, Example
from training.train import (
    _print_report, _progress, add_common_arguments, fit_model, held_back, make_card, save_with_report, select_corpora,
)

__all__ = ["DecisionsError", "DECISIONS_CORPUS", "DEFAULT_HOLDOUT", "decision_example", "read_decisions",
           "read_decisions_database", "deduplicate_decisions", "split_by_time", "main"]

DECISIONS_CORPUS = "decisions"
DEFAULT_HOLDOUT = 0.2  # the newest fifth of the decisions is evaluated on, never trained on
MAX_ERRORS_SHOWN = 20


class DecisionsError(ValueError):
    """The decisions cannot be used; `lines` holds one message per bad input line."""

    def __init__(self, lines: list[str]):
        super().__init__(lines[0] if lines else "bad decisions")
        self.lines = lines


def _timestamp(value) -> datetime:
    """Naive UTC datetime from an ISO 8601 string (a trailing Z or an offset is accepted)."""
    if not isinstance(value, str):
        raise ValueError("decided_at must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"decided_at {value[:40]!r} is not an ISO 8601 time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def decision_example(row) -> Example:
    """One exported decision as an Example of the decisions corpus; ValueError says what is wrong."""
    if not isinstance(row, dict):
        raise ValueError("expected a JSON object")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'text' must be a non-empty string")
    labels = row.get("labels")
    if not isinstance(labels, dict) or not labels:
        raise ValueError(f"'labels' must be an object mapping some of {', '.join(LABELS)} to 0 or 1")
    for label, value in labels.items():
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}; expected {', '.join(LABELS)}")
        if value not in (0, 1) or isinstance(value, float):
            raise ValueError(f"label {label!r} must be 0 or 1, not {value!r}")
    article = row.get("article")
    if article is not None and not (isinstance(article, dict) and all(
            isinstance(article.get(key, ""), (str, type(None))) for key in ("title", "body"))):
        raise ValueError("'article' must be null or an object with string title and body")
    decided = _timestamp(row.get("decided_at"))
    identifier = row.get("id")
    if identifier is not None and not isinstance(identifier, (str, int)):
        raise ValueError("'id' must be a string or a number")
    article = article or {}
    return Example(
        text=text, labels={label: int(value) for label, value in labels.items()}, corpus=DECISIONS_CORPUS,
        group=str(identifier or ""), article_title=article.get("title") or "", article_body=article.get("body") or "",
        meta={"id": str(identifier or ""), "decided_at": decided.isoformat(), "reason": str(row.get("reason") or ""),
              "action": str(row.get("action") or "")},
    )


def read_decisions(path: Path, progress=_progress(False)) -> list[Example]:
    """Every line of an export-decisions file; DecisionsError lists every bad line ("file:line: why")."""
    path = Path(path)
    if not path.is_file():
        raise DecisionsError([f"{path}: no such file"])
    examples, errors = [], []
    with open(path, "rb") as handle:
        for number, raw in enumerate(progress(handle, desc="reading decisions", unit=" lines", mininterval=1), 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(f"{path}:{number}: not UTF-8")
                continue
            try:
                examples.append(decision_example(json.loads(line)))
            except json.JSONDecodeError as error:
                errors.append(f"{path}:{number}: invalid JSON ({error.msg} at column {error.colno})")
            except ValueError as error:
                errors.append(f"{path}:{number}: {error}")
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > len(shown):
            shown.append(f"{path}: … and {len(errors) - len(shown)} more bad lines")
        raise DecisionsError(shown)
    if not examples:
        raise DecisionsError([f"{path}: no decisions in the file"])
    return examples


def read_decisions_database(url: str) -> list[Example]:
    """The decisions in the queue store at `url`, converted exactly as export-decisions does."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from webapp.cli import export_rows
    from webapp.store.db import make_engine

    try:
        engine = make_engine(url)
    except Exception as error:  # a malformed URL or a missing driver
        raise DecisionsError([f"cannot use database URL: {error}"]) from None
    try:
        with Session(engine) as session:
            examples = [decision_example(row) for row in export_rows(session)]
    except SQLAlchemyError as error:
        raise DecisionsError([f"cannot read decisions from the database: {type(error).__name__}: "
                              f"{str(error).splitlines()[0]}"]) from None
    finally:
        engine.dispose()
    if not examples:
        raise DecisionsError(["the queue store holds no decisions that teach a label"])
    return examples


def deduplicate_decisions(examples: list[Example]) -> tuple[list[Example], int]:
    """Keep the latest decision per comment id and per normalised text (+ article title), oldest first."""
    ordered = sorted(examples, key=lambda e: e.meta["decided_at"])
    latest: dict = {}
    for example in ordered:
        latest[("id", example.meta["id"]) if example.meta["id"] else ("row", id(example))] = example
    by_text: dict = {}
    for example in latest.values():
        by_text[dedup_key(example)] = example
    kept = sorted(by_text.values(), key=lambda e: e.meta["decided_at"])
    return kept, len(examples) - len(kept)


def split_by_time(examples: list[Example], share: float = DEFAULT_HOLDOUT) -> tuple[list[Example], list[Example], str | None]:
    """(older -> train, newest `share` -> test, first test time). Rows at the cutoff time all go to test."""
    ordered = sorted(examples, key=lambda e: e.meta["decided_at"])
    if len(ordered) < 2 or share <= 0:
        return [replace(e, split=TRAIN) for e in ordered], [], None
    count = min(len(ordered) - 1, max(1, math.ceil(len(ordered) * share)))
    cutoff = ordered[-count].meta["decided_at"]
    train = [replace(e, split=TRAIN) for e in ordered if e.meta["decided_at"] < cutoff]
    test = [replace(e, split=TEST) for e in ordered if e.meta["decided_at"] >= cutoff]
    return train, test, cutoff


def _mask(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(database)"


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m training.retrain", description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--decisions", type=Path, help="JSON lines written by `flask --app service export-decisions`")
    source.add_argument("--database-url", help="read the decisions from the queue store at this SQLAlchemy URL")
    add_common_arguments(parser)
    parser.add_argument("--holdout", type=float, default=DEFAULT_HOLDOUT,
                        help=f"share of the newest decisions kept for evaluation (default {DEFAULT_HOLDOUT})")
    parser.add_argument("--max-features", type=int, default=None,
                        help="cap each n-gram vocabulary (small models for tests; default: the shipped setting)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if not 0 <= args.holdout < 1:
        parser.error("--holdout must be in [0, 1)")
    return args


def main(argv=None) -> int:
    args = _parse_args(argv)
    started = time.perf_counter()
    progress = _progress(not args.no_progress)
    version = args.version or datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    if (args.out / version).exists():
        print(f"error: model version {version!r} already exists at {args.out / version}; versions are never "
              "overwritten", file=sys.stderr)
        return 2
    try:
        if args.decisions is not None:
            decisions = read_decisions(args.decisions, progress)
            source = {"file": args.decisions.name, "sha256": sha256_file(args.decisions)}
        else:
            decisions = read_decisions_database(args.database_url)
            source = {"database": _mask(args.database_url)}
        data_dir, present = select_corpora(args.data_dir, args.corpora, args.include_noncommercial)
    except DecisionsError as error:
        for line in error.lines:
            print(f"error: {line}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    read = len(decisions)
    decisions, duplicates = deduplicate_decisions(decisions)
    train_rows, test_rows, cutoff = split_by_time(decisions, args.holdout)
    try:
        held = held_back(data_dir, present, args.own_dir, args.seed, progress)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    dataset = held.dataset

    # Honest evaluation: no text of any test split is trained on, whichever source it came from.
    test_texts = {dedup_key(e)[0] for e in progress(held.test, desc="indexing test texts", unit="row", mininterval=1)}
    newest_texts = {dedup_key(e)[0] for e in test_rows}
    overlapping = [e for e in train_rows if dedup_key(e)[0] in test_texts | newest_texts]
    train_rows = [assign_validation(e, args.seed) for e in train_rows if dedup_key(e)[0] not in test_texts | newest_texts]
    dataset.train = [e for e in dataset.train if dedup_key(e)[0] not in newest_texts]
    dataset.validation = [e for e in dataset.validation if dedup_key(e)[0] not in newest_texts]
    dataset.train += [e for e in train_rows if e.split == TRAIN]
    dataset.validation += [e for e in train_rows if e.split == VALIDATION]
    dataset.rows_per_corpus[DECISIONS_CORPUS] = {
        "train": sum(e.split == TRAIN for e in train_rows), "validation": sum(e.split == VALIDATION for e in train_rows),
        "test": len(test_rows)}

    params = {"word_max_features": args.max_features, "char_max_features": args.max_features} if args.max_features else None
    trained = fit_model(dataset, held.test + test_rows, args.seed, params, progress)
    seconds = time.perf_counter() - started
    _print_report(trained.metrics, dataset, seconds)
    counts = dataset.rows_per_corpus[DECISIONS_CORPUS]
    print(f"\nDecisions: {read:,} read, {duplicates:,} duplicates dropped, {len(overlapping):,} dropped as copies of "
          f"test texts; {counts['train']:,} trained on, {counts['validation']:,} chose thresholds, "
          f"{counts['test']:,} newest evaluated on" + (f" (decided from {cutoff})" if cutoff else ""))

    from training.promote import current_version

    card = make_card(held, trained, data_dir=data_dir, present=present, own_dir=args.own_dir, seed=args.seed,
                     include_noncommercial=args.include_noncommercial, params=params, seconds=seconds)
    card["training_data"]["decisions"] = {
        **source, "read": read, "duplicates_dropped": duplicates, "copies_of_test_dropped": len(overlapping),
        **counts, "holdout": args.holdout, "test_from": cutoff,
        "newest": decisions[-1].meta["decided_at"] if decisions else None,
    }
    card["retrained_from"] = current_version(args.out) if args.out.is_dir() else None
    try:
        target = save_with_report(trained, card, args.out, version, progress=progress)
    except FileExistsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    size = (target / "model.joblib").stat().st_size / 1e6
    print(f"\nsaved {target} ({size:.1f} MB); not made current. Judge it with:\n"
          f"  python -m training.promote {version} --models-dir {args.out}"
          + (f" --decisions {args.decisions}" if args.decisions else " --database-url URL"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
