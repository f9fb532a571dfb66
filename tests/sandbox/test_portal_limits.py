"""The leaky bucket (503 QUERY_LIMIT_EXCEEDED) and the operating-time limit (429)."""

from __future__ import annotations

import asyncio
import time

import httpx

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.portal.limits import LeakyBucket, OperatingLimiter
from tests.sandbox.fixtures import START

QUERY_LIMIT = {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}
OPERATION_LIMIT = {
    "error": "OPERATION_TIME_LIMIT",
    "error_description": "Method is blocked due to operation time limit.",
}


class FakeTime:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


async def until_ok(http: httpx.AsyncClient, url: str, attempts: int = 200) -> httpx.Response:
    """Poll (without asserting on time) until the portal answers 200."""
    for _ in range(attempts):
        response = await http.post(url)
        if response.status_code == 200:
            return response
        await asyncio.sleep(0.02)
    raise AssertionError("the portal never recovered")


# --------------------------------------------------------------------------- leaky bucket


def test_bucket_refuses_above_the_burst_and_refusals_do_not_fill_it():
    clock = FakeTime()
    bucket = LeakyBucket(rate=2.0, burst=3, monotonic=clock)
    assert [bucket.try_acquire() for _ in range(5)] == [True, True, True, False, False]
    clock.now += 0.5  # drains one unit
    assert bucket.try_acquire() is True
    assert bucket.try_acquire() is False
    clock.now += 10
    assert bucket.level == 0.0
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]


async def test_a_burst_above_x_gets_503_and_drains(http):
    clock = FakeTime()
    async with PortalEmulator(clock=ManualClock(START), rate_limit=2.0, rate_burst=3) as portal:
        portal.bucket = LeakyBucket(2.0, 3, monotonic=clock)
        portal.add_user(1)
        url = portal.add_webhook(1, code="c") + "timeman.status"
        statuses = [(await http.post(url)).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 503, 503]
        refused = await http.post(url)
        assert refused.json() == QUERY_LIMIT  # no `time` block either
        clock.now += 0.5
        assert (await http.post(url)).status_code == 200
        assert (await http.post(url)).status_code == 503
        assert portal.request_count("timeman.status") == 8
        assert sum(1 for r in portal.requests if r.error == "QUERY_LIMIT_EXCEEDED") == 4


async def test_a_real_burst_is_refused_and_recovers_after_waiting(http):
    async with PortalEmulator(clock=ManualClock(START), rate_limit=20.0, rate_burst=3) as portal:
        portal.add_user(1)
        url = portal.add_webhook(1, code="c") + "user.current"
        answers = await asyncio.gather(*(http.post(url) for _ in range(12)))
        codes = [a.status_code for a in answers]
        assert codes.count(503) >= 1 and codes.count(200) >= 3
        assert all(a.json() == QUERY_LIMIT for a in answers if a.status_code == 503)
        recovered = await until_ok(http, url)
        assert recovered.json()["result"]["ID"] == "1"


async def test_rate_limit_none_disables_the_bucket(http):
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None, rate_burst=1) as portal:
        portal.add_user(1)
        url = portal.add_webhook(1, code="c") + "user.current"
        answers = await asyncio.gather(*(http.post(url) for _ in range(10)))
        assert {a.status_code for a in answers} == {200}


async def test_a_batch_takes_one_unit(http):
    clock = FakeTime()
    async with PortalEmulator(clock=ManualClock(START), rate_burst=2) as portal:
        portal.bucket = LeakyBucket(1.0, 2, monotonic=clock)
        portal.add_user(1)
        url = portal.add_webhook(1, code="c")
        many = {f"c{i}": "user.current" for i in range(10)}
        first = await http.post(url + "batch", json={"cmd": many})
        assert len(first.json()["result"]["result"]) == 10
        assert (await http.post(url + "user.current")).status_code == 200
        assert (await http.post(url + "user.current")).status_code == 503


# --------------------------------------------------------------------------- operating limit


