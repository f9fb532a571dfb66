"""Callback data factories. They carry what a button means, never who pressed it:
the acting user always comes from the update."""

from __future__ import annotations

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


class ReminderAction(CallbackData, prefix="rm"):
    """Buttons on a break reminder."""

    action: str  # pause | snooze | skip
    rid: int


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


class RemindMenu(CallbackData, prefix="rmm"):
    """The /remind menu, and the "new reminder" buttons under /reminders."""

    action: str  # new | close | list


class RemindStep(CallbackData, prefix="rw"):
    """A step of the /remind wizard. The draft itself lives in FSM data, tied to the
    wizard's message, so these carry only the choice."""

    # t: time | d: toggle a day | n: days done | m: mode | b: break length | r: resume
    # | c: close-check time | x: cancel
    step: str
    value: str = ""


class ReminderEdit(CallbackData, prefix="rl"):
    """A /reminders button. Only the id: the service checks that it is the tapper's."""

    action: str  # on | off | del
    rid: int


class TimeZoneAction(CallbackData, prefix="tz"):
    action: str  # show | b24
