"""Polling goes on past an update aiogram cannot read (e.g. from an older self-hosted Bot
API server): it is skipped and logged once, and the updates after it are handled."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.app import Repositories, create_bot, create_dispatcher
from bot.bitrix24 import Bitrix24, Bitrix24Client, WebhookAuth
from bot.clock import ManualClock
from bot.config import Bitrix24Settings, BotSettings, RedisSettings, Settings, TelegramSettings, WebhookSettings
from bot.sandbox.portal import PortalEmulator
from bot.sandbox.telegram import FakeTelegram
from bot.storage.keys import KeySpace
from tests.bot.conftest import ADMIN_B24, ADMIN_TG, WEBHOOK_CODE
from tests.bot.harness import BOT_TOKEN


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
async def polling(portal: PortalEmulator, redis: Redis, clock: ManualClock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=BOT_TOKEN, bot_username="workday_bot") as fake:
        settings = Settings(
            telegram=TelegramSettings(bot_token=BOT_TOKEN, api_base=fake.base_url, _env_file=None),
            bitrix24=Bitrix24Settings(webhook_url=f"http://127.0.0.1:1/rest/{ADMIN_B24}/{WEBHOOK_CODE}/",
                                      _env_file=None),
            redis=RedisSettings(_env_file=None),
            bot=BotSettings(_env_file=None, admin_ids=frozenset({ADMIN_TG}), default_timezone="UTC"),
            webhook=WebhookSettings(_env_file=None),
        )
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
                await dispatcher.stop_polling()
                await asyncio.wait_for(task, timeout=10)
                await bot.session.close()


def unreadable(user_id: int) -> dict:
    # A message whose chat has no "type": aiogram's models refuse it.
    return {"message": {"message_id": 1, "date": int(time.time()), "chat": {"id": user_id},
                        "from": {"id": user_id, "is_bot": False, "first_name": "Old"}, "text": "/help"}}


@pytest.mark.parametrize("bad_last", [False, True])
async def test_an_unreadable_update_is_skipped(polling: FakeTelegram, bad_last: bool) -> None:
    records = Records()
    logging.getLogger().addHandler(records)
    try:
        anna = polling.user(7201, "Anna", language_code="en")
        polling.queue_update(unreadable(7202))
        polling.send_text(anna, "/help")
        if bad_last:
            polling.queue_update(unreadable(7203))
        await polling.wait_for_message(anna, "/status", timeout=15)
        await polling.wait_for(lambda: polling.pending_update_count == 0, timeout=15)
        polling.send_text(anna, "/help")
        await polling.wait_for(lambda: len(polling.messages(anna)) == 2, timeout=15)
    finally:
        logging.getLogger().removeHandler(records)
    assert not [r for r in records.records if r.levelno >= logging.ERROR]
    skipped = [r for r in records.records if "skipped an update" in r.getMessage()]
    assert len(skipped) == (2 if bad_last else 1)
    assert all(r.exc_info is None for r in skipped)
    assert not any("Old" in r.getMessage() for r in records.records)  # no user data in the log
