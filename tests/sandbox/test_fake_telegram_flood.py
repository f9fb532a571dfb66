"""The fake server's model of Telegram's flood control (bursts allowed, then about one a
second per chat, 20 a minute per group, 30 a second overall) and of a user who never
pressed Start."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter

from workday_sandbox.telegram.server import CANT_INITIATE, TELEGRAM_FLOOD_LIMITS, FakeTelegram
from tests.sandbox.test_fake_telegram import TOKEN, Ticker


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
async def tg(ticker: Ticker) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="workday_bot", monotonic=ticker,
                            flood_control=True) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    client = tg.create_bot()
    yield client
    await client.session.close()


async def test_a_short_burst_in_one_chat_passes_then_one_a_second(tg: FakeTelegram, bot: Bot,
                                                                  ticker: Ticker) -> None:
    tg.user(1001)
    burst = int(TELEGRAM_FLOOD_LIMITS["per_chat_burst"])
    for number in range(burst):
        await bot.send_message(1001, f"burst {number}")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(1001, "one too many")
    assert 1 <= info.value.retry_after <= burst
    # Sustained: over a minute, no more than the burst plus one a second gets through.
    sent = 0
    for _ in range(120):
        ticker.now += 0.5
        try:
            await bot.send_message(1001, "steady")
            sent += 1
        except TelegramRetryAfter:
            pass
    assert 55 <= sent <= 60 + burst


async def test_twenty_a_minute_in_a_group(tg: FakeTelegram, bot: Bot, ticker: Ticker) -> None:
    tg.group_chat(-100500, "Team")
    sent, waits = 0, []
    for _ in range(60):  # one a second for a minute: only 20 get through
        try:
            await bot.send_message(-100500, "news")
            sent += 1
        except TelegramRetryAfter as error:
            waits.append(error.retry_after)
        ticker.now += 1
    assert sent == 20
    assert waits[0] == 40  # the minute's window frees up 60 s after its first message


async def test_thirty_a_second_overall(tg: FakeTelegram, bot: Bot, ticker: Ticker) -> None:
    for user_id in range(1, 41):
        tg.user(user_id)
    results = []
    for user_id in range(1, 41):
        try:
            await bot.send_message(user_id, "hello")
            results.append(True)
        except TelegramRetryAfter:
            results.append(False)
    assert results.count(True) == 30
    ticker.now += 1.01
    await bot.send_message(40, "a second later")


async def test_the_bot_cannot_write_first(tg: FakeTelegram, bot: Bot) -> None:
    stranger = tg.user(2002, "Stan", started=False)
    with pytest.raises(TelegramForbiddenError) as info:
        await bot.send_message(stranger.id, "hello?")
    assert info.value.message == CANT_INITIATE
    tg.send_text(stranger, "/start")
    await bot.send_message(stranger.id, "hello!")
    assert [m.text for m in tg.messages(stranger)] == ["hello!"]


async def test_bursts_through_the_control_api(tg: FakeTelegram) -> None:
    tg.user(1003)
    async with httpx.AsyncClient(base_url=tg.base_url, timeout=30) as http:
        await http.post("/_fake/rate_limits", json={"per_chat_per_second": 1, "per_chat_burst": 2})
        statuses = [(await http.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": "1003", "text": str(n)})).status_code
                    for n in range(3)]
    assert statuses == [200, 200, 429]
