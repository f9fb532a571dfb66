"""Drop an update we have already seen: Telegram re-sends webhook updates that were
answered slowly, and two replicas may both receive one during a deploy."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from redis.asyncio import Redis

from bot.storage.keys import KeySpace

log = logging.getLogger(__name__)

_SEEN_FOR_SECONDS = 24 * 3600  # Telegram keeps undelivered updates for 24 h


class UpdateDedupMiddleware(BaseMiddleware):
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update):
            bot = data["bot"]
            fresh = await self._redis.set(self._keys("update", bot.id, event.update_id), 1,
                                          nx=True, ex=_SEEN_FOR_SECONDS)
            if not fresh:
                log.info("duplicate update dropped", extra={"ctx_update": event.update_id})
                return None
        return await handler(event, data)
