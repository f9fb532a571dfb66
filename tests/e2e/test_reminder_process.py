"""A reminder fires in the real bot process: the day is paused, the user taps Resume."""

from __future__ import annotations

import time

import redis as sync_redis

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.telegram.server import FakeTelegram
from bot.storage.keys import KeySpace
from tests.e2e.fixtures import ANNA_B24, ANNA_TG
from tests.e2e.test_bot_process import link
from workday_sandbox.redis_server import RedisServer


async def test_auto_reminder_pauses_the_day_and_resume_works(
    start_bot, telegram: FakeTelegram, portal: PortalEmulator, redis_server: RedisServer
) -> None:
    await start_bot()
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    await link(telegram, portal, anna, ANNA_B24, "anna@example.com")
    telegram.send_text(anna, "/open")
    await telegram.wait_for_message(anna, "Your day has started", timeout=15)
    redis = sync_redis.Redis.from_url(redis_server.url_for_db(3))
    due_key = KeySpace()("rem", "due")
    nudges = set(redis.zrange(due_key, 0, -1))  # the link set up the not-started check

    telegram.send_text(anna, "/remind 13:00 auto 45m")
    await telegram.wait_for_message(anna, "13:00", timeout=15)
    # Instead of waiting for 13:00, make the reminder due now: the bot's engine ticks every
    # second and finds it in Redis, as it would at 13:00.
    [job] = set(redis.zrange(due_key, 0, -1)) - nudges
    redis.zadd(due_key, {job: int(time.time() * 1000)})

    paused = await telegram.wait_for_message(anna, "I paused your day", timeout=20)
    assert portal.status_of(ANNA_B24)["STATUS"] == "PAUSED"
    assert "I'll remind you to come back at" in paused.text
    telegram.click_button(anna, paused, "Resume")
    await telegram.wait_for_message(anna, "Back to work", timeout=15)
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    # The reminder is queued again for its next day, and the break-end follow-up too.
    assert redis.zcard(due_key) == 2 + len(nudges)
