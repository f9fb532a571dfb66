"""Times and durations as people read them, in the user's language and time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

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
    local = moment.astimezone(zone)
    weekday = t("fmt.weekdays").split(",")[local.weekday()]
    month = t("fmt.months").split(",")[local.month - 1]
    return t("fmt.date", weekday=weekday, day=local.day, month=month)
