"""The fixed-window counters behind the API and login rate limits (webapp/ratelimit.py)."""

from __future__ import annotations

import logging

import pytest

from service_support import API_KEY, Api
from webapp import create_app
from webapp.config import ConfigError
from webapp.ratelimit import MemoryCounters, RedisCounters, make_counters, parse_limits


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_window_allows_its_amount_then_refuses_until_it_ends():
    clock = Clock()
    counters = MemoryCounters(clock=clock)
    limit = parse_limits("3 per minute")
    assert [counters.hit("k", limit) for _ in range(3)] == [None] * 3
    clock.now += 20
    assert counters.hit("k", limit) == pytest.approx(40)  # seconds left in the window opened by the first hit
    assert counters.hit("other", limit) is None  # its own bucket
    clock.now += 40
    assert counters.hit("k", limit) is None  # a new window


def test_several_limits_are_all_enforced():
    clock = Clock()
    counters = MemoryCounters(clock=clock)
    limits = parse_limits("2 per second; 3 per minute")
    assert counters.hit("k", limits) is None and counters.hit("k", limits) is None
    assert counters.hit("k", limits) == pytest.approx(1)
    clock.now += 1
    assert counters.hit("k", limits) is None
    clock.now += 1
    assert counters.hit("k", limits) == pytest.approx(58)


def test_memory_stays_bounded_by_evicting_ended_windows_first():
    clock = Clock()
    counters = MemoryCounters(max_keys=10, clock=clock)
    limit = parse_limits("1 per minute")
    for i in range(10):
        counters.hit(f"old{i}", limit)
    clock.now += 61
    counters.hit("busy", limit)
    assert len(counters._windows) == 1  # the ten ended windows went, the live one stayed
    assert counters.hit("busy", limit) is not None
    for i in range(30):  # all live: the half ending soonest goes, the map never passes its bound
        counters.hit(f"new{i}", limit)
        assert len(counters._windows) <= 10


def test_an_unparsable_limit_is_refused_at_start(tmp_path):
    with pytest.raises(ConfigError, match="RATE_LIMIT_API"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                    "RATE_LIMIT_API": "lots"}, moderator=object(), instance_path=str(tmp_path))


def test_unreachable_redis_falls_back_to_memory_and_logs(caplog):
    counters = make_counters("redis://127.0.0.1:1", "test")  # nothing listens on port 1
    assert isinstance(counters, RedisCounters)
    limit = parse_limits("2 per minute")
    with caplog.at_level(logging.WARNING, logger="webapp.ratelimit"):
        assert [counters.hit("k", limit) is None for _ in range(3)] == [True, True, False]
    assert "counting in memory" in caplog.text


def test_unreachable_redis_without_fallback_or_swallowing_raises():
    counters = make_counters("redis://127.0.0.1:1", "test", fallback_enabled=False, swallow_errors=False)
    with pytest.raises(Exception):
        counters.hit("k", parse_limits("2 per minute"))


def test_api_limit_answers_429_json_with_retry_after_and_counts_unknown_keys_per_address(config, moderator, tmp_path):
    config.update(RATE_LIMIT_API="2 per minute")
    app = create_app(config, moderator=moderator, instance_path=str(tmp_path / "i"))
    client = app.test_client()
    wrong = Api(client, "wrong-key")
    assert [wrong.post("/v1/score", {"id": f"w{i}", "text": "x"}).status_code for i in range(3)] == [401, 401, 429]
    ok = Api(client, API_KEY)  # a valid key has its own bucket, not the address's
    assert [ok.post("/v1/score", {"id": f"k{i}", "text": "fine"}).status_code for i in range(2)] == [200, 200]
    refused = ok.post("/v1/score", {"id": "k3", "text": "fine"})
    assert refused.status_code == 429 and refused.mimetype == "application/json"
    assert set(refused.get_json()) == {"error", "message"} and refused.get_json()["error"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/healthz").status_code in (200, 503)  # operations endpoints are not limited
    app.extensions["moderation.engine"].dispose()
