"""A head's digests, sent by the reminder engine: the team's day at the chosen time, and
in the evening, who still works or left a day open, with a button that asks them to close it."""

from __future__ import annotations

import logging

from aiogram.methods import SendMessage

from bot.bitrix24 import Bitrix24Error
from bot.clock import Clock
from bot.reminders.engine import DeliveryHeld, Notice, NoticeKind
from bot.services.team import TeamService
from bot.storage.links import LinkRepository
from bot.storage.profiles import ProfileRepository
from bot.telegram.callbacks import TeamAction
from bot.telegram.keyboards import button, keyboard
from bot.telegram.sender import PacedSender, SendOutcome
from bot.telegram.team_view import chunked, member_line, team_keyboard, team_pages
from bot.telegram.view import UserView

log = logging.getLogger(__name__)

MAX_DIGEST_DEPARTMENTS = 5  # more would flood the chat: the rest are one tap away in /team


class TeamDigests:
    def __init__(self, *, team: TeamService, sender: PacedSender, profiles: ProfileRepository,
                 links: LinkRepository, clock: Clock, default_zone: str) -> None:
        self._team = team
        self._sender = sender
        self._profiles = profiles
        self._links = links
        self._clock = clock
        self._default_zone = default_zone

    async def __call__(self, notice: Notice) -> bool:
        link = await self._links.get(notice.telegram_id)
        profile = await self._profiles.get(notice.telegram_id)
        view = UserView.of(profile, self._default_zone, self._clock)
        t, zone = view.t, view.zone()
        try:
            scope = await self._team.scope(notice.telegram_id, link.bitrix_id if link else None)
            if not scope.allowed:
                log.info("a digest was skipped: its head heads no department now")
                return False
            # Within the background share of the portal's budget: a digest must not hold up
            # the taps of people starting their day at the same hour.
            days = await self._team.departments_day(scope, zone, limit=MAX_DIGEST_DEPARTMENTS, background=True)
        except Bitrix24Error as error:
            log.info("a digest was skipped: Bitrix24 did not answer", extra={"ctx_error": repr(error)})
            return False
        if notice.kind is NoticeKind.TEAM_EVENING:
            still = [member for member, _ in await self._team.still_open(days, link.bitrix_id if link else None)]
            if not still:
                return True  # everyone has closed their day: nothing to tell
            now = self._clock.now()
            pages = chunked([member_line(member, zone, t, now) for member in still])
            ask = button(t("btn.team_ask_to_close"), TeamAction(action="ask"))
            delivered = False
            for index, page in enumerate(pages):  # a long list in messages that fit, the button last
                heading = [t("notice.team_evening", count=len(still)), ""] if index == 0 else []
                last = index == len(pages) - 1
                delivered = await self._send(notice.telegram_id, "\n".join([*heading, *page]),
                                             keyboard([ask]) if last else None) or delivered
            return delivered
        delivered = False
        for index, day in enumerate(days):
            pages = team_pages(day, zone, t)
            text = pages[0] if index else f"{t('notice.team_digest')}\n\n{pages[0]}"
            markup = team_keyboard(day.department_id, 0, len(pages), t, can_pick=False)
            delivered = await self._send(notice.telegram_id, text, markup) or delivered
        if len(scope.departments) > len(days):
            await self._send(notice.telegram_id, t("team.digest_more", count=len(scope.departments) - len(days)))
        return delivered

    async def _send(self, chat_id: int, text: str, markup: object = None) -> bool:
        outcome = await self._sender.deliver(chat_id, SendMessage(chat_id=chat_id, text=text,
                                                                  reply_markup=markup))  # type: ignore[arg-type]
        if outcome is SendOutcome.HELD:
            raise DeliveryHeld
        return outcome is SendOutcome.SENT

