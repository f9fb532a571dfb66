"""Edit-or-send: taps edit the card in place, commands get a new message."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender

from bot.storage.links import Link
from bot.telegram.view import UserView

log = logging.getLogger(__name__)


async def show(event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(event, CallbackQuery):
        if isinstance(event.message, Message):
            await edit(event.message, text, markup)
            return
        if event.bot is not None:  # the message is too old to be accessible: send a new one
            await event.bot.send_message(event.from_user.id, text, reply_markup=markup)
        return
    await event.answer(text, reply_markup=markup)


async def edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a bot message; an identical edit is a no-op, and an uneditable one is re-sent."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        reason = error.message.lower()
        if "message is not modified" in reason:
            return
        if "message to edit not found" in reason or "message can't be edited" in reason:
            await message.answer(text, reply_markup=markup)
            return
        raise


def busy(bot: Bot, chat_id: int) -> AbstractAsyncContextManager[object]:
    """Show "typing…" if a Bitrix24 call takes more than a second (e.g. a rate-limit wait)."""
    return ChatActionSender.typing(bot=bot, chat_id=chat_id, initial_sleep=1.0)


async def require_link(event: Message | CallbackQuery, link: Link | None, view: UserView) -> bool:
    """The `bitrix24` guard's answer to an unlinked user, without its throttle: for
    handlers that only touch Redis."""
    if link is not None:
        return True
    await show(event, view.t("not_linked"))
    return False
