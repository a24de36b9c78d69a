"""Train a versioned moderation model from the public corpora and our own examples.

    python -m training.train --data-dir ../shared/datasets --out models/

The data directory may also come from MODERATION_DATA_DIR. The shipped default model is
trained only on corpora whose licences allow commercial use; `--include-noncommercial`
adds the CC BY-NC-SA and research-only corpora for research models.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import scipy
import sklearn
from tqdm import tqdm

import moderation
from moderation.labels import LABELS
from moderation.model_file import save_model, set_current, sha256_file
from moderation.policy import DEFAULT_THRESHOLDS
from training.corpora import CORPORA, load_corpus
from training.dataset import (
    OWN_CORPUS, Dataset, assign_split, build_dataset, deduplicate, label_matrix, model_inputs, sample_weights,
)
from training.evaluate import baseline_table, per_corpus_metrics
from training.examples import TEST
from training.pipeline import DEFAULT_PARAMS, build_pipeline
from training.thresholds import choose_thresholds

__all__ = [
    "main", "train_pipeline", "evaluate_pipeline", "choose_on_validation", "fit_model", "Trained", "HeldBack",
    "select_corpora", "held_back", "make_card", "save_with_report", "add_common_arguments", "default_data_dir",
    "REPO_ROOT", "DEFAULT_SEED",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_ENV = "MODERATION_DATA_DIR"
DEFAULT_SEED = 13


def default_data_dir() -> Path | None:
    """MODERATION_DATA_DIR, else ../shared/datasets beside the repository, else None."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    candidate = REPO_ROOT.parent / "shared" / "datasets"
    return candidate if candidate.is_dir() else None


def _progress(enabled: bool):
    def wrap(iterable, **kwargs):
        return tqdm(iterable, disable=not enabled, file=sys.stderr, **kwargs)
    return wrap


def _prepare(examples, progress, desc: str):
    """Fold and match every row once, in chunks, so the long step shows a progress bar."""
    from moderation.features import prepare_batch

    inputs = model_inputs(examples)
    prepared = []
    chunk = 2000
    for start in progress(range(0, len(inputs), chunk), desc=desc, unit="chunk"):
        prepared.extend(prepare_batch(inputs[start:start + chunk]))
    return prepared


def train_pipeline(train_examples, seed: int = DEFAULT_SEED, params: dict | None = None, progress=_progress(False)):
    """Fit a fresh pipeline on `train_examples` (the same code path for every model we ship)."""
    pipeline = build_pipeline(params, seed=seed)
    prepared = _prepare(train_examples, progress, "preparing train")
    with tqdm(total=1, desc="fitting features and classifiers", disable=progress is None, file=sys.stderr) as bar:
        pipeline.fit(prepared, label_matrix(train_examples), classify__sample_weight=sample_weights(train_examples))
        bar.update(1)
    return pipeline


def predict(pipeline, examples, progress=_progress(False), desc: str = "preparing test"):
    """(prepared rows, probabilities) for `examples`; the prepared rows can be scored by other models too."""
    prepared = _prepare(examples, progress, desc)
    return prepared, pipeline.predict_proba(prepared)


def metrics_for(examples, probabilities, thresholds: dict[str, float]) -> dict:
    """Per-label, per-corpus metrics at `thresholds` and the baseline table."""
    if not examples:
        return {"per_corpus": {}, "baselines": []}
    return {
        "per_corpus": per_corpus_metrics(examples, probabilities, thresholds),
        "baselines": baseline_table(examples, probabilities),
    }


def evaluate_pipeline(pipeline, test_examples, thresholds=None, progress=_progress(False)) -> dict:
    """Per-label, per-corpus metrics and the baseline table on held-back examples."""
    thresholds = thresholds or {label: DEFAULT_THRESHOLDS[label].review for label in LABELS}
    if not test_examples:
        return {"per_corpus": {}, "baselines": []}
    _, probabilities = predict(pipeline, test_examples, progress)
    return metrics_for(test_examples, probabilities, thresholds)


def choose_on_validation(pipeline, validation, progress=_progress(False)):
    """Per-label thresholds from the validation split (defaults when there is none)."""
    if not validation:
        return dict(DEFAULT_THRESHOLDS), {"note": "no validation rows; default thresholds"}
    probabilities = pipeline.predict_proba(_prepare(validation, progress, "preparing validation"))
    return choose_thresholds(label_matrix(validation), probabilities, sample_weights(validation),
                             [e.corpus for e in validation])


