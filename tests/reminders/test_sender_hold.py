"""The paced sender on a graceful stop: what is on its way finishes, nothing else leaves,
and the caller learns exactly which messages went (against the fake Bot API over HTTP)."""

from __future__ import annotations

import asyncio
from collections import Counter

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from redis.asyncio import Redis

from workday_sandbox.telegram.server import FakeTelegram
from bot.storage.keys import KeySpace
from bot.storage.pacing import Pacer
from bot.telegram.sender import PacedSender, SendOutcome

TOKEN = "123456:HOLD-test-token"


async def test_hold_lets_nothing_new_leave_and_reports_what_went(redis: Redis) -> None:
    async with FakeTelegram(token=TOKEN, bot_username="hold_bot", auto_create_chats=True) as telegram:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url)))
        sender = PacedSender(bot, Pacer(redis), KeySpace("hold"), rate=10.0)
        try:
            sends = [asyncio.create_task(sender.send(5000 + index, f"reminder {index}")) for index in range(30)]
            while telegram.stats.messages_sent < 4:
                await asyncio.sleep(0.01)
            sender.hold()
            outcomes = await asyncio.gather(*sends)
            accepted = telegram.stats.messages_sent
            await asyncio.sleep(0.3)  # anything still let through would arrive now
            assert telegram.stats.messages_sent == accepted
            counts = Counter(outcomes)
            assert set(counts) == {SendOutcome.SENT, SendOutcome.HELD}
            # Every message Telegram took is reported SENT; every HELD one never left.
            assert counts[SendOutcome.SENT] == accepted
            assert (await sender.send(6000, "after the stop")) is SendOutcome.HELD
        finally:
            await bot.session.close()
