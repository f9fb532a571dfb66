"""Each user's history of closed days, as tests and the control API read it (not a REST method).

Every record that gets closed (timeman.close, a repaired expired day, the auto-close hook, a
seeded closed record) has one entry, printed the way timeman.status printed the closed day; a
reopened and closed-again record replaces its entry. Tests may also seed days further back:
those are history only, with no record behind them, so timeman.status never shows them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from workday_sandbox.portal import timeman_engine as engine
from workday_sandbox.portal.durations import DAY, clock_of


@dataclass(frozen=True, slots=True)
class ClosedDay:
    started: datetime  # the start instant (UTC), for ordering
    date: date  # the start's date in the start offset
    time_start: str  # TIME_START as timeman.status prints it
    time_finish: str | None  # TIME_FINISH likewise (null at exactly local midnight)
    duration: str  # DURATION, HH:MM:SS
    time_leaks: str  # TIME_LEAKS, HH:MM:SS
    active: bool  # ACTIVE
    record_id: int | None  # None for a seeded day with no record behind it

    def as_dict(self) -> dict[str, Any]:
        return {
            "DATE": self.date.isoformat(),
            "TIME_START": self.time_start,
            "TIME_FINISH": self.time_finish,
            "DURATION": self.duration,
            "TIME_LEAKS": self.time_leaks,
            "ACTIVE": self.active,
            "RECORD_ID": self.record_id,
            "SEEDED": self.record_id is None,
        }


def closed_day_of(record: engine.WorkdayRecord, status: dict[str, Any], *, record_id: int | None) -> ClosedDay:
    """The entry for a closed `record` whose timeman.status object is `status`."""
    if not record.stopped:
        raise ValueError("only a closed record has a closed-day entry")
    return ClosedDay(
        started=record.start,
        date=record.start_date,
        time_start=status["TIME_START"],
        time_finish=status["TIME_FINISH"],
        duration=status["DURATION"],
        time_leaks=status["TIME_LEAKS"],
        active=bool(status["ACTIVE"]),
        record_id=record_id,
    )


def seeded_day(
    day: date,
    start: int,
    finish: int,
    breaks: int,
    *,
    ctx: engine.UserContext,
    policy: engine.TimemanPolicy,
    now: datetime,
    active: bool = True,
) -> ClosedDay:
    """A past closed day from wall clocks in the user's zone (seconds from midnight).

    A finish at or before the start is on the next day (a night shift). ValueError when the
    day would end after `now` or the breaks fill the whole day.
    """
    begin = datetime.combine(day, clock_of(start), tzinfo=ctx.zone)
    end_day = day + timedelta(days=1) if finish <= start or finish == DAY else day
    end = datetime.combine(end_day, clock_of(finish), tzinfo=ctx.zone)
    if end.astimezone(UTC) > now:
        raise ValueError(f"the day of {day.isoformat()} would end after now ({now.isoformat()})")
    if breaks >= (end - begin).total_seconds():
        raise ValueError("breaks must be shorter than the time from start to finish")
    record = engine.seed_record(
        begin,
        ctx,
        status=engine.STATUS_CLOSED,
        breaks=timedelta(seconds=breaks),
        closed_at=end,
        now=now,
        approved=active,
    )
    return closed_day_of(record, engine.status_object(record, now, ctx, policy), record_id=None)


class ClosedDayLog:
    """Per user, the closed days in order of their start."""

    def __init__(self) -> None:
        self._days: dict[int, list[ClosedDay]] = {}

    def of(self, user_id: int) -> list[ClosedDay]:
        return list(self._days.get(user_id, []))

    def record_closed(self, user_id: int, entry: ClosedDay) -> None:
        """Add a closed record's entry, or replace the one it had before a reopen."""
        days = self._days.setdefault(user_id, [])
        for index, known in enumerate(days):
            if entry.record_id is not None and known.record_id == entry.record_id:
                days[index] = entry
                return
        self._insert(days, entry)

    def add_seeded(self, user_id: int, entry: ClosedDay) -> None:
        days = self._days.setdefault(user_id, [])
        if any(known.date == entry.date for known in days):
            raise ValueError(f"user {user_id} has a closed day on {entry.date.isoformat()} already")
        self._insert(days, entry)

    @staticmethod
    def _insert(days: list[ClosedDay], entry: ClosedDay) -> None:
        bisect.insort_right(days, entry, key=lambda day: day.started)
