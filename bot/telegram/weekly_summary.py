"""The weekly summary nudge: the /week picture, sent by the reminder engine on the last
work day, with the status the engine's batch has just read (no second request)."""

from __future__ import annotations

import logging

from aiogram.methods import SendMessage, SendPhoto, TelegramMethod
from aiogram.types import BufferedInputFile

from bot.bitrix24 import Bitrix24Error
from bot.clock import Clock
from bot.reminders.engine import DeliveryHeld, Notice
from bot.services.worktime import WorktimeService
from bot.storage.links import LinkRepository
from bot.storage.profiles import ProfileRepository
from bot.telegram.sender import PacedSender, SendOutcome
from bot.telegram.view import UserView
from bot.telegram.week_view import WeekCharts, week_message

log = logging.getLogger(__name__)

PHOTO_NAME = "week.png"


class WeeklySummaries:
    def __init__(self, *, worktime: WorktimeService, charts: WeekCharts, sender: PacedSender,
                 profiles: ProfileRepository, links: LinkRepository, clock: Clock, default_zone: str) -> None:
        self._worktime = worktime
        self._charts = charts
        self._sender = sender
        self._profiles = profiles
        self._links = links
        self._clock = clock
        self._default_zone = default_zone

    async def __call__(self, notice: Notice) -> bool:
        """Send the week; False when it could not be (no link, no targets, unreachable)."""
        link = await self._links.get(notice.telegram_id)
        if link is None:
            return False
        profile = await self._profiles.get(notice.telegram_id)
        view = UserView.of(profile, self._default_zone, self._clock)
        t = view.t
        zone = view.zone(notice.day)
        try:
            week = await self._worktime.week(link.bitrix_id, zone, day=notice.day, tracked_since=link.linked_on(zone))
        except Bitrix24Error as error:
            log.info("the weekly summary was skipped: the targets are unknown", extra={"ctx_error": repr(error)})
            return False
        message = (await week_message(self._charts, week.summary, t, zone)).with_note(t("notice.weekly_summary"))
        method: TelegramMethod[object]
        if message.png is None:
            method = SendMessage(chat_id=notice.telegram_id, text=message.text, reply_markup=message.markup)
        else:
            method = SendPhoto(chat_id=notice.telegram_id, photo=BufferedInputFile(message.png, PHOTO_NAME),
                               caption=message.caption, reply_markup=message.markup)
        outcome = await self._sender.deliver(notice.telegram_id, method)
        if outcome is SendOutcome.HELD:
            raise DeliveryHeld
        return outcome is SendOutcome.SENT
