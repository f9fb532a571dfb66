"""Outgoing Telegram calls: retry 429 and transient errors; notice users who blocked the bot."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

BlockedHandler = Callable[[int], Awaitable[Any]]


class RetryRequestMiddleware(BaseRequestMiddleware):
    """Sleeps `retry_after` (up to `max_inline_wait`) and retries; backs off on network
    and 5xx errors. A callback answer is never retried after a long wait: by then the
    query has expired. Longer waits are raised to the caller, which may queue the work."""

    def __init__(
        self,
        *,
        attempts: int = 4,
        max_inline_wait: float = 10.0,
        base_delay: float = 0.5,
        on_blocked: BlockedHandler | None = None,
    ) -> None:
        self._attempts = attempts
        self._max_inline_wait = max_inline_wait
        self._base_delay = base_delay
        self._on_blocked = on_blocked

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            return await make_request(bot, method)  # aiogram's polling loop has its own backoff
        attempt = 0
        while True:
            attempt += 1
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                wait = float(error.retry_after)
                if (attempt >= self._attempts or wait > self._max_inline_wait
                        or (isinstance(method, AnswerCallbackQuery) and wait > 1)):
                    raise
                log.warning("telegram flood control, waiting",
                            extra={"ctx_method": type(method).__name__, "ctx_retry_after": wait})
                await asyncio.sleep(wait)
            except (TelegramNetworkError, TelegramServerError) as error:
                if attempt >= self._attempts:
                    raise
                delay = random.uniform(0, self._base_delay * 2 ** (attempt - 1))
                log.warning("telegram call failed, retrying",
                            extra={"ctx_method": type(method).__name__, "ctx_error": type(error).__name__})
                await asyncio.sleep(delay)
            except TelegramForbiddenError:
                chat_id = getattr(method, "chat_id", None)
                if self._on_blocked is not None and isinstance(chat_id, int) and chat_id > 0:
                    await self._on_blocked(chat_id)
                raise
