"""bench/http_load.py in a short run: both servers answer every request and the figures are complete.

The ratio itself is a benchmark figure (README, docs/service.md), not a test: it moves with the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
OUTPUT = ROOT / "test-output" / "reliability"

pytestmark = pytest.mark.slow  # two real gunicorn servers, bounded to seconds


def test_short_http_load_run(tmp_path):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    out = OUTPUT / "http_load.json"
    out.unlink(missing_ok=True)
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "http_load.py"), "--duration", "2", "--warmup", "0.3",
                          "--slices", "2", "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=180,
                         env={**os.environ, "TMPDIR": str(tmp_path)})
    assert run.returncode == 0, run.stdout + run.stderr
    figures = json.loads(out.read_text())
    for kind in ("hello", "score"):
        assert figures[kind]["errors"] == 0, figures
        assert figures[kind]["requests"] > 20 and 0 < figures[kind]["p50_ms"] <= figures[kind]["p99_ms"]
        assert len(figures[kind]["slice_rps"]) == 2
    # About 3 in 8 bench comments are held for review, so the queue-write path ran.
    assert 0 < figures["score"]["queued"] < figures["score"]["requests"]
    assert figures["ratio"] == pytest.approx(figures["score"]["rps"] / figures["hello"]["rps"])
    assert len(figures["slice_ratios"]) == 2 and figures["settings"]["sqlite_synchronous"] == "FULL"
    assert f"ratio score/hello throughput: {figures['ratio']:.2f}" in run.stdout
    assert list(tmp_path.iterdir()) == []  # its database and instance folder are removed
