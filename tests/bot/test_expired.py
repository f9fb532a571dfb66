"""A day left open from an earlier date: the card, the one-tap fix, another time, a reason."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from aiogram.types import User

from workday_sandbox.portal.emulator import PortalEmulator
from tests.bot.fixtures import ANNA_B24, ANNA_TG
from tests.bot.flows import link
from tests.bot.harness import Harness

BERLIN = timezone(timedelta(hours=1))
SUNDAY_0815 = datetime(2026, 3, 1, 8, 15, tzinfo=BERLIN)


@pytest.fixture
async def anna(harness: Harness, portal: PortalEmulator) -> User:
    portal.seed_day(ANNA_B24, start=SUNDAY_0815, status="OPENED")
    user = harness.updates.user(ANNA_TG)
    await link(harness, portal, user, "anna@example.com", ANNA_B24)
    return user


async def test_the_card_explains_and_offers_the_fix(harness: Harness, portal: PortalEmulator, anna: User) -> None:
    card = await harness.say(anna, "/status")
    assert "The day of Sun, 1 Mar is still open" in card.text
    suggested = portal.status_of(ANNA_B24)["TIME_FINISH_DEFAULT"]
    hhmm = suggested[11:16]
    assert f"It suggests <b>{hhmm}</b>" in card.text
    assert [label for label, _ in card.buttons] == [f"✅ Close at {hhmm}", "🕐 Other time", "🔄 Refresh", "📊 Week"]


async def test_open_and_close_lead_to_the_fix(harness: Harness, anna: User) -> None:
    opened = await harness.say(anna, "/open")
    assert "was never closed" in opened.text and opened.button("Other time")
    closed = await harness.say(anna, "/close")
    assert "was never closed" in closed.text and closed.button("Other time")


async def test_one_tap_at_the_suggested_time(harness: Harness, portal: PortalEmulator, anna: User) -> None:
    card = await harness.say(anna, "/status")
    asked = await harness.tap(anna, card, card.button("Close at"))
    assert "Bitrix24 needs a reason" in asked.text
    done = await harness.tap(anna, asked, asked.button("Forgot to close"))
    assert "is closed at" in done.text and "You can start today now" in done.text
    assert "Awaiting your manager's approval" in done.text
    status = portal.status_of(ANNA_B24)
    assert status["STATUS"] == "CLOSED" and status["ACTIVE"] is False
    started = await harness.tap(anna, done, done.button("Start day"))
    assert "Your day has started" in started.text
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_another_time_and_a_typed_reason(harness: Harness, portal: PortalEmulator, anna: User) -> None:
    card = await harness.say(anna, "/status")
    asked = await harness.tap(anna, card, card.button("Other time"))
    assert "When did you finish on Sun, 1 Mar" in asked.text and "started at 08:15" in asked.text
    assert "send a time like" in (await harness.say(anna, "half past six")).text
    assert "before the day started" in (await harness.say(anna, "07:00")).text
    reason_prompt = await harness.say(anna, "6.30 pm")  # as people type it: 18:30
    assert "at <b>18:30</b>" in reason_prompt.text
    done = await harness.say(anna, "Left in a hurry, forgot the app")
    assert "closed at 18:30" in done.text
    status = portal.status_of(ANNA_B24)
    assert status["STATUS"] == "CLOSED" and status["TIME_FINISH"].startswith("2026-03-01T18:30:00")


async def test_cancel_leaves_the_day_open(harness: Harness, portal: PortalEmulator, anna: User) -> None:
    card = await harness.say(anna, "/status")
    asked = await harness.tap(anna, card, card.button("Other time"))
    cancelled = await harness.tap(anna, asked, asked.button("Cancel"))
    assert "still open" in cancelled.text
    assert portal.status_of(ANNA_B24)["STATUS"] == "EXPIRED"
    assert "I didn't get that" in (await harness.say(anna, "18:30")).text


async def test_a_fixed_day_makes_old_fix_buttons_harmless(harness: Harness, portal: PortalEmulator,
                                                          anna: User) -> None:
    card = await harness.say(anna, "/status")
    old_button = card.button("Close at")
    asked = await harness.tap(anna, card, old_button)
    await harness.tap(anna, asked, asked.button("Forgot to close"))
    closes = portal.request_count("timeman.close")
    again = await harness.tap(anna, card, old_button)
    assert "has changed since" in again.text
    assert portal.request_count("timeman.close") == closes


async def test_the_card_shows_breaks_and_what_the_suggested_close_records(harness: Harness, portal: PortalEmulator,
                                                                          anna: User) -> None:
    card = await harness.say(anna, "/status")
    hhmm = portal.status_of(ANNA_B24)["TIME_FINISH_DEFAULT"][11:16]
    assert f"Worked, if closed at {hhmm}:" in card.text and "Breaks: 0 min" in card.text


async def test_a_repaired_day_says_which_day_it_finished(harness: Harness, anna: User) -> None:
    card = await harness.say(anna, "/status")
    asked = await harness.tap(anna, card, card.button("Close at"))
    done = await harness.tap(anna, asked, asked.button("Forgot to close"))
    assert "Started: Sun, 1 Mar, 08:15" in done.text and "Finished: Sun, 1 Mar, " in done.text


async def test_close_with_text_on_an_expired_day_uses_it_as_the_reason(harness: Harness, portal: PortalEmulator,
                                                                        anna: User) -> None:
    card = await harness.say(anna, "/close all done")
    assert "was never closed" in card.text
    done = await harness.tap(anna, card, card.button("Close at"))
    assert "needs a reason" not in done.text and "is closed at" in done.text
    record = portal.record_of(ANNA_B24)
    assert record is not None and record.report == "all done"
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"


async def test_close_with_text_then_another_time_skips_the_reason(harness: Harness, portal: PortalEmulator,
                                                                  anna: User) -> None:
    card = await harness.say(anna, "/close left at six")
    asked = await harness.tap(anna, card, card.button("Other time"))
    done = await harness.say(anna, "18:00")
    assert "is closed at 18:00" in done.text
    record = portal.record_of(ANNA_B24)
    assert record is not None and record.report == "left at six"
