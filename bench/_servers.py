"""Start-up and shut-down helpers shared by the HTTP benchmarks (bench/http_load.py, bench/load.py)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time

HOST = "127.0.0.1"  # benchmarks only ever talk to this machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """SIGTERM the process group we started (gunicorn master and workers); SIGKILL it if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def wait_ready(port: int, process: subprocess.Popen, path: str = "/healthz", timeout: float = 60.0) -> None:
    """Poll GET `path` until it answers 200; stop with a message if the server dies or never gets ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on port {port} not ready after {timeout:.0f} s")
