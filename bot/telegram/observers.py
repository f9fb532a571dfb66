"""aiogram hooks that feed the metrics and the health check: an outer update middleware,
and a session middleware that sees every Bot API call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update

from bot.health import PollingHeartbeat
from bot.metrics import Metrics


class UpdateMetricsMiddleware(BaseMiddleware):
    """Counts each update by type and outcome: handled, unhandled (no handler took it) or
    error (a handler raised; the error handler still answers the user)."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        kind = _update_type(event)
        try:
            result = await handler(event, data)
        except Exception:
            self._metrics.update(kind, "error")
            raise
        self._metrics.update(kind, "unhandled" if result is UNHANDLED else "handled")
        return result


def _update_type(event: TelegramObject) -> str:
    if not isinstance(event, Update):
        return type(event).__name__.lower()
    try:
        return event.event_type
    except Exception:  # noqa: BLE001 - a type this aiogram does not know
        return "unknown"


class BotApiObserver(BaseRequestMiddleware):
    """Counts Telegram's 429 answers, and tells the polling heartbeat about getUpdates.
    Registered after any retrying middleware, it sees every attempt."""

    def __init__(self, metrics: Metrics, heartbeat: PollingHeartbeat | None = None) -> None:
        self._metrics = metrics
        self._heartbeat = heartbeat

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        polling = self._heartbeat is not None and isinstance(method, GetUpdates)
        try:
            response = await make_request(bot, method)
        except TelegramRetryAfter:
            self._metrics.telegram_retry_after(type(method).__name__)
            raise
        if polling:
            assert self._heartbeat is not None
            self._heartbeat.beat()
        return response
