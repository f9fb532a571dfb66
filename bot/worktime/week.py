"""A week of work, Monday to Sunday in the employee's zone: each day's worked time
against its target, the balance so far, and today's "done at"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum

from bot.bitrix24 import Workday, WorkdayStatus
from bot.worktime.done_at import DoneAt, day_of, done_at
from bot.worktime.models import JournalDay, WorkTargets

_ZERO = timedelta(0)
DAYS_IN_WEEK = 7


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class DayState(StrEnum):
    CLOSED = "closed"  # a finished day
    RUNNING = "running"
    PAUSED = "paused"
    LEFT_OPEN = "left_open"  # an EXPIRED day still not closed: its end, so its worked time, is unknown
    NOT_WORKED = "not_worked"  # a past day with no record
    UNTRACKED = "untracked"  # before the employee linked the bot: what they did is not known here
    TODAY_NOT_STARTED = "today_not_started"
    FUTURE = "future"


IN_PROGRESS = frozenset({DayState.RUNNING, DayState.PAUSED})


@dataclass(frozen=True, slots=True)
class DayRow:
    day: date
    worked: timedelta
    target: timedelta
    state: DayState
    approved: bool = True

    @property
    def reached(self) -> bool:
        """Worked at least the target (trivially so on a day without one)."""
        return self.worked >= self.target and self.state is not DayState.LEFT_OPEN

    @property
    def balance(self) -> timedelta:
        """What the day adds to the balance so far: a day still in progress (or not
        started, or to come) adds no deficit; any other day adds worked - target."""
        if self.state in IN_PROGRESS or self.state is DayState.TODAY_NOT_STARTED:
            return max(_ZERO, self.worked - self.target)
        if self.state in (DayState.FUTURE, DayState.UNTRACKED):
            return _ZERO
        return self.worked - self.target


@dataclass(frozen=True, slots=True)
class WeekSummary:
    monday: date
    today: date  # in `zone`
    rows: tuple[DayRow, ...]  # Monday first, seven of them
    worked: timedelta
    target: timedelta  # the whole week's
    target_so_far: timedelta  # the targets of the days up to and including today
    balance: timedelta
    done: DoneAt | None  # today's, when today is in this week and has a minimum
    zone: tzinfo
    as_of: datetime  # `now`, in UTC

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=DAYS_IN_WEEK - 1)

    @property
    def is_past(self) -> bool:
        return self.sunday < self.today

    @property
    def is_future(self) -> bool:
        return self.monday > self.today

    @property
    def today_row(self) -> DayRow | None:
        return next((row for row in self.rows if row.day == self.today), None)

    @property
    def left_open(self) -> tuple[DayRow, ...]:
        return tuple(row for row in self.rows if row.state is DayState.LEFT_OPEN)

    @property
    def unapproved(self) -> tuple[DayRow, ...]:
        return tuple(row for row in self.rows if row.state is DayState.CLOSED and not row.approved)

    @property
    def untracked(self) -> tuple[DayRow, ...]:
        """Work days before the employee linked the bot, with nothing known of them."""
        return tuple(row for row in self.rows if row.state is DayState.UNTRACKED and row.target > _ZERO)

    @property
    def missed(self) -> tuple[DayRow, ...]:
        """Past work days with no record at all."""
        return tuple(row for row in self.rows if row.state is DayState.NOT_WORKED and row.target > _ZERO)


def build_week(monday: date, journal: Sequence[JournalDay], current: Workday | None,
               targets: WorkTargets, now: datetime, zone: tzinfo, *,
               tracked_since: date | None = None) -> WeekSummary:
    """The week starting on `monday` (any week: past, this one, or to come).

    `journal` holds closed days of any dates; `current` is the live timeman.status, which
    wins over the journal for its own date (a day reopened after it was journaled).
    Worked times are Bitrix24's durations, never wall clocks subtracted, so a week with
    a DST change adds up right. Days before `tracked_since` (the link) without an entry
    are not the employee's missing hours but the bot's: they count no target.
    """
    if monday.weekday() != 0:
        raise ValueError(f"{monday} is not a Monday")
    now = now.astimezone(UTC)
    today = now.astimezone(zone).date()
    days = [monday + timedelta(days=offset) for offset in range(DAYS_IN_WEEK)]
    closed = _latest_per_day(day for day in journal if monday <= day.day <= days[-1])
    live = _live_row(current, closed, targets, now)
    rows = []
    for day in days:
        if live is not None and live.day == day:
            rows.append(live)
        elif day in closed:
            entry = closed[day]
            rows.append(DayRow(day, entry.worked, targets.target_for(day), DayState.CLOSED,
                               entry.approved))
        elif tracked_since is not None and day < tracked_since:
            rows.append(DayRow(day, _ZERO, targets.target_for(day), DayState.UNTRACKED))
        else:
            state = (DayState.NOT_WORKED if day < today
                     else DayState.TODAY_NOT_STARTED if day == today else DayState.FUTURE)
            rows.append(DayRow(day, _ZERO, targets.target_for(day), state))
    # Whole minutes, as every figure is shown: the balance then agrees with the totals.
    rows = [replace(row, worked=_whole_minutes(row.worked)) for row in rows]
    done = None
    if current is not None and monday <= today <= days[-1] and day_of(current) == today:
        done = done_at(current, targets, now)
    return WeekSummary(
        monday=monday, today=today, rows=tuple(rows),
        worked=sum((row.worked for row in rows), _ZERO),
        target=sum((row.target for row in rows), _ZERO),
        target_so_far=sum((row.target for row in rows if row.day <= today), _ZERO),
        balance=sum((row.balance for row in rows), _ZERO),
        done=done, zone=zone, as_of=now,
    )


def _whole_minutes(value: timedelta) -> timedelta:
    return timedelta(minutes=int(value.total_seconds()) // 60)


def _latest_per_day(entries: Iterable[JournalDay]) -> dict[date, JournalDay]:
    """One entry per date; a day journaled twice (reopened, closed again) keeps its last close."""
    latest: dict[date, JournalDay] = {}
    for entry in entries:
        kept = latest.get(entry.day)
        if kept is None or entry.finished_at > kept.finished_at:
            latest[entry.day] = entry
    return latest


def _live_row(current: Workday | None, closed: dict[date, JournalDay], targets: WorkTargets,
              now: datetime) -> DayRow | None:
    if current is None or not current.has_record:
        return None
    day = day_of(current)
    assert day is not None
    target = targets.target_for(day)
    if current.status is WorkdayStatus.EXPIRED:
        return DayRow(day, _ZERO, target, DayState.LEFT_OPEN, current.active)
    if current.status is WorkdayStatus.CLOSED:
        return DayRow(day, current.duration, target, DayState.CLOSED, current.active)
    state = DayState.RUNNING if current.status is WorkdayStatus.OPENED else DayState.PAUSED
    worked = current.worked(now)
    if worked is None:
        # A pause whose start the portal did not report: the last close of a reopened day
        # is the best known lower bound, else nothing.
        worked = closed[day].worked if day in closed else _ZERO
    return DayRow(day, worked, target, state, current.active)
