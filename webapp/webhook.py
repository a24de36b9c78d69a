"""Optional webhook: POST each moderator decision to the site, signed with HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.request
from typing import Any, Callable

from flask import Flask, current_app

__all__ = ["sign", "verify", "init_app", "notify", "http_sender"]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Moderation-Signature"
TIMESTAMP_HEADER = "X-Moderation-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>" (the timestamp stops replays)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What the receiving site runs: constant-time check of a signature."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def http_sender(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    """Deliver in a background thread; failures are logged (GET /v1/decisions is the reliable path)."""

    def deliver() -> None:
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310 - configured URL
                response.read()
        except Exception as exc:
            log.warning("webhook to %s failed: %s", url, exc)

    threading.Thread(target=deliver, name="webhook", daemon=True).start()


def init_app(app: Flask, sender: Callable[..., None] | None = None) -> None:
    app.extensions["moderation.webhook_sender"] = sender or http_sender


def notify(decisions: list[dict[str, Any]]) -> None:
    """Send decisions to WEBHOOK_URL when one is configured."""
    url = current_app.config.get("WEBHOOK_URL")
    if not url or not decisions:
        return
    body = json.dumps({"decisions": decisions}, separators=(",", ":")).encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp,
               SIGNATURE_HEADER: sign(current_app.config["WEBHOOK_SECRET"], timestamp, body)}
    current_app.extensions["moderation.webhook_sender"](url, body, headers, current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
