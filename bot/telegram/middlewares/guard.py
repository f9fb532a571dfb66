"""Handlers flagged `bitrix24` need a linked user, and are throttled per user.

The flag marks every handler that calls Bitrix24, so an unlinked user never causes a
Bitrix24 request, and one user hammering buttons cannot burn the portal's shared quota.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.i18n import Translator
from bot.storage.rate_limits import WindowLimiter
from bot.telegram.middlewares.answers import answer_quietly

log = logging.getLogger(__name__)

ACTIONS_PER_WINDOW = 5
WINDOW_SECONDS = 10.0


class BitrixGuardMiddleware(BaseMiddleware):
    def __init__(self, limiter: WindowLimiter, *, limit: int = ACTIONS_PER_WINDOW,
                 window_seconds: float = WINDOW_SECONDS) -> None:
        self._limiter = limiter
        self._limit = limit
        self._window = window_seconds

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not get_flag(data, "bitrix24"):
            return await handler(event, data)
        t: Translator = data["t"]
        if data.get("link") is None:
            await _tell(event, t("not_linked"), toast=t("not_linked").split("\n")[0])
            return None
        user = data["event_from_user"]
        allowance = await self._limiter.hit("actions", user.id, limit=self._limit, window_seconds=self._window)
        if not allowance.allowed:
            log.info("throttled", extra={"ctx_retry_after": allowance.retry_after})
            await _tell(event, t("throttled"), toast=t("throttled"), message=False)
            return None
        return await handler(event, data)


async def _tell(event: TelegramObject, text: str, *, toast: str, message: bool = True) -> None:
    if isinstance(event, CallbackQuery):
        await answer_quietly(event, toast[:200], show_alert=not message)
        if message and isinstance(event.message, Message):
            await event.message.answer(text)
    elif isinstance(event, Message):
        await event.answer(text)
