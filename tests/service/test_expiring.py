"""The per-worker cache behind stored articles and API keys."""

from webapp.expiring import ExpiringCache


def test_entries_expire_after_their_seconds():
    now = [100.0]
    cache = ExpiringCache(clock=lambda: now[0])
    cache.put("a", "value", 2)
    assert cache.get("a") == "value"
    now[0] += 1.99
    assert cache.get("a") == "value"
    now[0] += 0.01
    assert cache.get("a") is None


def test_zero_seconds_keeps_nothing_and_pop_forgets():
    cache = ExpiringCache()
    cache.put("a", "value", 0)
    assert cache.get("a") is None
    cache.put("b", "value", 60)
    cache.pop("b")
    cache.pop("never stored")
    assert cache.get("b") is None


def test_a_full_cache_is_emptied_before_the_next_entry():
    cache = ExpiringCache(max_size=2)
    cache.put("a", 1, 60)
    cache.put("b", 2, 60)
    cache.put("c", 3, 60)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, None, 3)
