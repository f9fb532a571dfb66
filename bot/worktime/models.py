"""The values the week is built from: a day as the journal keeps it, and the targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.bitrix24 import Workday, WorkdayStatus

WEEKDAYS = frozenset(range(5))  # Monday = 0


@dataclass(frozen=True, slots=True)
class JournalDay:
    """A closed day's final figures. `day` is the date it started on, in its own offset
    (the day Bitrix24 files it under); the times carry that offset."""

    day: date
    started_at: datetime
    finished_at: datetime
    worked: timedelta
    breaks: timedelta
    approved: bool = True

    @classmethod
    def from_workday(cls, workday: Workday) -> JournalDay | None:
        """The entry for a closed day; None for anything else (open, paused, expired, none)."""
        if workday.status is not WorkdayStatus.CLOSED or workday.started_at is None \
                or workday.finished_at is None:
            return None
        return cls(day=workday.started_at.date(), started_at=workday.started_at,
                   finished_at=workday.finished_at, worked=workday.duration, breaks=workday.breaks,
                   approved=workday.active)


@dataclass(frozen=True, slots=True)
class WorkTargets:
    """What Bitrix24 expects of the employee (docs/bitrix24.md#timeman-settings and
    #work-schedules). Times of day are wall-clock times in the employee's zone."""

    min_duration: timedelta = timedelta(hours=8)
    latest_start: time | None = time(9, 15)  # None: flextime, no latest start
    earliest_finish: time | None = time(17, 45)
    work_days: frozenset[int] = WEEKDAYS
    flextime: bool = False
    tracked: bool = True  # UF_TIMEMAN: time tracking is on for this employee
    from_schedule: bool = False  # the figures came from a work schedule, not the user's settings

    def target_for(self, day: date) -> timedelta:
        """The minimum to work on `day`: the minimum duration on a work day, else nothing."""
        if not self.tracked or day.weekday() not in self.work_days:
            return timedelta(0)
        return self.min_duration

    @property
    def last_work_day(self) -> int | None:
        return max(self.work_days) if self.work_days else None
