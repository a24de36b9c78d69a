"""Follow `models/current`: a promoted (or rolled back) model is picked up without a restart.

Before a request, at most once every MODEL_RELOAD_SECONDS (default 5; negative turns it off),
the pointer file is read; when it names another version, that version is loaded with the
configured thresholds and swapped in whole, so a request scores with either the old model or
the new one, never a mix. A model pinned to a version folder by MODEL_PATH is never replaced.
A version that fails to load is logged and skipped; the old model keeps serving.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from flask import Flask

__all__ = ["ModelWatcher", "init_app", "pointer_file"]

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 5.0


def pointer_file(model_path: str | None) -> Path | None:
    """The `current` file the service follows, or None when MODEL_PATH pins one version."""
    from moderation.model_file import CURRENT_FILE, DEFAULT_MODELS_DIR

    path = Path(model_path) if model_path else DEFAULT_MODELS_DIR
    if path.name == CURRENT_FILE and path.is_file():
        return path
    if (path / CURRENT_FILE).is_file():
        return path / CURRENT_FILE
    return None


def _read(pointer: Path) -> str | None:
    try:
        return pointer.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


class ModelWatcher:
    """Checks the pointer now and then and swaps the app's moderator when it moves."""

    def __init__(self, app: Flask, pointer: Path, interval: float):
        self.app = app
        self.pointer = pointer
        self.interval = interval
        self._lock = threading.Lock()
        self._next_check = 0.0
        loaded = app.extensions["moderation.model_version"]
        # The version in service if it came from this folder, else what the pointer says now (an injected model).
        self.seen = loaded if (pointer.parent / loaded).is_dir() else _read(pointer)

    def check(self) -> None:
        """Reload if the pointer moved; cheap when it did not, and never two reloads at once."""
        now = time.monotonic()
        if now < self._next_check or not self._lock.acquire(blocking=False):
            return
        try:
            self._next_check = now + self.interval
            version = _read(self.pointer)
            if version and version != self.seen:
                self.seen = version  # a version that fails to load is not retried until the pointer moves again
                self._swap(version)
        finally:
            self._lock.release()

    def _swap(self, version: str) -> None:
        from .scoring import load_moderator

        try:
            moderator = load_moderator(str(self.pointer.parent / version), self.app.config["THRESHOLDS"] or None)
        except Exception:
            log.exception("model %s named by %s could not be loaded; still serving %s", version, self.pointer,
                          self.app.extensions["moderation.model_version"])
            return
        extensions = self.app.extensions
        previous = extensions["moderation.model_version"]
        extensions["moderation.moderator"] = moderator  # one assignment: each request sees one whole model
        extensions["moderation.model_version"] = moderator.model_version
        gauge = extensions["moderation.metrics"].model
        gauge.labels(previous).set(0)
        gauge.labels(moderator.model_version).set(1)
        log.warning("model switched from %s to %s", previous, moderator.model_version)


def init_app(app: Flask) -> ModelWatcher | None:
    """Watch the pointer before each request, unless the model is pinned or reloading is off."""
    interval = float(app.config.get("MODEL_RELOAD_SECONDS", DEFAULT_SECONDS))
    pointer = pointer_file(app.config.get("MODEL_PATH"))
    if interval < 0 or pointer is None:
        return None
    watcher = ModelWatcher(app, pointer, interval)
    app.extensions["moderation.model_watcher"] = watcher
    app.before_request(watcher.check)
    return watcher
