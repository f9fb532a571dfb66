"""The sandbox page's JSON API (`sandbox/workday_sandbox/web/app.py`).

Most tests run the web app in-process over the real portal emulator and fake Telegram
(the bot's side is played with an aiogram `Bot` pointed at the fake), so they are fast
and can set the clock; one test runs the whole `python -m bot sandbox` command.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import web

from bot.clock import OffsetClock
from workday_sandbox.launcher import SANDBOX_BOT_USERNAME, SANDBOX_TOKEN, demo_employees
from workday_sandbox.portal.emulator import DEMO_WEBHOOK_CODE, PortalEmulator, build_demo_portal
from workday_sandbox.telegram.server import FakeTelegram
from workday_sandbox.web.app import start_web

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
ANNA_B24, ANNA_TG = 1, 700_001
FRANK_B24 = 6
BORIS_B24 = 2  # his Telegram speaks Russian


def clock_at_berlin_ten() -> OffsetClock:
    """A sandbox clock that reads 10:00 in Berlin on the next weekday (it keeps ticking)."""
    now = datetime.now(UTC)
    local = now.astimezone(BERLIN) + timedelta(days=1)
    while local.weekday() >= 5:
        local += timedelta(days=1)
    target = datetime(local.year, local.month, local.day, 10, 0, tzinfo=BERLIN)
    return OffsetClock(target.astimezone(UTC) - now)


@dataclass
class Sandbox:
    portal: PortalEmulator
    telegram: FakeTelegram
    clock: OffsetClock
    runner: web.AppRunner
    http: httpx.AsyncClient
    base: str

    async def bot_says(self, chat_id: int, text: str, buttons: list[list[tuple[str, str]]] | None = None) -> int:
        """The bot sends a message (HTML) to a chat, through the fake Telegram's Bot API."""
        bot = self.telegram.create_bot()
        try:
            markup = None
            if buttons:
                markup = InlineKeyboardMarkup(inline_keyboard=[
                    [InlineKeyboardButton(text=label, callback_data=data) for label, data in row] for row in buttons])
            sent = await bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=markup)
            return sent.message_id
        finally:
            await bot.session.close()

    async def bot_edits(self, chat_id: int, message_id: int, text: str,
                        buttons: list[list[tuple[str, str]]] | None = None) -> None:
        bot = self.telegram.create_bot()
        try:
            markup = None
            if buttons:
                markup = InlineKeyboardMarkup(inline_keyboard=[
                    [InlineKeyboardButton(text=label, callback_data=data) for label, data in row] for row in buttons])
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, parse_mode="HTML",
                                        reply_markup=markup)
        finally:
            await bot.session.close()

    async def notify(self, user_id: int, message: str) -> None:
        """A Bitrix24 notification, sent the way the bot sends one (the demo webhook)."""
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{self.portal.base_url}/rest/1/{DEMO_WEBHOOK_CODE}/im.notify.system.add",
                json={"USER_ID": user_id, "MESSAGE": message})
            assert response.status_code == 200, response.text


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    clock = clock_at_berlin_ten()
    portal = build_demo_portal(clock=clock, rate_limit=None)
    await portal.start()
    telegram = FakeTelegram(token=SANDBOX_TOKEN, bot_username=SANDBOX_BOT_USERNAME, bot_first_name="Workday (sandbox)")
    await telegram.start()
    employees = demo_employees(portal)
    for employee in employees:
        telegram.user(employee.telegram_id, employee.name.split()[0], last_name=employee.name.split()[-1],
                      language_code=employee.language)
    runner = await start_web(host="127.0.0.1", port=0, portal=portal, telegram=telegram, clock=clock,
                             employees=employees, bot_username=SANDBOX_BOT_USERNAME)
    host, port = runner.addresses[0][:2]
    base = f"http://{host}:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=15) as http:
        yield Sandbox(portal, telegram, clock, runner, http, base)
    await runner.cleanup()
    await telegram.stop()
    await portal.stop()


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["ok"] is True
    return data


