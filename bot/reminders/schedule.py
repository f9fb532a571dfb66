"""When a reminder fires next: APScheduler's CronTrigger in the user's zone, DST-correct.

A wall-clock time that does not exist on a spring-forward day fires at the instant
CronTrigger picks (the clock has already jumped, so an hour later by the wall clock); a
time that happens twice in the autumn fires once, at the first: CronTrigger alone would
fire it twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.reminders.models import Kind, Reminder

_CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ONE_SECOND = timedelta(seconds=1)


@lru_cache(maxsize=4096)
def _trigger(at: time, days: frozenset[int], zone: str) -> CronTrigger:
    day_of_week = ",".join(_CRON_DAYS[day] for day in sorted(days))
    return CronTrigger(day_of_week=day_of_week, hour=at.hour, minute=at.minute, second=0,
                       timezone=ZoneInfo(zone))


def _after(at: time, days: frozenset[int], zone: str, moment: datetime) -> datetime:
    trigger = _trigger(at, days, zone)
    fire = trigger.get_next_fire_time(None, moment)
    assert fire is not None  # a weekly trigger always has a next time
    if fire <= moment:
        # CronTrigger may return `moment` itself when it falls exactly on a firing time.
        fire = trigger.get_next_fire_time(None, moment.replace(microsecond=0) + _ONE_SECOND)
        assert fire is not None
    return fire.astimezone(UTC)


def next_fire(at: time, days: frozenset[int], zone: str, after: datetime) -> datetime:
    """The first firing strictly after `after`, in UTC; at most one a day."""
    if not days:
        raise ValueError("a reminder needs at least one day")
    fire = _after(at, days, zone, after)
    tz = ZoneInfo(zone)
    local_after = after.astimezone(tz)
    if fire.astimezone(tz).date() == local_after.date() and local_after.time() >= at:
        # After a fall-back the same wall time comes round again: it already fired today.
        next_day = datetime.combine(local_after.date() + timedelta(days=1), time(0), tzinfo=tz)
        fire = _after(at, days, zone, next_day - _ONE_SECOND)
    return fire


def recurring_fire(reminder: Reminder, zone: str, after: datetime) -> datetime | None:
    """When the reminder's recurring job fires next; None when it has none: switched off,
    the goal nudge (its jobs are one-off, one a day), or no days (a nudge the targets
    leave nothing to do, e.g. "not started" under flextime)."""
    if not reminder.enabled or reminder.kind is Kind.GOAL or not reminder.days:
        return None
    return next_fire(reminder.at, reminder.days, zone, after)
