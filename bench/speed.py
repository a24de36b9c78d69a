"""How fast is it on one core? Our profanity check against two peers, then full scoring.

In one run, on the same comments:
  (a) the profanity check alone, one comment at a time: ours (normalize + tokens +
      find_profanity), better-profanity 0.7.0 `Profanity().contains_profanity`, and
      alt-profanity-check `predict_prob` (also batched, for reference);
  (b) full scoring with our Moderator: batched throughput (`score_many`) and single-comment
      latency (`score`, median and p99).
It prints a markdown table with the figures, the ratios and PASS/MISS against the targets.

    python bench/speed.py [--model DIR] [--quick] [--json PATH] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from importlib import metadata

from _corpus import add_repo_to_path, fixed_comments, load_model, one_core, write_json

add_repo_to_path()

TARGET_PROFANITY_SPEEDUP = 100.0   # ours vs better-profanity, per comment
TARGET_BATCH_RATE = 10_000.0       # comments/s with score_many on one core
TARGET_SINGLE_MS = 1.0             # median ms for score() on one comment

# Seconds spent on each measurement by default; --quick scales them down.
BUDGETS = {"ours": 2.0, "better_profanity": 8.0, "alt_per_comment": 4.0, "alt_batched": 1.5,
           "score_many": 10.0, "score": 8.0}
QUICK_SCALE = 0.2


def per_call(fn, items, budget: float) -> list[float]:
    """Seconds per call of fn(item): whole passes over `items` until `budget` seconds are spent."""
    for item in items[:5]:
        fn(item)  # warm caches (lexicon, folded characters) outside the clock
    times: list[float] = []
    clock = time.perf_counter
    spent = 0.0
    while spent < budget or not times:
        for item in items:
            start = clock()
            fn(item)
            times.append(clock() - start)
        spent = sum(times)
    return times


def batched_rate(fn, batch, budget: float) -> tuple[float, int]:
    """(items per second, batches run) for fn(batch) repeated until `budget` seconds are spent."""
    fn(batch)  # warm-up
    runs, spent = 0, 0.0
    while spent < budget or runs < 2:
        start = time.perf_counter()
        fn(batch)
        spent += time.perf_counter() - start
        runs += 1
    return runs * len(batch) / spent, runs


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def extra_comments(data_dir: str, limit: int) -> list[tuple[str, object]]:
    """Up to `limit` real comments (Fox News with their article, OLID test tweets) read at run time."""
    import random
    from pathlib import Path

    from moderation import Article
    from training.corpora import load_corpus

    rows = []
    for name in ("fox_news_hate_comments", "olid_offenseval2019"):
        try:
            rows.extend(load_corpus(Path(data_dir), name))
        except (FileNotFoundError, KeyError) as error:
            print(f"note: skipping {name}: {error}", file=sys.stderr)
    rows = [r for r in rows if r.corpus != "olid_offenseval2019" or r.split == "test"]
    rows = random.Random(13).sample(rows, min(limit, len(rows)))
    return [(r.text, Article(r.article_title, r.article_body) if r.has_article else None) for r in rows]


REAL_PASS_CORPORA = ("fox_news_hate_comments", "olid_offenseval2019", "davidson_hate_offensive", "semeval2016_task3_cqa")


def real_comments(data_dir: str, limit: int) -> list[tuple[str, object]]:
    """Up to `limit` distinct real comments (news, tweets, forum answers with their question), seeded sample."""
    import random
    from pathlib import Path

    from moderation import Article
    from training.corpora import load_corpus

    rows, seen = [], set()
    for name in REAL_PASS_CORPORA:
        try:
            loaded = load_corpus(Path(data_dir), name)
        except (FileNotFoundError, KeyError) as error:
            print(f"note: skipping {name}: {error}", file=sys.stderr)
            continue
        for row in loaded:
            if row.text not in seen:
                seen.add(row.text)
                rows.append(row)
    rows = random.Random(29).sample(rows, min(limit, len(rows)))
    return [(r.text, Article(r.article_title, r.article_body) if r.has_article else None) for r in rows]


def one_pass_rate(fn, pairs, batch_size: int) -> float:
    """Comments/s for one pass over `pairs` in batches: every comment new, word caches cold at the start."""
    started = time.perf_counter()
    for start in range(0, len(pairs), batch_size):
        fn(pairs[start:start + batch_size])
    return len(pairs) / (time.perf_counter() - started)


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory (default: the shipped model, models/current)")
    parser.add_argument("--quick", action="store_true", help="about 10 s instead of about 45 s")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    parser.add_argument("--batch-size", type=int, default=1000, help="comments per score_many call (1000)")
    parser.add_argument("--cpu", type=int, default=0, help="the core to pin to (0)")
    parser.add_argument("--data-dir", help="also time up to --extra real comments read from the public corpora here")
    parser.add_argument("--extra", type=int, default=200, help="real comments added with --data-dir (200; better-profanity needs ~20 ms each)")
    parser.add_argument("--real-pass", type=int, default=10_000,
                        help="with --data-dir: also score this many distinct real comments once each (10,000)")
    args = parser.parse_args(argv)

    pinning = one_core(args.cpu)  # before numpy is imported (below, through the libraries)
    scale = QUICK_SCALE if args.quick else 1.0
    budget = {name: seconds * scale for name, seconds in BUDGETS.items()}

    moderator = load_model(args.model)  # first, so a missing model fails before the timings
    pairs = fixed_comments()
    source = f"{len(pairs)} fixed hand-written comments (bench/_corpus.py)"
    if args.data_dir:
        extra = extra_comments(args.data_dir, args.extra)
        pairs += extra
        source += f" + {len(extra)} read from {args.data_dir}"
    texts = [text for text, _ in pairs]

    from better_profanity import Profanity

    from moderation.normalize import normalize, tokens
    from moderation.profanity import find_profanity

    with warnings.catch_warnings():
        # alt-profanity-check unpickles its model at import time and may warn about it.
        warnings.simplefilter("ignore")
        from profanity_check import predict_prob

    better = Profanity()  # our own instance: the module-level one is global, mutable state
    better.load_censor_words()

    def ours(text: str) -> bool:
        folded = normalize(text)
        return bool(find_profanity(folded, tokens(folded)))

    started = time.perf_counter()
    print(f"timing on {source}; {pinning}; threads=1", file=sys.stderr)
    ours_times = per_call(ours, texts, budget["ours"])
    better_times = per_call(better.contains_profanity, texts, budget["better_profanity"])
    alt_times = per_call(lambda text: predict_prob([text]), texts, budget["alt_per_comment"])
    alt_rate, _ = batched_rate(predict_prob, texts, budget["alt_batched"])

    batch = [pairs[i % len(pairs)] for i in range(args.batch_size)]
    batch_rate, batches = batched_rate(moderator.score_many, batch, budget["score_many"])
    single_times = per_call(lambda pair: moderator.score(*pair), pairs, budget["score"])
    real = real_comments(args.data_dir, args.real_pass) if args.data_dir and args.real_pass > 0 else []
    real_rate = one_pass_rate(moderator.score_many, real, args.batch_size) if real else None
    elapsed = time.perf_counter() - started

    def mean_us(times):
        return 1e6 * statistics.fmean(times)

    figures = {
        "profanity_check": {
            "ours": {"mean_us": mean_us(ours_times), "median_us": 1e6 * statistics.median(ours_times), "calls": len(ours_times)},
            "better_profanity": {"mean_us": mean_us(better_times), "median_us": 1e6 * statistics.median(better_times), "calls": len(better_times)},
            "alt_profanity_check": {"mean_us": mean_us(alt_times), "median_us": 1e6 * statistics.median(alt_times), "calls": len(alt_times)},
            "alt_profanity_check_batched": {"mean_us": 1e6 / alt_rate, "comments_per_s": alt_rate},
        },
        "scoring": {
            "batched_comments_per_s": batch_rate, "batch_size": args.batch_size, "batches": batches,
            "single_median_ms": 1e3 * statistics.median(single_times),
            "single_p99_ms": 1e3 * percentile(single_times, 0.99),
            "single_calls": len(single_times),
            "real_one_pass_comments_per_s": real_rate, "real_one_pass_comments": len(real),
        },
    }
    speedup_better = figures["profanity_check"]["better_profanity"]["mean_us"] / figures["profanity_check"]["ours"]["mean_us"]
    speedup_alt = figures["profanity_check"]["alt_profanity_check"]["mean_us"] / figures["profanity_check"]["ours"]["mean_us"]
    speedup_alt_batched = figures["profanity_check"]["alt_profanity_check_batched"]["mean_us"] / figures["profanity_check"]["ours"]["mean_us"]
    targets = [
        ("profanity check >= 100x faster than better-profanity per comment",
         f"{speedup_better:,.0f}x", speedup_better >= TARGET_PROFANITY_SPEEDUP),
        ("full scoring >= 10,000 comments/s batched, one core",
         f"{batch_rate:,.0f}/s", batch_rate >= TARGET_BATCH_RATE),
    ] + ([
        (f"the same, one pass over {len(real):,} distinct real comments (cold word caches)",
         f"{real_rate:,.0f}/s", real_rate >= TARGET_BATCH_RATE),
    ] if real else []) + [
        ("full scoring <= 1 ms for a single comment (median)",
         f"{figures['scoring']['single_median_ms']:.2f} ms", figures["scoring"]["single_median_ms"] <= TARGET_SINGLE_MS),
    ]

    pc = figures["profanity_check"]
    print()
    print("| Profanity check, one comment per call | mean µs/comment | median µs | ours is |")
    print("|---|---:|---:|---:|")
    print(f"| ours (normalize + tokens + find_profanity) | {pc['ours']['mean_us']:,.1f} | {pc['ours']['median_us']:,.1f} | — |")
    print(f"| better-profanity {version('better-profanity')} `contains_profanity` | {pc['better_profanity']['mean_us']:,.1f} | "
          f"{pc['better_profanity']['median_us']:,.1f} | {speedup_better:,.0f}× faster |")
    print(f"| alt-profanity-check {version('alt-profanity-check')} `predict_prob([text])` | {pc['alt_profanity_check']['mean_us']:,.1f} | "
          f"{pc['alt_profanity_check']['median_us']:,.1f} | {speedup_alt:,.0f}× faster |")
    print(f"| alt-profanity-check, whole set in one `predict_prob` call | {pc['alt_profanity_check_batched']['mean_us']:,.1f} | — | "
          f"{speedup_alt_batched:,.1f}× faster |")
    print()
    sc = figures["scoring"]
    print("| Full scoring with our Moderator | figure |")
    print("|---|---:|")
    print(f"| `score_many`, batches of {args.batch_size:,} | {batch_rate:,.0f} comments/s |")
    if real:
        print(f"| `score_many`, one pass over {len(real):,} distinct real comments ({', '.join(REAL_PASS_CORPORA)}) "
              f"| {real_rate:,.0f} comments/s |")
    print(f"| `score`, one comment: median | {sc['single_median_ms']:.3f} ms |")
    print(f"| `score`, one comment: p99 | {sc['single_p99_ms']:.3f} ms |")
    print()
    print("| Target | measured | |")
    print("|---|---:|---|")
    for name, measured, passed in targets:
        print(f"| {name} | {measured} | {'PASS' if passed else 'MISS'} |")
    print()
    print(f"model {moderator.model_version} ({args.model or 'shipped default'}); {source}; {pinning}; "
          f"{os.cpu_count()} CPUs on the machine; Python {platform.python_version()}; measured in {elapsed:.0f} s")
    print("command: python bench/speed.py " + " ".join(sys.argv[1:] if argv is None else argv))

    if args.json:
        report = {
            "figures": figures,
            "ratios": {"ours_vs_better_profanity": speedup_better, "ours_vs_alt_profanity_check": speedup_alt,
                       "ours_vs_alt_profanity_check_batched": speedup_alt_batched},
            "targets": [{"target": name, "measured": measured, "pass": passed} for name, measured, passed in targets],
            "setup": {
                "comments": source, "pinning": pinning, "cpu_count": os.cpu_count(), "threads": 1,
                "python": platform.python_version(), "platform": platform.platform(),
                "model": args.model or "shipped default", "model_version": moderator.model_version,
                "quick": args.quick, "seconds": elapsed,
                "versions": {p: version(p) for p in ("scikit-learn", "numpy", "better-profanity", "alt-profanity-check")},
            },
        }
        write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
