"""The job registry over a real Redis: once per slot across replicas, failures contained,
daily slots in a zone, and the real APScheduler tick."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta

import pytest
from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.jobs import JobRegistry, Slot
from bot.storage.keys import KeySpace

KEYS = KeySpace("t")
# Monday 2 March 2026, 10:00:20 UTC (11:00 in Berlin).
MONDAY_1000_UTC = datetime(2026, 3, 2, 10, 0, 20, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_1000_UTC)


class Runs:
    def __init__(self) -> None:
        self.slots: list[Slot] = []

    async def __call__(self, slot: Slot) -> None:
        self.slots.append(slot)


async def test_two_replicas_run_a_slot_once(redis: Redis, clock: ManualClock) -> None:
    runs = Runs()
    replicas = [JobRegistry(redis, KEYS, clock) for _ in range(2)]
    for registry in replicas:
        registry.every("sweep", runs, minutes=5)
    ran = [await registry.run_due() for registry in replicas]
    assert ran == [["sweep"], []]
    assert [slot.start for slot in runs.slots] == [datetime(2026, 3, 2, 10, 0, tzinfo=UTC)]
    # Later in the same slot: nobody runs it again.
    clock.advance(timedelta(minutes=4))
    assert [await registry.run_due() for registry in reversed(replicas)] == [[], []]
    # The next slot runs once more, on whichever replica gets there first.
    clock.advance(timedelta(minutes=1))
    assert [await registry.run_due() for registry in reversed(replicas)] == [["sweep"], []]
    assert len(runs.slots) == 2


async def test_replicas_running_at_once_run_a_slot_once(redis: Redis, clock: ManualClock) -> None:
    runs = Runs()
    replicas = [JobRegistry(redis, KEYS, clock) for _ in range(5)]
    for registry in replicas:
        registry.every("sweep", runs, seconds=30)
    ran = await asyncio.gather(*(registry.run_due() for registry in replicas))
    assert sorted(ran) == [[], [], [], [], ["sweep"]]
    assert len(runs.slots) == 1


async def test_a_failing_job_does_not_stop_the_others(redis: Redis, clock: ManualClock,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.jobs")
    attempts: list[str] = []

    async def broken(slot: Slot) -> None:
        attempts.append(slot.key)
        raise RuntimeError("the sweep broke")

    runs = Runs()
    registry = JobRegistry(redis, KEYS, clock)
    registry.every("broken", broken, minutes=1)
    registry.every("healthy", runs, minutes=1)
    assert sorted(await registry.run_due()) == ["broken", "healthy"]
    assert len(runs.slots) == 1
    failures = [record for record in caplog.records if record.name == "bot.jobs.registry"]
    assert [(record.levelno, record.getMessage(), record.ctx_job) for record in failures] == [
        (logging.ERROR, "job failed", "broken")]
    assert failures[0].exc_info is not None and "the sweep broke" in str(failures[0].exc_info[1])
    # A failure is not retried within its slot, and does not unschedule the job.
    assert await registry.run_due() == []
    clock.advance(timedelta(minutes=1))
    assert sorted(await registry.run_due()) == ["broken", "healthy"]
    assert len(attempts) == 2 and len(runs.slots) == 2


async def test_a_daily_job_runs_at_its_time_in_its_zone(redis: Redis, clock: ManualClock) -> None:
    runs = Runs()
    registry = JobRegistry(redis, KEYS, clock)
    registry.daily("digest", runs, at=time(18, 0), zone="Europe/Berlin")
    assert await registry.run_due() == []  # 11:00 in Berlin; yesterday's 18:00 is long past
    clock.set(datetime(2026, 3, 2, 16, 59, 59, tzinfo=UTC))
    assert await registry.run_due() == []
    clock.set(datetime(2026, 3, 2, 17, 0, 5, tzinfo=UTC))
    assert await registry.run_due() == ["digest"]
    assert runs.slots == [Slot("2026-03-02", datetime(2026, 3, 2, 17, 0, tzinfo=UTC))]
    clock.advance(timedelta(minutes=30))
    assert await registry.run_due() == []


async def test_a_daily_run_missed_for_long_waits_for_the_next_day(redis: Redis, clock: ManualClock) -> None:
    runs = Runs()
    registry = JobRegistry(redis, KEYS, clock)
    registry.daily("digest", runs, at=time(9, 0))
    assert await registry.run_due() == []  # the bot "started" at 10:00:20, over an hour late
    # A jump on purpose (the sandbox's fast-forward) over the next 09:00 still runs it.
    clock.jump(timedelta(hours=23, minutes=30))
    assert await registry.run_due() == ["digest"]
    assert [slot.key for slot in runs.slots] == ["2026-03-03"]


async def test_the_tick_runs_due_jobs_until_stopped(redis: Redis, clock: ManualClock) -> None:
    ran = asyncio.Event()

    async def job(slot: Slot) -> None:
        ran.set()

    registry = JobRegistry(redis, KEYS, clock, tick_seconds=0.05)
    registry.every("sweep", job, minutes=1)
    await registry.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=10)
    finally:
        await registry.stop()
    assert await redis.exists(KEYS("jobs", "sweep", "20260302T100000Z")) == 1


async def test_a_job_name_is_registered_once(redis: Redis, clock: ManualClock) -> None:
    registry = JobRegistry(redis, KEYS, clock)
    registry.every("sweep", Runs(), minutes=1)
    with pytest.raises(ValueError, match="already registered"):
        registry.daily("sweep", Runs(), at=time(3, 0))


async def test_an_unreachable_redis_is_logged_once_and_retried(redis: Redis, clock: ManualClock,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    runs = Runs()
    away = Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        registry = JobRegistry(away, KEYS, clock)
        registry.every("sweep", runs, minutes=1)
        assert await registry.run_due() == []
        assert await registry.run_due() == []
    finally:
        await away.aclose()
    warnings = [record for record in caplog.records if record.name == "bot.jobs.registry"]
    assert [record.getMessage() for record in warnings] == ["could not claim a job's run"]
    assert runs.slots == []
