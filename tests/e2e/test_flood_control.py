"""The real bot process under Telegram's flood control (switched on for every end-to-end
test), and against someone who never pressed Start."""

from __future__ import annotations

import redis as sync_redis

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.redis_server import RedisServer
from workday_sandbox.telegram.server import FakeTelegram
from tests.e2e.fixtures import ADMIN_TG, ANNA_B24, ANNA_TG, IVAN_TG
from tests.e2e.test_bot_process import link


async def test_quick_commands_all_get_answers_under_flood_control(start_bot, telegram: FakeTelegram,
                                                                 portal: PortalEmulator) -> None:
    bot = await start_bot()
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    await link(telegram, portal, anna, ANNA_B24, "anna@example.com")
    telegram.send_text(anna, "/open")
    await telegram.wait_for_message(anna, "Your day has started", timeout=15)
    before = len(telegram.messages(anna))
    for _ in range(8):  # faster than one a second in one chat: Telegram answers 429
        telegram.send_text(anna, "/help")  # not a Bitrix24 action, so the bot's own throttle stays out
    await telegram.wait_for(lambda: len(telegram.messages(anna)) >= before + 8, timeout=60)
    assert telegram.stats.rate_limited > 0  # the limit was met, and lived with
    answers = [m.text for m in telegram.messages(anna)[before:]]
    assert len(answers) == 8 and all("What I can do" in text for text in answers)
    assert bot.stop() == 0
    log = bot.log()
    assert "Traceback" not in log and "Something went wrong" not in log


async def test_admin_link_to_someone_who_never_started_the_bot(start_bot, telegram: FakeTelegram,
                                                               portal: PortalEmulator,
                                                               redis_server: RedisServer) -> None:
    await start_bot()
    admin = telegram.user(ADMIN_TG, "Ada", language_code="en")
    ivan = telegram.user(IVAN_TG, "Ivan", language_code="en", started=False)
    telegram.send_text(admin, f"/admin_link {IVAN_TG} ivan@example.com")
    reply = await telegram.wait_for_message(admin, "Linked Telegram", timeout=15)
    assert "haven't started the bot yet" in reply.text
    assert [c.description for c in telegram.calls_to("sendMessage") if c.params.get("chat_id") == IVAN_TG] == [
        "Forbidden: bot can't initiate conversation with a user"]
    profile = sync_redis.Redis.from_url(redis_server.url_for_db(3)).hgetall(f"b24bot:profile:{IVAN_TG}")
    assert profile.get(b"blocked") != b"1"  # not blocked: they just haven't opened the bot
    telegram.send_text(ivan, "/start")
    await telegram.wait_for_message(ivan, "Ivan", timeout=15)


async def test_a_reply_held_back_by_a_long_flood_wait_still_arrives(start_bot, telegram: FakeTelegram) -> None:
    bot = await start_bot()
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    telegram.inject_error("sendMessage", 429, retry_after=12, times=1)  # longer than the bot waits inline
    telegram.send_text(anna, "/help")
    await telegram.wait_for_message(anna, "What I can do", timeout=45)
    assert [c.status for c in telegram.calls_to("sendMessage")] == [429, 200]
    assert bot.stop() == 0
    assert "Traceback" not in bot.log()
