"""/timezone: show the zone reminders use and where it came from; set it by name, or
re-read it from the Bitrix24 profile (the time-zone service moves the reminders)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.i18n import Translator
from bot.services.time_zones import CurrentZone, FromBitrix24, ZoneChange, find_zone
from bot.storage.links import Link
from bot.telegram import formatting as fmt
from bot.telegram.callbacks import TimeZoneAction
from bot.telegram.deps import Services
from bot.telegram.fit import quote
from bot.telegram.handlers.workday import BITRIX24
from bot.telegram.keyboards import button, keyboard
from bot.telegram.replies import busy, require_link, show
from bot.telegram.view import UserView


def zone_view(current: CurrentZone, now: datetime, t: Translator,
              notice: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    source = t(f"tz.source_{current.source.value}")
    text = t("tz.current", zone=current.name, source=source, time=fmt.clock(now, ZoneInfo(current.name)))
    text += "\n\n" + t("tz.how")
    if notice:
        text = f"{notice}\n\n{text}"
    return text, keyboard([button(t("btn.tz_bitrix24"), TimeZoneAction(action="b24"))])


def change_text(change: ZoneChange, t: Translator, preface: str | None = None) -> str:
    lines = [preface] if preface else []
    if not change.changed:
        lines.append(t("tz.unchanged"))
    else:
        lines.append(t("tz.changed"))
        if change.moved:
            lines.append(t("tz.moved"))
    return "\n".join(lines)


async def _render(telegram_id: int, view: UserView, services: Services,
                  notice: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    return zone_view(await services.time_zones.current(telegram_id), view.now(), view.t, notice)


async def timezone_command(message: Message, command: CommandObject, view: UserView, services: Services) -> None:
    assert message.from_user is not None
    telegram_id = message.from_user.id
    wanted = (command.args or "").strip()
    notice = None
    if wanted:
        zone = find_zone(wanted)
        if zone is None:
            await message.answer(view.t("tz.unknown", zone=quote(wanted)))
            return
        notice = change_text(await services.time_zones.choose(telegram_id, zone), view.t)
    text, markup = await _render(telegram_id, view, services, notice)
    await message.answer(text, reply_markup=markup)


async def show_button(query: CallbackQuery, link: Link | None, view: UserView, services: Services) -> None:
    if not await require_link(query, link, view):
        return
    await show(query, *await _render(query.from_user.id, view, services))


async def bitrix24_button(query: CallbackQuery, bot: Bot, link: Link, view: UserView, services: Services) -> None:
    telegram_id = query.from_user.id
    async with busy(bot, telegram_id):
        result = await services.time_zones.from_bitrix24(telegram_id, link.bitrix_id)
    if result.outcome is FromBitrix24.UNAVAILABLE:
        notice = view.t("tz.bitrix24_failed")
    elif result.outcome is FromBitrix24.NO_USER:
        notice = view.t("tz.bitrix24_no_user")
    else:
        assert result.change is not None
        preface = view.t("tz.bitrix24_none") if result.outcome is FromBitrix24.NO_ZONE else None
        notice = change_text(result.change, view.t, preface)
    await show(query, *await _render(telegram_id, view, services, notice))


def create_router() -> Router:
    router = Router(name="timezone")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(timezone_command, Command("timezone"), flags=BITRIX24)
    router.callback_query.register(show_button, TimeZoneAction.filter(F.action == "show"))
    router.callback_query.register(bitrix24_button, TimeZoneAction.filter(F.action == "b24"), flags=BITRIX24)
    return router
