"""One self-contained HTML report per model: curves, calibration, confusion, tables, identity, worst errors.

    python -m training.report models/20261126-011820 [--data-dir DIR] [--out FILE] [--examples all]

Training and retraining write `models/<version>/report.html` themselves; this command writes it
for an existing model (model.joblib and card.json are only read). Plots are PNGs embedded as
base64, so the file opens anywhere, offline. The report sits beside the model in the
repository, so the "most wrong" examples quote only our own texts by default: rows of public
corpora (licences) and moderators' decisions (users' comments) are counted, not quoted, unless
`--examples all` writes a private copy elsewhere with `--out`.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import sys
from pathlib import Path

import numpy as np

from moderation.labels import LABELS
from moderation.model_file import CURRENT_FILE, ModelLoadError, atomic_write_text, read_card, resolve_model_dir
from training.dataset import OWN_CORPUS
from training.evaluate import BASELINES
from training.promote import (
    LOOKALIKE, OBFUSCATION, Check, EvaluationSets, ModelResult, compare, evaluate_model, evaluation_sets,
    fixture_examples, prepare_rows,
)
from training.train import DEFAULT_SEED, REPO_ROOT, _progress, default_data_dir

__all__ = ["render_report", "write_report", "write_training_report", "SECTIONS", "main"]

REPORT_FILE = "report.html"
# Our own texts may be quoted in a report that is committed; public rows and users' comments may not.
QUOTABLE = {OWN_CORPUS, OWN_CORPUS + "+swap", OBFUSCATION, LOOKALIKE}
WORST_SHOWN = 8
SECTIONS = {
    "summary": "Summary", "champion": "Challenger next to champion", "pr-curves": "Precision–recall curves",
    "calibration": "Calibration", "confusion": "Confusion matrices at the chosen thresholds",
    "per-corpus": "Per-corpus results", "baselines": "Published baselines", "fixtures": "Obfuscations and look-alikes",
    "identity": "Identity-term check", "most-wrong": "Most wrong examples",
}
STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d1d1f;
 max-width:1180px;margin:24px auto;padding:0 16px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:34px 0 8px;border-bottom:2px solid #e3e3e8;padding-bottom:4px}
p.meta{color:#555;margin:2px 0}nav a{margin-right:12px;font-size:14px}
table{border-collapse:collapse;margin:8px 0 14px;font-size:14px}th,td{border:1px solid #d6d6dc;padding:4px 8px;vertical-align:top}
th{background:#f3f3f6;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.text{max-width:640px;word-wrap:break-word}.ok{color:#11683a;font-weight:600}.fail{color:#b3261e;font-weight:700}
.worse{color:#b3261e}.better{color:#11683a}img{max-width:100%;border:1px solid #eee}.note{color:#555;font-size:14px}
"""


# --- plots ------------------------------------------------------------------------------------

