"""Reminders across a crash and a graceful stop of the real bot process (issue 10, items 1
and 2): the portal emulator and the fake Telegram on loopback, a private redis-server,
and `python -m bot` killed or stopped in the middle of a fan-out, then started again."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
from redis.asyncio import Redis

from bot.bitrix24.models import parse_datetime
from bot.clock import SystemClock
from bot.reminders.directory import UserDirectory
from bot.reminders.models import Kind, Mode, ReminderDraft
from bot.reminders.store import ReminderStore
from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.redis_server import RedisServer
from workday_sandbox.telegram.server import FakeTelegram
from bot.services.reminders import ReminderService
from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from bot.storage.profiles import ProfileRepository

FIRST_B24, FIRST_TG = 300, 70_000
KEYS = KeySpace()
DUE, INFLIGHT = KEYS("rem", "due"), KEYS("rem", "inflight")
PAUSED_TEXT = "I paused your day"


@pytest.fixture
async def bot_redis(redis_server: RedisServer):
    client = Redis.from_url(redis_server.url_for_db(3))
    await client.flushdb()
    yield client
    await client.aclose()


async def employees_with_auto_breaks(redis: Redis, portal: PortalEmulator, telegram: FakeTelegram,
                                     count: int, minutes: int) -> list[int]:
    """`count` linked employees with an open day and an auto-pause break reminder, written
    with the bot's own repositories; returns their Telegram ids."""
    links, profiles = LinkRepository(redis, KEYS), ProfileRepository(redis, KEYS)
    service = ReminderService(ReminderStore(redis, KEYS), UserDirectory(links, profiles, "Europe/Berlin"),
                              SystemClock())
    now = datetime.now(UTC)
    ids = []
    for index in range(count):
        telegram_id, bitrix_id = FIRST_TG + index, FIRST_B24 + index
        portal.add_user(bitrix_id, email=f"e{bitrix_id}@example.com", name=f"E{index}", time_zone="Europe/Berlin")
        portal.seed_day(bitrix_id, start=now - timedelta(hours=1), status="OPENED")
        telegram.user(telegram_id, f"E{index}", language_code="en")
        await links.link(telegram_id, bitrix_id, name=f"E{index}", at=now)
        await profiles.remember_telegram_language(telegram_id, "en")
        await service.create(telegram_id, ReminderDraft(kind=Kind.BREAK, at=clock_time(13, 0), mode=Mode.AUTO,
                                                        break_minutes=minutes, days=frozenset(range(7))))
        ids.append(telegram_id)
    return ids


async def make_all_due(redis: Redis) -> float:
    """Instead of waiting for 13:00: every reminder due now (ms)."""
    due = float(int(datetime.now(UTC).timestamp() * 1000))
    jobs = await redis.zrange(DUE, 0, -1)
    await redis.zadd(DUE, {job: due for job in jobs})
    return due


async def pause_batch_applied_but_unanswered(redis: Redis, portal: PortalEmulator, telegram: FakeTelegram,
                                             users: list[int]) -> tuple[float, list[int]]:
    """Every reminder due now; the portal applies the pause batch and keeps its answer.
    Returns the due time (ms) and the users' Bitrix24 ids."""
    portal.faults.inject("late_answer", method="batch", inner="timeman.pause", delay=600)
    due = await make_all_due(redis)
    bitrix_ids = [FIRST_B24 + index for index in range(len(users))]
    await telegram.wait_for(lambda: all(portal.status_of(b)["STATUS"] == "PAUSED" for b in bitrix_ids),
                            timeout=30, message="the pause batch applied")
    return due, bitrix_ids


def told(telegram: FakeTelegram, text: str = PAUSED_TEXT) -> Counter[int]:
    return Counter(int(call.params["chat_id"]) for call in telegram.calls_to("sendMessage")
                   if call.status == 200 and text in str(call.params.get("text", "")))


async def all_settled(redis: Redis, due_ms: float) -> bool:
    """Every claim finished: nothing in flight and nothing left due at the fan-out's time."""
    return await redis.zcard(INFLIGHT) == 0 and await redis.zcount(DUE, "-inf", due_ms) == 0


