"""/timezone: show the zone reminders use and where it came from; set it by name, or
re-read it from the Bitrix24 profile. Any change moves the user's reminders."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.bitrix24 import Bitrix24, Bitrix24Error
from bot.services.reminders import ReminderService
from bot.storage.links import Link
from bot.storage.profiles import ProfileRepository
from bot.telegram import formatting as fmt
from bot.telegram.callbacks import TimeZoneAction
from bot.telegram.fit import quote
from bot.telegram.handlers.reminders import require_link
from bot.telegram.handlers.workday import BITRIX24
from bot.telegram.replies import busy, show
from bot.telegram.view import UserView

_NOT_ZONES = frozenset({"factory", "localtime", "posixrules"})


@cache
def _zones() -> dict[str, str]:
    """Lower-cased IANA name → its proper spelling."""
    return {name.lower(): name for name in available_timezones() if name.lower() not in _NOT_ZONES}


def find_zone(text: str) -> str | None:
    """The IANA zone named by `text`, in any letter case; None if there is no such zone."""
    name = _zones().get(text.strip().lower())
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


async def current_view(telegram_id: int, view: UserView, profiles: ProfileRepository,
                       reminder_service: ReminderService,
                       notice: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    t = view.t
    profile = await profiles.get(telegram_id)
    zone_name = await reminder_service.zone(telegram_id)
    if not profile.time_zone:
        source = t("tz.source_default")
    elif profile.time_zone_source == "user":
        source = t("tz.source_user")
    else:
        source = t("tz.source_bitrix24")
    text = t("tz.current", zone=zone_name, source=source, time=fmt.clock(view.now(), ZoneInfo(zone_name)))
    text += "\n\n" + t("tz.how")
    if notice:
        text = f"{notice}\n\n{text}"
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=t("btn.tz_bitrix24"), callback_data=TimeZoneAction(action="b24").pack())]])
    return text, markup


async def _change(telegram_id: int, zone: str | None, source: str, view: UserView, profiles: ProfileRepository,
                  reminder_service: ReminderService, preface: str | None = None) -> str:
    """Store the zone, move the reminders, and say what happened."""
    before = await reminder_service.zone(telegram_id)
    await profiles.set_time_zone(telegram_id, zone, source)
    after = await reminder_service.zone(telegram_id)
    await reminder_service.reschedule_all(telegram_id)
    lines = [preface] if preface else []
    if after == before:
        lines.append(view.t("tz.unchanged"))
        return "\n".join(lines)
    lines.append(view.t("tz.changed"))
    if await reminder_service.list(telegram_id):
        lines.append(view.t("tz.moved"))
    return "\n".join(lines)


async def timezone_command(message: Message, command: CommandObject, view: UserView, profiles: ProfileRepository,
                           reminder_service: ReminderService) -> None:
    assert message.from_user is not None
    telegram_id = message.from_user.id
    wanted = (command.args or "").strip()
    notice = None
    if wanted:
        zone = find_zone(wanted)
        if zone is None:
            await message.answer(view.t("tz.unknown", zone=quote(wanted)))
            return
        notice = await _change(telegram_id, zone, "user", view, profiles, reminder_service)
    text, markup = await current_view(telegram_id, view, profiles, reminder_service, notice)
    await message.answer(text, reply_markup=markup)


async def show_button(query: CallbackQuery, link: Link | None, view: UserView, profiles: ProfileRepository,
                      reminder_service: ReminderService) -> None:
    if not await require_link(query, link, view):
        return
    await show(query, *await current_view(query.from_user.id, view, profiles, reminder_service))


async def bitrix24_button(query: CallbackQuery, bot: Bot, link: Link, view: UserView, bitrix: Bitrix24,
                          profiles: ProfileRepository, reminder_service: ReminderService) -> None:
    telegram_id = query.from_user.id
    try:
        async with busy(bot, telegram_id):
            user = await bitrix.users.get_active(link.bitrix_id)
    except Bitrix24Error:
        notice = view.t("tz.bitrix24_failed")
    else:
        if user is None:
            notice = view.t("tz.bitrix24_no_user")
        else:
            zone = find_zone(user.time_zone or "")
            preface = None if zone else view.t("tz.bitrix24_none")
            # No zone in the profile: drop the stored one, so the bot's default applies.
            notice = await _change(telegram_id, zone, "bitrix24", view, profiles, reminder_service, preface)
    await show(query, *await current_view(telegram_id, view, profiles, reminder_service, notice))


def create_router() -> Router:
    router = Router(name="timezone")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(timezone_command, Command("timezone"), flags=BITRIX24)
    router.callback_query.register(show_button, TimeZoneAction.filter(F.action == "show"))
    router.callback_query.register(bitrix24_button, TimeZoneAction.filter(F.action == "b24"), flags=BITRIX24)
    return router
