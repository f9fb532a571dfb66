"""Text that is not a command: plain words act or ask, anything else gets the day card.

A pause or a resume is cheap to undo, so "lunch" and "back" act at once. Starting or
ending the day is not: "in" and "out" show the day card with a question, and its button
is the confirmation.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import Message

from bot.bitrix24 import WorkdayStatus
from bot.services.plain_words import Intent, intent_of
from bot.services.workday import DayReport
from bot.storage.links import Link
from bot.telegram.deps import Services
from bot.telegram.handlers.workday import reply
from bot.telegram.replies import busy
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
    await reply(message, report, view, preface=_question(intent, report, view))


def _status(report: DayReport) -> WorkdayStatus | None:
    return report.day.status if report.ok and report.day is not None else None


def _question(intent: Intent | None, report: DayReport, view: UserView) -> str | None:
    status = _status(report)
    if intent in (Intent.PAUSE, Intent.RESUME, Intent.STATUS) or not report.ok:
        return None  # the card says what happened
    if intent is Intent.CLOSE:
        return view.t("words.close_ask") if status in _RUNNING else None
    if intent is Intent.START:
        if status is WorkdayStatus.OPENED:
            return view.t("change.already_running")
        return None if status is WorkdayStatus.PAUSED else view.t("words.start_ask")
    return view.t("words.unknown")
