"""The nudges: "not started by the latest start", "the minimum is worked", and the weekly
summary. Each is a reminder of its own kind, one of each per user, whose time and days
follow the user's Bitrix24 targets; the user only switches them on or off.

They are kept apart from the reminders the user makes: not counted toward their limit,
not listed with them, never made by /remind. The goal has no recurring job: its moment
depends on the day, so `goal_listener` queues a one-off job whenever a running day is
seen, at the moment it reaches the minimum (later with every break).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from bot.bitrix24 import Bitrix24Error, Workday, WorkdayStatus
from bot.clock import Clock
from bot.reminders.directory import UserDirectory
from bot.reminders.engine import KeptTargets
from bot.reminders.goal import day_token, goal_job, goal_moment, is_today
from bot.reminders.models import Kind, Reminder, ReminderDraft
from bot.reminders.schedule import recurring_fire
from bot.reminders.store import ReminderStore
from bot.services.reminders import schedule_recurring
from bot.storage.links import LinkRepository
from bot.worktime.models import WorkTargets
from bot.worktime.sightings import DayListener

log = logging.getLogger(__name__)

NUDGE_ORDER = (Kind.LATE_START, Kind.GOAL, Kind.WEEKLY)
ON_AT_FIRST = {Kind.LATE_START: True, Kind.GOAL: True, Kind.WEEKLY: False}
WEEKLY_AT = time(17, 45)  # when the targets set no earliest finish
_NO_TIME = time(0, 0)
_NO_DAYS: frozenset[int] = frozenset()


class Targets(KeptTargets, Protocol):
    """TargetsService as the nudges use it."""

    async def for_user(self, bitrix_id: int) -> WorkTargets: ...


@dataclass(frozen=True, slots=True)
class Nudge:
    reminder: Reminder
    next_at: datetime | None  # the next recurring firing; None for the goal, when off, or with nothing to do
    goal: timedelta | None = None  # the goal nudge: the minimum it waits for

    @property
    def kind(self) -> Kind:
        return self.reminder.kind


def planned(kind: Kind, targets: WorkTargets) -> tuple[time, frozenset[int]]:
    """The time and days a nudge fires on under these targets (no days: it has nothing to do)."""
    if kind is Kind.LATE_START:
        if targets.latest_start is None or not targets.tracked:
            return _NO_TIME, _NO_DAYS  # flextime: there is no "late"
        return targets.latest_start, targets.work_days
    if kind is Kind.GOAL:
        return _NO_TIME, targets.work_days if targets.tracked else _NO_DAYS
    last = targets.last_work_day
    return targets.earliest_finish or WEEKLY_AT, frozenset({last}) if last is not None else _NO_DAYS


class NudgeService:
    def __init__(self, store: ReminderStore, directory: UserDirectory, links: LinkRepository, targets: Targets,
                 clock: Clock) -> None:
        self._store = store
        self._directory = directory
        self._links = links
        self._targets = targets
        self._clock = clock

    async def _mine(self, telegram_id: int) -> dict[Kind, Reminder]:
        return {r.kind: r for r in await self._store.for_user(telegram_id) if r.kind.is_nudge}

    async def ensure(self, telegram_id: int, targets: WorkTargets) -> list[Nudge]:
        """Create the nudges the user lacks (not started and goal on, weekly off) and set
        every one's time and days from `targets`, moving their jobs to match."""
        existing = await self._mine(telegram_id)
        zone = await self._directory.zone(telegram_id)
        now = self._clock.now()
        nudges: list[Nudge] = []
        for kind in NUDGE_ORDER:
            at, days = planned(kind, targets)
            reminder = existing.get(kind)
            if reminder is None:
                reminder = await self._store.create_nudge(telegram_id, ReminderDraft(kind=kind, at=at, days=days),
                                                          enabled=ON_AT_FIRST[kind])
            if (reminder.at, reminder.days) != (at, days):
                stored = await self._store.set_time(reminder.with_changes(at=at, days=days))
                if stored is None:
                    continue  # deleted meanwhile (an unlink)
                reminder = stored
            next_at = await schedule_recurring(self._store, reminder, zone, now)
            nudges.append(Nudge(reminder, next_at, targets.min_duration if kind is Kind.GOAL else None))
        return nudges

    async def sync_many(self, pairs: Iterable[tuple[int, WorkTargets]]) -> None:
        """`ensure` for each (telegram id, targets): the nightly sweep's fresh targets."""
        for telegram_id, targets in pairs:
            await self.ensure(telegram_id, targets)

    async def settle_in(self, telegram_id: int, bitrix_id: int) -> None:
        """After a link: the nudges, from the employee's targets; when Bitrix24 cannot
        say, from the defaults, until the nightly sweep brings the real ones."""
        try:
            targets = await self._targets.for_user(bitrix_id)
        except Bitrix24Error as error:
            log.info("nudges set from default targets: Bitrix24 did not answer",
                     extra={"ctx_b24_user": bitrix_id, "ctx_error": repr(error)})
            targets = WorkTargets()
        await self.ensure(telegram_id, targets)

    async def _kept_targets(self, telegram_id: int) -> WorkTargets:
        bitrix_id = await self._links.bitrix_id(telegram_id)
        if bitrix_id is None:
            return WorkTargets()
        return (await self._targets.kept([bitrix_id])).get(bitrix_id, WorkTargets())

    async def list(self, telegram_id: int) -> list[Nudge]:
        """The user's nudges, in their fixed order. A user linked before there were
        nudges gets them now, from the kept targets (the sweep corrects them)."""
        targets = await self._kept_targets(telegram_id)
        existing = await self._mine(telegram_id)
        if len(existing) < len(NUDGE_ORDER):
            return await self.ensure(telegram_id, targets)
        zone = await self._directory.zone(telegram_id)
        now = self._clock.now()
        return [Nudge(existing[kind], recurring_fire(existing[kind], zone, now),
                      targets.min_duration if kind is Kind.GOAL else None) for kind in NUDGE_ORDER]

    async def set_enabled(self, telegram_id: int, kind: Kind, on: bool) -> Nudge | None:
        """Switch the user's nudge of `kind`; None for a kind that is no nudge."""
        if not kind.is_nudge:
            return None
        for nudge in await self.list(telegram_id):
            if nudge.kind is not kind:
                continue
            reminder = nudge.reminder
            if reminder.enabled != on:
                reminder = reminder.with_changes(enabled=on)
                await self._store.save(reminder)
            # Off takes the recurring job off the queue; a queued goal job stays, and the
            # engine finds the nudge off when it comes.
            next_at = await schedule_recurring(self._store, reminder, await self._directory.zone(telegram_id),
                                               self._clock.now())
            return Nudge(reminder, next_at, nudge.goal)
        return None