def _png(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _known(examples, probabilities, label):
    j = LABELS.index(label)
    rows = [i for i, e in enumerate(examples) if label in e.labels]
    truth = np.array([examples[i].labels[label] for i in rows], dtype=int)
    return truth, probabilities[rows, j] if rows else np.zeros(0)


def _figures(examples, results: list[tuple[str, ModelResult]]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory only
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import average_precision_score, confusion_matrix, precision_recall_curve

    styles = [("-", "#1f5fbf"), ("--", "#c05a00")]
    drawn = list(zip(results, styles))[::-1]  # the champion first: this model's solid line stays on top
    images = {}
    figure, axes = plt.subplots(1, len(LABELS), figsize=(13, 4))
    for ax, label in zip(axes, LABELS):
        for (name, result), (line, colour) in drawn:
            truth, scores = _known(examples, result.probabilities, label)
            if truth.size == 0 or truth.min() == truth.max():
                continue
            precision, recall, _ = precision_recall_curve(truth, scores)
            ap = average_precision_score(truth, scores)
            ax.plot(recall, precision, line, color=colour, label=f"{name} (AP {ap:.3f})")
            threshold = result.thresholds[label].review
            predicted = scores >= threshold
            p = (truth[predicted] == 1).mean() if predicted.any() else 0.0
            r = predicted[truth == 1].mean()
            ax.plot([r], [p], "o", color=colour, markersize=8)
            ax.annotate(f"{threshold:.2f}", (r, p), textcoords="offset points", xytext=(6, -12), color=colour)
        ax.set(title=label, xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower left", fontsize=9)
    images["pr-curves"] = _png(figure)

    figure, axes = plt.subplots(1, len(LABELS), figsize=(13, 4))
    for ax, label in zip(axes, LABELS):
        ax.plot([0, 1], [0, 1], ":", color="#888", label="perfectly calibrated")
        for (name, result), (line, colour) in drawn:
            truth, scores = _known(examples, result.probabilities, label)
            if truth.size == 0 or truth.min() == truth.max():
                continue
            observed, predicted = calibration_curve(truth, scores, n_bins=10, strategy="quantile")
            ax.plot(predicted, observed, line + "o", color=colour, markersize=4, label=name)
        ax.set(title=label, xlabel="mean predicted score (deciles)", ylabel="share actually positive",
               xlim=(0, 1), ylim=(0, 1))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=9)
    images["calibration"] = _png(figure)

    name, result = results[0]
    figure, axes = plt.subplots(1, len(LABELS), figsize=(13, 3.6))
    for ax, label in zip(axes, LABELS):
        truth, scores = _known(examples, result.probabilities, label)
        threshold = result.thresholds[label].review
        matrix = confusion_matrix(truth, scores >= threshold, labels=[0, 1]) if truth.size else np.zeros((2, 2), int)
        ax.imshow(matrix, cmap="Blues")
        for (i, k), value in np.ndenumerate(matrix):
            share = value / max(1, matrix[i].sum())
            ax.text(k, i, f"{value:,}\n({share:.0%} of row)", ha="center", va="center",
                    color="white" if value > matrix.max() / 2 else "black", fontsize=11)
        ax.set(title=f"{label} at {threshold:.2f}", xticks=[0, 1], yticks=[0, 1],
               xticklabels=["not flagged", "flagged"], yticklabels=["truth: no", "truth: yes"])
    images["confusion"] = _png(figure)
    return images


# --- HTML -------------------------------------------------------------------------------------

def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _n(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else _e(value)


def _change(before, after) -> str:
    if before is None or after is None:
        return "<td class=n>–</td>"
    delta = after - before
    if abs(delta) < 0.0005:
        return "<td class=n>0.000</td>"
    return f"<td class='n {'better' if delta > 0 else 'worse'}'>{delta:+.3f}</td>"


def _table(headers: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _summary(card: dict, result: ModelResult, champion: ModelResult | None) -> str:
    rows = []
    for label in LABELS:
        m = result.per_corpus.get("all", {}).get(label)
        if m is None:
            continue
        t = result.thresholds[label]
        theirs = champion.per_corpus.get("all", {}).get(label) if champion else None
        rows.append(f"<tr><td>{_e(label)}</td><td class=n>{t.review:.2f}</td><td class=n>{_n(t.reject, 2)}</td>"
                    f"<td class=n>{_n(m['precision'])}</td><td class=n>{_n(m['recall'])}</td><td class=n><b>{_n(m['f1'])}</b></td>"
                    f"<td class=n>{_n(m.get('pr_auc'))}</td><td class=n>{m['support']:,} / {m['rows']:,}</td>"
                    f"<td class=n>{_n(theirs['f1'] if theirs else None)}</td>{_change(theirs['f1'] if theirs else None, m['f1'])}</tr>")
    data = card.get("training_data", {})
    decisions = data.get("decisions")
    lines = [
        f"Trained on {data.get('train_rows', 0):,} rows (seed {card.get('seed', DEFAULT_SEED)}), "
        f"corpora: {_e(', '.join(data.get('corpora', {})) or 'none')}; evaluation only: "
        f"{_e(', '.join(data.get('evaluation_only', [])) or 'none')}.",
    ]
    if decisions:
        lines.append(f"Moderators' decisions: {decisions.get('train', 0):,} trained on, {decisions.get('validation', 0):,} "
                     f"chose thresholds, {decisions.get('test', 0):,} newest (from {_e(decisions.get('test_from'))}) "
                     "evaluated on.")
    return ("".join(f"<p>{line}</p>" for line in lines)
            + "<p class=note>All held-back rows together (each corpus's test split, our own test rows"
            + (", the newest decisions" if decisions else "") + "), at this model's review thresholds.</p>"
            + _table(["label", "review at", "reject at", "precision", "recall", "F1", "PR-AUC", "positives / rows",
                      "champion F1", "change"], rows))


def _per_corpus(result: ModelResult, champion: ModelResult | None) -> str:
    rows = []
    for corpus, by_label in result.per_corpus.items():
        for label, m in by_label.items():
            theirs = champion.per_corpus.get(corpus, {}).get(label) if champion else None
            rows.append(f"<tr><td>{_e(corpus)}</td><td>{_e(label)}</td><td class=n>{_n(m['precision'])}</td>"
                        f"<td class=n>{_n(m['recall'])}</td><td class=n>{_n(m['f1'])}</td><td class=n>{_n(m.get('pr_auc'))}</td>"
                        f"<td class=n>{m['support']:,} / {m['rows']:,}</td><td class=n>{_n(theirs['f1'] if theirs else None)}</td>"
                        f"{_change(theirs['f1'] if theirs else None, m['f1'])}</tr>")
    return _table(["test split", "label", "precision", "recall", "F1", "PR-AUC", "positives / rows", "champion F1",
                   "change"], rows)


def _baselines(result: ModelResult, champion: ModelResult | None) -> str:
    theirs = {row["corpus"]: row["ours"] for row in champion.baselines} if champion else {}
    rows = []
    for row in result.baselines:
        rows.append(f"<tr><td>{_e(row['metric'])}</td><td class=n>{_n(row['published'], 3 if row['published'] < 10 else 2)}</td>"
                    f"<td class=n><b>{_n(row['ours'], 3 if (row['ours'] or 0) < 10 else 2)}</b></td>"
                    f"<td class=n>{_n(theirs.get(row['corpus']), 3 if (theirs.get(row['corpus']) or 0) < 10 else 2)}</td>"
                    f"<td class=note>{_e(row['note'])}</td></tr>")
    if not rows:
        rows = [f"<tr><td>{_e(what)}</td><td class=n>{published}</td><td class=n>–</td><td class=n>–</td>"
                "<td class=note>corpus not loaded</td></tr>" for what, published in BASELINES.values()]
    return ("<p class=note>Each figure computed as the baseline defines it, at threshold 0.5.</p>"
            + _table(["baseline", "published", "this model", "champion", "note"], rows))


def _checks(checks: list[Check], champion: ModelResult | None) -> str:
    if champion is None:
        intro = "<p>No champion to compare with (no models/current): only the absolute checks apply.</p>"
    else:
        intro = (f"<p>Champion: <b>{_e(champion.version)}</b>. These are the checks of "
                 "<code>python -m training.promote</code>, on the rows above.</p>")
    rows = [f"<tr><td>{_e(c.name)}</td><td class=n>{_n(c.champion)}</td><td class=n>{_n(c.challenger)}</td>"
            f"<td class={'ok' if c.passed else 'fail'}>{'ok' if c.passed else 'FAIL'}</td><td class=note>{_e(c.note)}</td></tr>"
            for c in checks]
    failed = sum(not c.passed for c in checks)
    verdict = (f"<p class=fail>The gate would refuse this model: {failed} check(s) fail.</p>" if failed
               else "<p class=ok>The gate would accept this model.</p>")
    return intro + verdict + _table(["check", "champion", "this model", "verdict", "note"], rows)


def _fixtures(result: ModelResult, champion: ModelResult | None) -> str:
    rows = []
    for name, rate, count, total in (("obfuscated swearing caught (recall)", "obfuscation_recall", "caught", "obfuscations"),
                                     ("innocent look-alikes flagged (false-positive rate)", "lookalike_fp_rate", "flagged", "lookalikes")):
        f = result.fixtures
        theirs = champion.fixtures[rate] if champion else None
        rows.append(f"<tr><td>{_e(name)}</td><td class=n>{_n(f[rate])}</td><td class=n>{f[count]} / {f[total]}</td>"
                    f"<td class=n>{_n(theirs)}</td></tr>")
    return ("<p class=note>tests/data/obfuscation_cases.jsonl: disguised spellings (bull$hit, f u c k, Cyrillic look-alikes) "
            "and innocent words that contain a swear-like string (Scunthorpe, Dick Van Dyke, \"kill time\").</p>"
            + _table(["fixture", "this model", "count", "champion"], rows))


def _identity(result: ModelResult, champion: ModelResult | None) -> str:
    report = result.identity
    theirs = {g.group: g for g in champion.identity.groups} if champion else {}
    failing = {f.split("'")[1] for f in report.failures}
    rows = []
    for g in report.groups:
        css = " class=fail" if g.group in failing else ""
        other = theirs.get(g.group)
        rows.append(f"<tr><td{css}>{_e(g.group)}</td><td class=n>{g.false_positives} / {g.neutral}</td>"
                    f"<td class=n>{g.fp_rate:.1%}</td><td class=n>{g.mean_score:.3f}</td>"
                    f"<td class=n>{g.caught} / {g.profane}</td><td class=n>{g.recall:.1%}</td>"
                    f"<td class=n>{'–' if other is None else f'{other.fp_rate:.1%}'}</td></tr>")
    verdict = ("<p class=ok>Passed: no group's false-positive rate exceeds the overall rate by more than "
               f"{report.margin:.0%}, and no group's recall falls short of the overall recall by more than that.</p>"
               if report.passed else "<p class=fail>Failed: " + _e("; ".join(report.failures)) + "</p>")
    return (f"<p>Neutral and profane templates from datasets/own/identity_terms.jsonl filled with each group, scored "
            f"for profanity at the review threshold {report.threshold:.2f}. Overall false-positive rate "
            f"<b>{report.overall_fp_rate:.1%}</b>, overall recall <b>{report.overall_recall:.1%}</b>.</p>" + verdict
            + _table(["group", "neutral flagged", "false-positive rate", "mean profanity score (neutral)",
                      "profane caught", "recall", "champion FP rate"], rows))


def _most_wrong(examples, result: ModelResult, quotable: set[str] | None) -> str:
    parts = []
    hidden: dict[str, int] = {}
    for label in LABELS:
        j = LABELS.index(label)
        threshold = result.thresholds[label].review
        errors = []
        for i, example in enumerate(examples):
            if label not in example.labels:
                continue
            truth, score = example.labels[label], float(result.probabilities[i, j])
            if (score >= threshold) != bool(truth):
                if quotable is not None and example.corpus not in quotable:
                    hidden[example.corpus] = hidden.get(example.corpus, 0) + 1
                    continue
                errors.append((abs(truth - score), truth, score, example))
        for truth_wanted, title in ((1, "missed (false negatives)"), (0, "wrongly flagged (false positives)")):
            chosen = sorted((e for e in errors if e[1] == truth_wanted), key=lambda e: -e[0])[:WORST_SHOWN]
            rows = [f"<tr><td class=n>{score:.3f}</td><td>{_e(example.corpus)}</td>"
                    f"<td>{_e(_kind(example))}</td>"
                    f"<td class=text>{_e(example.text[:300] + ('…' if len(example.text) > 300 else ''))}"
                    + (f"<br><span class=note>article: {_e(example.article_title[:120])}</span>" if example.article_title else "")
                    + "</td></tr>" for _, _, score, example in chosen]
            parts.append(f"<h3>{_e(label)}: {title}, threshold {threshold:.2f}</h3>"
                         + (_table(["score", "set", "kind", "text"], rows) if rows else "<p class=note>none among the quotable rows</p>"))
    note = ""
    if hidden:
        counted = ", ".join(f"{corpus} {count:,}" for corpus, count in sorted(hidden.items()))
        note = ("<p class=note>Only our own texts are quoted here (this file is kept beside the model). Errors on "
                f"public corpora and decisions, counted not quoted: {_e(counted)}. To read them, write a private copy: "
                "<code>python -m training.report MODEL_DIR --examples all --out /tmp/report.html</code>.</p>")
    return note + "".join(parts)


def _kind(example) -> str:
    if example.meta.get("swap"):
        return "moved under another article"
    return example.meta.get("kind") or example.meta.get("why") or example.meta.get("reason") or ""


def render_report(card: dict, sets: EvaluationSets, result: ModelResult, champion: ModelResult | None,
                  checks: list[Check], quotable: set[str] | None = QUOTABLE) -> str:
    """The whole report as one HTML string (every text escaped, every image inline)."""
    examples = sets.judged
    results = [(result.version, result)] + ([(f"champion {champion.version}", champion)] if champion else [])
    images = _figures(examples, results)
    version = card.get("version", result.version)
    body = {
        "summary": _summary(card, result, champion),
        "champion": _checks(checks, champion),
        "pr-curves": (f"<p class=note>Solid: this model; dashed: the champion. Dots mark each model's review threshold.</p>"
                      f"<img alt='precision-recall curves per label' src='{images['pr-curves']}'>"),
        "calibration": ("<p class=note>Rows sorted by score into ten equal groups: a calibrated model's points lie on "
                        f"the dotted diagonal.</p><img alt='calibration plots per label' src='{images['calibration']}'>"),
        "confusion": ("<p class=note>All held-back rows that know the label, at this model's review threshold.</p>"
                      f"<img alt='confusion matrices per label' src='{images['confusion']}'>"),
        "per-corpus": _per_corpus(result, champion),
        "baselines": _baselines(result, champion),
        "fixtures": _fixtures(result, champion),
        "identity": _identity(result, champion),
        "most-wrong": _most_wrong(examples + sets.fixtures,
                                  _with_fixture_rows(result), quotable),
    }
    nav = "".join(f"<a href='#{key}'>{_e(title)}</a>" for key, title in SECTIONS.items())
    notes = "".join(f"<p class=note>Note: {_e(note)}</p>" for note in sets.notes)
    sections = "".join(f"<section id='{key}'><h2>{_e(title)}</h2>{body[key]}</section>" for key, title in SECTIONS.items())
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Model report {_e(version)}</title>"
            f"<meta name=viewport content='width=device-width, initial-scale=1'><style>{STYLE}</style></head><body>"
            f"<h1>Model report {_e(version)}</h1>"
            f"<p class=meta>created {_e(card.get('created', '?'))} · git {_e(str(card.get('git_commit', '?'))[:12])} · "
            f"scikit-learn {_e(card.get('versions', {}).get('scikit-learn', '?'))} · {len(examples):,} held-back rows, "
            f"{len(sets.fixtures)} fixtures</p>{notes}<nav>{nav}</nav>{sections}</body></html>")


def _with_fixture_rows(result: ModelResult) -> ModelResult:
    """The result with fixture probabilities appended, so the worst-errors list can include fixtures."""
    from dataclasses import replace

    return replace(result, probabilities=np.vstack([result.probabilities, result.fixture_probabilities])
                   if len(result.fixture_probabilities) else result.probabilities)


def write_report(path: Path, text: str) -> Path:
    """Write atomically (readable by the service's user too)."""
    atomic_write_text(Path(path), text)
    return Path(path)


def _champion(models_dir: Path | None, exclude: str):
    """The model in models_dir/current (None when there is none, it is `exclude`, or it cannot be loaded)."""
    from moderation import Moderator

    if models_dir is None or not (Path(models_dir) / CURRENT_FILE).is_file():
        return None
    version = (Path(models_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    if version == exclude:
        return None
    try:
        return Moderator.load(Path(models_dir) / version)
    except ModelLoadError as error:
        print(f"warning: champion {version} not compared: {error}", file=sys.stderr)
        return None


def write_training_report(model_dir: Path, trained, models_dir: Path | None = None, progress=_progress(False)) -> Path:
    """The report of a model just trained: its held-back rows, fixtures, identity check, the champion beside it."""
    from moderation import Moderator

    card = read_card(model_dir)
    moderator = Moderator(pipeline=trained.pipeline, card=card, thresholds=dict(trained.thresholds))
    sets = EvaluationSets(held_back=list(trained.test), fixtures=fixture_examples(), seed=card.get("seed", DEFAULT_SEED))
    prepared_fixtures = prepare_rows(sets.fixtures)
    result = evaluate_model(moderator, sets, trained.prepared, prepared_fixtures)
    champion_model = _champion(models_dir, card.get("version", ""))
    champion = evaluate_model(champion_model, sets, trained.prepared, prepared_fixtures) if champion_model else None
    return write_report(Path(model_dir) / REPORT_FILE, render_report(card, sets, result, champion, compare(champion, result)))


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m training.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", type=Path, help="a model version folder (or a models folder with current)")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--own-dir", type=Path, default=REPO_ROOT / "datasets" / "own")
    parser.add_argument("--champion", type=Path, default=None,
                        help="models folder whose current model is shown beside this one (default: the model's own folder)")
    parser.add_argument("--out", type=Path, default=None, help="write here instead of MODEL_DIR/report.html")
    parser.add_argument("--examples", choices=("own", "all"), default="own",
                        help="quote only our own texts (default) or every set; 'all' needs --out outside the models folder")
    parser.add_argument("--quick", type=int, nargs="?", const=300, default=0, help="sample held-back rows per corpus")
    parser.add_argument("--no-progress", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    from moderation import Moderator

    args = _parse_args(argv)
    progress = _progress(not args.no_progress)
    try:
        model_dir = resolve_model_dir(args.model_dir)
        moderator = Moderator.load(model_dir)
    except ModelLoadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = args.out or model_dir / REPORT_FILE
    if args.examples == "all" and out.resolve().parent == model_dir.resolve():
        print("error: --examples all quotes public rows and users' comments: write it elsewhere with --out",
              file=sys.stderr)
        return 2
    card = moderator.card
    sets = evaluation_sets(args.data_dir or default_data_dir(), args.own_dir, card.get("seed", DEFAULT_SEED),
                           quick=args.quick, progress=progress)
    prepared = prepare_rows(sets.judged, progress)
    prepared_fixtures = prepare_rows(sets.fixtures, progress, "preparing fixtures")
    result = evaluate_model(moderator, sets, prepared, prepared_fixtures)
    champion_model = _champion(args.champion or model_dir.parent, moderator.model_version)
    champion = evaluate_model(champion_model, sets, prepared, prepared_fixtures) if champion_model else None
    text = render_report(card, sets, result, champion, compare(champion, result),
                         None if args.examples == "all" else QUOTABLE)
    print(f"wrote {write_report(out, text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
