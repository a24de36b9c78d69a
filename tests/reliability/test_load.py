"""bench/load.py in its short, bounded form: gunicorn under a mixed load answers no 5xx and keeps its memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
OUTPUT = ROOT / "test-output" / "reliability"

pytestmark = pytest.mark.slow  # real gunicorn processes, bounded to seconds


def test_short_load_run():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    out = OUTPUT / "load.json"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--short", "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=180)
    summary = json.loads(out.read_text())
    assert summary["server_errors"] == 0, run.stdout
    assert summary["unexpected"] == 0, summary["kinds"]
    assert summary["requests"] > 50 and summary["p99_ms"] > 0
    assert {kind.split(":")[0] for kind in summary["kinds"]} == {"single", "batch10", "repeat", "decisions", "invalid"}
    assert len(summary["memory"]) == 2
    assert all(m["growth_mib"] <= summary["memory_bound_mib"] for m in summary["memory"]), summary["memory"]
    assert summary["key_in_access_log"] is False and summary["access_log_lines"] > 0
    assert run.returncode == 0 and "PASSED" in run.stdout, run.stdout + run.stderr
