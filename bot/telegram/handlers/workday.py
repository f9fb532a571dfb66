"""Workday commands and day-card buttons."""

from __future__ import annotations

from collections.abc import Awaitable

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.services.workday import Change, DayReport, day_key
from bot.storage.links import Link
from bot.telegram.callbacks import DayAction
from bot.telegram.day_card import close_question, report_message
from bot.telegram.deps import Services
from bot.telegram.keyboards import button, keyboard
from bot.telegram.replies import busy, require_link, retire_card, show
from bot.telegram.states import CloseStates, end_bitrix24_question
from bot.telegram.view import UserView


REPORT_LIMIT = 2000
REASON_LIMIT = 255  # Bitrix24 keeps a change's reason short
BITRIX24 = {"bitrix24": True}


async def reply(event: Message | CallbackQuery, report: DayReport, view: UserView, services: Services, *,
                preface: str | None = None, card_day: int = 0, can_retry: bool = True) -> None:
    """Show the day card, and make it the chat's one live card."""
    zone = view.zone(report.day)
    text, markup = report_message(report, view.now(), zone, view.t, card_day=card_day, can_retry=can_retry,
                                  targets=report.targets)
    if preface:
        text = f"{preface}\n\n{text}"
    shown = await show(event, text, markup)
    chat_id = event.chat.id if isinstance(event, Message) else event.from_user.id
    if shown is not None and event.bot is not None:
        previous = await services.live_cards.replace(chat_id, shown, at=view.now())
        if previous is not None:
            await retire_card(event.bot, chat_id, previous)


async def _act(message: Message, bot: Bot, view: UserView, services: Services, action: Awaitable[DayReport], *,
               can_retry: bool = True) -> None:
    async with busy(bot, message.chat.id):
        report = await action
    await reply(message, report, view, services, can_retry=can_retry)


async def status_command(message: Message, bot: Bot, link: Link, view: UserView,
                       services: Services) -> None:
    await _act(message, bot, view, services, services.workday.status(link.bitrix_id))


async def open_command(message: Message, bot: Bot, link: Link, view: UserView,
                       services: Services) -> None:
    await _act(message, bot, view, services, services.workday.start(link.bitrix_id))


async def pause_command(message: Message, bot: Bot, link: Link, view: UserView,
                       services: Services) -> None:
    await _act(message, bot, view, services, services.workday.pause(link.bitrix_id))


async def resume_command(message: Message, bot: Bot, link: Link, view: UserView,
                       services: Services) -> None:
    await _act(message, bot, view, services, services.workday.resume(link.bitrix_id))


async def close_command(message: Message, bot: Bot, command: CommandObject, state: FSMContext, link: Link,
                        view: UserView, services: Services) -> None:
    report_text = (command.args or "").strip()
    if len(report_text) > REPORT_LIMIT:
        await message.answer(view.t("close.report_too_long", limit=REPORT_LIMIT))
        return
    async with busy(bot, message.chat.id):
        report = await services.workday.close(link.bitrix_id, report=report_text or None)
    day = report.day
    if report.change is Change.NEEDS_REPAIR and report_text and day is not None and len(report_text) <= REASON_LIMIT:
        # An earlier day is still open: what was typed becomes its reason, not asked again.
        await state.update_data(repair_reason=report_text, repair_reason_day=day_key(day.started_at))
    # "Try again" could not carry the report text, so a failed close with one is retyped.
    await reply(message, report, view, services, can_retry=not report_text)


async def close_asked(query: CallbackQuery, callback_data: DayAction, state: FSMContext, link: Link | None,
                      view: UserView) -> None:
    """The questions before a close. Nothing goes to Bitrix24 yet (the report, if any, must
    go with the close), so they are not throttled as actions."""
    if not await require_link(query, link, view):
        return
    if callback_data.action == "close":
        await show(query, *close_question(callback_data.day, view.t))
        return
    await state.set_state(CloseStates.report)
    await state.update_data(close_day=callback_data.day)
    cancel = button(view.t("btn.cancel"), DayAction(action="card", day=callback_data.day))
    await show(query, view.t("close.ask_report", limit=REPORT_LIMIT), keyboard([cancel]))


async def day_button(query: CallbackQuery, callback_data: DayAction, state: FSMContext, link: Link,
                     view: UserView, services: Services) -> None:
    action = callback_data.action
    card_day = callback_data.day or None  # the service refuses to act on another day
    await end_bitrix24_question(state)  # any other card button ends a pending question
    if action == "pause":
        report = await services.workday.pause(link.bitrix_id, card_day=card_day)
    elif action == "resume":
        report = await services.workday.resume(link.bitrix_id, card_day=card_day)
    elif action == "close_now":
        report = await services.workday.close(link.bitrix_id, card_day=card_day)
    elif action == "undo":
        report = await services.workday.undo_close(link.bitrix_id, card_day=card_day)
    elif action == "start":
        report = await services.workday.start(link.bitrix_id)
    else:  # refresh, card (a question cancelled), and anything unknown from an older version
        report = await services.workday.status(link.bitrix_id)
    await reply(query, report, view, services, card_day=callback_data.day)


async def close_report_entered(message: Message, bot: Bot, state: FSMContext, link: Link, view: UserView,
                               services: Services) -> None:
    report_text = (message.text or "").strip()
    if len(report_text) > REPORT_LIMIT:
        await message.answer(view.t("close.report_too_long", limit=REPORT_LIMIT))
        return
    close_day = (await state.get_data()).get("close_day") or None
    await state.clear()
    await _act(message, bot, view, services, services.workday.close(link.bitrix_id, report=report_text or None,
                                                          card_day=close_day), can_retry=False)


def create_router() -> Router:
    router = Router(name="workday")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(status_command, Command("status"), flags=BITRIX24)
    router.message.register(open_command, Command("open", "start_day"), flags=BITRIX24)
    router.message.register(pause_command, Command("pause"), flags=BITRIX24)
    router.message.register(resume_command, Command("resume"), flags=BITRIX24)
    router.message.register(close_command, Command("close"), flags=BITRIX24)
    router.callback_query.register(close_asked, DayAction.filter(F.action.in_({"close", "close_report"})))
    router.callback_query.register(day_button, DayAction.filter(), flags=BITRIX24)
    router.message.register(close_report_entered, CloseStates.report, F.text, ~F.text.startswith("/"),
                            flags=BITRIX24)
    return router
