"""Last resort: an unexpected error is logged with context and the user is told plainly."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot.i18n import Translator
from bot.telegram.deferred import ReplyDeferred
from bot.telegram.reachability import why_forbidden

log = logging.getLogger(__name__)


async def user_blocked_us(event: ErrorEvent) -> None:
    reason = why_forbidden(event.exception) if isinstance(event.exception, TelegramForbiddenError) else None
    log.info("telegram would not deliver to the user", extra={"ctx_reason": reason.value if reason else None})


async def reply_deferred(event: ErrorEvent) -> None:
    """The reply waits for Telegram (logged where it was deferred); nothing more to do."""


async def bad_request(event: ErrorEvent) -> None:
    log.warning("telegram refused a request: %s", event.exception)


async def unexpected(event: ErrorEvent, t: Translator | None = None) -> None:
    log.error("unhandled error while handling an update", exc_info=event.exception)
    update = event.update
    user = update.event.from_user if hasattr(update.event, "from_user") else None  # type: ignore[union-attr]
    chat_id = user.id if user else None
    if chat_id is None or update.bot is None:
        return
    t = t or Translator()
    try:
        await update.bot.send_message(chat_id, t("error.unexpected"))
    except Exception:  # noqa: BLE001 - the user may be unreachable; the error is logged above
        log.debug("could not tell the user about the error")


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(reply_deferred, ExceptionTypeFilter(ReplyDeferred))
    router.errors.register(user_blocked_us, ExceptionTypeFilter(TelegramForbiddenError))
    router.errors.register(bad_request, ExceptionTypeFilter(TelegramBadRequest))
    router.errors.register(unexpected)
    return router
