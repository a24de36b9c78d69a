"""Crash durability: kill -9 gunicorn workers (and once the master) while comments are being enqueued.

After the restart every comment that was answered `"queued": true` is in the store exactly once, and sending
it again returns the stored answer without a second row. SQLite (WAL, synchronous=FULL) and PostgreSQL
(skipped when it is not reachable). Bounded: about ten seconds per backend.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent.parent
OUTPUT = ROOT / "test-output" / "reliability"
HOST = "127.0.0.1"
API_KEY = "crash-key-0123456789"
CLIENTS = 4

pytestmark = pytest.mark.slow  # real gunicorn processes, bounded to seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


class Server:
    """gunicorn -w 2 on a fixed loopback port, started in its own process group."""

    def __init__(self, port: int, env: dict[str, str], log_path: Path):
        self.port, self.env, self.log_path = port, env, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        pythonpath = ",".join([str(ROOT), str(ROOT / "tests" / "service"), str(ROOT / "tests" / "reliability")])
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"{HOST}:{self.port}", "--pythonpath", pythonpath,
             "--graceful-timeout", "5", "crash_app:make()"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text()[-3000:]
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200 and len(self.workers()) == 2:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("gunicorn did not start:\n" + self.log_path.read_text()[-3000:])

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def wait_workers(self, count: int, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while len(self.workers()) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def kill_workers(self) -> list[int]:
        killed = self.workers()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        return killed

    def kill_master(self) -> None:
        """SIGKILL the master alone; its orphaned workers notice and exit (or are killed after 5 s)."""
        orphans = self.workers()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(os.path.exists(f"/proc/{pid}") for pid in orphans):
            time.sleep(0.05)
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def post(port: int, body: dict) -> tuple[int, dict | None]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("POST", "/v1/score", body=json.dumps(body),
                           headers={"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"})
        response = connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if response.status == 200 else None
    finally:
        connection.close()


def enqueue_until(port: int, stop: threading.Event, client: int, acknowledged: dict, errors: list,
                  finished: list) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        external_id = f"crash-{client}-{n}"
        try:
            status, body = post(port, {"id": external_id, "text": f"darn, comment {n} from {client}"})
        except (OSError, http.client.HTTPException) as exc:  # refused, reset or cut short: not acknowledged
            errors.append(type(exc).__name__)
            time.sleep(0.02)
            continue
        if status == 200 and body["queued"] is True:
            acknowledged[external_id] = body["decision"]
        else:
            errors.append(str(status))
    finished.append(client)  # a client that died of an unexpected exception would be missing here


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    return request.getfixturevalue("postgres_schema_url")


def test_acknowledged_comments_survive_kill_9(database_url, tmp_path):
    backend = database_url.split(":")[0].split("+")[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_") and k != "DATABASE_URL"}
    env.update({"DATABASE_URL": database_url, "MODERATION_API_KEYS": API_KEY, "MODERATION_BOOTSTRAP": "false",
                "MODERATION_INSTANCE_PATH": str(tmp_path / "instance"),
                "MODERATION_RATE_LIMIT_API": "10000000 per minute"})
    server = Server(free_port(), env, tmp_path / "gunicorn.log")
    server.start()
    acknowledged: dict[str, str] = {}
    errors: list[str] = []
    finished: list[int] = []
    stop = threading.Event()
    threads = [threading.Thread(target=enqueue_until, args=(server.port, stop, i, acknowledged, errors, finished))
               for i in range(CLIENTS)]
    killed_workers, master_kills = [], 0
    try:
        for thread in threads:
            thread.start()
        for _ in range(2):  # the master respawns the workers each time
            time.sleep(1.0)
            killed_workers += server.kill_workers()
            server.wait_workers(2)
        time.sleep(1.0)
        server.kill_master()
        master_kills += 1
        time.sleep(0.3)  # clients meet a closed port
        server.start()  # the same port, as a supervisor would restart it
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    try:
        # A client retrying an acknowledged comment gets the stored answer and no second row.
        retried = list(acknowledged)[:: max(1, len(acknowledged) // 25)]
        for external_id in retried:
            status, body = post(server.port, {"id": external_id, "text": "retry"})
            assert status == 200 and body["queued"] is True and body["decision"] == acknowledged[external_id]
    finally:
        server.stop()

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT external_id, COUNT(*) FROM comments GROUP BY external_id")).all()
    engine.dispose()
    stored = {external_id: count for external_id, count in rows}
    lost = sorted(set(acknowledged) - set(stored))
    duplicated = sorted(external_id for external_id, count in stored.items() if count != 1)
    figures = {"backend": backend, "acknowledged": len(acknowledged), "stored": len(stored), "lost": len(lost),
               "duplicated": len(duplicated), "unacknowledged_but_stored": len(set(stored) - set(acknowledged)),
               "client_errors": len(errors), "workers_killed": len(killed_workers), "master_killed": master_kills,
               "retried": len(retried)}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"crash-{backend}.json").write_text(json.dumps(figures, indent=2))
    assert sorted(finished) == list(range(CLIENTS)), "a client thread died"
    assert len(killed_workers) >= 4 and master_kills == 1
    assert len(acknowledged) >= 50, figures  # the test did real work
    assert lost == [], f"acknowledged but not stored: {lost[:10]} {figures}"
    assert duplicated == [], f"stored more than once: {duplicated[:10]}"
