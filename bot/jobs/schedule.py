"""When a job runs: the run slot a moment falls in.

A slot is one run of a job (one day of a daily job, one interval of a periodic one). Its
key names it in Redis, so every replica that looks at the same moment finds the same
slot and only one of them runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo


@dataclass(frozen=True)
class Slot:
    key: str
    start: datetime  # when the run was due, in UTC


@dataclass(frozen=True)
class Every:
    """Once per interval; the intervals are counted from the Unix epoch, so all replicas
    agree on them whenever each one started."""

    interval: timedelta

    def __post_init__(self) -> None:
        if self.interval < timedelta(seconds=1):
            raise ValueError("a periodic job runs at most once a second")

    @property
    def period(self) -> timedelta:
        return self.interval

    @property
    def grace(self) -> timedelta:
        return self.interval  # any time within its own interval

    def slot_at(self, now: datetime) -> Slot:
        seconds = self.interval.total_seconds()
        start = datetime.fromtimestamp(now.timestamp() // seconds * seconds, UTC)
        return Slot(start.strftime("%Y%m%dT%H%M%SZ"), start)


@dataclass(frozen=True)
class Daily:
    """Once a day at a time of day in a zone; a run missed by more than `grace` (the bot
    was down) waits for the next day."""

    at: time
    zone: tzinfo = UTC
    grace: timedelta = timedelta(hours=1)

    @property
    def period(self) -> timedelta:
        return timedelta(days=1)

    def slot_at(self, now: datetime) -> Slot:
        local = now.astimezone(self.zone)
        day = local.date()
        start = datetime.combine(day, self.at, self.zone)
        if start > local:
            day -= timedelta(days=1)
            start = datetime.combine(day, self.at, self.zone)
        return Slot(day.isoformat(), start.astimezone(UTC))
