"""Handlers flagged `bitrix24` need a linked user, and are throttled per user.

The flag marks every handler that calls Bitrix24, so an unlinked user never causes a
Bitrix24 request, and one user hammering buttons cannot burn the portal's shared quota.
A token bucket throttles floods, not a person: a burst of ten passes, and one action a
second keeps passing. A refused action is never silent: the reply says it was not sent.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.i18n import Translator
from bot.storage.rate_limits import TokenBucket
from bot.telegram.middlewares.answers import answer_quietly

log = logging.getLogger(__name__)

BURST = 10
REFILL_PER_SECOND = 1.0


class BitrixGuardMiddleware(BaseMiddleware):
    def __init__(self, bucket: TokenBucket, *, burst: int = BURST,
                 per_second: float = REFILL_PER_SECOND) -> None:
        self._bucket = bucket
        self._burst = burst
        self._per_second = per_second

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not get_flag(data, "bitrix24"):
            return await handler(event, data)
        t: Translator = data["t"]
        # `unlinked_ok`: the handler decides itself (a bot admin may use /team unlinked).
        if data.get("link") is None and not get_flag(data, "unlinked_ok"):
            await _tell(event, t("not_linked"), toast=t("not_linked").split("\n")[0])
            return None
        user = data["event_from_user"]
        allowance = await self._bucket.take("actions", user.id, capacity=self._burst, per_second=self._per_second)
        if not allowance.allowed:
            log.info("throttled", extra={"ctx_retry_after": allowance.retry_after})
            text = t("throttled", seconds=max(1, math.ceil(allowance.retry_after)))
            await _tell(event, text, toast=text, message=False)
            return None
        return await handler(event, data)


async def _tell(event: TelegramObject, text: str, *, toast: str, message: bool = True) -> None:
    if isinstance(event, CallbackQuery):
        await answer_quietly(event, toast[:200], show_alert=not message)
        if message and isinstance(event.message, Message):
            await event.message.answer(text)
    elif isinstance(event, Message):
        await event.answer(text)
