"""The sandbox page in a real browser: `python -m bot sandbox` as a subprocess, driven by
the system's headless Chromium through Playwright (no browser download).

Anna links her account with the code from the notifications panel, then starts, pauses,
resumes and closes her day on the card, which changes in place; the portal panel follows.
Then a break reminder fires after the fast-forward clock jumps to it.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("playwright.async_api", reason="playwright is a test dependency: pip install -e .[test]")
from playwright.async_api import Browser, Locator, Page, async_playwright, expect  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
BERLIN = ZoneInfo("Europe/Berlin")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT = 15_000  # ms, for anything that involves the bot
THROTTLED = "Too many actions at once"

pytestmark = pytest.mark.slow


def system_chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("no system Chromium (chromium or chromium-browser on PATH): the browser test drives "
                    "the system's browser and downloads none; CI installs it (apt-get install chromium)")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "BITRIX24_", "BOT_", "WEBHOOK_", "REDIS_"))}
    env.update({"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
    return env


class SandboxProcess:
    def __init__(self, process: subprocess.Popen[bytes], log_path: Path, url: str) -> None:
        self.process = process
        self.log_path = log_path
        self.url = url

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[SandboxProcess]:
    port = free_port()
    log_path = tmp_path / "sandbox.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--port", str(port)],
                                   cwd=tmp_path, env=clean_environment(), stdout=log, stderr=subprocess.STDOUT)
    running = SandboxProcess(process, log_path, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while "Sandbox ready" not in running.log():
            if process.poll() is not None:
                pytest.fail(f"`python -m bot sandbox` exited with {process.returncode}:\n{running.tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"`python -m bot sandbox` printed no 'Sandbox ready' in 60 s:\n{running.tail()}")
            await asyncio.sleep(0.1)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = system_chromium()
    async with async_playwright() as playwright:
        # launch() gives every run a fresh temporary profile (user data dir) of its own.
        chromium = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


# --------------------------------------------------------------------------- page helpers


def bot_messages(page: Page) -> Locator:
    return page.locator('[data-testid="message"][data-from="bot"]')


def message(page: Page, message_id: str) -> Locator:
    return page.locator(f'[data-testid="message"][data-message-id="{message_id}"]')


async def send(page: Page, text: str, *, with_button: bool = False) -> None:
    box = page.get_by_test_id("chat-input")
    await box.fill(text)
    if with_button:
        await page.get_by_test_id("send-button").click()
    else:
        await box.press("Enter")
    await expect(box).to_have_value("")
    await expect(page.locator('[data-testid="message"][data-from="user"]').last).to_contain_text(text)


async def send_expecting(page: Page, text: str, expected: str) -> None:
    """Send, and wait for the bot's reply containing `expected`. The bot allows a burst of 10
    Bitrix24 actions per user, then one a second; a throttled command is sent again once the window passed."""
    for _attempt in range(4):
        before = await bot_messages(page).count()
        await send(page, text)
        reply = bot_messages(page).nth(before)
        await expect(reply).to_contain_text(re.compile(f"{re.escape(expected)}|{THROTTLED}"), timeout=WAIT)
        if expected in (await reply.text_content() or ""):
            return
        await asyncio.sleep(4)
    pytest.fail(f"the bot kept throttling {text!r}")


async def sandbox_time(page: Page) -> datetime:
    stamp = await page.get_by_test_id("clock-now").get_attribute("datetime")
    assert stamp, "the clock shows no datetime"
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


async def expect_card(card: Locator, heading: str, buttons: list[str]) -> None:
    await expect(card.get_by_test_id("message-text")).to_contain_text(heading, timeout=WAIT)
    await expect(card.get_by_test_id("inline-button")).to_have_text(
        [re.compile(re.escape(label)) for label in buttons], timeout=WAIT)


async def expect_portal(page: Page, status: str) -> None:
    await expect(page.get_by_test_id("portal-status")).to_have_text(status, timeout=WAIT)
    await expect(page.get_by_test_id("portal-status")).to_have_attribute("data-status", status)


async def tap(card: Locator, label: str) -> None:
    await card.get_by_test_id("inline-button").filter(has_text=label).click()


# --------------------------------------------------------------------------- the test


async def test_a_newcomer_links_and_runs_a_day_in_the_browser(sandbox: SandboxProcess, browser: Browser,
                                                              tmp_path: Path):
    page = await browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    try:
        await page.goto(sandbox.url)

        # Choose Anna Berg (Bitrix24 id 1) in the picker.
        anna = page.get_by_test_id("employee-1")
        await expect(anna).to_contain_text("Anna Berg")
        await expect(anna).to_contain_text("anna.berg@example.com")
        await expect(anna.get_by_test_id("badge-admin")).to_be_visible()
        await expect(page.get_by_test_id("employee-6").get_by_test_id("badge-dismissed")).to_be_visible()
        await page.get_by_test_id("employee-2").click()  # someone else first: choosing switches the chat
        await expect(page.get_by_test_id("chat-as")).to_contain_text("Boris Ivanov")
        await anna.click()
        await expect(anna).to_have_attribute("aria-pressed", "true")
        await expect(page.get_by_test_id("chat-as")).to_contain_text("Anna Berg")
        await expect(page.get_by_test_id("clock-zone")).to_have_text("Europe/Berlin")
        await expect_portal(page, "CLOSED")
        await expect(page.get_by_test_id("portal-status-label")).to_have_text("No day started yet")

        # The reminder below must fall on the same Berlin day as the one started here.
        if (await sandbox_time(page)).astimezone(BERLIN).hour == 23:
            await page.get_by_test_id("clock-plus-60").click()
            await expect(page.get_by_test_id("clock-offset")).to_contain_text("+1 h")

        # /start, then /link: the code arrives in the notifications panel.
        await send(page, "/start")
        await expect(bot_messages(page).last).to_contain_text("link your Bitrix24 account", timeout=WAIT)
        await send(page, "/link anna.berg@example.com", with_button=True)
        await expect(bot_messages(page).last).to_contain_text("6-digit code", timeout=WAIT)
        code_mark = page.get_by_test_id("notifications").get_by_test_id("notification-code").first
        await expect(code_mark).to_have_text(re.compile(r"^\d{6}$"), timeout=WAIT)
        code = (await code_mark.text_content() or "").strip()
        await expect(page.get_by_test_id("notification").first).to_contain_text("Code to link the Telegram account")
        await page.get_by_test_id("copy-code").first.click()  # fills the message box
        await expect(page.get_by_test_id("chat-input")).to_have_value(code)
        await page.get_by_test_id("chat-input").press("Enter")

        # Linked: the day card, not started, with a Start day button.
        card = bot_messages(page).filter(has=page.get_by_test_id("inline-button").filter(has_text="Start day")).last
        await expect(card).to_contain_text("Linked to Anna Berg", timeout=WAIT)
        await expect_card(card, "Day not started", ["Start day", "Refresh", "Week"])
        card_id = await card.get_attribute("data-message-id")
        assert card_id and card_id.isdigit()
        card = message(page, card_id)  # from now on: this very message, edited in place
        await expect(card).to_have_attribute("data-edited", "false")

        # A break reminder a little ahead in Berlin time, to fast-forward to later. ("daily":
        # the default is weekdays only, and this test may run on a weekend.)
        now = (await sandbox_time(page)).astimezone(BERLIN)
        due = (now + timedelta(minutes=2)).replace(second=0, microsecond=0)
        assert due.date() == now.date()
        at = due.strftime("%H:%M")
        await send_expecting(page, f"/remind {at} auto daily", "Reminder saved")
        await expect(bot_messages(page).last).to_contain_text(f"today at {at}")

        # Start day → Working.
        await tap(card, "Start day")
        await expect_card(card, "Working", ["Pause", "Close day", "Refresh", "Week"])
        await expect(card).to_have_attribute("data-edited", "true")
        await expect(card.get_by_test_id("message-edited")).to_have_text("edited")
        await expect_portal(page, "OPENED")
        await expect(page.get_by_test_id("portal-status-label")).to_have_text("Working")
        await expect(page.get_by_test_id("portal-start")).to_have_text(re.compile(r"^\d\d:\d\d$"))
        await expect(page.get_by_test_id("portal-worked")).to_have_text(re.compile(r"\d+ min"))
        await expect(page.get_by_test_id("portal-approval")).to_have_text("ACTIVE")

        # Pause → On a break.
        await tap(card, "Pause")
        await expect_card(card, "On a break", ["Resume", "Close day", "Refresh", "Week"])
        await expect_portal(page, "PAUSED")
        await expect(page.get_by_test_id("portal-status-label")).to_have_text("On a break")

        # Resume → Working.
        await tap(card, "Resume")
        await expect_card(card, "Working", ["Pause", "Close day", "Refresh", "Week"])
        await expect_portal(page, "OPENED")

        # Fast-forward to the reminder: the bot's engine pauses the running day.
        await page.get_by_test_id("clock-jump-time").fill(at)
        await page.get_by_test_id("clock-jump").click()
        await expect(page.get_by_test_id("clock-offset")).to_contain_text("fast-forwarded")
        await expect(page.get_by_test_id("clock-now")).to_have_text(re.compile(rf"^{at}:\d\d$"))
        await expect(bot_messages(page).last).to_contain_text("I paused your day", timeout=20_000)
        await expect_portal(page, "PAUSED")

        # Close day (on the card) → Day finished.
        await tap(card, "Close day")
        await expect(card).to_contain_text("Close your day now?", timeout=WAIT)
        await tap(card, "Close now")
        await expect_card(card, "Day finished", ["Undo close", "Refresh", "Week"])
        await expect_portal(page, "CLOSED")
        await expect(page.get_by_test_id("portal-status-label")).to_have_text("Day finished")
        await expect(page.get_by_test_id("portal-breaks")).to_have_text(re.compile(r"\d+ min"))

        # Every step edited the one card in place: same message id, one element, many versions.
        assert await message(page, card_id).count() == 1
        assert int(await card.get_attribute("data-versions") or 0) >= 5
        assert await bot_messages(page).filter(has_text="Day finished").count() == 1

        assert not errors, "\n".join(errors)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "sandbox.png"))
        await page.screenshot(path=str(tmp_path / "sandbox.png"))

        # Going back in time is refused, with a clear message on the page.
        await page.get_by_test_id("clock-jump-time").fill(now.strftime("%H:%M"))
        await page.get_by_test_id("clock-jump").click()
        await expect(page.get_by_test_id("clock-error")).to_contain_text("only moves forward")
    except Exception:
        await page.screenshot(path=str(tmp_path / "failure.png"))
        print(f"sandbox log (tail):\n{sandbox.tail(120)}")
        raise
    finally:
        await page.close()

    # Ctrl-C stops the whole sandbox (bot, page server, emulators, Redis).
    sandbox.process.send_signal(signal.SIGINT)
    try:
        returncode = await asyncio.to_thread(sandbox.process.wait, 30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the sandbox did not stop within 30 s of SIGINT:\n{sandbox.tail()}")
    assert returncode == 0, sandbox.tail()


async def test_the_page_speaks_russian_for_boris_and_switches_on_request(sandbox: SandboxProcess,
                                                                       browser: Browser):
    page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    try:
        await page.goto(sandbox.url + "/#employee-1")
        await expect(page.get_by_test_id("portal-status-label")).to_have_text("No day started yet")
        await expect(page.get_by_test_id("lang-en")).to_have_attribute("aria-pressed", "true")
        # Boris's Telegram speaks Russian: so does the page around his chat.
        await page.get_by_test_id("employee-2").click()
        await expect(page.get_by_test_id("portal-status-label")).to_have_text("День ещё не начат", timeout=WAIT)
        await expect(page.locator("#clock-heading")).to_have_text("Перемотка времени")
        await expect(page.get_by_test_id("clock-plus-60")).to_have_text("+1 ч")
        await expect(page.get_by_test_id("chat-input")).to_have_attribute("placeholder", "Сообщение")
        await expect(page.get_by_test_id("chat-as")).to_contain_text("Вы — Boris Ivanov")
        assert await page.evaluate("document.documentElement.lang") == "ru"
        # The switch wins over the employee's language, and is kept across a reload.
        await page.get_by_test_id("lang-en").click()
        await expect(page.get_by_test_id("portal-status-label")).to_have_text("No day started yet", timeout=WAIT)
        await expect(page.locator("#clock-heading")).to_have_text("Fast-forward clock")
        await page.reload()
        await expect(page.get_by_test_id("chat-as")).to_contain_text("Boris Ivanov", timeout=WAIT)
        await expect(page.locator("#clock-heading")).to_have_text("Fast-forward clock")
        await page.get_by_test_id("lang-ru").click()
        await page.get_by_test_id("employee-1").click()
        await expect(page.get_by_test_id("chat-as")).to_contain_text("Anna Berg")
        await expect(page.get_by_test_id("portal-status-label")).to_have_text("День ещё не начат", timeout=WAIT)
        assert not errors, "\n".join(errors)
    finally:
        await page.close()
