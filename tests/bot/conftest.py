from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import time

import httpx
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import User
from redis.asyncio import Redis

from bot.app import Repositories, create_bot, create_dispatcher
from bot.bitrix24 import Bitrix24, Bitrix24Client, RetryPolicy, WebhookAuth
from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.telegram.server import FakeTelegram
from bot.storage.keys import KeySpace
from bot.storage.pacing import Pacer
from bot.telegram.deferred import DeferredReplies
from bot.telegram.sender import PacedSender
from tests.bot.flows import link
from tests.bot.harness import BOT_TOKEN, Harness, RecordingSession, Updates
from tests.bot.fixtures import (
    ADMIN_B24, ANNA_B24, ANNA_TG, BORIS_B24, GONE_B24, MONDAY_0800_UTC, WEBHOOK_CODE, ErrorRecorder, make_settings,
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_0800_UTC)


@pytest.fixture
async def portal(clock: ManualClock) -> AsyncIterator[PortalEmulator]:
    emulator = PortalEmulator(clock=clock, rate_limit=None)
    emulator.add_user(ADMIN_B24, email="admin@example.com", name="Ada", last_name="Admin",
                      time_zone="Europe/Berlin", timeman_admin=True, portal_admin=True)
    emulator.add_user(ANNA_B24, email="anna@example.com", name="Anna", last_name="Berg",
                      time_zone="Europe/Berlin", schedule_shift=(time(9, 0), time(18, 0)))
    emulator.add_user(BORIS_B24, email="boris@example.com", name="Boris", last_name="Ivanov",
                      time_zone="Europe/Moscow")
    emulator.add_user(GONE_B24, email="gone@example.com", name="Gone", active=False)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def harness(portal: PortalEmulator, redis: Redis, clock: ManualClock) -> AsyncIterator[Harness]:
    settings = make_settings()
    keys = KeySpace("test")
    async with httpx.AsyncClient() as http:
        webhook = portal.add_webhook(user_id=ADMIN_B24, code=WEBHOOK_CODE)
        client = Bitrix24Client(WebhookAuth(webhook), http=http,
                                retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02),
                                deadline=5.0, request_timeout=2.0)
        repositories = Repositories.over(redis, keys)
        session = RecordingSession()
        waits: list[float] = []

        async def wait(seconds: float) -> None:  # time is not passed in tests: noted instead
            waits.append(seconds)

        # As in production: replies Telegram makes wait go out through the paced sender.
        sender = PacedSender(Bot(BOT_TOKEN, session=session.sibling(),
                                 default=DefaultBotProperties(parse_mode=ParseMode.HTML)), Pacer(redis), keys)
        deferred = DeferredReplies(sender, sleep=wait)
        bot = create_bot(settings, repositories=repositories, session=session, deferred=deferred)
        dispatcher = create_dispatcher(settings=settings, redis=redis, bitrix=Bitrix24.over(client), clock=clock,
                                       keys=keys, repositories=repositories)
        yield Harness(dispatcher=dispatcher, bot=bot, session=session, updates=Updates(), deferred=deferred,
                      waits=waits, repositories=repositories)
        await deferred.drain(timeout=5)


@pytest.fixture
async def polling(portal: PortalEmulator, redis: Redis, clock: ManualClock) -> AsyncIterator[FakeTelegram]:
    """The production bot and dispatcher polling the fake Telegram server over HTTP."""
    async with FakeTelegram(token=BOT_TOKEN, bot_username="workday_bot") as fake:
        settings = make_settings(api_base=fake.base_url)
        keys = KeySpace("test")
        async with httpx.AsyncClient() as http:
            client = Bitrix24Client(WebhookAuth(portal.add_webhook(user_id=ADMIN_B24, code=WEBHOOK_CODE)), http=http)
            repositories = Repositories.over(redis, keys)
            bot = create_bot(settings, repositories=repositories)
            dispatcher = create_dispatcher(settings=settings, redis=redis, bitrix=Bitrix24.over(client), clock=clock,
                                           keys=keys, repositories=repositories)
            task = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False,
                                                                polling_timeout=1))
            try:
                yield fake
            finally:
                if task.done():
                    task.result()  # polling must not have died
                # Updates still being handled finish first: the portal, Redis and the bot's
                # session close after this fixture.
                handling = set(dispatcher._handle_update_tasks)  # noqa: SLF001 - aiogram has no public way
                if handling:
                    await asyncio.wait(handling, timeout=10)
                await dispatcher.stop_polling()
                await asyncio.wait_for(task, timeout=10)
                await bot.session.close()


@pytest.fixture
async def anna(harness: Harness, portal: PortalEmulator) -> User:
    """Anna, linked through the bot's own /link flow."""
    user = harness.updates.user(ANNA_TG)
    await link(harness, portal, user, "anna@example.com", ANNA_B24)
    return user


@pytest.fixture
def errors() -> Iterator[ErrorRecorder]:
    """What reached the error handler (an unhandled exception) during the test."""
    recorder = ErrorRecorder()
    logger = logging.getLogger("bot.telegram.handlers.errors")
    logger.addHandler(recorder)
    yield recorder
    logger.removeHandler(recorder)
