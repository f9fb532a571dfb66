"""Deleting everything stored for a Telegram user, across the features that store something."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Eraser = Callable[[int], Awaitable[object]]


class UserDataEraser:
    """Each feature registers how to forget a user; /unlink runs them all. Some data is
    kept by Bitrix24 id: those erasers run when the unlinked Bitrix24 id is known."""

    def __init__(self) -> None:
        self._erasers: list[Eraser] = []
        self._bitrix_erasers: list[Eraser] = []

    def register(self, eraser: Eraser) -> None:
        self._erasers.append(eraser)

    def register_by_bitrix_id(self, eraser: Eraser) -> None:
        self._bitrix_erasers.append(eraser)

    async def __call__(self, telegram_id: int, bitrix_id: int | None = None) -> None:
        for eraser in self._erasers:
            await eraser(telegram_id)
        if bitrix_id is not None:
            for eraser in self._bitrix_erasers:
                await eraser(bitrix_id)
        log.info("user data erased", extra={"ctx_tg_user": telegram_id})
