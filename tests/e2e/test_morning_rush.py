"""The morning rush through the real bot process: 200 employees send /open within a few
seconds against a portal at burst 50 and 2 requests per second, with Telegram's limits on.
One request per action would record about 60 in that time and leave the rest waiting past
their deadline; coalesced into batches, every day is opened and every employee told."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.redis_server import RedisServer
from workday_sandbox.telegram.server import FakeTelegram
from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from bot.storage.profiles import ProfileRepository

EMPLOYEES = 200
FIRST_B24, FIRST_TG = 1000, 50_000
WINDOW_SECONDS = 8.0


async def link_directly(redis: Redis) -> None:
    """Links as `/link` would leave them (linking 200 people through codes would itself
    take minutes at 2 requests per second)."""
    keys = KeySpace()
    links, profiles = LinkRepository(redis, keys), ProfileRepository(redis, keys)
    now = datetime.now(UTC)
    for index in range(EMPLOYEES):
        await links.link(FIRST_TG + index, FIRST_B24 + index, name=f"Employee {index}", at=now)
        await profiles.remember_telegram_language(FIRST_TG + index, "en")


@pytest.mark.slow
async def test_two_hundred_opens_within_seconds_are_all_recorded(
    start_bot, telegram: FakeTelegram, portal: PortalEmulator, redis_server: RedisServer
) -> None:
    for index in range(EMPLOYEES):
        portal.add_user(FIRST_B24 + index, email=f"e{index}@example.com", name=f"Employee {index}",
                        time_zone="Europe/Berlin")
    telegram.set_rate_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    await start_bot()
    redis = Redis.from_url(redis_server.url_for_db(3))
    try:
        await link_directly(redis)
    finally:
        await redis.aclose()
    users = [telegram.user(FIRST_TG + index, f"E{index}", language_code="en") for index in range(EMPLOYEES)]

    rng = random.Random(9)
    moments = sorted(rng.uniform(0, WINDOW_SECONDS) for _ in users)
    started = asyncio.get_running_loop().time()
    for user, moment in zip(users, moments, strict=True):
        await asyncio.sleep(max(0.0, started + moment - asyncio.get_running_loop().time()))
        telegram.send_text(user, "/open")
    replies = await asyncio.gather(*(
        telegram.wait_for_message(user, predicate=lambda m: "Your day has started" in m.text
                                  or "not recorded" in m.text.lower(), timeout=60)
        for user in users
    ))

    failed = [reply.text for reply in replies if "Your day has started" not in reply.text]
    assert failed == []
    assert all(portal.status_of(FIRST_B24 + index)["STATUS"] == "OPENED" for index in range(EMPLOYEES))
    assert not [r for r in portal.requests if r.error == "QUERY_LIMIT_EXCEEDED"]
    outer = [r for r in portal.requests if not r.batch]
    assert portal.request_count("batch") > 0
    assert len(outer) < EMPLOYEES / 2  # most opens rode in batches
