"""Outgoing Telegram calls: keep replies within the bot's overall message budget; retry
429 and transient errors; notice users who blocked the bot; skip an incoming update aiogram
cannot read."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from pydantic import ValidationError

from bot.storage.pacing import Limit, Pacer
from bot.telegram.deferred import DEFERRABLE, DeferredReplies, ReplyDeferred, deferrable_chat
from bot.telegram.reachability import stops_messages, why_forbidden

log = logging.getLogger(__name__)

BlockedHandler = Callable[[int], Awaitable[Any]]


class PaceReplies(BaseRequestMiddleware):
    """Waits for the message's slot in the bot's overall budget (shared in Redis with the
    reminder sender and every replica) before sending or editing a message.

    Telegram counts about 30 messages a second per bot. Coalesced Bitrix24 answers come
    back together, so a few dozen replies would otherwise leave in the same instant and
    meet 429s, each costing a wait of its own; a slot each keeps them evenly spaced."""

    def __init__(self, pacer: Pacer, budget: Limit) -> None:
        self._pacer = pacer
        self._budget = budget

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, DEFERRABLE):
            await self._pacer.wait([self._budget])
        return await make_request(bot, method)


class RetryRequestMiddleware(BaseRequestMiddleware):
    """Sleeps `retry_after` (up to `max_inline_wait`) and retries; backs off on network
    and 5xx errors. A callback answer is never retried after a long wait: by then the
    query has expired. A reply that still fails (a longer wait, or the last attempt) is
    handed to `deferred` and `ReplyDeferred` is raised; without `deferred`, or for
    other calls, the error is raised to the caller."""

    def __init__(
        self,
        *,
        attempts: int = 4,
        max_inline_wait: float = 10.0,
        base_delay: float = 0.5,
        on_blocked: BlockedHandler | None = None,
        deferred: DeferredReplies | None = None,
    ) -> None:
        self._deferred = deferred
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
        chat_id = deferrable_chat(method) if self._deferred is not None else None
        if chat_id is not None and self._deferred is not None and self._deferred.waiting(chat_id):
            # Keep this chat's replies in order: behind the one already waiting.
            self._defer(chat_id, method, 0.0, None)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                wait = float(error.retry_after)
                if (attempt >= self._attempts or wait > self._max_inline_wait
                        or (isinstance(method, AnswerCallbackQuery) and wait > 1)):
                    if chat_id is not None:
                        self._defer(chat_id, method, wait, error)
                    raise
                log.warning("telegram flood control, waiting",
                            extra={"ctx_method": type(method).__name__, "ctx_retry_after": wait})
                await asyncio.sleep(wait)
            except (TelegramNetworkError, TelegramServerError) as error:
                if attempt >= self._attempts:
                    if chat_id is not None:
                        self._defer(chat_id, method, 0.0, error)
                    raise
                delay = random.uniform(0, self._base_delay * 2 ** (attempt - 1))
                log.warning("telegram call failed, retrying",
                            extra={"ctx_method": type(method).__name__, "ctx_error": type(error).__name__})
                await asyncio.sleep(delay)
            except TelegramForbiddenError as error:
                target = getattr(method, "chat_id", None)
                if (self._on_blocked is not None and isinstance(target, int) and target > 0
                        and stops_messages(why_forbidden(error))):
                    await self._on_blocked(target)
                raise

    def _defer(self, chat_id: int, method: TelegramMethod[Any], wait: float, error: Exception | None) -> None:
        """Hand the reply over and raise ReplyDeferred; if it cannot be taken, return."""
        assert self._deferred is not None
        if self._deferred.defer(chat_id, method, wait):
            raise ReplyDeferred(chat_id, type(method).__name__) from error


class SkipUnreadableUpdates(BaseRequestMiddleware):
    """getUpdates fails as a whole when one update does not validate (an older self-hosted
    Bot API server, say), and aiogram would then ask for the same offset forever. This
    keeps the updates that validate, logs each skipped one once (its id, kind and the
    first problem; never its content), and asks for updates after it from then on."""

    def __init__(self) -> None:
        self._skip_through: int | None = None

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not isinstance(method, GetUpdates):
            return await make_request(bot, method)
        if self._skip_through is not None and (method.offset is None or method.offset <= self._skip_through):
            method.offset = self._skip_through + 1
        try:
            return await make_request(bot, method)
        except ClientDecodeError as error:
            data = error.data
            if not (isinstance(data, dict) and data.get("ok") is True and isinstance(data.get("result"), list)):
                raise
            # The chain passes on the method's result (aiogram's make_request unwraps it).
            return self._readable(bot, data["result"])  # type: ignore[return-value]

    def _readable(self, bot: Bot, raw_updates: list[Any]) -> list[Update]:
        readable: list[Update] = []
        for raw in raw_updates:
            try:
                readable.append(Update.model_validate(raw, context={"bot": bot}))
                continue
            except ValidationError as error:
                problem = error.errors(include_url=False, include_input=False, include_context=False)[0]
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int):
                raise ValueError("Telegram sent an update without an update_id") from None
            self._skip_through = max(self._skip_through or update_id, update_id)
            log.warning("skipped an update aiogram cannot read", extra={
                "ctx_update": update_id,
                "ctx_kind": ",".join(key for key in raw if key != "update_id")[:80],
                "ctx_problem": f"{'.'.join(str(part) for part in problem['loc'])}: {problem['type']}"[:160],
            })
        return readable
