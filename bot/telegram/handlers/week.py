"""/week: the week's worked time against the targets, as a chart with its figures."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InputMediaPhoto, Message

from bot.bitrix24 import Bitrix24Error
from bot.storage.links import Link
from bot.telegram.callbacks import WeekNav
from bot.telegram.deps import Services
from bot.telegram.keyboards import button, keyboard
from bot.telegram.replies import busy, edit
from bot.telegram.view import UserView
from bot.telegram.week_view import WEEKS_AHEAD, WEEKS_BACK, WeekMessage, week_message

log = logging.getLogger(__name__)

BITRIX24 = {"bitrix24": True}
PHOTO_NAME = "week.png"


def _wanted_week(ordinal: int, today: date) -> date | None:
    """The Monday a button asks for, if it is one the buttons offer (else this week)."""
    current = today - timedelta(days=today.weekday())
    try:
        monday = date.fromordinal(ordinal) if ordinal else current
    except ValueError:
        return None
    if monday.weekday() != 0 or not (current - timedelta(weeks=WEEKS_BACK) <= monday
                                     <= current + timedelta(weeks=WEEKS_AHEAD)):
        return None
    return monday


async def _build(services: Services, link: Link, view: UserView, monday: date | None) -> WeekMessage | None:
    zone = view.zone()
    try:
        week = await services.worktime.week(link.bitrix_id, zone, monday, tracked_since=link.linked_on(zone))
    except Bitrix24Error as error:
        log.info("the week could not be shown: its targets are unknown", extra={"ctx_error": repr(error)})
        return None
    # The zone the week was built in (a user with no zone of their own gets the default).
    message = await week_message(services.week_charts, week.summary, view.t, zone)
    return message if week.live else message.with_note(view.t("week.today_unknown"))


def _unavailable(view: UserView, monday: date | None, *, send: bool) -> tuple[str, object]:
    retry = button(view.t("btn.retry"), WeekNav(monday=monday.toordinal() if monday else 0, send=send))
    return view.t("week.unavailable"), keyboard([retry])


async def week_command(message: Message, bot: Bot, link: Link, view: UserView, services: Services) -> None:
    async with busy(bot, message.chat.id):
        built = await _build(services, link, view, None)
    await _send(bot, message.chat.id, built, view, None)


async def _send(bot: Bot, chat_id: int, built: WeekMessage | None, view: UserView, monday: date | None) -> None:
    if built is None:
        text, markup = _unavailable(view, monday, send=True)
        await bot.send_message(chat_id, text, reply_markup=markup)  # type: ignore[arg-type]
    elif built.png is None:
        await bot.send_message(chat_id, built.text, reply_markup=built.markup)
    else:
        await bot.send_photo(chat_id, BufferedInputFile(built.png, PHOTO_NAME), caption=built.caption,
                             reply_markup=built.markup)


async def week_button(query: CallbackQuery, callback_data: WeekNav, bot: Bot, link: Link, view: UserView,
                      services: Services) -> None:
    monday = _wanted_week(callback_data.monday, view.now().astimezone(view.zone()).date())
    built = await _build(services, link, view, monday)
    message = query.message if isinstance(query.message, Message) else None
    if callback_data.send or message is None:
        await _send(bot, query.from_user.id, built, view, monday)
        return
    if built is None:
        text, markup = _unavailable(view, monday, send=not message.text)
        if message.text:
            await edit(message, text, markup)  # type: ignore[arg-type]
        else:  # a photo cannot turn into text: say it under the chart as it was
            await bot.send_message(query.from_user.id, text, reply_markup=markup)  # type: ignore[arg-type]
        return
    if message.photo and built.png is not None:
        media = InputMediaPhoto(media=BufferedInputFile(built.png, PHOTO_NAME), caption=built.caption)
        try:
            await message.edit_media(media, reply_markup=built.markup)
        except TelegramBadRequest as error:
            if "not modified" not in error.message.lower():
                raise
    elif message.photo:  # no chart this time: the old picture would mislead, so the week comes as text
        await _send(bot, query.from_user.id, built, view, monday)
    else:
        await edit(message, built.text, built.markup)


def create_router() -> Router:
    router = Router(name="week")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(week_command, Command("week"), flags=BITRIX24)
    router.callback_query.register(week_button, WeekNav.filter(), flags=BITRIX24)
    return router
