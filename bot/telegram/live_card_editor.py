"""Edits a live day card for the sweep (`bot.services.live_cards`): the same rendering as
a tap on the card gives, in the user's language and zone, through the paced sender."""

from __future__ import annotations

from aiogram.methods import EditMessageText

from bot.bitrix24 import Workday, WorkdayStatus
from bot.clock import Clock
from bot.services.live_cards import EditOutcome
from bot.services.workday import Action, Change, DayReport
from bot.storage.live_cards import Card
from bot.storage.profiles import ProfileRepository
from bot.telegram.day_card import report_message
from bot.telegram.sender import PacedSender, SendOutcome
from bot.telegram.view import UserView
from bot.worktime.models import WorkTargets

_OUTCOMES = {
    SendOutcome.SENT: EditOutcome.EDITED,
    SendOutcome.UNCHANGED: EditOutcome.UNCHANGED,
    SendOutcome.GONE: EditOutcome.GONE,
    SendOutcome.BLOCKED: EditOutcome.UNREACHABLE,
    SendOutcome.NOT_STARTED: EditOutcome.UNREACHABLE,
    SendOutcome.HELD: EditOutcome.HELD,
    SendOutcome.FAILED: EditOutcome.FAILED,
}


class TelegramCardEditor:
    def __init__(self, sender: PacedSender, profiles: ProfileRepository, clock: Clock, default_zone: str) -> None:
        self._sender = sender
        self._profiles = profiles
        self._clock = clock
        self._default_zone = default_zone

    async def edit(self, card: Card, day: Workday, targets: WorkTargets | None) -> EditOutcome:
        profile = await self._profiles.get(card.chat_id)
        view = UserView.of(profile, self._default_zone, self._clock)
        t = view.t
        # What /status or 🔄 Refresh would show: a plain status, or the repair notice.
        change = Change.NEEDS_REPAIR if day.status is WorkdayStatus.EXPIRED else None
        shows_targets = day.has_record and day.status is not WorkdayStatus.EXPIRED  # as WorkdayService does
        report = DayReport(Action.STATUS, day, change, targets=targets if shows_targets else None)
        text, markup = report_message(report, view.now(), view.zone(day), t, targets=report.targets)
        method = EditMessageText(chat_id=card.chat_id, message_id=card.message_id, text=text, reply_markup=markup)
        return _OUTCOMES[await self._sender.deliver(card.chat_id, method)]
