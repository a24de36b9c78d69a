"""Choosing per-label thresholds on the validation split (never on a test split), and seeing their effect.

    python -m training.thresholds [--model models/] [--set profanity.review=0.6] [--database-url URL]

The command prints, per label, precision and recall at candidate thresholds on the held-back
evaluation sets, then a dry run on recent comments from the queue store: how many would get
another decision under other thresholds. Thresholds live in the model card and are overridden
in the service configuration (THRESHOLDS), never here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from moderation.labels import LABELS, PROFANITY
from moderation.policy import Threshold

__all__ = ["choose_thresholds", "threshold_table", "dry_run", "recent_comments", "main", "REVIEW_RANGE",
           "REJECT_PRECISION"]

REVIEW_RANGE = (0.3, 0.9)   # a review threshold outside this range would say the model is broken
REJECT_PRECISION = 0.97     # rejecting without a person needs this precision on validation rows
# The share of comments we expect to carry each label in a news comment section. Validation
# corpora are often balanced 50/50 (sarcasm sets, spam sets); F1 there would pick thresholds
# that flood the queue. Each corpus's rows are reweighted to this prevalence first.
PREVALENCE = {"profanity": 0.10, "sarcasm": 0.08, "off_topic": 0.10}
# A review threshold sends comments to a person, so missing abuse or spam costs more than one
# extra look: F2 for those. Sarcasm is rarely harmful: F1, so it does not flood the queue.
BETA = {"profanity": 2.0, "sarcasm": 1.0, "off_topic": 2.0}
CANDIDATES = np.round(np.arange(0.05, 0.96, 0.01), 2)


def _weighted_counts(truth, scores, weights, threshold):
    predicted = scores >= threshold
    tp = float(weights[predicted & (truth == 1)].sum())
    fp = float(weights[predicted & (truth == 0)].sum())
    fn = float(weights[~predicted & (truth == 1)].sum())
    return tp, fp, fn


def prevalence_weights(truth: np.ndarray, corpora: np.ndarray, prevalence: float) -> np.ndarray:
    """Weights that make each corpus (swaps counted with their source) show `prevalence` positives."""
    weights = np.ones(len(truth), dtype=np.float64)
    for corpus in np.unique(corpora):
        rows = corpora == corpus
        share = truth[rows].mean()
        if 0 < share < 1:
            weights[rows & (truth == 1)] = prevalence / share
            weights[rows & (truth == 0)] = (1 - prevalence) / (1 - share)
    return weights


def choose_thresholds(labels_matrix: np.ndarray, probabilities: np.ndarray, weights: np.ndarray,
                      corpora=None) -> tuple[dict[str, Threshold], dict]:
    """Review threshold = best F-beta at news-like prevalence on validation; reject = precision >= 0.97."""
    chosen: dict[str, Threshold] = {}
    report: dict = {}
    sources = np.array([c.removesuffix("+swap") for c in corpora]) if corpora is not None else None
    for j, label in enumerate(LABELS):
        known = labels_matrix[:, j] >= 0
        truth, scores, w = labels_matrix[known, j], probabilities[known, j], weights[known]
        if sources is not None:
            w = w * prevalence_weights(truth, sources[known], PREVALENCE[label])
        if known.sum() == 0 or truth.min() == truth.max():
            chosen[label] = Threshold(0.5, 0.95 if label == PROFANITY else None)
            report[label] = {"note": "no validation rows with both classes; defaults kept"}
            continue
        best_f1, best = -1.0, 0.5
        b2 = BETA[label] ** 2
        for threshold in CANDIDATES:
            tp, fp, fn = _weighted_counts(truth, scores, w, threshold)
            f_beta = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
            if f_beta > best_f1:
                best_f1, best = f_beta, float(threshold)
        review = float(min(max(best, REVIEW_RANGE[0]), REVIEW_RANGE[1]))
        reject = None
        if label == PROFANITY:
            reject = 0.97
            for threshold in CANDIDATES[CANDIDATES >= review]:
                tp, fp, _ = _weighted_counts(truth, scores, w, threshold)
                if tp + fp > 0 and tp / (tp + fp) >= REJECT_PRECISION:
                    reject = float(threshold)
                    break
        chosen[label] = Threshold(review, reject)
        report[label] = {"validation_rows": int(known.sum()), "f_beta": BETA[label], "best_weighted_f_beta": round(best_f1, 4),
                         "review": review, "reject": reject, "prevalence_assumed": PREVALENCE[label]}
    return chosen, report


# --- what-if: candidate thresholds on the evaluation sets and on recent traffic -----------------

REPORT_CANDIDATES = tuple(np.round(np.arange(0.3, 0.951, 0.05), 2))


def threshold_table(truth: np.ndarray, scores: np.ndarray, candidates) -> list[dict]:
    """Precision, recall, F1 and share flagged at each candidate threshold (rows where the label is known)."""
    rows = []
    for threshold in candidates:
        predicted = scores >= threshold
        tp = int((predicted & (truth == 1)).sum())
        fp = int((predicted & (truth == 0)).sum())
        fn = int((~predicted & (truth == 1)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"threshold": float(threshold), "precision": round(precision, 4), "recall": round(recall, 4),
                     "f1": round(f1, 4), "flagged": round(float(predicted.mean()), 4) if len(truth) else 0.0})
    return rows


def dry_run(scores: list[dict], current: dict, proposed: dict) -> Counter:
    """(old decision, new decision) -> count, for comments' scores under two threshold sets."""
    from moderation.policy import decide

    return Counter((decide(s, current), decide(s, proposed)) for s in scores)


