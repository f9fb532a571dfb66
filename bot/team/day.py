"""A department's day at a glance: who is working, on a break, finished, not started, or
left a day open. Pure: built from the departments' members and the days Bitrix24 returned.

Only names, states and hours: no IPs, no locations, no reports' text (the status object
carries IPs and coordinates; they stop here). People who have not linked the bot are
counted, never named: they have not agreed to the bot showing their day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from bot.bitrix24 import Bitrix24Error, Workday, WorkdayStatus


class MemberState(StrEnum):
    WORKING = "working"
    ON_BREAK = "on_break"
    FINISHED = "finished"
    NOT_STARTED = "not_started"
    LEFT_OPEN = "left_open"  # EXPIRED: a day from an earlier date still open
    UNKNOWN = "unknown"  # Bitrix24 did not answer for this person


STATE_ORDER = (MemberState.WORKING, MemberState.ON_BREAK, MemberState.FINISHED, MemberState.NOT_STARTED,
               MemberState.LEFT_OPEN, MemberState.UNKNOWN)


@dataclass(frozen=True, slots=True)
class MemberDay:
    bitrix_id: int
    name: str
    state: MemberState
    since: datetime | None = None  # working: when the day began; on a break: when it began
    worked: timedelta | None = None
    break_for: timedelta | None = None
    open_since: date | None = None  # left open: the date the day started


@dataclass(frozen=True, slots=True)
class DepartmentDay:
    department_id: int
    name: str
    members: tuple[MemberDay, ...]
    not_linked: int
    as_of: datetime

    def by_state(self) -> dict[MemberState, list[MemberDay]]:
        groups: dict[MemberState, list[MemberDay]] = {state: [] for state in STATE_ORDER}
        for member in self.members:
            groups[member.state].append(member)
        return groups

    @property
    def still_open(self) -> list[MemberDay]:
        """Who, in the evening, still works or has an earlier day open: the nudge's list."""
        return [m for m in self.members if m.state in (MemberState.WORKING, MemberState.ON_BREAK,
                                                       MemberState.LEFT_OPEN)]


def member_day(bitrix_id: int, name: str, day: Workday | Bitrix24Error | None, now: datetime,
               zone: tzinfo) -> MemberDay:
    if not isinstance(day, Workday):
        return MemberDay(bitrix_id, name, MemberState.UNKNOWN)
    today = now.astimezone(zone).date()
    started = day.started_at
    if day.status is WorkdayStatus.EXPIRED and started is not None:
        return MemberDay(bitrix_id, name, MemberState.LEFT_OPEN, open_since=started.astimezone(zone).date())
    # A day still running or paused counts whatever date it began on (a night shift, or
    # someone in another zone): only a finished one must be today's to be "finished".
    running = day.status in (WorkdayStatus.OPENED, WorkdayStatus.PAUSED)
    if started is None or (not running and started.astimezone(zone).date() != today):
        return MemberDay(bitrix_id, name, MemberState.NOT_STARTED)
    if day.status is WorkdayStatus.OPENED:
        return MemberDay(bitrix_id, name, MemberState.WORKING, since=started, worked=day.worked(now))
    if day.status is WorkdayStatus.PAUSED:
        return MemberDay(bitrix_id, name, MemberState.ON_BREAK, since=day.paused_at, worked=day.worked(now),
                         break_for=day.current_break(now))
    return MemberDay(bitrix_id, name, MemberState.FINISHED, worked=day.worked(now))


@dataclass(frozen=True, slots=True)
class Roster:
    """A department's people as the structure cache knows them."""

    department_id: int
    name: str
    members: Sequence[tuple[int, str]] = field(default_factory=tuple)  # (bitrix id, name)


def department_day(roster: Roster, linked: set[int], days: Mapping[int, Workday | Bitrix24Error],
                   now: datetime, zone: tzinfo) -> DepartmentDay:
    members = tuple(sorted((member_day(bitrix_id, name, days.get(bitrix_id), now, zone)
                            for bitrix_id, name in roster.members if bitrix_id in linked),
                           key=lambda member: member.name.lower()))
    not_linked = sum(1 for bitrix_id, _ in roster.members if bitrix_id not in linked)
    return DepartmentDay(roster.department_id, roster.name, members, not_linked, now)
