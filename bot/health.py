"""What /healthz reports: Redis answers, and in polling mode the polling loop is alive.

Served by a small aiohttp app on BOT_HEALTH_PORT in either mode (with /metrics), and on
the webhook server's /healthz in webhook mode.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot import __version__
from bot.clock import Clock
from bot.metrics import Metrics

# A long poll returns at least every 10 s (aiogram's polling timeout), and a failing one
# is retried within 5 s; a minute without a good answer means polling is stuck or
# Telegram is unreachable.
POLLING_STALE_AFTER = timedelta(seconds=60)
REDIS_PING_TIMEOUT = 3.0


class PollingHeartbeat:
    """The last time getUpdates answered (or when the bot started)."""

    def __init__(self, clock: Clock, *, stale_after: timedelta = POLLING_STALE_AFTER) -> None:
        self._clock = clock
        self._stale_after = stale_after
        self._last = clock.now()

    def beat(self) -> None:
        self._last = self._clock.now()

    def seconds_since(self) -> float:
        return (self._clock.now() - self._last).total_seconds()

    @property
    def alive(self) -> bool:
        return self._clock.now() - self._last <= self._stale_after


class HealthCheck:
    def __init__(self, redis: Redis, *, polling: PollingHeartbeat | None = None) -> None:
        self._redis = redis
        self._polling = polling

    async def report(self) -> tuple[bool, dict[str, object]]:
        body: dict[str, object] = {"version": __version__}
        healthy = True
        try:
            # The pool waits up to 30 s for a free connection; a health probe must not.
            async with asyncio.timeout(REDIS_PING_TIMEOUT):
                await self._redis.ping()
            body["redis"] = "ok"
        except (RedisError, OSError, TimeoutError):
            body["redis"] = "unreachable"
            healthy = False
        if self._polling is not None:
            alive = self._polling.alive
            body["polling"] = "ok" if alive else "stalled"
            body["polling_last_answer_s"] = round(self._polling.seconds_since(), 1)
            healthy = healthy and alive
        body["ok"] = healthy
        return healthy, body

    async def handle(self, _request: web.Request) -> web.Response:
        healthy, body = await self.report()
        return web.json_response(body, status=200 if healthy else 503)


def metrics_handler(metrics: Metrics) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(_request: web.Request) -> web.Response:
        body, content_type = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    return handle


def build_health_app(health: HealthCheck, metrics: Metrics) -> web.Application:
    app = web.Application()
    app.router.add_get("/healthz", health.handle)
    app.router.add_get("/metrics", metrics_handler(metrics))
    return app
