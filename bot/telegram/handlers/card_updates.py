"""/updates: whether the day card follows changes made in Bitrix24 itself (the web UI, the
mobile app), which the background sweep finds (bot/services/live_cards.py)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.i18n import Translator
from bot.storage.links import Link
from bot.telegram.callbacks import CardUpdates
from bot.telegram.deps import Services
from bot.telegram.keyboards import button, keyboard
from bot.telegram.replies import require_link, show
from bot.telegram.view import UserView


def updates_view(on: bool, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    if on:
        return t("updates.on"), keyboard([button(t("btn.updates_off"), CardUpdates(on=False))])
    return t("updates.off"), keyboard([button(t("btn.updates_on"), CardUpdates(on=True))])


async def updates_command(message: Message, link: Link | None, view: UserView) -> None:
    if not await require_link(message, link, view):
        return
    await show(message, *updates_view(view.profile.card_updates, view.t))


async def updates_switched(query: CallbackQuery, callback_data: CardUpdates, link: Link | None, view: UserView,
                           services: Services) -> None:
    if not await require_link(query, link, view):
        return  # nothing is stored for someone who has not linked
    await services.profiles.set_card_updates(query.from_user.id, callback_data.on)
    await show(query, *updates_view(callback_data.on, view.t))


def create_router() -> Router:
    router = Router(name="card_updates")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(updates_command, Command("updates"))
    router.callback_query.register(updates_switched, CardUpdates.filter())
    return router
