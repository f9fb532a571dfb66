"""Callback data factories. They carry what a button means, never who pressed it:
the acting user always comes from the update."""

from __future__ import annotations

from datetime import datetime

from aiogram.filters.callback_data import CallbackData


class DayAction(CallbackData, prefix="d"):
    """A day-card button. `day` is the card's day (TIME_START in unix minutes, 0 = none),
    so a tap on an old card can be recognised."""

    action: str  # pause | resume | close | start | refresh
    day: int = 0


class RepairAction(CallbackData, prefix="fx"):
    """The EXPIRED-day repair flow."""

    action: str  # suggested | other | reason | cancel
    day: int = 0


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


def day_key(started_at: datetime | None) -> int:
    return int(started_at.timestamp()) // 60 if started_at else 0
