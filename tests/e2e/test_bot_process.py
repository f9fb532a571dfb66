"""The real bot process, end to end."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.telegram.server import FakeTelegram
from tests.e2e.fixtures import ANNA_B24, ANNA_TG, BOT_TOKEN, IVAN_B24, IVAN_TG, WEBHOOK_CODE

CODE = re.compile(r"\b(\d{6})\b")


def code_for(portal: PortalEmulator, bitrix_id: int) -> str:
    match = CODE.search(portal.notifications_for(bitrix_id)[-1].message)
    assert match
    return match.group(1)


async def link(telegram: FakeTelegram, portal: PortalEmulator, user, bitrix_id: int, email: str) -> None:
    telegram.send_text(user, f"/link {email}")
    await telegram.wait_for_message(user, "6-digit code", timeout=15)
    telegram.send_text(user, code_for(portal, bitrix_id))
    await telegram.wait_for_message(user, "Linked to", timeout=15)


async def test_whole_flow(start_bot, telegram: FakeTelegram, portal: PortalEmulator) -> None:
    bot = await start_bot()
    # Start-up: commands for both languages, and no webhook left behind.
    assert telegram.calls_to("deleteWebhook")
    assert {c.params.get("language_code") for c in telegram.calls_to("setMyCommands")} == {None, "ru"}

    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    telegram.send_text(anna, "/start")
    welcome = await telegram.wait_for_message(anna, "link your Bitrix24 account", timeout=15)
    assert "/link" in welcome.text

    await link(telegram, portal, anna, ANNA_B24, "anna@example.com")

    telegram.send_text(anna, "/open")
    await telegram.wait_for_message(anna, "Your day has started", timeout=15)
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"

    telegram.send_text(anna, "/pause")
    card = await telegram.wait_for_message(anna, "Paused", timeout=15)
    assert portal.status_of(ANNA_B24)["STATUS"] == "PAUSED"

    query = telegram.click_button(anna, card, "Resume")
    edited = await telegram.wait_for_message(anna, "Back to work", timeout=15)
    assert edited.message_id == card.message_id and edited.edited
    await telegram.wait_for(lambda: query in telegram.callback_answers, timeout=15)
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"

    telegram.send_text(anna, "/close done for today")
    await telegram.wait_for_message(anna, "Day closed", timeout=15)
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"

    assert bot.stop() == 0
    log = bot.log()
    assert "workday action" in log  # the log says what happened to requests
    assert BOT_TOKEN.split(":")[1] not in log
    assert WEBHOOK_CODE not in log


async def test_wrong_codes_and_lockout(start_bot, telegram: FakeTelegram, portal: PortalEmulator) -> None:
    await start_bot()
    ivan = telegram.user(IVAN_TG, "Ivan", language_code="ru")
    telegram.send_text(ivan, "/link ivan@example.com")
    await telegram.wait_for_message(ivan, "6-значный код", timeout=15)
    right = code_for(portal, IVAN_B24)
    wrong = f"{(int(right) + 7) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        telegram.send_text(ivan, wrong)
        await telegram.wait_for_message(ivan, f"Осталось попыток: {left}", timeout=15)
    telegram.send_text(ivan, wrong)
    await telegram.wait_for_message(ivan, "заблокирована", timeout=15)
    telegram.send_text(ivan, right)  # even the right code: the attempt stays locked
    await telegram.wait_for_message(ivan, "заблокирована", timeout=15)
    telegram.send_text(ivan, "/status")
    await telegram.wait_for_message(ivan, "не привязан", timeout=15)
    assert portal.request_count("timeman.status") == 0


async def test_expired_day_repair(start_bot, telegram: FakeTelegram, portal: PortalEmulator) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    yesterday = datetime.now(berlin).replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=1)
    portal.seed_day(ANNA_B24, start=yesterday, status="OPENED")
    await start_bot()
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    await link(telegram, portal, anna, ANNA_B24, "anna@example.com")
    card = await telegram.wait_for_message(anna, "is still open", since=0, timeout=15)
    telegram.click_button(anna, card, "Close at")
    asked = await telegram.wait_for_message(anna, "needs a reason", timeout=15)
    telegram.click_button(anna, asked, "Forgot to close")
    done = await telegram.wait_for_message(anna, "You can start today now", timeout=15)
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"
    telegram.click_button(anna, done, "Start day")
    await telegram.wait_for_message(anna, "Your day has started", timeout=15)
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_portal_outage(start_bot, telegram: FakeTelegram, portal: PortalEmulator) -> None:
    await start_bot(BITRIX24_CALL_DEADLINE="4")
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    await link(telegram, portal, anna, ANNA_B24, "anna@example.com")
    telegram.send_text(anna, "/open")
    await telegram.wait_for_message(anna, "Your day has started", timeout=15)
    portal.faults.inject("http_503", times=1000)
    telegram.send_text(anna, "/pause")
    await telegram.wait_for_message(anna, "I could not pause your day", timeout=30)
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    portal.faults.clear()
    telegram.send_text(anna, "/pause")
    await telegram.wait_for_message(anna, "Paused", timeout=15)


async def test_telegram_flood_control_and_blocking(start_bot, telegram: FakeTelegram, portal: PortalEmulator) -> None:
    await start_bot()
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    telegram.inject_error("sendMessage", 429, retry_after=1, times=1)
    telegram.send_text(anna, "/help")
    await telegram.wait_for_message(anna, "What I can do", timeout=15)
    assert [c.status for c in telegram.calls_to("sendMessage")][:2] == [429, 200]
    telegram.block(anna)
    telegram.send_text(anna, "/help")  # sending unblocks, as pressing "Restart" does
    await telegram.wait_for_message(anna, "What I can do", timeout=15)