def goal_listener(store: ReminderStore, links: LinkRepository, targets: KeptTargets, clock: Clock) -> DayListener:
    """For DaySightings: queue (or move) the goal job of each running day of today seen,
    at the moment it reaches the minimum. Only Redis: the targets are the kept copies."""

    async def schedule(days: Mapping[int, Workday]) -> None:
        now = clock.now()
        running = {bitrix_id: day for bitrix_id, day in days.items()
                   if day.status is WorkdayStatus.OPENED and day.started_at is not None
                   and is_today(day.started_at, now)}
        if not running:
            return
        telegram = await links.telegram_ids(list(running))
        goal_ids = await store.nudge_ids(Kind.GOAL, list(telegram.values()))
        reminders = await store.get_many(goal_ids.values())
        kept = await targets.kept(list(running))
        planned_jobs: list[tuple[str, datetime, int, int | str]] = []
        for bitrix_id, day in running.items():
            reminder = reminders.get(goal_ids.get(telegram.get(bitrix_id, 0), 0))
            if reminder is None or not reminder.enabled:
                continue
            moment = goal_moment(day, kept.get(bitrix_id, WorkTargets()))
            job = goal_job(reminder.id, day)
            if moment is None or job is None:
                continue
            # Reached before anyone looked (the first sighting is late): say so now.
            planned_jobs.append((job, max(moment, now), reminder.id, str(day_token(day))))
        # Not a job a replica is working on (it decides, and moves it, itself), nor one
        # that has had its say today.
        await store.schedule_once_a_day(planned_jobs)

    schedule.__qualname__ = "goal_listener"
    return schedule


def nudge_pairs(telegram_by_bitrix: Mapping[int, int], targets: Mapping[int, WorkTargets]) -> Sequence[tuple[int, WorkTargets]]:
    """(telegram id, targets) for `NudgeService.sync_many`, from a sweep's Bitrix24-keyed targets."""
    return [(telegram_by_bitrix[bitrix_id], found) for bitrix_id, found in targets.items()
            if bitrix_id in telegram_by_bitrix]
