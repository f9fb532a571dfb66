"""When today's minimum is worked: the "done at" of a running, paused or closed day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.bitrix24 import Workday, WorkdayStatus
from bot.worktime.models import WorkTargets

_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class DoneAt:
    """`at`: when the minimum is (or was) reached; None while on a break that has not
    reached it, since nobody knows when the break ends. `remaining`: what is still to work."""

    at: datetime | None
    remaining: timedelta
    reached: bool


def day_of(day: Workday) -> date | None:
    """The date Bitrix24 files a day under: its start date, in its own offset."""
    return day.started_at.date() if day.started_at is not None else None


def is_today(day: Workday, now: datetime) -> bool:
    """Whether the day started today, as its own offset reads "today"."""
    if day.started_at is None:
        return False
    return day.started_at.date() == now.astimezone(day.started_at.tzinfo).date()


def done_at(day: Workday, targets: WorkTargets, now: datetime) -> DoneAt | None:
    """None unless `day` is today's running, paused or closed day with a minimum to work
    (a non-work day, or time tracking off, has none; flextime still has one).

    The moment a past minimum was reached is worked back from the surplus, so it is
    exact unless a break was taken after reaching it (then it is that break too early).
    """
    if day.status is WorkdayStatus.EXPIRED or not is_today(day, now):
        return None
    target = targets.target_for(day_of(day))  # type: ignore[arg-type]
    if target <= _ZERO:
        return None
    # Instants in UTC: adding to a datetime in a named zone is wall-clock arithmetic,
    # wrong by an hour across a DST change.
    now = now.astimezone(UTC)
    worked = day.worked(now)
    if worked is None:  # a pause whose start the portal did not report
        return None
    remaining = max(_ZERO, target - worked)
    reached = worked >= target
    surplus = worked - target
    if day.status is WorkdayStatus.OPENED:
        return DoneAt(at=now - surplus, remaining=remaining, reached=reached)
    if day.status is WorkdayStatus.PAUSED:
        assert day.paused_at is not None  # worked() is known only then
        at = day.paused_at.astimezone(UTC) - surplus if reached else None
        return DoneAt(at=at, remaining=remaining, reached=reached)
    at = day.finished_at.astimezone(UTC) - surplus if reached and day.finished_at else None
    return DoneAt(at=at, remaining=remaining, reached=reached)
