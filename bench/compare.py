"""Who catches profanity best? Our model, better-profanity and alt-profanity-check on the same data.

In one run, on the same rows:
  (i)  the public test splits of three profanity corpora, read at run time from the data dir:
       OLID (official test), Davidson and Fox News (the trainer's seeded split, seed 13), with
       exact duplicates removed the way the trainer removes them;
  (ii) the obfuscation and look-alike fixture `tests/data/obfuscation_cases.jsonl`: recall on
       the disguised swearing and false-positive rate on the innocent look-alikes, separately.
For each system it prints precision, recall, F1 and comments/second (one core) as a markdown
table, plus the exact command. Our model flags profanity at its review threshold; our
lexicon matcher alone is shown too, to separate the model from the word list.

    python bench/compare.py [--model DIR] [--data-dir DIR] [--limit N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import sys
import time
import warnings
from pathlib import Path

from _corpus import REPO, add_repo_to_path, load_model, one_core, resolve_data_dir, write_json

add_repo_to_path()

SEED = 13  # the trainer's default seed: the same rows are test rows here and there
CORPORA = ("olid_offenseval2019", "davidson_hate_offensive", "fox_news_hate_comments")
FIXTURE = REPO / "tests" / "data" / "obfuscation_cases.jsonl"
BATCH = 1000


def test_rows(data_dir: Path, limit: int) -> dict[str, list]:
    """The test rows of each profanity corpus: official or seeded split, duplicates dropped."""
    from moderation.labels import PROFANITY
    from training.corpora import load_corpus
    from training.dataset import assign_split, deduplicate

    found = {}
    for name in CORPORA:
        try:
            rows = load_corpus(data_dir, name)
        except (FileNotFoundError, KeyError) as error:
            print(f"note: skipping {name}: {error}", file=sys.stderr)
            continue
        rows = [r for r in (assign_split(r, SEED) for r in rows) if r.split == "test" and PROFANITY in r.labels]
        rows, _ = deduplicate(rows)
        if not rows:
            # Fox News has 10 articles and the split keeps each article whole on one side.
            print(f"note: skipping {name}: no test rows under the trainer's split (seed {SEED})", file=sys.stderr)
            continue
        if limit and len(rows) > limit:
            rows = random.Random(f"{SEED}:{name}").sample(rows, limit)
        found[name] = rows
    return found


def fixture_rows(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                row = json.loads(line)
                if not isinstance(row.get("text"), str) or not isinstance(row.get("expect_profane"), bool):
                    sys.exit(f"{path}:{number}: expected a string 'text' and a boolean 'expect_profane'")
                rows.append(row)
    return rows


def make_systems(moderator):
    """name -> predict(list of (text, Article or None)) -> list of bools. Each keeps its own state."""
    from better_profanity import Profanity

    from moderation.labels import PROFANITY
    from moderation.normalize import normalize, tokens
    from moderation.profanity import find_profanity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it unpickles its model at import time and may warn
        from profanity_check import predict_prob

    better = Profanity()  # our own instance, never the global module-level one
    better.load_censor_words()
    review = moderator.thresholds[PROFANITY].review

    def ours(pairs):
        flagged = []
        for start in range(0, len(pairs), BATCH):
            verdicts = moderator.score_many(pairs[start:start + BATCH])
            flagged.extend(v.scores[PROFANITY] >= review for v in verdicts)
        return flagged

    def matcher(pairs):
        flagged = []
        for text, _ in pairs:
            folded = normalize(text)
            flagged.append(bool(find_profanity(folded, tokens(folded))))
        return flagged

    def better_profanity(pairs):
        return [better.contains_profanity(text) for text, _ in pairs]

    def alt_profanity_check(pairs):
        return [bool(p >= 0.5) for p in predict_prob([text for text, _ in pairs])]

    return {
        f"ours: model {moderator.model_version}, profanity >= {review:g}": ours,
        "ours: lexicon matcher only": matcher,
        "better-profanity 0.7.0": better_profanity,
        "alt-profanity-check 1.9.1": alt_profanity_check,
    }


def run(predict, pairs) -> tuple[list[bool], float]:
    predict(pairs[:5])  # warm-up (lazy lexicon, caches) outside the clock
    start = time.perf_counter()
    flagged = predict(pairs)
    return flagged, time.perf_counter() - start


def metrics(truth: list[bool], flagged: list[bool], seconds: float) -> dict:
    tp = sum(t and f for t, f in zip(truth, flagged))
    fp = sum(f and not t for t, f in zip(truth, flagged))
    fn = sum(t and not f for t, f in zip(truth, flagged))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"rows": len(truth), "positives": sum(truth), "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1,
            "seconds": seconds, "comments_per_s": len(truth) / seconds if seconds else float("inf")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory (default: the shipped model, models/current)")
    parser.add_argument("--data-dir", help="public corpora (default: $MODERATION_DATA_DIR, else ../shared/datasets)")
    parser.add_argument("--fixture", default=str(FIXTURE), help="obfuscation/look-alike cases (JSONL: text, expect_profane)")
    parser.add_argument("--limit", type=int, default=0, help="at most N test rows per corpus, seeded sample (0 = all)")
    parser.add_argument("--quick", action="store_true", help="same as --limit 300")
    parser.add_argument("--show-errors", action="store_true", help="list the fixture cases each system gets wrong")
    parser.add_argument("--cpu", type=int, default=0, help="the core to pin to (0)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    command = "python bench/compare.py" + ("" if not (argv or sys.argv[1:]) else " " + shlex.join(argv if argv is not None else sys.argv[1:]))
    limit = args.limit or (300 if args.quick else 0)

    pinning = one_core(args.cpu)  # before numpy is imported (below, through the libraries)
    from moderation import Article

    moderator = load_model(args.model)
    systems = make_systems(moderator)
    started = time.perf_counter()

    datasets: dict[str, tuple[list, list[bool]]] = {}
    data_dir = resolve_data_dir(args.data_dir)
    if data_dir is None:
        where = f"--data-dir {args.data_dir} not found" if args.data_dir else "no data dir (MODERATION_DATA_DIR or ../shared/datasets)"
        print(f"note: {where}: skipping the public test splits", file=sys.stderr)
    else:
        for name, rows in test_rows(data_dir, limit).items():
            pairs = [(r.text, Article(r.article_title, r.article_body) if r.has_article else None) for r in rows]
            datasets[name] = (pairs, [bool(r.labels["profanity"]) for r in rows])

    fixture_path = Path(args.fixture)
    cases = fixture_rows(fixture_path) if fixture_path.is_file() else []
    if not cases:
        print(f"note: no fixture at {fixture_path}: skipping the obfuscation cases", file=sys.stderr)
    if not datasets and not cases:
        print("nothing to compare: give --data-dir and/or --fixture", file=sys.stderr)
        return 1

    results: dict[str, dict[str, dict]] = {}
    fixture_results: dict[str, dict] = {}
    errors: dict[str, list[dict]] = {}
    for system, predict in systems.items():
        print(f"running {system} ...", file=sys.stderr)
        pooled_truth, pooled_flags, pooled_seconds = [], [], 0.0
        for name, (pairs, truth) in datasets.items():
            flagged, seconds = run(predict, pairs)
            results.setdefault(name, {})[system] = metrics(truth, flagged, seconds)
            pooled_truth += truth
            pooled_flags += flagged
            pooled_seconds += seconds
        if len(datasets) > 1:
            results.setdefault(f"pooled, {len(datasets)} corpora", {})[system] = metrics(pooled_truth, pooled_flags, pooled_seconds)
        if cases:
            flagged, seconds = run(predict, [(c["text"], None) for c in cases])
            positives = [f for c, f in zip(cases, flagged) if c["expect_profane"]]
            lookalikes = [f for c, f in zip(cases, flagged) if not c["expect_profane"]]
            fixture_results[system] = {
                "obfuscated": len(positives), "caught": sum(positives),
                "recall": sum(positives) / len(positives) if positives else None,
                "lookalikes": len(lookalikes), "false_positives": sum(lookalikes),
                "false_positive_rate": sum(lookalikes) / len(lookalikes) if lookalikes else None,
                "comments_per_s": len(cases) / seconds if seconds else float("inf"),
            }
            errors[system] = [c for c, f in zip(cases, flagged) if f != c["expect_profane"]]
    elapsed = time.perf_counter() - started

    if results:
        print()
        print("| Test split (rows, profane) | System | Precision | Recall | F1 | Comments/s |")
        print("|---|---|---:|---:|---:|---:|")
        for name, by_system in results.items():
            for system, m in by_system.items():
                print(f"| {name} ({m['rows']:,}, {m['positives']:,}) | {system} | {m['precision']:.3f} | "
                      f"{m['recall']:.3f} | {m['f1']:.3f} | {m['comments_per_s']:,.0f} |")
        if "davidson_hate_offensive" in results:
            print()
            print("alt-profanity-check was trained on the whole Davidson corpus (its README), test rows included: "
                  "its Davidson figures are not held-out.")
    if fixture_results:
        first = next(iter(fixture_results.values()))
        print()
        print(f"| Obfuscation fixture | Recall on obfuscated ({first['obfuscated']}) | "
              f"False positives on look-alikes ({first['lookalikes']}) | Comments/s |")
        print("|---|---:|---:|---:|")
        for system, f in fixture_results.items():
            recall = "—" if f["recall"] is None else f"{f['recall']:.3f} ({f['caught']})"
            fpr = "—" if f["false_positive_rate"] is None else f"{f['false_positive_rate']:.3f} ({f['false_positives']})"
            print(f"| {system} | {recall} | {fpr} | {f['comments_per_s']:,.0f} |")
    if args.show_errors:
        for system, wrong in errors.items():
            print(f"\n{system}: {len(wrong)} fixture case(s) wrong")
            for case in wrong:
                kind = "missed" if case["expect_profane"] else "false alarm"
                print(f"  {kind}: {case['text']!r}" + (f"  ({case['why']})" if case.get("why") else ""))
    print()
    split_note = "" if not limit else f"; at most {limit} rows per corpus (seeded sample)"
    print(f"Data: {data_dir or 'none'}{split_note}; fixture: {fixture_path if cases else 'none'}; {pinning}; "
          f"{os.cpu_count()} CPUs on the machine; ran in {elapsed:.0f} s")
    print(f"Command: `{command}`")

    if args.json:
        report = {"command": command, "data_dir": str(data_dir) if data_dir else None, "limit": limit,
                  "fixture": str(fixture_path) if cases else None, "pinning": pinning, "seconds": elapsed,
                  "model_version": moderator.model_version, "test_splits": results, "fixture_results": fixture_results}
        write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
