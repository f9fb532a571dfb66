"""Updates and Telegram 429s are counted, through the production dispatcher and bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.app import Repositories, create_bot, create_dispatcher
from bot.bitrix24 import Bitrix24, Bitrix24Client, RetryPolicy, WebhookAuth
from bot.clock import ManualClock
from bot.metrics import Metrics
from workday_sandbox.portal.emulator import PortalEmulator
from bot.storage.keys import KeySpace
from tests.bot.fixtures import ADMIN_B24, STRANGER_TG, WEBHOOK_CODE, make_settings
from tests.bot.harness import Harness, RecordingSession, Updates


@pytest.fixture
async def metered(portal: PortalEmulator, redis: Redis,
                  clock: ManualClock) -> AsyncIterator[tuple[Harness, Metrics]]:
    settings = make_settings()
    keys = KeySpace("test")
    metrics = Metrics()
    async with httpx.AsyncClient() as http:
        webhook = portal.add_webhook(user_id=ADMIN_B24, code=WEBHOOK_CODE)
        client = Bitrix24Client(WebhookAuth(webhook), http=http,
                                retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02),
                                deadline=5.0, request_timeout=2.0)
        repositories = Repositories.over(redis, keys)
        session = RecordingSession()
        bot = create_bot(settings, repositories=repositories, session=session, metrics=metrics)
        dispatcher = create_dispatcher(settings=settings, redis=redis, bitrix=Bitrix24.over(client),
                                       clock=clock, keys=keys, repositories=repositories, metrics=metrics)
        yield Harness(dispatcher=dispatcher, bot=bot, session=session, updates=Updates()), metrics


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_updates_are_counted_by_type_and_outcome(metered: tuple[Harness, Metrics]) -> None:
    harness, metrics = metered
    stranger = harness.updates.user(STRANGER_TG)
    await harness.say(stranger, "/help")
    await harness.say(stranger, "/help")
    assert sample(metrics, "b24bot_updates_total", type="message", outcome="handled") == 2
    assert "b24bot_updates_total" in metrics.exposition()[0].decode()


async def test_each_telegram_429_is_counted_even_when_retried(metered: tuple[Harness, Metrics]) -> None:
    harness, metrics = metered
    stranger = harness.updates.user(STRANGER_TG)
    harness.session.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=1)
    reply = await harness.say(stranger, "/help")
    assert "What I can do" in reply.text  # the retry middleware got it through
    assert sample(metrics, "b24bot_telegram_retry_after_total", method="SendMessage") == 1


async def test_each_dispatcher_counts_in_its_own_registry(metered: tuple[Harness, Metrics]) -> None:
    harness, metrics = metered
    other = Metrics()
    await harness.say(harness.updates.user(STRANGER_TG), "/help")
    assert sample(metrics, "b24bot_updates_total", type="message", outcome="handled") == 1
    assert sample(other, "b24bot_updates_total", type="message", outcome="handled") == 0


async def test_a_failing_handler_counts_as_error_and_still_raises() -> None:
    from aiogram.dispatcher.event.bases import UNHANDLED

    from bot.telegram.observers import UpdateMetricsMiddleware

    metrics = Metrics()
    middleware = UpdateMetricsMiddleware(metrics)
    update = Updates().text(Updates.user(STRANGER_TG), "hello")

    async def failing(_event: object, _data: dict[str, object]) -> object:
        raise RuntimeError("handler bug")

    async def nobody(_event: object, _data: dict[str, object]) -> object:
        return UNHANDLED

    with pytest.raises(RuntimeError):
        await middleware(failing, update, {})
    assert await middleware(nobody, update, {}) is UNHANDLED
    assert sample(metrics, "b24bot_updates_total", type="message", outcome="error") == 1
    assert sample(metrics, "b24bot_updates_total", type="message", outcome="unhandled") == 1


async def test_the_reminder_senders_429s_are_counted_too(redis: Redis) -> None:
    """The paced sender's own Bot (no retry middleware) against the fake Telegram server."""
    from dataclasses import replace

    from bot.app import create_sender_bot
    from bot.config import TelegramSettings
    from workday_sandbox.telegram.server import FakeTelegram
    from bot.storage.pacing import Pacer
    from bot.telegram.sender import PacedSender, SendOutcome
    from tests.bot.harness import BOT_TOKEN

    metrics = Metrics()
    async with FakeTelegram(token=BOT_TOKEN, bot_username="workday_bot") as telegram:
        settings = replace(make_settings(), telegram=TelegramSettings(
            bot_token=BOT_TOKEN, api_base=telegram.base_url, _env_file=None))
        anna = telegram.user(STRANGER_TG, "Anna")
        telegram.inject_error("sendMessage", 429, retry_after=1)
        bot = create_sender_bot(settings, metrics=metrics)
        try:
            sender = PacedSender(bot, Pacer(redis), KeySpace("test"))
            assert await sender.send(anna.id, "Time for a break") is SendOutcome.SENT
        finally:
            await bot.session.close()
    assert sender.stats["retry_after"] == 1
    assert sample(metrics, "b24bot_telegram_retry_after_total", method="SendMessage") == 1
