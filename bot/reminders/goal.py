"""When a day reaches its minimum duration, and the one-off job that says so.

The moment moves with the day: every finished break puts it later, so it is computed
afresh from each sighting of the day (bot/services/nudges.py) and again when the job
fires (the engine)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.bitrix24 import Workday
from bot.reminders.store import one_off_job
from bot.worktime.models import WorkTargets

GOAL = "gl"  # the one-off job kind: `o:gl:{reminder id}:{day start, unix}`
# Bitrix24 counts in whole minutes and our tick runs a little late or early.
GOAL_SLACK = timedelta(minutes=1)


def day_token(day: Workday) -> int | None:
    return int(day.started_at.timestamp()) if day.started_at is not None else None


def goal_job(reminder_id: int, day: Workday) -> str | None:
    token = day_token(day)
    return None if token is None else one_off_job(GOAL, reminder_id, token)


def goal_target(day: Workday, targets: WorkTargets) -> timedelta:
    """The minimum for this day: nothing on a day off or when time is not tracked."""
    if day.started_at is None:
        return timedelta(0)
    return targets.target_for(day.started_at.date())


def goal_moment(day: Workday, targets: WorkTargets) -> datetime | None:
    """When the running day reaches its minimum, if it kept running; None for a day that
    has no minimum."""
    target = goal_target(day, targets)
    if day.started_at is None or target <= timedelta(0):
        return None
    return day.started_at + day.breaks + target


def is_today(moment: datetime, now: datetime) -> bool:
    """`moment` falls on today's date, read in `moment`'s own offset (the day's)."""
    assert moment.tzinfo is not None
    return moment.date() == now.astimezone(moment.tzinfo).date()
