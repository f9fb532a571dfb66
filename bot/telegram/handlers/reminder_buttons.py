"""The buttons on reminder messages: Pause now, Skip, ask again in 5/10/15 min; 5 more
minutes of break; the forgot-to-close check again in 1 or 2 hours; Keep working on the
goal-reached nudge (its Close is the day card's)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.bitrix24 import WorkdayStatus
from bot.services.workday import Change
from bot.storage.links import Link
from bot.telegram import formatting as fmt
from bot.telegram.callbacks import GoalAnswer, ReminderAction, ReminderLater
from bot.telegram.deps import Services
from bot.telegram.handlers.workday import BITRIX24, reply
from bot.telegram.replies import show
from bot.telegram.view import UserView


async def pause_now(query: CallbackQuery, callback_data: ReminderAction, link: Link, view: UserView,
                    services: Services) -> None:
    report = await services.workday.pause(link.bitrix_id)
    preface = None
    if report.change is Change.PAUSED:
        back_at = await services.reminders.start_break_timer(query.from_user.id, callback_data.rid)
        if back_at is not None:
            preface = view.t("remind.break_timer", time=fmt.clock(back_at, view.zone(report.day)))
    await reply(query, report, view, services, preface=preface)


async def snooze(query: CallbackQuery, callback_data: ReminderAction, view: UserView,
                 services: Services) -> None:
    at = await services.reminders.snooze(query.from_user.id, callback_data.rid)
    if at is None:
        await show(query, view.t("remind.gone"))
        return
    await show(query, view.t("remind.snoozed", time=fmt.clock(at, view.zone())))


async def later(query: CallbackQuery, callback_data: ReminderLater, view: UserView, services: Services) -> None:
    reminders, telegram_id, rid = services.reminders, query.from_user.id, callback_data.rid
    if callback_data.action == "snooze":
        at = await reminders.snooze(telegram_id, rid, callback_data.n)
        key = "remind.snoozed"
    elif callback_data.action == "more":
        at = await reminders.more_break(telegram_id, rid)
        key = "remind.more_break"
    else:
        at = await reminders.close_later(telegram_id, rid, callback_data.n)
        key = "remind.close_later"
    if at is None:
        await show(query, view.t("remind.gone"))
        return
    await show(query, view.t(key, time=fmt.clock(at, view.zone())))


async def skip(query: CallbackQuery, view: UserView) -> None:
    await show(query, view.t("remind.skipped"))


async def keep_working(query: CallbackQuery, callback_data: GoalAnswer, link: Link | None, view: UserView,
                       services: Services) -> None:
    """Nothing goes to Bitrix24: the day runs on, and the message says it was heard. A tap
    on an old notice, after the bot saw the day closed, says so instead of "keep going"."""
    seen = await services.workday.last_seen(link.bitrix_id) if link is not None else None
    if seen is not None and seen.status is WorkdayStatus.CLOSED and seen.started // 60 == callback_data.day:
        await show(query, view.t("nudge.kept_closed"))
        return
    await show(query, view.t("nudge.kept"))


def create_router() -> Router:
    router = Router(name="reminder_buttons")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(pause_now, ReminderAction.filter(F.action == "pause"), flags=BITRIX24)
    router.callback_query.register(snooze, ReminderAction.filter(F.action == "snooze"))
    router.callback_query.register(later, ReminderLater.filter())
    router.callback_query.register(skip, ReminderAction.filter(F.action == "skip"))
    router.callback_query.register(keep_working, GoalAnswer.filter(F.action == "keep"))
    return router