def default_database_url() -> str | None:
    """The service's default SQLite file under instance/ (or MODERATION_INSTANCE_PATH), if it exists."""
    folder = Path(os.environ.get("MODERATION_INSTANCE_PATH") or Path(__file__).resolve().parent.parent / "instance")
    path = folder / "moderation.sqlite3"
    return f"sqlite:///{path}" if path.is_file() else None


def recent_comments(url: str, limit: int) -> list[dict]:
    """The newest stored comments: text, article, the status a moderator gave them."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from webapp.store.db import make_engine
    from webapp.store.models import Comment

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            query = select(Comment).order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
            return [{"text": c.text, "title": c.article_title or "", "body": c.article_body or "", "status": c.status,
                     "model_version": c.model_version} for c in session.scalars(query)]
    finally:
        engine.dispose()


def _parse_set(values: list[str], base: dict) -> dict:
    from moderation.policy import parse_thresholds

    raw: dict = {}
    for value in values:
        key, _, number = value.partition("=")
        label, _, kind = key.partition(".")
        try:
            raw.setdefault(label, {})[kind or "review"] = None if number.strip().lower() == "none" else float(number)
        except ValueError:
            raise ValueError(f"--set {value!r}: expected LABEL.review=NUMBER or LABEL.reject=NUMBER|none") from None
    return parse_thresholds(raw, base)


def _parse_args(argv):
    from training.train import REPO_ROOT

    parser = argparse.ArgumentParser(prog="python -m training.thresholds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "models", help="model folder (default: models/current)")
    parser.add_argument("--thresholds", type=Path, default=None,
                        help="JSON overrides the service uses (its THRESHOLDS setting): the starting point")
    parser.add_argument("--set", action="append", default=[], metavar="LABEL.review=X",
                        help="a proposed change for the dry run, e.g. profanity.review=0.6 (repeatable)")
    parser.add_argument("--candidates", default=None, help="comma-separated thresholds (default 0.30 to 0.95 by 0.05)")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--own-dir", type=Path, default=REPO_ROOT / "datasets" / "own")
    parser.add_argument("--quick", type=int, nargs="?", const=300, default=0, help="sample held-back rows per corpus")
    parser.add_argument("--database-url", default=None,
                        help="queue store to dry-run on (default: the SQLite file under instance/ when it exists)")
    parser.add_argument("--limit", type=int, default=5000, help="newest stored comments to dry-run on (default 5000)")
    parser.add_argument("--no-progress", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    from moderation import Moderator
    from moderation.model_file import ModelLoadError
    from moderation.policy import parse_thresholds
    from training.promote import _probabilities, evaluation_sets, prepare_rows
    from training.train import _progress, default_data_dir

    args = _parse_args(argv)
    progress = _progress(not args.no_progress)
    try:
        moderator = Moderator.load(args.model)
        current = dict(moderator.thresholds)
        if args.thresholds:
            current = parse_thresholds(json.loads(args.thresholds.read_text(encoding="utf-8")), current)
        proposed = _parse_set(args.set, current)
        candidates = ([float(c) for c in args.candidates.split(",") if c.strip()] if args.candidates
                      else list(REPORT_CANDIDATES))
    except (ModelLoadError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    sets = evaluation_sets(args.data_dir or default_data_dir(), args.own_dir, moderator.card.get("seed", 13),
                           quick=args.quick, progress=progress)
    examples = sets.held_back
    probabilities = _probabilities(moderator, prepare_rows(examples, progress))
    print(f"model {moderator.model_version}: {len(examples):,} held-back rows"
          + "".join(f"; {note}" for note in sets.notes))
    for j, label in enumerate(LABELS):
        known = [i for i, e in enumerate(examples) if label in e.labels]
        truth = np.array([examples[i].labels[label] for i in known], dtype=int)
        in_use = current[label]
        marks = {in_use.review: "review (in use)"}
        if in_use.reject is not None:
            marks[in_use.reject] = "reject (in use)" if in_use.reject != in_use.review else "review+reject"
        table = threshold_table(truth, probabilities[known, j], sorted(set(candidates) | set(marks)))
        print(f"\n{label}: {int(truth.sum()):,} positives in {len(truth):,} rows")
        print(f"  {'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'flagged':>8}")
        for row in table:
            mark = marks.get(row["threshold"], "")
            print(f"  {row['threshold']:>9.2f} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} "
                  f"{row['flagged']:>8.1%}  {mark}")

    url = args.database_url or default_database_url()
    if url is None:
        print("\ndry run skipped: no queue store (pass --database-url, or run the service once to create instance/)")
        return 0
    try:
        stored = recent_comments(url, args.limit)
    except Exception as error:  # a wrong URL, a missing driver, an unmigrated database
        print(f"error: cannot read the queue store: {type(error).__name__}: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    if not stored:
        print("\ndry run: the queue store holds no comments yet")
        return 0
    verdicts = moderator.score_many([(c["text"], {"title": c["title"], "body": c["body"]} if c["title"] or c["body"]
                                      else None) for c in stored])
    scores = [v.scores for v in verdicts]
    print(f"\ndry run on the {len(stored):,} newest stored comments (the store keeps the comments held for review, "
          f"so published ones are not here), rescored with {moderator.model_version}:")
    if args.set:
        changes = dry_run(scores, current, proposed)
        changed = sum(n for (old, new), n in changes.items() if old != new)
        print(f"  with {', '.join(args.set)}: {changed:,} of {len(stored):,} comments would change decision")
        for (old, new), n in sorted(changes.items()):
            if old != new:
                statuses = Counter(c["status"] for c, s in zip(stored, scores)
                                   if decide_pair(s, current, proposed) == (old, new))
                print(f"    {old:>8} -> {new:<8} {n:>6,}   moderators said: "
                      + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    else:
        print("  comments that would change decision if one label's review threshold moved (the others as in use):")
        print("  " + f"{'label':<10}" + "".join(f"{c:>7.2f}" for c in candidates))
        for label in LABELS:
            cells = []
            for candidate in candidates:
                other = parse_thresholds({label: {"review": candidate, "reject": max(candidate, current[label].reject)
                                                  if current[label].reject is not None else None}}, current)
                changes = dry_run(scores, current, other)
                cells.append(sum(n for (old, new), n in changes.items() if old != new))
            print("  " + f"{label:<10}" + "".join(f"{n:>7,}" for n in cells))
    return 0


def decide_pair(scores: dict, current: dict, proposed: dict) -> tuple[str, str]:
    from moderation.policy import decide

    return decide(scores, current), decide(scores, proposed)


if __name__ == "__main__":
    sys.exit(main())