@dataclass
class Trained:
    """A fitted pipeline with its thresholds and its held-back figures (and the rows behind them, for the report)."""

    pipeline: object
    thresholds: dict
    threshold_report: dict
    metrics: dict
    test: list
    prepared: list
    probabilities: np.ndarray


def fit_model(dataset: Dataset, test: list, seed: int = DEFAULT_SEED, params: dict | None = None,
              progress=_progress(False)) -> Trained:
    """Train on `dataset.train`, choose thresholds on `dataset.validation`, evaluate on `test`.

    `training.train` and `training.retrain` both build their models here, so a retrained model
    differs from a trained one only by its data.
    """
    pipeline = train_pipeline(dataset.train, seed, params, progress=progress)
    thresholds, threshold_report = choose_on_validation(pipeline, dataset.validation, progress)
    review = {label: t.review for label, t in thresholds.items()}
    if test:
        prepared, probabilities = predict(pipeline, test, progress)
    else:
        prepared, probabilities = [], np.zeros((0, len(LABELS)))
    return Trained(pipeline, thresholds, threshold_report, metrics_for(test, probabilities, review),
                   list(test), prepared, probabilities)


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _print_report(metrics: dict, dataset: Dataset, seconds: float) -> None:
    print(f"\nTrained on {len(dataset.train):,} rows ({len(dataset.validation):,} more chose the thresholds), "
          f"evaluated on {len(dataset.test):,} held-back rows "
          f"({dataset.duplicates_dropped:,} duplicates dropped) in {seconds:.0f} s\n")
    print(f"{'corpus':<34} {'label':<10} {'P':>6} {'R':>6} {'F1':>6} {'PR-AUC':>7} {'pos/rows':>13}")
    for corpus, by_label in metrics["per_corpus"].items():
        for label, m in by_label.items():
            print(f"{corpus:<34} {label:<10} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} "
                  f"{m.get('pr_auc', float('nan')):>7.3f} {m['support']:>6}/{m['rows']:<6}")
    print("\nPublished baselines next to ours (same test split unless noted):")
    for row in metrics["baselines"]:
        ours = "n/a" if row["ours"] is None else row["ours"]
        print(f"  {row['metric']:<58} published {row['published']:<6} ours {ours:<7} {row['note']}")


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """The data, output and seed options `training.train` and `training.retrain` share."""
    parser.add_argument("--data-dir", type=Path, default=None,
                        help=f"folder of public corpora (default: ${DATA_DIR_ENV} or ../shared/datasets)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "models", help="models folder (default: models/)")
    parser.add_argument("--own-dir", type=Path, default=REPO_ROOT / "datasets" / "own",
                        help="our hand-written examples (default: datasets/own)")
    parser.add_argument("--include-noncommercial", action="store_true",
                        help="also train on CC BY-NC-SA and research-only corpora (not for the shipped model)")
    parser.add_argument("--corpora", default=None, help="comma-separated corpus names (default: all allowed)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--version", default=None, help="model version name (default: UTC timestamp)")


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--make-current", action="store_true", help="point models/current at the new model")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def select_corpora(data_dir: Path | None, corpora: str | None, include_noncommercial: bool) -> tuple[Path, list[str]]:
    """(data dir, corpora present in it) from the options; ValueError with the message to print otherwise."""
    data_dir = data_dir or default_data_dir()
    if data_dir is None or not data_dir.is_dir():
        raise ValueError(f"data directory {data_dir or '(none)'} not found; pass --data-dir or set {DATA_DIR_ENV}")
    if corpora:
        names = [name.strip() for name in corpora.split(",") if name.strip()]
        unknown = [name for name in names if name not in CORPORA]
        if unknown:
            raise ValueError(f"unknown corpora {unknown}; known: {', '.join(sorted(CORPORA))}")
    else:
        names = [name for name, info in CORPORA.items() if info.commercial_ok or include_noncommercial]
    blocked = [name for name in names if not CORPORA[name].commercial_ok and not include_noncommercial]
    if blocked:
        raise ValueError(f"{blocked} are non-commercial or research-only; add --include-noncommercial")
    present = [name for name in names if (data_dir / name).is_dir()]
    missing = sorted(set(names) - set(present))
    if missing:
        print(f"warning: corpora missing from {data_dir}, skipped: {', '.join(missing)}", file=sys.stderr)
    return data_dir, present


@dataclass
class HeldBack:
    """The fixed training/validation/test rows for a seed, plus test rows of corpora not trained on."""

    dataset: Dataset
    extra_test: list
    eval_only: list[str]

    @property
    def test(self) -> list:
        return self.dataset.test + self.extra_test


def held_back(data_dir: Path, present: list[str], own_dir: Path | None, seed: int,
              progress=_progress(False)) -> HeldBack:
    """Build the dataset of `present` corpora; corpora not trained on (licence) still give honest test figures."""
    dataset = build_dataset(data_dir, present, own_dir, seed, progress)
    eval_only = [name for name in CORPORA if name not in present and (data_dir / name).is_dir()]
    extra_test = [e for name in eval_only for e in load_corpus(data_dir, name)]
    extra_test = [e for e in (assign_split(x, seed) for x in extra_test) if e.split == TEST]
    extra_test, _ = deduplicate(extra_test)
    return HeldBack(dataset, extra_test, eval_only)


def make_card(held: HeldBack, trained: Trained, *, data_dir: Path, present: list[str], own_dir: Path,
              seed: int, include_noncommercial: bool, params: dict | None, seconds: float) -> dict:
    """The model card: versions, data hashes, rows per corpus and split, thresholds, metrics."""
    dataset = held.dataset
    files = {}
    for name in present:
        for relative in CORPORA[name].files:
            files[f"{name}/{relative}"] = sha256_file(data_dir / name / relative)
    for path in sorted(own_dir.glob("*.jsonl")) if own_dir.is_dir() else []:
        files[f"{OWN_CORPUS}/{path.name}"] = sha256_file(path)
    thresholds = trained.thresholds
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "labels": list(LABELS),
        "thresholds": {label: thresholds[label].to_dict() for label in LABELS},
        "threshold_choice": trained.threshold_report,
        "seed": seed,
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in {**DEFAULT_PARAMS, **(params or {})}.items()},
        "git_commit": _git_commit(),
        "versions": {
            "moderation": moderation.__version__, "python": platform.python_version(),
            "scikit-learn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "joblib": joblib.__version__,
        },
        "training_data": {
            "include_noncommercial": include_noncommercial,
            "corpora": {
                name: {"licence": CORPORA[name].licence, "commercial_ok": CORPORA[name].commercial_ok,
                       "rows": dataset.rows_per_corpus.get(name, {}), "swap_rows": dataset.rows_per_corpus.get(name + "+swap", {})}
                for name in present
            },
            "own_examples": {"licence": "MIT (written for this project)", "rows": dataset.rows_per_corpus.get(OWN_CORPUS, {})},
            "evaluation_only": held.eval_only,
            "file_sha256": files,
            "duplicates_dropped": dataset.duplicates_dropped,
            "train_rows": len(dataset.train),
            "test_rows": len(dataset.test),
        },
        "metrics": trained.metrics,
        "training_seconds": round(seconds, 1),
    }


