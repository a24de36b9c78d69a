"""One small cache shape used on every hot per-word path."""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["BoundedMemo"]


class BoundedMemo(dict):
    """A dict that computes a missing key with `compute` and remembers it, emptied when full.

    Words repeat from comment to comment (Zipf), so most lookups hit; a hit is one C-level dict
    lookup (`memo[key]`, or `map(memo.__getitem__, keys)`), cheaper than `functools.lru_cache`.
    Emptying instead of evicting keeps the hit path free of bookkeeping; the bound caps memory.
    """

    __slots__ = ("compute", "max_size")

    def __init__(self, compute: Callable[[Any], Any], max_size: int = 200_000):
        super().__init__()
        self.compute = compute
        self.max_size = max_size

    def __missing__(self, key):
        if len(self) >= self.max_size:
            self.clear()
        value = self[key] = self.compute(key)
        return value