async def test_a_pause_applied_while_the_bot_dies_is_told_once_after_restart(
        start_bot, telegram: FakeTelegram, portal: PortalEmulator, bot_redis: Redis) -> None:
    redis = bot_redis
    users = await employees_with_auto_breaks(redis, portal, telegram, 12, minutes=30)
    first = await start_bot(flush=False)
    # The bot dies waiting for the pause batch's answer.
    due, bitrix_ids = await pause_batch_applied_but_unanswered(redis, portal, telegram, users)
    first.process.kill()
    first.process.wait()
    assert told(telegram) == Counter()
    # Instead of waiting two minutes: the dead process's leases run out now. The new
    # process's reaper re-queues the jobs as it starts.
    held = await redis.zrange(INFLIGHT, 0, -1)
    assert len(held) == len(users)
    await redis.zadd(INFLIGHT, {job: 0 for job in held})

    second = await start_bot(flush=False)
    await telegram.wait_for(lambda: len(told(telegram)) == len(users), timeout=60,
                            message="everyone told their day was paused")
    await telegram.wait_for(lambda: all_settled(redis, due), timeout=30, message="every claim finished")
    assert told(telegram) == {user: 1 for user in users}
    assert sum(1 for r in portal.requests if r.method == "timeman.pause" and r.batch) == len(users)
    # The end of each break is scheduled once, thirty minutes after the pause Bitrix24 shows.
    follow_ups = [(job, score) for job, score in await redis.zrange(DUE, 0, -1, withscores=True)
                  if job.startswith(b"o:be:")]
    assert len(follow_ups) == len(users)
    pause_moments = {parse_datetime(portal.status_of(b)["TIME_FINISH"]) for b in bitrix_ids}
    expected = {int((moment + timedelta(minutes=30)).timestamp() * 1000) for moment in pause_moments}
    assert {int(score) for _, score in follow_ups} == expected
    assert "Traceback" not in second.log()


async def test_sigterm_mid_fan_out_sends_no_duplicates_and_hands_back_the_rest(
        start_bot, telegram: FakeTelegram, portal: PortalEmulator, bot_redis: Redis) -> None:
    redis = bot_redis
    users = await employees_with_auto_breaks(redis, portal, telegram, 40, minutes=30)
    telegram.set_rate_limits(global_per_second=30, per_chat_per_second=1)
    # A slow sender keeps the fan-out going long enough to stop it in the middle.
    first = await start_bot(flush=False, BOT_SEND_RATE="4")
    due = await make_all_due(redis)
    await telegram.wait_for(lambda: len(told(telegram)) >= 8, timeout=60, message="a fifth of the users told")
    # In a thread: the fake Telegram lives on this event loop and must keep answering the
    # sends still on their way while the bot stops.
    assert await asyncio.to_thread(first.stop) == 0
    before_restart = told(telegram)
    assert len(before_restart) < len(users)  # stopped in the middle
    # Every claim not finished went back at once, due at its own time: nothing waits for
    # a lease to run out.
    assert await redis.zcard(INFLIGHT) == 0
    back = await redis.zrangebyscore(DUE, "-inf", due)
    assert len(back) == len(users) - len(before_restart), (
        f"not handed back at once: {[(job, score - due) for job, score in await redis.zrange(DUE, 0, -1, withscores=True) if job not in back]}; "
        f"told {sorted(before_restart)}; sends {[(c.params.get('chat_id'), c.status) for c in telegram.calls_to('sendMessage')]}")
    assert "Traceback" not in first.log()

    second = await start_bot(flush=False, BOT_SEND_RATE="4")
    # Well within the two-minute lease: only handed-back claims can be sent this soon.
    await telegram.wait_for(lambda: len(told(telegram)) == len(users), timeout=60,
                            message="the rest told after the restart")
    await telegram.wait_for(lambda: all_settled(redis, due), timeout=30, message="every claim finished")
    assert told(telegram) == {user: 1 for user in users}
    assert sum(1 for r in portal.requests if r.method == "timeman.pause" and r.batch) == len(users)
    assert "Traceback" not in second.log()


async def test_a_second_ctrl_c_stops_at_once_and_the_leases_keep_the_work(
        start_bot, telegram: FakeTelegram, portal: PortalEmulator, bot_redis: Redis) -> None:
    redis = bot_redis
    users = await employees_with_auto_breaks(redis, portal, telegram, 12, minutes=30)
    first = await start_bot(flush=False)
    # The orderly stop would wait its five seconds for the pause batch's answer.
    due, _ = await pause_batch_applied_but_unanswered(redis, portal, telegram, users)
    first.process.send_signal(signal.SIGINT)
    await telegram.wait_for(lambda: "bot.stopping: stopping" in first.log(), timeout=10, message="the stop begun")
    await asyncio.sleep(1.5)  # a second Ctrl-C, not the first one forwarded twice
    first.process.send_signal(signal.SIGINT)
    assert await asyncio.to_thread(first.process.wait, 10) == 0
    log = first.log()
    assert "a second Ctrl-C: stopping at once" in log
    assert "Traceback" not in log and "RuntimeWarning" not in log and "never retrieved" not in log
    # Nothing lost: each reminder is still leased (back when the lease runs out) or queued.
    held = {job for job in await redis.zrange(INFLIGHT, 0, -1)}
    queued = {job for job in await redis.zrangebyscore(DUE, "-inf", due)}
    assert len(held | queued) == len(users)
    assert told(telegram) == Counter()
