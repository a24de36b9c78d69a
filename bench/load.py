"""Bounded load test: gunicorn on 127.0.0.1, a mix of valid, batch and invalid requests, worker memory before/after.

    .venv/bin/python bench/load.py [--duration 20] [--clients 2] [--workers 2] [--short] [--json out.json]

Starts `gunicorn -w N 'service:create_app()'` (the shipped model, SQLite WAL in a temporary folder) on a free
loopback port, warms it up, reads each worker's resident memory, drives it with closed-loop client processes
for a fixed time, reads the memory again and stops it. The mix per ten requests: six single comments (some
flagged, queued durably), one batch of ten, one repeat of an id already sent (idempotent), one invalid request
(bad JSON, wrong content type, missing field, batch too large, unknown article, wrong key, duplicate keys,
deep nesting, a declared 100 MB body) and one GET /v1/decisions with the key in the query string.

Passes (exit 0) when no answer is a 5xx, every answer has the status its kind expects, every worker grows by
at most --memory-bound-mb, and the access log never shows the API key. Only 127.0.0.1 is used; every loop is
bounded by --duration (at most 120 s).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from _servers import HOST, free_port, stop, wait_ready  # noqa: E402
API_KEY = "load-key-0123456789abcdef"

CLEAN = [
    "Thanks for the clear explanation of the budget vote, very helpful.",
    "The council should have published these numbers months ago.",
    "Interesting piece, though the second chart seems to contradict the text.",
    "Schools get more money, which is good, but transport loses out again.",
]
FLAGGED = [
    "This is bull$hit and the mayor knows it.",
    "Oh great, another tax increase. What a shock. /s",
    "Buy cheap followers now at example dot com!!!",
]
ARTICLE = {"id": "load-article", "title": "City council passes the budget",
           "body": "The council voted on the city budget for next year, including transport and schools."}

# (name, method, path, body bytes, content type, expected status); the API key is added unless noted.
INVALID = [
    ("bad_json", "POST", "/v1/score", b'{"id": "x", "text": ', "application/json", 400),
    ("wrong_content_type", "POST", "/v1/score", b'{"id": "x", "text": "hi"}', "text/plain", 415),
    ("missing_text", "POST", "/v1/score", b'{"id": "x"}', "application/json", 400),
    ("batch_too_large", "POST", "/v1/score:batch",
     json.dumps({"comments": [{"id": str(i), "text": "x"} for i in range(101)]}).encode(), "application/json", 400),
    ("unknown_article", "POST", "/v1/score", b'{"id": "x", "text": "hi", "article": {"id": "nope"}}',
     "application/json", 404),
    ("wrong_key", "POST", "/v1/score", b'{"id": "x", "text": "hi"}', "application/json", 401),
    ("duplicate_keys", "POST", "/v1/score", b'{"id": "x", "text": "hi", "text": "ho"}', "application/json", 400),
    ("deep_json", "POST", "/v1/score", b"[" * 50_000 + b"]" * 50_000, "application/json", 400),
    ("declared_100MB", "POST", "/v1/score", b"{}", "application/json", 413),
]




def start_gunicorn(port: int, workers: int, env: dict[str, str], access_log: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}", "--pythonpath", ROOT,
               "--log-level", "warning", "--access-logfile", access_log, "service:create_app()"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)






def worker_pids(master: int) -> list[int]:
    """The master's children (gunicorn workers), from /proc."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry))
    return sorted(pids)


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def request(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def comment(client_id: int, n: int, text: str) -> dict:
    return {"id": f"load-{client_id}-{n}-{time.time_ns()}", "text": text, "article": {"id": ARTICLE["id"]},
            "author": f"user{n % 50}"}


def client_loop(args: tuple) -> dict:
    """One closed-loop client until the deadline: per kind, latencies (s), statuses seen, unexpected answers."""
    port, deadline, client_id = args
    auth = {"Authorization": f"Bearer {API_KEY}"}
    out: dict[str, dict] = {}
    sent: list[str] = []
    n = 0
    while time.time() < deadline:
        n += 1
        slot = n % 10
        headers = {"Content-Type": "application/json", **auth}
        if slot < 6:
            kind, method, path, expected = "single", "POST", "/v1/score", 200
            text = FLAGGED[n % len(FLAGGED)] if slot == 0 else CLEAN[n % len(CLEAN)]
            item = comment(client_id, n, text)
            sent.append(item["id"])
            body = json.dumps(item).encode()
        elif slot == 6:
            kind, method, path, expected = "batch10", "POST", "/v1/score:batch", 200
            items = [comment(client_id, n * 100 + i, (CLEAN + FLAGGED)[i % 7]) for i in range(10)]
            body = json.dumps({"comments": items}).encode()
        elif slot == 7 and sent:
            kind, method, path, expected = "repeat", "POST", "/v1/score", 200
            body = json.dumps({"id": sent[len(sent) // 2], "text": "the same id again"}).encode()
        elif slot == 9:
            kind, method, path, expected = "decisions", "GET", f"/v1/decisions?since=0&limit=10&key={API_KEY}", 200
            body, headers = None, {}
        else:
            name, method, path, body, content_type, expected = INVALID[(n // 10) % len(INVALID)]
            kind = "invalid:" + name
            headers = {"Content-Type": content_type, **auth}
            if name == "wrong_key":
                headers["Authorization"] = "Bearer not-a-key"
            if name == "declared_100MB":
                headers["Content-Length"] = str(100 * 1024 * 1024)  # sent without the body: refused unread
        started = time.perf_counter()
        try:
            status, _payload = request(port, method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            status = f"{type(exc).__name__}"
        elapsed = time.perf_counter() - started
        bucket = out.setdefault(kind, {"latencies": [], "statuses": {}, "unexpected": 0})
        bucket["latencies"].append(elapsed)
        bucket["statuses"][str(status)] = bucket["statuses"].get(str(status), 0) + 1
        if status != expected:
            bucket["unexpected"] += 1
    return out


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else float("nan")


def run(duration: float, warmup: float, clients: int, workers: int, memory_bound_mb: float,
        model: str | None = None) -> dict:
    workdir = tempfile.mkdtemp(prefix="load_")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_") and k != "DATABASE_URL"}
    env.update({"MODERATION_API_KEYS": API_KEY, "MODERATION_BOOTSTRAP": "false",
                "DATABASE_URL": f"sqlite:///{os.path.join(workdir, 'load.sqlite3')}",
                "MODERATION_INSTANCE_PATH": os.path.join(workdir, "instance"),
                # the limiter runs on every request, with a budget this run cannot reach
                "MODERATION_RATE_LIMIT_API": "10000000 per minute"})
    if model:
        env["MODERATION_MODEL_PATH"] = model
    access_log = os.path.join(workdir, "access.log")
    port = free_port()
    process = start_gunicorn(port, workers, env, access_log)
    try:
        wait_ready(port, process, timeout=90.0)
        status, _ = request(port, "PUT", f"/v1/articles/{ARTICLE['id']}",
                            json.dumps({"title": ARTICLE["title"], "body": ARTICLE["body"]}).encode(),
                            {"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"})
        if status not in (200, 201):
            raise SystemExit(f"PUT article answered {status}")
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            pool.map(client_loop, [(port, time.time() + warmup, 1000 + i) for i in range(clients)])
            pids = worker_pids(process.pid)
            before = {pid: rss_mib(pid) for pid in pids}
            started = time.time()
            results = pool.map(client_loop, [(port, started + duration, i) for i in range(clients)])
            elapsed = time.time() - started
        after = {pid: rss_mib(pid) for pid in pids}
    finally:
        stop(process, timeout=20.0)
    with open(access_log, encoding="utf-8", errors="replace") as handle:
        log_text = handle.read()
    shutil.rmtree(workdir, ignore_errors=True)

    kinds: dict[str, dict] = {}
    for result in results:
        for kind, bucket in result.items():
            merged = kinds.setdefault(kind, {"latencies": [], "statuses": {}, "unexpected": 0})
            merged["latencies"] += bucket["latencies"]
            merged["unexpected"] += bucket["unexpected"]
            for status, count in bucket["statuses"].items():
                merged["statuses"][status] = merged["statuses"].get(status, 0) + count
    every = [latency for bucket in kinds.values() for latency in bucket["latencies"]]
    server_errors = sum(count for bucket in kinds.values() for status, count in bucket["statuses"].items()
                        if status.isdigit() and int(status) >= 500)
    memory = [{"pid": pid, "before_mib": round(before[pid], 1), "after_mib": round(after[pid], 1),
               "growth_mib": round(after[pid] - before[pid], 1)}
              for pid in pids if before.get(pid) is not None and after.get(pid) is not None]
    summary = {
        "duration_s": round(elapsed, 1), "clients": clients, "workers": workers, "requests": len(every),
        "rps": round(len(every) / elapsed, 1), "p50_ms": round(percentile(every, 0.5), 2),
        "p99_ms": round(percentile(every, 0.99), 2), "server_errors": server_errors,
        "unexpected": sum(bucket["unexpected"] for bucket in kinds.values()),
        "kinds": {kind: {"requests": len(bucket["latencies"]), "p99_ms": round(percentile(bucket["latencies"], 0.99), 2),
                         "statuses": bucket["statuses"], "unexpected": bucket["unexpected"]}
                  for kind, bucket in sorted(kinds.items())},
        "memory": memory, "memory_bound_mib": memory_bound_mb,
        "key_in_access_log": API_KEY in log_text, "access_log_lines": log_text.count("\n"),
    }
    summary["passed"] = (server_errors == 0 and summary["unexpected"] == 0 and len(memory) == workers
                         and all(m["growth_mib"] <= memory_bound_mb for m in memory)
                         and not summary["key_in_access_log"] and summary["access_log_lines"] > 0)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of measured load (1 to 120)")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=2, help="client processes, one request in flight each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--memory-bound-mb", type=float, default=32.0, help="largest allowed growth of a worker")
    parser.add_argument("--model", help="model path (default: the shipped model)")
    parser.add_argument("--short", action="store_true", help="the bounded form CI runs: 4 s after a 1 s warm-up")
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    duration, warmup = (4.0, 1.0) if args.short else (min(max(args.duration, 1.0), 120.0), args.warmup)
    summary = run(duration, warmup, max(1, args.clients), max(1, args.workers), args.memory_bound_mb, args.model)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2)
    print(f"gunicorn -w {summary['workers']}, {summary['clients']} clients, {summary['duration_s']} s, 127.0.0.1")
    print(f"{'kind':<30}{'requests':>9}{'p99 ms':>9}  statuses")
    for kind, bucket in summary["kinds"].items():
        print(f"{kind:<30}{bucket['requests']:>9}{bucket['p99_ms']:>9.2f}  {bucket['statuses']}")
    print(f"all: {summary['requests']} requests, {summary['rps']} req/s, p50 {summary['p50_ms']} ms, "
          f"p99 {summary['p99_ms']} ms, 5xx {summary['server_errors']}, unexpected {summary['unexpected']}")
    for m in summary["memory"]:
        print(f"worker {m['pid']}: RSS {m['before_mib']} -> {m['after_mib']} MiB ({m['growth_mib']:+} MiB, "
              f"bound {summary['memory_bound_mib']} MiB)")
    print(f"API key in the access log: {summary['key_in_access_log']}")
    print("PASSED" if summary["passed"] else "FAILED")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
