"""The team view: what a department head (or a bot admin) sees of their people's day,
and the daily digests they can ask for.

Who may see what comes from Bitrix24's structure (bot/team/access.py): a head sees the
departments they head and those under them; bot admins see all; anyone else is refused
from the cache, without a call to Bitrix24. A department's day costs one `batch` per 50
linked members, through the client's queue like any other call. Only linked members are
read: the others are counted, never named.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.bitrix24 import Bitrix24Error, RateLimiter, Workday, WorkdayAPI
from bot.clock import Clock
from bot.jobs import JobRegistry
from bot.reminders.directory import UserDirectory
from bot.reminders.models import WEEKDAYS, Kind, Reminder, ReminderDraft
from bot.reminders.store import ReminderStore
from bot.services.reminders import schedule_recurring
from bot.storage.links import LinkRepository
from bot.team.access import TeamAccess, TeamScope
from bot.storage.team_nudges import TeamNudgeLog
from bot.team.day import DepartmentDay, MemberDay, MemberState, Roster, department_day
from bot.team.service import TeamStructureService
from bot.team.structure import OrgStructure
from bot.worktime.sightings import DaySightings

log = logging.getLogger(__name__)

READ_DEADLINE = 120.0  # a department of 500 waits for 10 requests of the portal's budget
RECENT = timedelta(minutes=1)  # pages and Back show the department as read this long ago
REFRESH_COOLDOWN = timedelta(seconds=15)  # a Refresh sooner than this shows the last read
DIGEST_TIMES = (time(8, 30), time(9, 0), time(9, 30), time(10, 0), time(12, 0), time(16, 0), time(17, 0),
                time(18, 0))  # not the evening list's 19:00: two digests at once would interleave
EVENING_AT = time(19, 0)
EVENING_FROM = time(17, 0)  # a colleague's own local time from which the evening list names them


@dataclass(frozen=True, slots=True)
class Digests:
    """A head's digest settings: the daily summary's time (None: off) and the evening list."""

    daily: time | None
    evening: time | None


@dataclass(frozen=True, slots=True)
class DepartmentChoice:
    id: int
    name: str
    depth: int  # levels below the first department the viewer may see


class TeamService:
    def __init__(self, *, access: TeamAccess, structure: TeamStructureService, links: LinkRepository,
                 workday: WorkdayAPI, reminders: ReminderStore, directory: UserDirectory, clock: Clock,
                 asked: TeamNudgeLog, sightings: DaySightings | None = None,
                 background: RateLimiter | None = None) -> None:
        self._access = access
        self._structure = structure
        self._links = links
        self._workday = workday
        self._reminders = reminders
        self._directory = directory
        self._clock = clock
        self._sightings = sightings
        self._asked = asked
        self._background = background
        self._recent: dict[tuple[int, str], DepartmentDay] = {}  # (department, zone) -> its last read

    def register_jobs(self, jobs: JobRegistry) -> None:
        self._structure.register_jobs(jobs)

    async def scope(self, telegram_id: int, bitrix_id: int | None) -> TeamScope:
        """Which departments this user may see (raises Bitrix24Error only when nothing is
        cached and Bitrix24 cannot be read, never for someone refused from the cache)."""
        return await self._access.scope_for(telegram_id, bitrix_id)

    @staticmethod
    def choices(scope: TeamScope) -> list[DepartmentChoice]:
        structure = scope.structure
        if structure is None:
            return []
        allowed = set(scope.departments)

        def depth(dept_id: int) -> int:
            level, parent = 0, structure.departments[dept_id].parent
            seen = {dept_id}
            while parent in allowed and parent not in seen:
                seen.add(parent)
                level += 1
                parent = structure.departments[parent].parent
            return level

        return [DepartmentChoice(dept, structure.departments[dept].name, depth(dept)) for dept in scope.departments]

    async def department_day(self, scope: TeamScope, department_id: int, zone: tzinfo, *,
                             fresh: bool = False) -> DepartmentDay | None:
        """The department's day, if the scope holds it (a forged button's id does not).
        Paging through it reuses a read less than RECENT old; `fresh` (Refresh, a new
        /team) reads again, unless the last read is under REFRESH_COOLDOWN old: a
        department of 500 costs 10 requests, so taps must not each cost them.
        Raises Bitrix24Error when Bitrix24 cannot be read at all."""
        structure = scope.structure
        if structure is None or department_id not in scope.departments:
            return None
        key = (department_id, str(zone))
        now = self._clock.now()
        kept = self._recent.get(key)
        if kept is not None:
            age = now - kept.as_of
            if timedelta(0) <= age < (REFRESH_COOLDOWN if fresh else RECENT):
                return kept
        day = (await self._read(structure, [department_id], zone))[0]
        self._remember(key, day)
        return day

    def _remember(self, key: tuple[int, str], day: DepartmentDay) -> None:
        self._recent[key] = day
        oldest = day.as_of - RECENT
        for stale in [k for k, kept in self._recent.items() if kept.as_of < oldest]:
            del self._recent[stale]

    async def departments_day(self, scope: TeamScope, zone: tzinfo, *, limit: int,
                              background: bool = False) -> list[DepartmentDay]:
        """The first `limit` departments of the scope, read together. `background` (the
        digests) reads within the background share of the portal's budget, behind taps."""
        if scope.structure is None:
            return []
        limiter = self._background if background else None
        return await self._read(scope.structure, list(scope.departments[:limit]), zone, limiter=limiter)

    async def _read(self, structure: OrgStructure, departments: list[int], zone: tzinfo, *,
                    limiter: RateLimiter | None = None) -> list[DepartmentDay]:
        rosters = [Roster(dept, structure.departments[dept].name,
                          tuple((member.bitrix_id, member.name) for member in structure.members(dept)))
                   for dept in departments]
        everyone = list(dict.fromkeys(bitrix_id for roster in rosters for bitrix_id, _ in roster.members))
        linked = set(await self._links.telegram_ids(everyone))
        days = await self._workday.status_many([b for b in everyone if b in linked], deadline=READ_DEADLINE,
                                               limiter=limiter)
        if self._sightings is not None:
            await self._sightings.saw_many({b: day for b, day in days.items() if isinstance(day, Workday)})
        if days and all(isinstance(day, Bitrix24Error) for day in days.values()):
            raise next(iter(days.values()))  # type: ignore[misc]
        now = self._clock.now()
        return [department_day(roster, linked, days, now, zone) for roster in rosters]

    async def still_open(self, days: list[DepartmentDay], head_bitrix_id: int | None) -> list[tuple[MemberDay, int]]:
        """The evening list: who still works or left a day open, with their Telegram ids.
        Not the head themself, and not someone still inside their own working day: a
        colleague far west is asked to close in their evening, not in their morning."""
        still = {member.bitrix_id: member for day in days for member in day.still_open
                 if member.bitrix_id != head_bitrix_id}
        telegram_ids = await self._links.telegram_ids(list(still))
        now = self._clock.now()
        found: list[tuple[MemberDay, int]] = []
        for bitrix_id, member in still.items():
            if bitrix_id not in telegram_ids:
                continue
            zone = ZoneInfo(await self._directory.zone(telegram_ids[bitrix_id]))
            if member.state is MemberState.LEFT_OPEN or now.astimezone(zone).time() >= EVENING_FROM:
                found.append((member, telegram_ids[bitrix_id]))
        return found

    async def ask_to_close(self, telegram_id: int, head_bitrix_id: int | None, scope: TeamScope, zone: tzinfo, *,
                           limit: int) -> list[tuple[MemberDay, int]] | None:
        """Who was asked to close their day (see `still_open`); None when this head already
        asked today (a second tap, or a second replica, asks nobody twice)."""
        days = await self.departments_day(scope, zone, limit=limit)  # a failed read claims nothing
        if not await self._asked.claim(telegram_id, self._clock.now().astimezone(zone).date()):
            return None
        return await self.still_open(days, head_bitrix_id)

    # --- the digests --------------------------------------------------------------

    async def _digest(self, telegram_id: int, kind: Kind) -> Reminder | None:
        ids = await self._reminders.nudge_ids(kind, [telegram_id])
        return await self._reminders.get(ids[telegram_id]) if telegram_id in ids else None

    async def digests(self, telegram_id: int) -> Digests:
        daily = await self._digest(telegram_id, Kind.TEAM_DIGEST)
        evening = await self._digest(telegram_id, Kind.TEAM_EVENING)
        return Digests(daily.at if daily is not None and daily.enabled else None,
                       evening.at if evening is not None and evening.enabled else None)

    async def set_digest(self, telegram_id: int, kind: Kind, at: time | None) -> Digests:
        """Switch a digest on at `at` (weekdays, in the head's zone), or off with None."""
        if kind not in (Kind.TEAM_DIGEST, Kind.TEAM_EVENING):
            raise ValueError(f"{kind} is not a digest")
        reminder = await self._digest(telegram_id, kind)
        if reminder is None:
            reminder = await self._reminders.create_nudge(
                telegram_id, ReminderDraft(kind=kind, at=at or EVENING_AT, days=WEEKDAYS), enabled=at is not None)
        changed = reminder.with_changes(at=at or reminder.at, enabled=at is not None)
        await self._reminders.save(changed)
        zone = await self._directory.zone(telegram_id)
        await schedule_recurring(self._reminders, changed, zone, self._clock.now())
        return await self.digests(telegram_id)

    def now(self) -> datetime:
        return self._clock.now()
