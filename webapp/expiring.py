"""A bounded per-worker cache whose entries expire: for what every API request reads from the database."""

from __future__ import annotations

import time
from typing import Any, Callable, Hashable

__all__ = ["ExpiringCache"]


class ExpiringCache:
    """Values kept for a number of seconds each; emptied when full (hits stay one dict lookup)."""

    def __init__(self, max_size: int = 1000, clock: Callable[[], float] = time.monotonic):
        self.max_size = max_size
        self.clock = clock
        self._entries: dict[Hashable, tuple[Any, float]] = {}

    def get(self, key: Hashable) -> Any | None:
        """The value stored for `key` if it has not expired, else None."""
        entry = self._entries.get(key)
        return entry[0] if entry is not None and entry[1] > self.clock() else None

    def put(self, key: Hashable, value: Any, seconds: float) -> None:
        """Keep `value` for `seconds` (0 or less: not kept)."""
        if seconds <= 0:
            return
        if len(self._entries) >= self.max_size:
            self._entries.clear()
        self._entries[key] = (value, self.clock() + seconds)

    def pop(self, key: Hashable) -> None:
        self._entries.pop(key, None)
