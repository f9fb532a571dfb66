"""The background budget against the emulator with its own leaky bucket (burst 50, 2 per
second), on simulated time: the portal's bucket, ours and the budget's pace all read one
`FakeTime`, and a background wait moves it on instead of sleeping. Requests are counted,
never timed: background traffic keeps to its share of the rate, and an interactive call
made while it runs is never refused and never queued behind it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24Client, LeakyBucket
from bot.bitrix24.background import BackgroundBudget, local_background_budget
from bot.storage.keys import KeySpace
from bot.storage.pacing import SharedLeakyBucket, shared_background_budget
from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.portal.limits import LeakyBucket as PortalLeakyBucket
from tests.bitrix24.fixtures import ADMIN, BOB, CARL, populate, webhook_client

RATE, BURST = 2.0, 50


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class CountingLimiter:
    """The interactive limiter, counting how calls got their slot: at once (the
    coalescer's `try_acquire`) or by waiting in its queue (`acquire`)."""

    def __init__(self, inner: LeakyBucket | SharedLeakyBucket) -> None:
        self.inner = inner
        self.at_once = 0
        self.waited = 0

    async def acquire(self) -> None:
        self.waited += 1
        await self.inner.acquire()

    async def try_acquire(self) -> bool:
        granted = await self.inner.try_acquire()
        self.at_once += granted
        return granted

    async def on_limited(self) -> None:
        await self.inner.on_limited()

    async def try_acquire_leaving(self, free: int) -> bool:
        return await self.inner.try_acquire_leaving(free)


@dataclass
class Setup:
    portal: PortalEmulator
    client: Bitrix24Client
    interactive: CountingLimiter
    time: FakeTime
    make_budget: Callable[[float], BackgroundBudget]
    sent: list[tuple[float, str]] = field(default_factory=list)  # (simulated time, method) per request

    def background_times(self) -> list[float]:
        return [at for at, method in self.sent if method == "batch"]


@pytest.fixture(params=["local", "shared"])
async def setup(request: pytest.FixtureRequest, redis: Redis) -> AsyncIterator[Setup]:
    fake = FakeTime()
    portal = PortalEmulator(rate_limit=RATE, rate_burst=BURST)
    portal.bucket = PortalLeakyBucket(RATE, BURST, monotonic=fake)
    populate(portal)
    keys = KeySpace("bg")
    if request.param == "local":
        interactive = CountingLimiter(LeakyBucket(RATE, BURST, timer=fake))

        def make_budget(share: float) -> BackgroundBudget:
            return local_background_budget(interactive, rate=RATE, burst=BURST, share=share, timer=fake,
                                           sleep=fake.sleep)
    else:
        interactive = CountingLimiter(SharedLeakyBucket(redis, keys, rate=RATE, burst=BURST, timer=fake))

        def make_budget(share: float) -> BackgroundBudget:
            return shared_background_budget(redis, keys, interactive, rate=RATE, burst=BURST, share=share,
                                            timer=fake, sleep=fake.sleep)
    async with portal, httpx.AsyncClient() as http:
        sent: list[tuple[float, str]] = []
        client = webhook_client(portal, http, limiter=interactive, deadline=600.0,
                                on_request=lambda method, _outcome: sent.append((fake.now, method)))
        yield Setup(portal, client, interactive, fake, make_budget, sent)


def fifty_reads() -> dict[str, tuple[str, dict[str, int]]]:
    users = (ADMIN, BOB, CARL)
    return {f"k{i}": ("timeman.status", {"USER_ID": users[i % 3]}) for i in range(50)}


def refused(portal: PortalEmulator) -> int:
    return portal.error_counts["QUERY_LIMIT_EXCEEDED"]


async def test_background_batches_keep_to_their_share_of_the_rate(setup: Setup) -> None:
    budget = setup.make_budget(0.25)
    for _ in range(20):
        outcome = await setup.client.batch(fifty_reads(), limiter=budget)
        assert len(outcome.results) == 50 and not outcome.errors
    times = setup.background_times()
    assert len(times) == setup.portal.request_count("batch") == 20  # 50 reads per request
    assert setup.portal.request_count("timeman.status", count_inner=True) == 1000
    # At 2 × 0.25 = 0.5 requests a second: 20 requests span at least 38 simulated seconds,
    # and no window of w seconds holds more than w × 0.5 + 1 of them.
    assert times[-1] - times[0] >= 19 / 0.5 - 1e-6
    for i, start in enumerate(times):
        for j in range(i, len(times)):
            assert j - i + 1 <= (times[j] - start) * RATE * 0.25 + 1 + 1e-6
    assert refused(setup.portal) == 0
    assert setup.interactive.at_once == setup.interactive.waited == 0  # never through the coalescer


async def test_background_work_waits_for_the_reserve_left_by_a_burst_of_taps(setup: Setup) -> None:
    budget = setup.make_budget(1.0)
    taps = await asyncio.gather(*(setup.client.call("timeman.status", {"USER_ID": BOB}) for _ in range(38)))
    assert len(taps) == 38 and setup.interactive.at_once == 38
    outcome = await setup.client.batch(fifty_reads(), limiter=budget)
    assert len(outcome.results) == 50
    assert budget.yielded >= 1  # the bucket was too full: the batch waited for room beyond the reserve
    # Right after the background request the reserve is still there: 10 more taps go at once.
    more = await asyncio.gather(*(setup.client.call("timeman.status", {"USER_ID": CARL}) for _ in range(10)))
    assert len(more) == 10
    assert setup.interactive.at_once == 48 and setup.interactive.waited == 0
    assert setup.client.coalescer is not None and setup.client.coalescer.batches == 0
    assert refused(setup.portal) == 0


async def test_taps_made_while_the_sweep_runs_are_never_refused_nor_queued(setup: Setup) -> None:
    # The most eager background there can be (its share is the whole rate), and taps in
    # bursts as large as the reserve, as often as the bucket drains them.
    budget = setup.make_budget(1.0)

    async def sweep() -> None:
        for _ in range(30):
            await setup.client.batch(fifty_reads(), limiter=budget)

    running = asyncio.create_task(sweep())
    taps = 0
    while not running.done():
        results = await asyncio.gather(*(setup.client.call("timeman.status", {"USER_ID": BOB}) for _ in range(10)))
        taps += len(results)
        await setup.time.sleep(5.0)
    await running
    assert taps >= 20  # bursts landed while the sweep was under way, not only before it
    assert setup.interactive.at_once == taps and setup.interactive.waited == 0
    assert setup.client.coalescer is not None and setup.client.coalescer.batches == 0
    assert setup.portal.request_count("batch") == 30
    assert refused(setup.portal) == 0


async def test_a_refusal_of_a_background_request_fills_the_shared_bucket_for_everyone(redis: Redis) -> None:
    fake = FakeTime()
    keys = KeySpace("bg")
    portal_bucket = SharedLeakyBucket(redis, keys, rate=RATE, burst=BURST, timer=fake)
    budget = shared_background_budget(redis, keys, portal_bucket, rate=RATE, burst=BURST, share=0.25,
                                      timer=fake, sleep=fake.sleep)
    assert await budget.try_acquire()
    await budget.on_limited()
    assert not await portal_bucket.try_acquire()  # interactive calls now wait too
    assert not await portal_bucket.try_acquire_leaving(10)


async def test_the_reserve_is_kept_by_both_buckets(redis: Redis) -> None:
    fake = FakeTime()
    local = LeakyBucket(RATE, BURST, timer=fake)
    shared = SharedLeakyBucket(redis, KeySpace("bg"), rate=RATE, burst=BURST, timer=fake)
    for bucket in (local, shared):
        taken = 0
        while await bucket.try_acquire_leaving(10):
            taken += 1
        assert taken == 38  # 48 usable units (burst less a second of margin), 10 kept free
        assert all([await bucket.try_acquire() for _ in range(10)])  # the reserve, for taps
        assert not await bucket.try_acquire()
