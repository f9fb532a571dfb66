"""Answering a tap is a courtesy to the client (it stops the spinner); the tap's action
must happen whether or not the answer gets through."""

from __future__ import annotations

import pytest
from aiogram.types import User

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.telegram.server import FakeTelegram
from tests.bot.fixtures import ANNA_B24, ANNA_TG, ErrorRecorder
from tests.bot.flows import latest_code, link
from tests.bot.harness import Harness

TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@pytest.mark.parametrize(("status", "description", "retry_after"), [
    (400, TOO_OLD, None),
    (429, "Too Many Requests: retry after 5", 5),
    (502, "Bad Gateway", None),
])
async def test_a_failed_answer_does_not_cancel_the_pause(harness: Harness, portal: PortalEmulator, anna: User,
                                                         errors: ErrorRecorder, status: int,
                                                         description: str, retry_after: int | None) -> None:
    card = await harness.say(anna, "/open")
    harness.session.fail_next("answerCallbackQuery", status, description, retry_after, times=10)
    after = await harness.tap(anna, card, card.button("Pause"))
    assert portal.status_of(ANNA_B24)["STATUS"] == "PAUSED"
    assert "Paused" in after.text
    assert errors.records == []
    assert not any("Something went wrong" in m.text for m in harness.session.by_chat[ANNA_TG])


async def test_a_throttled_answer_after_the_handler_is_only_logged(harness: Harness, anna: User,
                                                                   errors: ErrorRecorder) -> None:
    menu = await harness.say(anna, "/remind")
    wizard = await harness.tap(anna, menu, menu.button("break"))
    harness.session.fail_next("answerCallbackQuery", 429, "Too Many Requests: retry after 5", 5)
    after = await harness.tap(anna, wizard, wizard.button("12:00"))
    assert "12:00" in after.text
    assert errors.records == []
    assert not any("Something went wrong" in m.text for m in harness.session.by_chat[ANNA_TG])


async def test_a_tap_queued_behind_a_slow_call_is_still_acted_on(polling: FakeTelegram,
                                                                 portal: PortalEmulator) -> None:
    """The attack as found: a slow Bitrix24 call holds the user's isolation lock, so the
    next tap is answered after Telegram's window ("query is too old")."""
    telegram = polling
    telegram.callback_query_ttl = 1.0  # Telegram's window, shortened for the test
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    telegram.send_text(anna, "/link anna@example.com")
    await telegram.wait_for_message(anna, "6-digit code", timeout=15)
    telegram.send_text(anna, latest_code(portal, ANNA_B24))
    await telegram.wait_for_message(anna, "Linked to", timeout=15)
    telegram.send_text(anna, "/open")
    card = await telegram.wait_for_message(anna, "Your day has started", timeout=15)

    portal.faults.inject("slow", method="timeman.status", delay=2.5)
    refresh = telegram.click_button(anna, card, "Refresh")  # holds Anna's lock for 2.5 s
    # Refresh's tap is answered once its handler holds the lock: only then tap Pause, or
    # Pause could take the lock first (the two race to it) and be answered in time.
    await telegram.wait_for(lambda: any(c.params.get("callback_query_id") == refresh
                                        for c in telegram.calls_to("answerCallbackQuery")), timeout=10)
    pause = telegram.click_button(anna, card, "Pause")  # waits for the lock, past its window
    await telegram.wait_for(lambda: portal.status_of(ANNA_B24)["STATUS"] == "PAUSED", timeout=20)
    await telegram.wait_for(lambda: any(c.params.get("callback_query_id") == pause
                                        for c in telegram.calls_to("answerCallbackQuery")), timeout=10)
    answer = [c for c in telegram.calls_to("answerCallbackQuery") if c.params.get("callback_query_id") == pause]
    assert answer[0].status == 400 and "query is too old" in (answer[0].description or "")
    await telegram.wait_for_message(anna, "Paused", timeout=15)
