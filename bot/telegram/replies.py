"""Edit-or-send: taps edit the card in place, commands get a new message."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender

from bot.storage.links import Link
from bot.telegram.view import UserView

log = logging.getLogger(__name__)


async def show(event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> int | None:
    """The id of the message that shows `text` now (None when none could be sent)."""
    if isinstance(event, CallbackQuery):
        if isinstance(event.message, Message):
            return await edit(event.message, text, markup)
        if event.bot is not None:  # the message is too old to be accessible: send a new one
            return (await event.bot.send_message(event.from_user.id, text, reply_markup=markup)).message_id
        return None
    return (await event.answer(text, reply_markup=markup)).message_id


async def edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> int:
    """Edit a bot message; an identical edit is a no-op, and an uneditable one is re-sent."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        reason = error.message.lower()
        if "message is not modified" in reason:
            return message.message_id
        if "message to edit not found" in reason or "message can't be edited" in reason:
            return (await message.answer(text, reply_markup=markup)).message_id
        raise
    return message.message_id


async def retire_card(bot: Bot, chat_id: int, message_id: int) -> None:
    """Take the buttons off a card that a newer one replaced. Best effort: the card may be
    gone, too old, or already bare, and none of that may spoil the reply just sent."""
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
    except TelegramBadRequest:
        pass  # "message is not modified", "message to edit not found", "can't be edited"
    except TelegramAPIError as error:
        log.info("an old card kept its buttons", extra={"ctx_error": type(error).__name__})


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
