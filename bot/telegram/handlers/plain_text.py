"""Text that is not a command: plain words act or ask, anything else gets the day card.

A pause or a resume is cheap to undo, so "lunch" and "back" act at once. Starting or
ending the day is not: "in" shows the day card with a question, its button being the
confirmation, and "out" asks the same question as the card's Close button.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import Message

from bot.bitrix24 import WorkdayStatus
from bot.services.plain_words import Intent, intent_of
from bot.services.workday import Action, DayReport, day_key
from bot.storage.links import Link
from bot.telegram.deps import Services
from bot.telegram.day_card import close_question
from bot.telegram.handlers.workday import reply
from bot.telegram.replies import busy, show
from bot.telegram.view import UserView

_RUNNING = (WorkdayStatus.OPENED, WorkdayStatus.PAUSED)


async def plain_text(message: Message, bot: Bot, link: Link, view: UserView, services: Services) -> None:
    intent = intent_of(message.text or "")
    workday = services.workday
    async with busy(bot, message.chat.id):
        if intent is Intent.PAUSE:
            report = await workday.pause(link.bitrix_id)
        elif intent is Intent.RESUME:
            report = await workday.resume(link.bitrix_id)
        else:
            report = await workday.status(link.bitrix_id)
            if intent is Intent.START and _status(report) is WorkdayStatus.PAUSED:
                report = await workday.resume(link.bitrix_id)  # "in" after a break: back at work
    if intent is Intent.CLOSE and _status(report) in _RUNNING:
        # The question the card's Close button asks, not a card that asks to tap Close.
        assert report.day is not None
        await show(message, *close_question(day_key(report.day.started_at), view.t))
        return
    await reply(message, report, view, services, preface=_question(intent, report, view))


def _status(report: DayReport) -> WorkdayStatus | None:
    return report.day.status if report.ok and report.day is not None else None


def _question(intent: Intent | None, report: DayReport, view: UserView) -> str | None:
    status = _status(report)
    if intent in (Intent.PAUSE, Intent.RESUME, Intent.STATUS) or not report.ok:
        return None  # the card says what happened
    if intent is Intent.CLOSE:
        return None  # a running day got the close question; any other, its card
    if intent is Intent.START:
        if report.action is Action.RESUME:
            return None  # it was paused and now runs again: the card says "Back to work"
        if status is WorkdayStatus.OPENED:
            return view.t("change.already_running")
        day = report.day
        if status is WorkdayStatus.CLOSED and day is not None and not day.has_record:
            return view.t("words.start_ask")  # no day yet: the card's one button starts it
        return None  # closed today (Continue, Undo) or left open earlier (repair): the card says
    return view.t("words.unknown")
