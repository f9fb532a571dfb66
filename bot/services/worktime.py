"""The employee's week and targets, and the nightly sweep that keeps the journal whole.

The journal fills from what the bot sees anyway (DaySightings); the sweep adds what it
would miss: a day closed in Bitrix24 itself, by someone who never tapped anything after.
It reads every linked employee's status, 50 to a `batch`, and refreshes their targets the
same way, through the client's queue like any other call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.bitrix24 import Bitrix24Error, Workday, WorkdayAPI
from bot.clock import Clock
from bot.jobs import JobRegistry
from bot.jobs.schedule import Slot
from bot.services.nudges import NudgeService, nudge_pairs
from bot.services.workday import DayReport, WorkdayService
from bot.storage.journal import JournalRepository
from bot.storage.links import Link, LinkRepository
from bot.storage.profiles import ProfileRepository
from bot.worktime.models import WorkTargets
from bot.worktime.sightings import DaySightings
from bot.worktime.targets import TargetsService
from bot.worktime.week import WeekSummary, build_week, monday_of

log = logging.getLogger(__name__)

SWEEP_HOUR = 2  # each employee's day is read in their own night, 02:00-03:00 where they are
SWEEP_CHUNK = 500  # employees handed to the queue at a time (it sends them 50 to a batch)
SWEEP_DEADLINE = 900.0  # a call waits for its own batch of 50 only; 10,000 employees take about 3 minutes in all


@dataclass(frozen=True, slots=True)
class WeekView:
    summary: WeekSummary
    targets: WorkTargets
    today: DayReport | None  # the live status; not read for a week still to come
    live: bool  # False: today's day could not be read, so the week shows the journal alone


@dataclass
class SweepReport:
    employees: int = 0
    days_seen: int = 0
    unreadable: int = 0
    targets_refreshed: int = 0


class WorktimeService:
    def __init__(self, *, workday: WorkdayService, api: WorkdayAPI, journal: JournalRepository,
                 targets: TargetsService, links: LinkRepository, sightings: DaySightings, clock: Clock,
                 default_zone: str, nudges: NudgeService | None = None,
                 profiles: ProfileRepository | None = None) -> None:
        self._workday = workday
        self._api = api
        self._journal = journal
        self._targets = targets
        self._links = links
        self._sightings = sightings
        self._clock = clock
        self._default_zone = default_zone
        self._nudges = nudges
        self._profiles = profiles  # each employee's zone, for the nightly sweep

    async def targets(self, bitrix_id: int) -> WorkTargets | None:
        """The employee's targets; None when Bitrix24 cannot say and nothing is kept."""
        try:
            return await self._targets.for_user(bitrix_id)
        except Bitrix24Error as error:
            log.info("targets unknown: Bitrix24 did not answer",
                     extra={"ctx_b24_user": bitrix_id, "ctx_error": repr(error)})
            return None

    async def week(self, bitrix_id: int, zone: tzinfo, monday: date | None = None, *,
                   day: Workday | None = None, tracked_since: date | None = None) -> WeekView:
        """The week starting `monday` (this week by default). `day` is today's status when
        the caller has just read it (a reminder's batch); otherwise it is read here. Raises
        Bitrix24Error when the targets cannot be known: a week without them would mislead."""
        now = self._clock.now()
        today = now.astimezone(zone).date()
        monday = monday or monday_of(today)
        # The kept copy while there is one (the sweep refreshes it nightly): /week then costs
        # one status read, like any action.
        kept = await self._targets.kept([bitrix_id])
        targets = kept[bitrix_id] if bitrix_id in kept else await self._targets.for_user(bitrix_id)
        report: DayReport | None = None
        current = day
        if current is None and monday <= today:  # a day left open may be from an earlier week: it shows there
            report = await self._workday.status(bitrix_id)
            current = report.day
        journal = await self._journal.days(bitrix_id, monday, monday + timedelta(days=6))
        summary = build_week(monday, journal, current, targets, now, zone, tracked_since=tracked_since)
        return WeekView(summary, targets, report, live=report is None or report.day is not None)

    def register_jobs(self, jobs: JobRegistry) -> None:
        # Hourly, for the employees whose night it is: a day closed in Bitrix24 in the evening
        # is still the latest record then, before the next one starts. (Once a day in a
        # single zone would come after the morning start for people far east of it.)
        jobs.every("worktime.sweep", self.sweep_night, minutes=60)

    async def sweep_night(self, _slot: Slot | None = None) -> SweepReport:
        """The sweep for the linked employees for whom it is now between 02:00 and 03:00.
        (On the night a clock springs past 02:00 there is no such hour: that night is skipped.)"""
        links = await self._links.all()
        zones = await self._profiles.zones_of([link.telegram_id for link in links]) if self._profiles else {}
        now = self._clock.now()

        def nightly(zone_name: str) -> bool:
            try:
                return now.astimezone(ZoneInfo(zone_name)).hour == SWEEP_HOUR
            except (ZoneInfoNotFoundError, ValueError):
                return False

        due = [link for link in links if nightly(zones.get(link.telegram_id, self._default_zone))]
        return await self.sweep(due)

    async def sweep(self, links: list[Link] | None = None) -> SweepReport:
        """Read these linked employees' days and targets (everyone's by default); the
        journal keeps the closed days."""
        report = SweepReport()
        links = await self._links.all() if links is None else links
        telegram_by_bitrix = {link.bitrix_id: link.telegram_id for link in links}
        ids = sorted(telegram_by_bitrix)
        if not ids:
            return report
        report.employees = len(ids)
        for offset in range(0, len(ids), SWEEP_CHUNK):
            chunk = ids[offset:offset + SWEEP_CHUNK]
            try:
                days = await self._api.status_many(chunk, deadline=SWEEP_DEADLINE)
            except Bitrix24Error as error:
                log.warning("the nightly sweep could not read a part of the days",
                            extra={"ctx_count": len(chunk), "ctx_error": repr(error)})
                report.unreadable += len(chunk)
                continue
            seen = {bitrix_id: day for bitrix_id, day in days.items() if isinstance(day, Workday)}
            report.days_seen += len(seen)
            report.unreadable += len(days) - len(seen)
            # Someone who unlinked while their batch waited must not get a journal back.
            still = await self._links.telegram_ids(list(seen))
            await self._sightings.saw_many({b: day for b, day in seen.items() if b in still})
        for offset in range(0, len(ids), SWEEP_CHUNK):
            try:
                refreshed = await self._targets.refresh(ids[offset:offset + SWEEP_CHUNK], deadline=SWEEP_DEADLINE)
            except Bitrix24Error as error:
                log.warning("the nightly sweep could not refresh targets", extra={"ctx_error": repr(error)})
                continue
            still = await self._links.telegram_ids(list(refreshed))
            for bitrix_id in set(refreshed) - set(still):  # unlinked meanwhile: keep nothing of them
                await self._targets.forget(bitrix_id)
            refreshed = {b: found for b, found in refreshed.items() if b in still}
            report.targets_refreshed += len(refreshed)
            if self._nudges is not None:  # a changed schedule moves the nudges with it
                await self._nudges.sync_many(nudge_pairs(still, refreshed))
        log.info("nightly sweep done", extra={"ctx_employees": report.employees, "ctx_days": report.days_seen,
                                              "ctx_unreadable": report.unreadable,
                                              "ctx_targets": report.targets_refreshed})
        return report

    async def forget(self, bitrix_id: int) -> None:
        await self._journal.forget(bitrix_id)
        await self._targets.forget(bitrix_id)
