"""Deleting everything stored for a Telegram user, across the features that store something."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Eraser = Callable[[int], Awaitable[object]]


class UserDataEraser:
    """Each feature registers how to forget a user; /unlink runs them all."""

    def __init__(self) -> None:
        self._erasers: list[Eraser] = []

    def register(self, eraser: Eraser) -> None:
        self._erasers.append(eraser)

    async def __call__(self, telegram_id: int) -> None:
        for eraser in self._erasers:
            await eraser(telegram_id)
        log.info("user data erased", extra={"ctx_tg_user": telegram_id, "ctx_parts": len(self._erasers)})