def refused(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    data = response.json()
    assert data["ok"] is False and isinstance(data["error"], str) and data["error"]
    return data["error"]


# --------------------------------------------------------------------------- the page


async def test_page_and_its_files_are_served(sandbox: Sandbox):
    page = await sandbox.http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for testid in ("chat-input", "send-button", "chat-log", "portal-status", "notifications", "clock-now",
                   "clock-plus-10", "clock-plus-60", "clock-jump-time", "clock-jump"):
        assert f'data-testid="{testid}"' in page.text
    assert 'aria-live="polite"' in page.text
    assert "http://" not in page.text.replace("http://www.w3.org", "")  # nothing from the network
    assert "script-src 'self'" in page.headers["content-security-policy"]
    script = await sandbox.http.get("/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "/api/events" in script.text
    style = await sandbox.http.get("/style.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    assert (await sandbox.http.get("/secret.py")).status_code == 404
    assert (await sandbox.http.get("/../web.py")).status_code == 404


async def test_session_lists_the_demo_employees_and_the_sandbox_time(sandbox: Sandbox):
    data = ok(await sandbox.http.get("/api/session"))
    assert data["bot"]["username"] == SANDBOX_BOT_USERNAME
    people = {e["name"]: e for e in data["employees"]}
    assert list(people)[:2] == ["Anna Berg", "Boris Ivanov"] and len(people) == 6
    anna = people["Anna Berg"]
    assert anna == {**anna, "bitrix_id": 1, "telegram_id": ANNA_TG, "email": "anna.berg@example.com",
                    "time_zone": "Europe/Berlin", "active": True, "bot_admin": True}
    assert people["Frank Old"]["active"] is False and people["Frank Old"]["bot_admin"] is False
    assert people["Boris Ivanov"]["language"] == "ru"
    assert people["Emma Jones"]["time_zone"] == "UTC"  # follows the portal's zone
    now = datetime.fromisoformat(data["clock"]["now"])
    assert abs((now - sandbox.clock.now()).total_seconds()) < 5
    assert now.astimezone(BERLIN).strftime("%H:%M") in ("10:00", "10:01")
    assert data["clock"]["offset_seconds"] == int(sandbox.clock.offset.total_seconds())
    assert data["seq"] == 0 and data["portal_version"]


# --------------------------------------------------------------------------- chat


async def test_sent_text_is_in_the_transcript_and_queued_for_the_bot(sandbox: Sandbox):
    sent = ok(await sandbox.http.post("/api/send", json={"telegram_id": ANNA_TG, "text": "  /start  "}))
    chat = ok(await sandbox.http.get(f"/api/chat/{ANNA_TG}"))
    [message] = chat["messages"]
    assert message["message_id"] == sent["message_id"]
    assert message["from_bot"] is False and message["text"] == "/start" and message["edited"] is False
    [update] = sandbox.telegram.pending_updates
    assert update["message"]["text"] == "/start" and update["message"]["from"]["id"] == ANNA_TG
    assert update["message"]["entities"][0]["type"] == "bot_command"
    # Another employee's chat is separate.
    assert ok(await sandbox.http.get("/api/chat/700002"))["messages"] == []


async def test_bot_messages_carry_html_buttons_and_edits_in_place(sandbox: Sandbox):
    message_id = await sandbox.bot_says(ANNA_TG, "<b>Day not started</b> <i>x &lt; y</i>",
                                        [[("▶️ Start day", "day:start"), ("🔄 Refresh", "day:refresh")]])
    [message] = ok(await sandbox.http.get(f"/api/chat/{ANNA_TG}"))["messages"]
    assert message["from_bot"] is True and message["message_id"] == message_id
    assert message["html"] == "<b>Day not started</b> <i>x &lt; y</i>"
    assert message["buttons"] == [[{"text": "▶️ Start day", "callback_data": "day:start", "url": None},
                                   {"text": "🔄 Refresh", "callback_data": "day:refresh", "url": None}]]
    assert message["edited"] is False and message["versions"] == 1
    assert abs(message["sandbox_date"] - sandbox.clock.now().timestamp()) < 5

    await sandbox.bot_edits(ANNA_TG, message_id, "<b>Working</b>", [[("⏸ Pause", "day:pause")]])
    [message] = ok(await sandbox.http.get(f"/api/chat/{ANNA_TG}"))["messages"]
    assert message["message_id"] == message_id
    assert message["html"] == "<b>Working</b>" and message["edited"] is True and message["versions"] == 2
    assert message["buttons"] == [[{"text": "⏸ Pause", "callback_data": "day:pause", "url": None}]]


async def test_messages_are_dated_in_sandbox_time_across_a_jump(sandbox: Sandbox):
    await sandbox.bot_says(ANNA_TG, "before")
    ok(await sandbox.http.post("/api/clock/advance", json={"minutes": 180}))
    await sandbox.bot_says(ANNA_TG, "after")  # within the same real second, quite likely
    before, after = ok(await sandbox.http.get(f"/api/chat/{ANNA_TG}"))["messages"]
    now = sandbox.clock.now().timestamp()
    assert abs(after["sandbox_date"] - now) < 3
    assert abs(before["sandbox_date"] - (now - 3 * 3600)) < 3


async def test_a_click_queues_a_callback_query_and_a_stale_one_is_refused(sandbox: Sandbox):
    message_id = await sandbox.bot_says(ANNA_TG, "Card", [[("Pause", "day:pause")]])
    clicked = ok(await sandbox.http.post("/api/click", json={
        "telegram_id": ANNA_TG, "message_id": message_id, "callback_data": "day:pause"}))
    [update] = [u for u in sandbox.telegram.pending_updates if "callback_query" in u]
    assert update["callback_query"]["id"] == clicked["callback_query_id"]
    assert update["callback_query"]["data"] == "day:pause"
    assert update["callback_query"]["message"]["message_id"] == message_id

    error = refused(await sandbox.http.post("/api/click", json={
        "telegram_id": ANNA_TG, "message_id": message_id, "callback_data": "day:start"}))
    assert "button" in error
    error = refused(await sandbox.http.post("/api/click", json={
        "telegram_id": ANNA_TG, "message_id": 999, "callback_data": "day:pause"}))
    assert "button" in error


# --------------------------------------------------------------------------- the live feed


async def test_the_feed_returns_at_once_when_it_is_behind(sandbox: Sandbox):
    ok(await sandbox.http.post("/api/send", json={"telegram_id": ANNA_TG, "text": "hello"}))
    started = time.monotonic()
    feed = ok(await sandbox.http.get("/api/events", params={"since": 0, "timeout": 20}))
    assert time.monotonic() - started < 2
    assert feed["reset"] is False and feed["seq"] == 1
    assert feed["events"] == [{"seq": 1, "type": "user_message", "chat_id": ANNA_TG, "message_id": 1}]
    assert datetime.fromisoformat(feed["clock"]["now"]) > datetime.now(UTC)  # sandbox time is ahead


async def test_the_feed_waits_for_the_next_event(sandbox: Sandbox):
    async def later() -> None:
        await asyncio.sleep(0.4)
        sandbox.telegram.send_text(ANNA_TG, "/status")

    started = time.monotonic()
    task = asyncio.create_task(later())
    feed = ok(await sandbox.http.get("/api/events", params={"since": 0, "timeout": 20}))
    await task
    assert 0.3 < time.monotonic() - started < 5
    assert [event["type"] for event in feed["events"]] == ["user_message"]

    started = time.monotonic()
    idle = ok(await sandbox.http.get("/api/events", params={"since": feed["seq"], "timeout": 0.5}))
    assert 0.4 < time.monotonic() - started < 5
    assert idle["events"] == [] and idle["seq"] == feed["seq"]


async def test_the_feed_wakes_when_the_portal_changes(sandbox: Sandbox):
    version = ok(await sandbox.http.get("/api/session"))["portal_version"]

    async def later() -> None:
        await asyncio.sleep(0.4)
        sandbox.portal.seed_day(ANNA_B24, sandbox.clock.now() - timedelta(hours=1))

    task = asyncio.create_task(later())
    started = time.monotonic()
    feed = ok(await sandbox.http.get("/api/events", params={"since": 0, "timeout": 20, "portal": version}))
    await task
    assert time.monotonic() - started < 5
    assert feed["portal_changed"] is True and feed["portal_version"] != version and feed["events"] == []


async def test_a_cursor_from_an_earlier_run_asks_the_page_to_start_over(sandbox: Sandbox):
    feed = ok(await sandbox.http.get("/api/events", params={"since": 500, "timeout": 20}))
    assert feed["reset"] is True and feed["seq"] == 0


async def test_an_idle_long_poll_does_not_hold_up_stopping(sandbox: Sandbox):
    poll = asyncio.create_task(sandbox.http.get("/api/events", params={"since": 0, "timeout": 60}))
    await sandbox.telegram.wait_for(lambda: True)
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await sandbox.runner.cleanup()
    assert time.monotonic() - started < 3
    response = await asyncio.wait_for(poll, 3)
    assert response.json()["stopping"] is True


# --------------------------------------------------------------------------- the portal panel


async def test_portal_panel_without_a_day(sandbox: Sandbox):
    panel = ok(await sandbox.http.get(f"/api/portal/{ANNA_B24}"))
    assert panel["status"] == {"STATUS": "CLOSED"}
    assert panel["workday"]["label"] == "No day started yet" and panel["workday"]["has_record"] is False
    assert panel["workday"]["start"] is None and panel["workday"]["worked"] is None
    assert panel["notifications"] == [] and panel["time_zone"] == "Europe/Berlin"
    assert panel["now_local"] in ("10:00", "10:01")


async def test_portal_panel_shows_a_running_and_a_paused_day(sandbox: Sandbox):
    now = sandbox.clock.now()
    sandbox.portal.seed_day(ANNA_B24, now - timedelta(hours=2), breaks=timedelta(minutes=15))
    panel = ok(await sandbox.http.get(f"/api/portal/{ANNA_B24}"))
    day = panel["workday"]
    assert panel["status"]["STATUS"] == "OPENED" and day["status"] == "OPENED" and day["label"] == "Working"
    assert day["start"] == "08:00" or day["start"] == "07:59"
    assert day["worked"] in ("1 h 45 min", "1 h 44 min") and day["breaks"] == "15 min"
    assert day["active"] is True and day["approval"] == "ACTIVE"

    sandbox.portal.seed_day(ANNA_B24, now - timedelta(hours=3), status="PAUSED",
                            paused_at=now - timedelta(minutes=30), approved=False)
    day = ok(await sandbox.http.get(f"/api/portal/{ANNA_B24}"))["workday"]
    assert day["status"] == "PAUSED" and day["label"] == "On a break"
    assert day["worked"] in ("2 h 30 min", "2 h 29 min") and day["paused_since"] in ("09:30", "09:29")
    assert day["active"] is False and day["approval"] == "pending approval"


async def test_portal_panel_speaks_the_employees_language_or_the_one_asked_for(sandbox: Sandbox):
    now = sandbox.clock.now()
    sandbox.portal.seed_day(BORIS_B24, now - timedelta(hours=3), status="PAUSED",
                            paused_at=now - timedelta(minutes=30), approved=False)
    panel = ok(await sandbox.http.get(f"/api/portal/{BORIS_B24}"))
    assert panel["language"] == "ru"
    day = panel["workday"]
    assert day["label"] == "На перерыве" and day["approval"] == "ждёт утверждения"
    assert day["worked"].endswith("мин") and "h" not in day["worked"]
    english = ok(await sandbox.http.get(f"/api/portal/{BORIS_B24}", params={"lang": "en"}))["workday"]
    assert english["label"] == "On a break" and english["approval"] == "pending approval"
    russian = ok(await sandbox.http.get(f"/api/portal/{ANNA_B24}", params={"lang": "ru"}))["workday"]
    assert russian["label"] == "День ещё не начат"
    assert "lang must be one of en, ru" in refused(await sandbox.http.get(f"/api/portal/{ANNA_B24}",
                                                                          params={"lang": "de"}))


async def test_the_page_strings_are_data_in_both_languages_and_cover_the_page(sandbox: Sandbox):
    strings = ok(await sandbox.http.get("/api/session"))["strings"]
    assert set(strings) == {"en", "ru"} and set(strings["en"]) == set(strings["ru"])
    placeholders = re.compile(r"\{(\w+)\}")
    for key, english in strings["en"].items():
        assert placeholders.findall(english) == placeholders.findall(strings["ru"][key]), key
        assert strings["ru"][key].strip(), key
    page = (await sandbox.http.get("/")).text
    script = (await sandbox.http.get("/app.js")).text
    used = set(re.findall(r'data-i18n(?:-placeholder|-aria)?="([^"]+)"', page))
    used |= set(re.findall(r'\btr\("([^"]+)"', script))
    assert len(used) > 60
    assert used <= set(strings["en"]), used - set(strings["en"])
    # The page's English fallback text is the same string the table holds.
    for key, text in re.findall(r'data-i18n="([^"]+)"[^>]*>([^<]*)<', page):
        assert text == strings["en"][key].replace("&", "&amp;"), key


async def test_portal_panel_lists_notifications_newest_first_with_the_code(sandbox: Sandbox):
    await sandbox.notify(ANNA_B24, "Welcome to the portal")
    await sandbox.notify(ANNA_B24, "Code to link the Telegram account Anna Berg, id 700001 to your "
                                   "Bitrix24 account: 042917\nIt expires in 10 minutes.")
    await sandbox.notify(2, "Not for Anna: 111111")
    notes = ok(await sandbox.http.get(f"/api/portal/{ANNA_B24}"))["notifications"]
    assert [n["message"].split()[0] for n in notes] == ["Code", "Welcome"]
    assert notes[0]["code"] == "042917" and notes[1]["code"] is None
    assert notes[0]["kind"] == "system" and notes[0]["sent_local"][-5:] in ("10:00", "10:01")
    boris = ok(await sandbox.http.get("/api/portal/2"))["notifications"]
    assert [n["message"] for n in boris] == ["Not for Anna: 111111"]


async def test_a_dismissed_employee_is_marked(sandbox: Sandbox):
    panel = ok(await sandbox.http.get(f"/api/portal/{FRANK_B24}"))
    assert panel["employee_active"] is False and panel["time_zone"] == "UTC"


# --------------------------------------------------------------------------- the clock


async def test_fast_forward_moves_the_shared_clock(sandbox: Sandbox):
    before = sandbox.clock.offset
    data = ok(await sandbox.http.post("/api/clock/advance", json={"minutes": 10}))
    assert sandbox.clock.offset - before == timedelta(minutes=10)
    assert data["advanced_seconds"] == 600
    assert data["clock"]["offset_seconds"] == int(sandbox.clock.offset.total_seconds())
    ok(await sandbox.http.post("/api/clock/advance", json={"minutes": 60}))
    assert sandbox.clock.offset - before == timedelta(minutes=70)
    # The portal reads the same clock.
    assert abs((sandbox.portal.clock.now() - sandbox.clock.now()).total_seconds()) < 1
    clock = ok(await sandbox.http.get("/api/clock"))["clock"]
    assert datetime.fromisoformat(clock["now"]).astimezone(BERLIN).strftime("%H:%M") in ("11:10", "11:11")


async def test_fast_forward_is_a_move_on_purpose_so_reminders_it_passes_are_not_late(sandbox: Sandbox):
    start = sandbox.clock.now()
    ok(await sandbox.http.post("/api/clock/advance", json={"minutes": 60}))
    ok(await sandbox.http.post("/api/clock/jump", json={"time": "13:00", "bitrix_id": ANNA_B24}))
    # A reminder at 10:30 (passed by "+1 h") or 12:00 (by the jump) is due just now, not
    # 150 or 60 minutes ago: the engine's 10-minute grace for downtime does not apply.
    for passed in (start + timedelta(minutes=30), start + timedelta(minutes=120)):
        assert sandbox.clock.running_since(passed) < timedelta(minutes=1)


async def test_jump_to_a_later_time_today_in_the_employees_zone(sandbox: Sandbox):
    data = ok(await sandbox.http.post("/api/clock/jump", json={"time": "12:30", "bitrix_id": ANNA_B24}))
    local = sandbox.clock.now().astimezone(BERLIN)
    assert (local.hour, local.minute) == (12, 30) and data["time_zone"] == "Europe/Berlin"
    assert 2 * 3600 + 29 * 60 <= data["advanced_seconds"] <= 2 * 3600 + 30 * 60
    # Backwards is refused, with the time it is now.
    error = refused(await sandbox.http.post("/api/clock/jump", json={"time": "09:00", "bitrix_id": ANNA_B24}))
    assert "12:30" in error and "forward" in error
    assert (sandbox.clock.now().astimezone(BERLIN).hour, sandbox.clock.now().astimezone(BERLIN).minute) == (12, 30)
    # 12:30 in Berlin is 14:30 in Moscow (no DST there): 15:00 is ahead in Boris's zone.
    ok(await sandbox.http.post("/api/clock/jump", json={"time": "15:00", "bitrix_id": 2}))
    assert sandbox.clock.now().astimezone(ZoneInfo("Europe/Moscow")).strftime("%H:%M") == "15:00"


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("body", "needle"), [
    ({"text": "hi"}, "telegram_id is required"),
    ({"telegram_id": "abc", "text": "hi"}, "whole number"),
    ({"telegram_id": True, "text": "hi"}, "whole number"),
    ({"telegram_id": 1.5, "text": "hi"}, "whole number"),
    ({"telegram_id": 12345, "text": "hi"}, "no demo employee"),
    ({"telegram_id": ANNA_TG}, "text is required"),
    ({"telegram_id": ANNA_TG, "text": 42}, "text is required"),
    ({"telegram_id": ANNA_TG, "text": "   \n "}, "empty"),
    ({"telegram_id": ANNA_TG, "text": "x" * 4097}, "too long"),
])
async def test_send_refuses_bad_input(sandbox: Sandbox, body: dict[str, Any], needle: str):
    assert needle in refused(await sandbox.http.post("/api/send", json=body))
    assert sandbox.telegram.pending_updates == []


@pytest.mark.parametrize(("content", "content_type", "needle"), [
    (b"telegram_id=700001&text=hi", "application/x-www-form-urlencoded", "JSON"),
    (b"{not json", "application/json", "not valid JSON"),
    (b"[1, 2]", "application/json", "JSON object"),
    (b"\xff\xfe", "application/json", "not valid JSON"),
    (b"", "application/json", "not valid JSON"),
])
async def test_post_bodies_must_be_json_objects(sandbox: Sandbox, content: bytes, content_type: str, needle: str):
    for path in ("/api/send", "/api/click", "/api/clock/advance", "/api/clock/jump"):
        response = await sandbox.http.post(path, content=content, headers={"Content-Type": content_type})
        assert needle in refused(response)


@pytest.mark.parametrize(("body", "needle"), [
    ({"telegram_id": ANNA_TG, "callback_data": "x"}, "message_id is required"),
    ({"telegram_id": ANNA_TG, "message_id": "one", "callback_data": "x"}, "whole number"),
    ({"telegram_id": ANNA_TG, "message_id": 1}, "callback_data is required"),
    ({"telegram_id": ANNA_TG, "message_id": 1, "callback_data": ""}, "callback_data is required"),
    ({"telegram_id": ANNA_TG, "message_id": 1, "callback_data": ["x"]}, "callback_data is required"),
    ({"telegram_id": 5, "message_id": 1, "callback_data": "x"}, "no demo employee"),
    ({"telegram_id": ANNA_TG, "message_id": 1, "callback_data": "x"}, "button"),  # no such message
])
async def test_click_refuses_bad_input(sandbox: Sandbox, body: dict[str, Any], needle: str):
    assert needle in refused(await sandbox.http.post("/api/click", json=body))


@pytest.mark.parametrize(("body", "needle"), [
    ({}, "minutes must be a number"),
    ({"minutes": "10"}, "minutes must be a number"),
    ({"minutes": True}, "minutes must be a number"),
    ({"minutes": None}, "minutes must be a number"),
    ({"minutes": -10}, "forward"),
    ({"minutes": -0.5}, "forward"),
    ({"minutes": 0}, "more than 0"),
    ({"minutes": 10 ** 9}, "at most"),
    ({"minutes": 1e308}, "at most"),
])
async def test_fast_forward_refuses_bad_input(sandbox: Sandbox, body: dict[str, Any], needle: str):
    before = sandbox.clock.offset
    assert needle in refused(await sandbox.http.post("/api/clock/advance", json=body))
    assert sandbox.clock.offset == before


async def test_fast_forward_refuses_not_a_number(sandbox: Sandbox):
    before = sandbox.clock.offset
    for raw in (b'{"minutes": NaN}', b'{"minutes": Infinity}', b'{"minutes": -Infinity}'):
        response = await sandbox.http.post("/api/clock/advance", content=raw,
                                           headers={"Content-Type": "application/json"})
        refused(response)
    assert sandbox.clock.offset == before


@pytest.mark.parametrize(("body", "needle"), [
    ({}, "time is required"),
    ({"time": 1300}, "time is required"),
    ({"time": "noon"}, "13:00"),
    ({"time": "24:00"}, "13:00"),
    ({"time": "12:60"}, "13:00"),
    ({"time": "12:5"}, "13:00"),
    ({"time": "-1:00"}, "13:00"),
    ({"time": "12:30", "bitrix_id": 99}, "no demo employee"),
    ({"time": "12:30", "bitrix_id": "anna"}, "whole number"),
    ({"time": "09:59", "bitrix_id": ANNA_B24}, "forward"),
])
async def test_jump_refuses_bad_input(sandbox: Sandbox, body: dict[str, Any], needle: str):
    before = sandbox.clock.offset
    assert needle in refused(await sandbox.http.post("/api/clock/jump", json=body))
    assert sandbox.clock.offset == before


@pytest.mark.parametrize(("path", "status", "needle"), [
    ("/api/chat/abc", 400, "telegram_id"),
    ("/api/chat/-5", 400, "telegram_id"),
    ("/api/chat/123", 404, "no demo employee"),
    ("/api/portal/anna", 400, "bitrix_id"),
    ("/api/portal/99", 404, "no demo employee"),
    ("/api/events?since=-1", 400, "since"),
    ("/api/events?since=x", 400, "since"),
    ("/api/events?timeout=abc", 400, "timeout"),
    ("/api/events?timeout=-1", 400, "timeout"),
    ("/api/events?timeout=3600", 400, "timeout"),
    ("/api/events?timeout=nan", 400, "timeout"),
    ("/api/nothing-here", 404, "Not Found"),
])
async def test_gets_refuse_bad_input(sandbox: Sandbox, path: str, status: int, needle: str):
    assert needle in refused(await sandbox.http.get(path), status)


async def test_wrong_methods_are_refused_not_crashed(sandbox: Sandbox):
    assert (await sandbox.http.get("/api/send")).status_code == 405
    assert (await sandbox.http.post("/api/session", json={})).status_code == 405


async def test_another_web_site_cannot_drive_the_sandbox(sandbox: Sandbox):
    response = await sandbox.http.post("/api/clock/advance", json={"minutes": 10},
                                       headers={"Origin": "http://evil.example"})
    assert "cross-origin" in refused(response, 403)
    same = await sandbox.http.post("/api/clock/advance", json={"minutes": 10},
                                   headers={"Origin": sandbox.base})
    ok(same)


# --------------------------------------------------------------------------- the real command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "BITRIX24_", "BOT_", "WEBHOOK_", "REDIS_"))}
    env.update({"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
    return env


@pytest.mark.slow
async def test_python_m_bot_sandbox_serves_the_page_and_the_bot_answers(tmp_path: Path):
    port = free_port()
    log_path = tmp_path / "sandbox.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--port", str(port)],
                                   cwd=tmp_path, env=clean_environment(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "Sandbox ready" not in log_path.read_text(errors="replace"):
            assert process.poll() is None, f"the sandbox exited:\n{log_path.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"no 'Sandbox ready':\n{log_path.read_text(errors='replace')}"
            await asyncio.sleep(0.1)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=40) as http:
            session = ok(await http.get("/api/session"))
            assert [e["name"] for e in session["employees"]][0] == "Anna Berg"
            ok(await http.post("/api/send", json={"telegram_id": ANNA_TG, "text": "/start"}))
            seq, reply = session["seq"], None
            deadline = time.monotonic() + 30
            while reply is None and time.monotonic() < deadline:
                feed = ok(await http.get("/api/events", params={"since": seq, "timeout": 10}))
                seq = feed["seq"]
                if any(e["type"] == "message_sent" and e["chat_id"] == ANNA_TG for e in feed["events"]):
                    chat = ok(await http.get(f"/api/chat/{ANNA_TG}"))
                    reply = next((m for m in chat["messages"] if m["from_bot"]), None)
            assert reply is not None, log_path.read_text(errors="replace")
            assert "link your Bitrix24 account" in reply["text"] and "<b>Bitrix24 workday</b>" in reply["html"]

            # Ctrl-C while the page's long poll is waiting: it stops at once anyway.
            poll = asyncio.create_task(http.get("/api/events", params={"since": seq, "timeout": 60}))
            await asyncio.sleep(0.5)
            process.send_signal(signal.SIGINT)
            started = time.monotonic()
            returncode = await asyncio.to_thread(process.wait, 20)
            assert returncode == 0, log_path.read_text(errors="replace")
            assert time.monotonic() - started < 15
            try:
                response = await asyncio.wait_for(poll, 5)
                assert response.json()["stopping"] is True
            except httpx.HTTPError:
                pass  # the connection closed as the server went away: also fine
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_a_busy_port_gets_a_clear_message_not_a_traceback(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "bot", "sandbox", "--port", str(port)], cwd=tmp_path,
                                env=clean_environment(), capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr and "Traceback" not in output