def save_with_report(trained: Trained, card: dict, out: Path, version: str, make_current: bool = False,
                     progress=_progress(False)) -> Path:
    """Save the model (never over another version), then write its report.html beside it."""
    from training.report import write_training_report  # matplotlib is only needed here

    target = save_model(trained.pipeline, card, out, version)
    if make_current:
        set_current(out, version)
    path = write_training_report(target, trained, models_dir=out, progress=progress)
    print(f"wrote {path}", file=sys.stderr)
    return target


def main(argv=None) -> int:
    args = _parse_args(argv)
    started = time.perf_counter()
    progress = _progress(not args.no_progress)
    try:
        data_dir, present = select_corpora(args.data_dir, args.corpora, args.include_noncommercial)
        held = held_back(data_dir, present, args.own_dir, args.seed, progress)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    dataset = held.dataset

    trained = fit_model(dataset, held.test, args.seed, progress=progress)
    thresholds = trained.thresholds
    seconds = time.perf_counter() - started
    _print_report(trained.metrics, dataset, seconds)
    print("\nThresholds chosen on the validation split: " + ", ".join(
        f"{label} review {t.review:.2f}" + (f" reject {t.reject:.2f}" if t.reject is not None else "")
        for label, t in thresholds.items()))

    version = args.version or datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    card = make_card(held, trained, data_dir=data_dir, present=present, own_dir=args.own_dir, seed=args.seed,
                     include_noncommercial=args.include_noncommercial, params=None, seconds=seconds)
    target = save_with_report(trained, card, args.out, version, args.make_current, progress)
    size = (target / "model.joblib").stat().st_size / 1e6
    print(f"\nsaved {target} ({size:.1f} MB){' and made it current' if args.make_current else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
