"""Messages to someone other than the sender of the update: the account a new link
displaced, or the account an admin linked or unlinked.

They may never have started the bot, or may have blocked it; a failed notice must not
undo or hide the change that was made, so errors are logged and swallowed."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError

from bot.i18n import DEFAULT_LANGUAGE, Translator, language_for
from bot.storage.profiles import ProfileRepository
from bot.telegram.deferred import ReplyDeferred
from bot.telegram.reachability import Unreachable, stops_messages, why_forbidden

log = logging.getLogger(__name__)


async def language_of(profiles: ProfileRepository, telegram_id: int) -> str:
    profile = await profiles.get(telegram_id)
    return language_for(profile.telegram_language, profile.language)


class Delivery(StrEnum):
    TOLD = "told"
    LATER = "later"  # Telegram asked to wait; it goes out once it may
    NOT_STARTED = "not_started"
    BLOCKED = "blocked"
    FAILED = "failed"


async def notify(bot: Bot, telegram_id: int, language: str | None, key: str, **values: Any) -> Delivery:
    text = Translator(language or DEFAULT_LANGUAGE)(key, **values)
    try:
        await bot.send_message(telegram_id, text)
    except ReplyDeferred:
        return Delivery.LATER
    except TelegramForbiddenError as error:
        reason = why_forbidden(error)
        log.info("notice not delivered", extra={"ctx_notice": key, "ctx_reason": reason.value})
        if reason is Unreachable.NOT_STARTED:
            return Delivery.NOT_STARTED
        return Delivery.BLOCKED if stops_messages(reason) else Delivery.FAILED
    except TelegramAPIError as error:
        log.info("notice not delivered", extra={"ctx_notice": key, "ctx_error": type(error).__name__})
        return Delivery.FAILED
    return Delivery.TOLD
