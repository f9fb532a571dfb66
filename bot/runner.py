"""Run the bot: polling, or an aiohttp webhook server (BOT_MODE=webhook)."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import hmac
import logging
from collections.abc import Sequence
from contextlib import AsyncExitStack

import httpx
from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

from bot import __version__
from bot.app import (Repositories, create_bot, create_dispatcher, create_jobs, create_live_card_sweep,
                     create_reminder_engine, create_sender_bot)
from bot.reminders.scheduler import ReminderScheduler
from bot.storage.pacing import Pacer, SharedLeakyBucket, shared_background_budget
from bot.telegram.deferred import DeferredReplies
from bot.bitrix24 import Bitrix24, Bitrix24Error, create_bitrix24
from bot.clock import Clock, SystemClock
from bot.config import BotMode, Settings
from bot.health import HealthCheck, PollingHeartbeat, build_health_app
from bot.http_server import BoundedLoopErrors, Listeners, ServerLimits, harden
from bot.logging_setup import setup_logging
from bot.redaction import SecretsFilter
from bot.metrics import MeasuredLimiter, Metrics
from bot.storage.keys import KeySpace
from bot.stopping import StopSignal, Stopped
from bot.storage.tokens import RedisTokenStore

log = logging.getLogger(__name__)


class StartupError(Exception):
    """A problem an admin must fix before the bot can run; printed without a traceback."""


def settings_secrets(settings: Settings) -> list[str]:
    values = [settings.telegram.bot_token.get_secret_value()]
    b24 = settings.bitrix24
    for secret in (b24.webhook_url, b24.client_secret, b24.access_token, b24.refresh_token,
                   settings.webhook.secret):
        if secret is not None:
            values.append(secret.get_secret_value())
    if b24.webhook_url is not None:
        # The code alone, too: it shows up in paths without the rest of the URL.
        values.append(b24.webhook_url.get_secret_value().rstrip("/").rsplit("/", 1)[-1])
    redis_url = httpx.URL(settings.redis.url.get_secret_value())
    if redis_url.password:
        values.append(redis_url.password)
    return values


async def check_redis(redis: Redis) -> None:
    try:
        await redis.ping()
    except (RedisError, OSError) as error:
        raise StartupError(
            f"cannot reach Redis (REDIS_URL): {type(error).__name__}. Is it running, and is the URL right?"
        ) from None


async def check_bitrix24(bitrix: Bitrix24) -> None:
    """Say who the bot acts as, and warn when that user cannot manage other people's days.
    Not fatal: the portal may be down for a minute while the bot starts."""
    try:
        owner = await bitrix.users.current()
        settings = await bitrix.workday.settings()
    except Bitrix24Error as error:
        log.warning("could not check the Bitrix24 connection at start-up: %s", error)
        return
    log.info("bitrix24 connected", extra={"ctx_acts_as": owner.id})
    if settings.admin is False:
        log.warning(
            "the Bitrix24 user behind the webhook is not a timeman admin: acting on other "
            "employees' workdays will fail with ACCESS_DENIED. Create the webhook as a user "
            "who may manage everyone's working time."
        )


async def run(settings: Settings, *, clock: Clock | None = None, keys: KeySpace | None = None,
              stop: StopSignal | None = None) -> None:
    """Start, serve until SIGINT or SIGTERM, and stop. `stop`: one already installed (the
    sandbox takes the signals before its own start-up)."""
    own_stop = stop is None
    if stop is None:
        stop = StopSignal()
        stop.install()
    secrets_filter = setup_logging(settings.bot.log_level, settings.bot.log_format,
                                   secrets=settings_secrets(settings))
    try:
        await _run(settings, clock=clock, keys=keys, stop=stop, secrets_filter=secrets_filter)
    except Stopped:
        log.info("stopped before serving")
    finally:
        if own_stop:
            stop.close()


async def _run(settings: Settings, *, clock: Clock | None, keys: KeySpace | None, stop: StopSignal,
               secrets_filter: SecretsFilter) -> None:
    clock = clock or SystemClock()
    keys = keys or KeySpace()
    # A flood of failed accept()s must not become a flood of tracebacks.
    BoundedLoopErrors().install(asyncio.get_running_loop())
    metrics = Metrics()
    webhook_mode = settings.bot.mode is BotMode.WEBHOOK
    heartbeat = None if webhook_mode else PollingHeartbeat(clock)
    log.info("starting", extra={"ctx_version": __version__, "ctx_mode": settings.bot.mode.value})
    async with AsyncExitStack() as stack:
        # A bounded pool that waits for a free connection: a burst of updates or reminders
        # must not open hundreds of connections at once.
        redis = Redis(connection_pool=BlockingConnectionPool.from_url(
            settings.redis.url.get_secret_value(), max_connections=64, timeout=30))
        stack.push_async_callback(redis.aclose)
        await stop.step(check_redis(redis))
        # Bitrix24's own limit keeps few calls in flight; a small pool keeps httpcore's
        # bookkeeping cheap when a burst of users waits in the bucket.
        http = httpx.AsyncClient(headers={"User-Agent": f"b24-workday-bot/{__version__}"},
                                 limits=httpx.Limits(max_connections=20, max_keepalive_connections=10))
        stack.push_async_callback(http.aclose)
        repositories = Repositories.over(redis, keys)
        # Shared through Redis: all replicas together stay under the portal's bucket.
        limiter = MeasuredLimiter(SharedLeakyBucket(redis, keys, rate=settings.bitrix24.rate_limit,
                                                    burst=settings.bitrix24.rate_burst), metrics.bitrix24)
        bitrix = create_bitrix24(settings.bitrix24, http=http, limiter=limiter,
                                 token_store=RedisTokenStore(redis, keys("oauth", "tokens")), clock=clock,
                                 on_secret=secrets_filter.add, on_request=metrics.bitrix24.request)
        sender_bot = create_sender_bot(settings, metrics=metrics)
        stack.push_async_callback(sender_bot.session.close)
        pacer = Pacer(redis)
        # Background work (the live-card sweep, the heads' digests) within a share of the
        # portal's rate, behind taps; none at all with a share of 0.
        budget = (shared_background_budget(redis, keys, limiter, rate=settings.bitrix24.rate_limit,
                                           burst=settings.bitrix24.rate_burst,
                                           share=settings.bitrix24.background_share)
                  if settings.bitrix24.background_share > 0 else None)
        engine, sender = create_reminder_engine(settings=settings, redis=redis, bitrix=bitrix, clock=clock, keys=keys,
                                                repositories=repositories, sender_bot=sender_bot, pacer=pacer,
                                                metrics=metrics, background=budget)
        # Replies Telegram makes wait go out through the same paced sender, before it closes.
        deferred = DeferredReplies(sender)
        stack.push_async_callback(deferred.drain)
        bot = create_bot(settings, repositories=repositories, deferred=deferred, metrics=metrics,
                         heartbeat=heartbeat, pacer=pacer, keys=keys)
        stack.push_async_callback(bot.session.close)
        dispatcher = create_dispatcher(settings=settings, redis=redis, bitrix=bitrix, clock=clock, keys=keys,
                                       repositories=repositories, metrics=metrics)
        scheduler = ReminderScheduler(engine)
        jobs = create_jobs(redis=redis, keys=keys, clock=clock, services=dispatcher["services"])
        if budget is not None:
            create_live_card_sweep(settings=settings, redis=redis, bitrix=bitrix, clock=clock, keys=keys,
                                   repositories=repositories, services=dispatcher["services"], sender=sender,
                                   budget=budget).register_jobs(jobs)
        for component in (scheduler, jobs):
            dispatcher.startup.register(component.start)
            dispatcher.shutdown.register(component.stop)
        await stop.step(check_bitrix24(bitrix))
        # aiogram's types make ~200k long-lived objects; a full collection walking them all
        # stalls the event loop for ~0.3 s, which bunches paced reminder sends past
        # Telegram's limit. Frozen, they are left out of every collection.
        gc.collect()
        gc.freeze()
        listeners = Listeners(server_limits(settings))
        stack.push_async_callback(listeners.close)
        health = HealthCheck(redis, polling=heartbeat)
        if settings.bot.health_port:
            await listen(listeners, harden(build_health_app(health, metrics), listeners.limits),
                         settings.bot.health_host, settings.bot.health_port, "BOT_HEALTH_HOST/BOT_HEALTH_PORT")
            log.info("health server listening", extra={"ctx_host": settings.bot.health_host,
                                                       "ctx_port": settings.bot.health_port})
        if webhook_mode:
            await run_webhook(bot, dispatcher, settings, redis, keys, listeners=listeners, health=health, stop=stop)
        else:
            await run_polling(bot, dispatcher, stop)


async def listen(listeners: Listeners, app: web.Application, host: str, port: int, variables: str) -> None:
    try:
        await listeners.serve(app, host, port)
    except OSError as error:  # most often: the port is taken
        raise StartupError(f"cannot listen on {host}:{port} ({variables}): {error.strerror or error}") from None


def server_limits(settings: Settings) -> ServerLimits:
    return ServerLimits(max_connections=settings.webhook.max_connections,
                        idle_timeout=settings.webhook.idle_timeout,
                        request_timeout=settings.webhook.request_timeout)


async def run_polling(bot: Bot, dispatcher: Dispatcher, stop: StopSignal) -> None:
    # A webhook left from an earlier deployment would make getUpdates fail with 409.
    await stop.step(bot.delete_webhook(drop_pending_updates=False))
    # The signals stay ours: aiogram's own handlers ignore one that comes before polling
    # has begun.
    polling = asyncio.create_task(dispatcher.start_polling(
        bot, handle_signals=False, allowed_updates=dispatcher.resolve_used_update_types()))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:  # a stop, or this run cancelled: polling winds down through its shutdown steps
        stopping.cancel()
        if not polling.done():
            # The polling task took aiogram's running lock in its first step, before any
            # signal could be handled; its start-up and shutdown steps run in full. Waited
            # for through the task: stop_polling's own wait never ends if a step raises.
            stopper = asyncio.create_task(dispatcher.stop_polling())
            stopper.add_done_callback(_outcome_seen)  # raises if polling ended on its own meanwhile
            await asyncio.wait({polling})
            stopper.cancel()
    await polling


def _outcome_seen(task: asyncio.Task[None]) -> None:
    if not task.cancelled():
        task.exception()


def webhook_fingerprint(url: str, secret: str, allowed_updates: Sequence[str]) -> str:
    return hashlib.sha256("|".join([url, secret, ",".join(sorted(allowed_updates))]).encode()).hexdigest()


async def ensure_webhook(bot: Bot, *, url: str, secret: str, allowed_updates: list[str], redis: Redis,
                         keys: KeySpace) -> bool:
    """Set the webhook only when it changed; returns True when it was set."""
    fingerprint = webhook_fingerprint(url, secret, allowed_updates)
    key = keys("webhook", bot.id)
    stored = await redis.get(key)
    info = await bot.get_webhook_info()
    if stored is not None and stored.decode() == fingerprint and info.url == url:
        log.info("webhook unchanged")
        return False
    await bot.set_webhook(url=url, secret_token=secret, allowed_updates=allowed_updates,
                          drop_pending_updates=False)
    await redis.set(key, fingerprint)
    log.info("webhook set")
    return True


class SecretCheckingRequestHandler(SimpleRequestHandler):
    """aiogram's handler, with the secret compared as bytes: `secrets.compare_digest` on
    two str raises TypeError for non-ASCII text, which an attacker can send."""

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        if not self.secret_token:
            return True
        # aiohttp decodes header bytes as UTF-8 with surrogateescape; undo it exactly.
        given = telegram_secret_token.encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self.secret_token.encode())


def build_webhook_app(bot: Bot, dispatcher: Dispatcher, settings: Settings, redis: Redis,
                      keys: KeySpace, *, health: HealthCheck | None = None) -> web.Application:
    assert settings.webhook.url is not None and settings.webhook.secret is not None
    secret = settings.webhook.secret.get_secret_value()
    url = settings.webhook.url
    app = web.Application()
    SecretCheckingRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret,
                                 handle_in_background=True).register(app, path=settings.webhook.path)
    app.router.add_get("/healthz", (health or HealthCheck(redis)).handle)

    async def on_startup(bot: Bot) -> None:
        await ensure_webhook(bot, url=url, secret=secret,
                             allowed_updates=dispatcher.resolve_used_update_types(), redis=redis, keys=keys)

    dispatcher.startup.register(on_startup)
    setup_application(app, dispatcher, bot=bot)
    return app


async def run_webhook(bot: Bot, dispatcher: Dispatcher, settings: Settings, redis: Redis, keys: KeySpace, *,
                      listeners: Listeners, health: HealthCheck, stop: StopSignal) -> None:
    app = harden(build_webhook_app(bot, dispatcher, settings, redis, keys, health=health), listeners.limits)
    await listen(listeners, app, settings.webhook.host, settings.webhook.port, "WEBHOOK_HOST/WEBHOOK_PORT")
    log.info("webhook server listening", extra={"ctx_host": settings.webhook.host, "ctx_port": settings.webhook.port})
    try:
        await stop.wait()
    finally:
        await listeners.close()
