"""Callback data factories. They carry what a button means, never who pressed it:
the acting user always comes from the update."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Callback data comes back from the client and can be forged. Numbers are bounded here,
# once for every button: a value out of range does not unpack, so the tap is treated as
# an unknown (old) button instead of reaching a handler that would turn it into a date
# or an id. Words are short.
DayMinutes = Annotated[int, Field(ge=0, le=2**31)]  # unix minutes; 2**31 is in the year 6053
ItemId = Annotated[int, Field(ge=1, le=2**53)]
Word = Annotated[str, Field(max_length=16)]


class DayAction(CallbackData, prefix="d"):
    """A day-card button. `day` is the card's day (TIME_START in unix minutes, 0 = none),
    so a tap on an old card can be recognised."""

    # pause | resume | start | refresh; close asks first: close_now | close_report | card (keep
    # the day, show the card again); undo reopens a day just closed
    action: Word
    day: DayMinutes = 0


class RepairAction(CallbackData, prefix="fx"):
    """Closing a day at a given time: the EXPIRED-day repair, or "I left at…" (left) on the
    forgot-to-close nudge for today's day."""

    action: Word  # suggested | other | left | reason | cancel
    day: DayMinutes = 0


class ReminderAction(CallbackData, prefix="rm"):
    """Buttons on a break reminder."""

    action: Word  # pause | snooze | skip
    rid: ItemId


class ReminderLater(CallbackData, prefix="rmz"):
    """"Later" buttons on reminder messages: ask again in `n` minutes (snooze), 5 more
    minutes of break (more), or the forgot-to-close check again in `n` hours (close)."""

    action: Word  # snooze | more | close
    rid: ItemId
    n: Annotated[int, Field(ge=0, le=120)] = 0


class GoalAnswer(CallbackData, prefix="ga"):
    """"Keep working" on the goal-reached nudge (its Close is the day card's own). `day`
    is the day it was sent for, as on the card."""

    action: Word  # keep
    day: DayMinutes = 0


class NudgeToggle(CallbackData, prefix="nt"):
    """A nudge's switch under /reminders: the nudge by kind (a user has one of each)."""

    kind: Word  # late_start | goal | weekly
    on: bool


class LanguageChoice(CallbackData, prefix="lang"):
    code: Word


class RemindMenu(CallbackData, prefix="rmm"):
    """The /remind menu, and the "new reminder" buttons under /reminders."""

    action: Word  # new | close | list


class RemindStep(CallbackData, prefix="rw"):
    """A step of the /remind wizard. The draft itself lives in FSM data, tied to the
    wizard's message, so these carry only the choice."""

    # t: time | d: toggle a day | n: days done | m: mode | b: break length | r: resume
    # | c: close-check time | x: cancel
    step: Word
    value: Word = ""


class ReminderEdit(CallbackData, prefix="rl"):
    """A /reminders button. Only the id: the service checks that it is the tapper's."""

    action: Word  # on | off | ask (delete?) | del | keep (not deleted)
    rid: ItemId


class TimeZoneAction(CallbackData, prefix="tz"):
    action: Word  # show | b24


class UnlinkAction(CallbackData, prefix="ul"):
    """The /unlink confirmation: it deletes everything, so it is asked first."""

    action: Word  # confirm | cancel


class AdminLinkAction(CallbackData, prefix="al"):
    """Confirming an /admin_link that moves someone's link. Only admins' taps are acted on."""

    action: Word  # confirm | cancel
    tg: ItemId  # the Telegram account to link
    b24: ItemId  # the Bitrix24 employee


class WeekNav(CallbackData, prefix="wk"):
    """A /week button: show the week starting on `monday` (a date's ordinal; 0 = this
    week). `send` opens the week in a new message (from the day card, a text message that
    cannot become a photo); otherwise the week's own message is edited in place."""

    monday: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    send: bool = False


class TeamAction(CallbackData, prefix="tm"):
    """A /team button: show a department's page, pick a department, or set the digest.
    Only ids: who may see the department is decided again on every tap."""

    action: Word  # page | pick | digest | daily | evening (value: a time, or off) | ask
    dept: Annotated[int, Field(ge=0, le=2**31)] = 0
    page: Annotated[int, Field(ge=0, le=1000)] = 0
    value: Word = ""


class CardUpdates(CallbackData, prefix="upd"):
    """The /updates switch: whether the day card follows changes made in Bitrix24 itself."""

    on: bool