def test_operating_limiter_records_only_long_calls_and_expires_buckets():
    wall = FakeTime(6000.0)
    limiter = OperatingLimiter(limit=10.0, bucket_seconds=60.0, wall=wall)
    limiter.record("webhook:1", "m", 0.1)  # not longer than 0.1 s: not recorded
    assert limiter.used("webhook:1", "m") == 0
    assert limiter.reset_at("webhook:1", "m") == 6600
    limiter.record("webhook:1", "m", 6.0)
    wall.now += 30
    limiter.record("webhook:1", "m", 6.0)
    assert limiter.used("webhook:1", "m") == 12.0
    assert limiter.blocked("webhook:1", "m") is True
    assert limiter.blocked("webhook:1", "other") is False
    assert limiter.blocked("app:x", "m") is False
    assert limiter.reset_at("webhook:1", "m") == 6600  # the first call in the oldest bucket
    wall.now = 6000 + 600
    assert limiter.used("webhook:1", "m") == 0
    assert limiter.blocked("webhook:1", "m") is False


async def test_operating_limit_blocks_a_method_before_it_runs(http):
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None, operating_limit=10.0) as portal:
        portal.add_user(1)
        url = portal.add_webhook(1, code="c")
        portal.set_method_runtime("timeman.open", 5.0)
        operating = []
        for _ in range(3):
            body = (await http.post(url + "timeman.open")).json()
            operating.append(body["time"]["operating"])
        # 10 is not above the limit, so the third call still runs (and crosses it).
        assert operating == [5.0, 10.0, 15.0]
        blocked = await http.post(url + "timeman.open")
        assert blocked.status_code == 429
        assert blocked.json() == OPERATION_LIMIT
        # Other methods and other callers are not affected.
        assert (await http.post(url + "timeman.status")).status_code == 200
        portal.add_app("local.app", "s", scopes=("timeman",))
        token = portal.issue_tokens("local.app", 1)["access_token"]
        other = await http.post(f"{portal.base_url}/rest/timeman.open", json={"auth": token})
        assert other.status_code == 200


async def test_short_calls_are_never_counted(http):
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None, operating_limit=0.0) as portal:
        portal.add_user(1)
        url = portal.add_webhook(1, code="c")
        portal.set_method_runtime("timeman.status", 0.1)
        for _ in range(3):
            body = (await http.post(url + "timeman.status")).json()
            assert body["time"]["operating"] == 0


async def test_operating_reset_at_and_recovery_with_small_buckets(http):
    async with PortalEmulator(
        clock=ManualClock(START), rate_limit=None, operating_limit=1.0, operating_bucket_seconds=0.05
    ) as portal:
        portal.add_user(1)
        url = portal.add_webhook(1, code="c")
        portal.set_method_runtime("timeman.status", 2.0)
        before = time.time()
        body = (await http.post(url + "timeman.status")).json()
        after = time.time()
        assert body["time"]["operating"] == 2.0
        # A real unix time: the first recorded call plus the 10-bucket window (0.5 s here).
        assert int(before) <= body["time"]["operating_reset_at"] <= after + 1
        assert (await http.post(url + "timeman.status")).status_code == 429
        recovered = await until_ok(http, url + "timeman.status")
        assert recovered.json()["time"]["operating"] == 2.0


async def test_inner_batch_commands_count_against_their_own_method(http):
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None, operating_limit=3.0) as portal:
        portal.add_user(1)
        url = portal.add_webhook(1, code="c")
        portal.set_method_runtime("timeman.status", 2.0)
        result = (
            await http.post(
                url + "batch",
                json={"cmd": {"a": "timeman.status", "b": "timeman.status", "c": "timeman.status", "d": "user.current"}},
            )
        ).json()["result"]
        assert list(result["result"]) == ["a", "b", "d"]
        assert result["result_error"] == {"c": OPERATION_LIMIT}
        assert result["result_time"]["b"]["operating"] == 4.0
        assert (await http.post(url + "timeman.status")).status_code == 429
        # The outer batch call itself is never counted or blocked.
        assert (await http.post(url + "batch", json={"cmd": {"x": "user.current"}})).status_code == 200
