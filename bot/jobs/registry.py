"""The registry: jobs by name, run when their slot comes, once across all replicas.

Every replica registers the same jobs. A short tick asks the injected clock which slot
each job is in; the first time a replica sees a new slot it tries to claim it in Redis,
and only the replica that wins runs the job. Following the clock rather than the system
time means tests run a slot by setting a `ManualClock`, and the sandbox's fast-forward
runs the jobs it jumps over, as it does reminders.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from redis.asyncio import Redis

from bot.clock import Clock
from bot.jobs.lock import SlotLock
from bot.jobs.schedule import Daily, Every, Slot
from bot.storage.keys import KeySpace

log = logging.getLogger(__name__)

JobFunction = Callable[[Slot], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Every | Daily
    run: JobFunction


class JobRegistry:
    def __init__(self, redis: Redis, keys: KeySpace, clock: Clock, *, tick_seconds: float = 1.0,
                 drain_seconds: float = 5.0) -> None:
        self._lock = SlotLock(redis, keys)
        self._clock = clock
        self._tick_seconds = tick_seconds
        self._drain_seconds = drain_seconds
        self._jobs: dict[str, Job] = {}
        self._seen: dict[str, str] = {}  # job -> the last slot this replica settled (ran or lost)
        self._claim_failed: dict[str, str] = {}  # job -> the slot whose failed claim was logged
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[object]] = set()
        self._scheduler: AsyncIOScheduler | None = None

    def every(self, name: str, run: JobFunction, *, seconds: float = 0, minutes: float = 0) -> None:
        self.add(Job(name, Every(timedelta(seconds=seconds, minutes=minutes)), run))

    def daily(self, name: str, run: JobFunction, *, at: time, zone: str | tzinfo = UTC,
              grace: timedelta = timedelta(hours=1)) -> None:
        self.add(Job(name, Daily(at, ZoneInfo(zone) if isinstance(zone, str) else zone, grace), run))

    def add(self, job: Job) -> None:
        if job.name in self._jobs:
            raise ValueError(f"a job named {job.name!r} is already registered")
        self._jobs[job.name] = job

    @property
    def names(self) -> list[str]:
        return list(self._jobs)

    def _due(self) -> list[tuple[Job, Slot]]:
        now = self._clock.now()
        due = []
        for job in self._jobs.values():
            slot = job.schedule.slot_at(now)
            if job.name in self._running or self._seen.get(job.name) == slot.key:
                continue
            # Lateness in running time: a slot the clock was moved over on purpose still
            # runs; one missed while the bot was down for long does not.
            if self._clock.running_since(slot.start) > job.schedule.grace:
                continue
            due.append((job, slot))
        return due

    async def run_due(self) -> list[str]:
        """Run every job whose slot has come and that no replica has claimed yet; returns
        the names of those this replica ran (failed runs included)."""
        due = self._due()
        for job, _ in due:
            self._running.add(job.name)  # before the first await: the next tick skips it
        ran = await asyncio.gather(*(self._run(job, slot) for job, slot in due))
        return [job.name for (job, _), did in zip(due, ran, strict=True) if did]

    async def _run(self, job: Job, slot: Slot) -> bool:
        try:
            try:
                claimed = await self._lock.claim(job.name, slot.key, job.schedule.period + job.schedule.grace)
            except Exception:  # noqa: BLE001 - Redis may be away; the next tick tries again
                if self._claim_failed.get(job.name) != slot.key:
                    self._claim_failed[job.name] = slot.key
                    log.warning("could not claim a job's run", exc_info=True,
                                extra={"ctx_job": job.name, "ctx_slot": slot.key})
                return False
            self._seen[job.name] = slot.key
            if not claimed:
                return False
            try:
                await job.run(slot)
            except Exception:  # noqa: BLE001 - one failing job must not stop the others
                log.error("job failed", exc_info=True, extra={"ctx_job": job.name, "ctx_slot": slot.key})
            return True
        finally:
            self._running.discard(job.name)

    async def _tick(self) -> None:
        # Only starts the runs: a long job must not hold up the tick, and with it the others.
        task = asyncio.get_running_loop().create_task(self.run_due())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        if not self._jobs:
            return
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(self._tick, IntervalTrigger(seconds=self._tick_seconds), id="jobs.tick",
                          max_instances=1, coalesce=True, misfire_grace_time=None, replace_existing=True)
        scheduler.start()
        self._scheduler = scheduler
        log.info("jobs started", extra={"ctx_jobs": ",".join(self._jobs)})

    async def stop(self) -> None:
        """No new runs; runs under way get a moment to finish before they are cancelled."""
        if self._scheduler is None:
            return
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=self._drain_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        log.info("jobs stopped")
