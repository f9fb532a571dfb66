"""Replies keep within the bot's overall message budget: when coalesced Bitrix24 answers
come back together, the replies they release leave evenly spaced, not into 429s."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from redis.asyncio import Redis

from bot.app import Repositories, create_bot
from workday_sandbox.telegram.server import FakeTelegram
from bot.storage.keys import KeySpace
from bot.storage.pacing import Pacer
from tests.bot.fixtures import make_settings
from tests.bot.harness import BOT_TOKEN

CHATS = 45  # replies released at once, to as many people: more than Telegram's 30 a second


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=BOT_TOKEN, bot_username="workday_bot", flood_control=True) as fake:
        for chat in range(CHATS):
            fake.user(7000 + chat)
        yield fake


async def reply_to_everyone(bot: Bot) -> None:
    try:
        await asyncio.gather(*(bot.send_message(7000 + chat, f"Your day has started ({chat})")
                               for chat in range(CHATS)))
    finally:
        await bot.session.close()


def refused(telegram: FakeTelegram) -> int:
    return sum(1 for call in telegram.calls_to("sendMessage") if call.status == 429)


async def test_replies_released_together_leave_within_the_budget(telegram: FakeTelegram, redis: Redis) -> None:
    keys = KeySpace("pace-test")
    settings = make_settings(api_base=telegram.base_url, send_rate=28)
    bot = create_bot(settings, repositories=Repositories.over(redis, keys), pacer=Pacer(redis), keys=keys)
    await reply_to_everyone(bot)
    assert refused(telegram) == 0
    assert sum(1 for call in telegram.calls_to("sendMessage") if call.ok) == CHATS


async def test_without_the_budget_the_same_burst_meets_429s(telegram: FakeTelegram, redis: Redis) -> None:
    # The control experiment: the test above proves the pacing, not a lenient fake server.
    keys = KeySpace("pace-test")
    bot = create_bot(make_settings(api_base=telegram.base_url), repositories=Repositories.over(redis, keys))
    await reply_to_everyone(bot)
    assert refused(telegram) > 0
    assert sum(1 for call in telegram.calls_to("sendMessage") if call.ok) == CHATS
