"""Times and durations as people read them, in the user's language and time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import cache

from bot.i18n import Translator


def duration(value: timedelta, t: Translator) -> str:
    minutes = max(0, int(value.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return t("fmt.hours_minutes", h=hours, m=minutes)
    return t("fmt.minutes", m=minutes)


def clock(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def date(moment: datetime, zone: tzinfo, t: Translator) -> str:
    """"Tue, 1 Dec"."""
    local = moment.astimezone(zone)
    return t("fmt.date", weekday=local.weekday(), day=local.day, month=local.month)


def weekdays(t: Translator) -> tuple[str, ...]:
    """The short names of the days, Monday first."""
    return _weekdays(t.language)


@cache
def _weekdays(language: str) -> tuple[str, ...]:
    # The catalogs never change while the bot runs, so a language's names are worked out once.
    t = Translator(language)
    return tuple(t("fmt.weekday", weekday=day) for day in range(7))
