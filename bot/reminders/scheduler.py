"""APScheduler drives the reminder engine: its claim tick and the reaper.

The jobs live in APScheduler's memory store; the reminders themselves live in Redis, so
every replica runs the same two jobs and the atomic claims keep them from colliding.
Other periodic work is registered with `bot.jobs`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.reminders.engine import ReminderEngine

log = logging.getLogger(__name__)


class ReminderScheduler:
    def __init__(self, engine: ReminderEngine, *, tick_seconds: float = 0.5, reap_seconds: float = 30.0,
                 drain_seconds: float = 5.0) -> None:
        self._engine = engine
        self._drain_seconds = drain_seconds
        self._tick_seconds = tick_seconds
        self._reap_seconds = reap_seconds
        self._scheduler: AsyncIOScheduler | None = None

    async def _tick(self) -> None:
        try:
            report = await self._engine.tick()
        except asyncio.CancelledError:
            # A forced stop (a second Ctrl-C) cancels the tick; its chunks have handed their
            # claims back on the way out. APScheduler would log this as a job's traceback.
            log.warning("a reminder tick was cut short by the stop")
            return
        except Exception:  # noqa: BLE001 - keep ticking; the jobs stay queued in Redis
            log.exception("reminder tick failed")
            return
        if report.claimed:
            log.info("reminders fired", extra={f"ctx_{k}": v for k, v in vars(report).items()})

    async def _reap(self) -> None:
        try:
            await self._engine.reap()
        except Exception:  # noqa: BLE001
            log.exception("reminder reaper failed")

    async def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=UTC)
        # One tick at a time per replica; a late tick is simply skipped (the next one
        # claims whatever is due).
        scheduler.add_job(self._tick, IntervalTrigger(seconds=self._tick_seconds), id="reminders.tick",
                          max_instances=1, coalesce=True, misfire_grace_time=None, replace_existing=True)
        # The first reap right away: after a crash, what the dead process held is due again
        # as soon as its lease has run out, not a reaper interval later.
        scheduler.add_job(self._reap, IntervalTrigger(seconds=self._reap_seconds), id="reminders.reap",
                          max_instances=1, coalesce=True, misfire_grace_time=None, replace_existing=True,
                          next_run_time=datetime.now(UTC))
        scheduler.start()
        self._scheduler = scheduler
        log.info("reminder scheduler started")

    async def stop(self) -> None:
        """Wind down before the connections close: no new ticks, messages already on their
        way finish, and every claim not finished goes back to the queue at once."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.pause()
            try:
                await self._engine.drain(self._drain_seconds)
            except Exception:  # noqa: BLE001 - the stop must go on; leases run out instead
                log.exception("reminder drain failed")
            # Only now: shutdown cancels a tick still running, which must not happen
            # while it holds claims.
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        log.info("reminder scheduler stopped")
