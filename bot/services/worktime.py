"""The employee's week and targets, and the nightly sweep that keeps the journal whole.

The journal fills from what the bot sees anyway (DaySightings); the sweep adds what it
would miss: a day closed in Bitrix24 itself, by someone who never tapped anything after.
It reads every linked employee's status, 50 to a `batch`, and refreshes their targets the
same way, through the client's queue like any other call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, time, timedelta, tzinfo

from bot.bitrix24 import Bitrix24Error, Workday, WorkdayAPI
from bot.clock import Clock
from bot.jobs import JobRegistry
from bot.jobs.schedule import Slot
from bot.services.nudges import NudgeService, nudge_pairs
from bot.services.workday import DayReport, WorkdayService
from bot.storage.journal import JournalRepository
from bot.storage.links import LinkRepository
from bot.worktime.models import WorkTargets
from bot.worktime.sightings import DaySightings
from bot.worktime.targets import TargetsService
from bot.worktime.week import WeekSummary, build_week, monday_of

log = logging.getLogger(__name__)

SWEEP_AT = time(2, 30)  # in the deployment's default zone: after everyone's evening
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
                 default_zone: str, nudges: NudgeService | None = None) -> None:
        self._workday = workday
        self._api = api
        self._journal = journal
        self._targets = targets
        self._links = links
        self._sightings = sightings
        self._clock = clock
        self._default_zone = default_zone
        self._nudges = nudges

    async def targets(self, bitrix_id: int) -> WorkTargets | None:
        """The employee's targets; None when Bitrix24 cannot say and nothing is kept."""
        try:
            return await self._targets.for_user(bitrix_id)
        except Bitrix24Error as error:
            log.info("targets unknown: Bitrix24 did not answer",
                     extra={"ctx_b24_user": bitrix_id, "ctx_error": repr(error)})
            return None

    async def week(self, bitrix_id: int, zone: tzinfo, monday: date | None = None, *,
                   day: Workday | None = None) -> WeekView:
        """The week starting `monday` (this week by default). `day` is today's status when
        the caller has just read it (a reminder's batch); otherwise it is read here. Raises
        Bitrix24Error when the targets cannot be known: a week without them would mislead."""
        now = self._clock.now()
        today = now.astimezone(zone).date()
        monday = monday or monday_of(today)
        targets = await self._targets.for_user(bitrix_id)
        report: DayReport | None = None
        current = day
        if current is None and monday <= today:  # a day left open may be from an earlier week: it shows there
            report = await self._workday.status(bitrix_id)
            current = report.day
        journal = await self._journal.days(bitrix_id, monday, monday + timedelta(days=6))
        summary = build_week(monday, journal, current, targets, now, zone)
        return WeekView(summary, targets, report, live=report is None or report.day is not None)

    def register_jobs(self, jobs: JobRegistry) -> None:
        jobs.daily("worktime.sweep", self.sweep, at=SWEEP_AT, zone=self._default_zone)

    async def sweep(self, _slot: Slot | None = None) -> SweepReport:
        """Read every linked employee's day and targets; the journal keeps the closed days."""
        report = SweepReport()
        links = await self._links.all()
        telegram_by_bitrix = {link.bitrix_id: link.telegram_id for link in links}
        ids = sorted(telegram_by_bitrix)
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
            await self._sightings.saw_many(seen)
        for offset in range(0, len(ids), SWEEP_CHUNK):
            try:
                refreshed = await self._targets.refresh(ids[offset:offset + SWEEP_CHUNK], deadline=SWEEP_DEADLINE)
            except Bitrix24Error as error:
                log.warning("the nightly sweep could not refresh targets", extra={"ctx_error": repr(error)})
                continue
            report.targets_refreshed += len(refreshed)
            if self._nudges is not None:  # a changed schedule moves the nudges with it
                await self._nudges.sync_many(nudge_pairs(telegram_by_bitrix, refreshed))
        log.info("nightly sweep done", extra={"ctx_employees": report.employees, "ctx_days": report.days_seen,
                                              "ctx_unreadable": report.unreadable,
                                              "ctx_targets": report.targets_refreshed})
        return report

    async def forget(self, bitrix_id: int) -> None:
        await self._journal.forget(bitrix_id)
        await self._targets.forget(bitrix_id)
