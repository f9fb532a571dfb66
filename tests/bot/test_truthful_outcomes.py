"""Replies describe what this request did, judged from its own answer and a fresh read,
never from the day the bot remembered before it, and never from a guess after a lost answer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from aiogram.types import User

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bot.fixtures import ANNA_B24
from tests.bot.harness import Harness


async def in_the_web_ui(portal: PortalEmulator, method: str) -> None:
    """Anna acts in Bitrix24 itself, behind the bot's back."""
    async with httpx.AsyncClient() as http:
        hook = portal.add_webhook(user_id=ANNA_B24, code="annaownhook1")
        response = await http.post(f"{hook}{method}.json")
        response.raise_for_status()


async def test_a_pause_that_lands_late_is_not_reported_as_done(harness: Harness, portal: PortalEmulator,
                                                                anna: User) -> None:
    await harness.say(anna, "/open")
    # The harness waits 2 s for an answer; this pause reaches Bitrix24's database after 3 s.
    portal.faults.inject("slow", method="timeman.pause", delay=3.0, times=1)
    reply = await harness.say(anna, "/pause")
    assert "can't tell whether your day was paused" in reply.text
    assert "🟢 <b>Working</b>" in reply.text  # what Bitrix24 showed when the bot looked
    await asyncio.sleep(1.5)
    assert portal.request_count("timeman.pause") == 1  # never sent twice
    assert portal.status_of(ANNA_B24)["STATUS"] == "PAUSED"


async def test_a_pause_after_a_resume_elsewhere_is_reported_as_this_pause(
    harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock
) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=2))
    await harness.say(anna, "/pause")
    clock.advance(timedelta(minutes=30))
    await in_the_web_ui(portal, "timeman.open")  # back to work, but the bot remembers a break
    clock.advance(timedelta(hours=1))
    reply = await harness.say(anna, "/pause")
    assert "You're already on a break" not in reply.text
    assert "Paused" in reply.text
    assert portal.request_count("timeman.pause") == 2
    assert portal.status_of(ANNA_B24)["STATUS"] == "PAUSED"


async def test_a_close_whose_answer_was_lost_is_reported_as_closed(
    harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock
) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=8))
    portal.faults.inject("lost_answer", method="timeman.close", times=1)
    reply = await harness.say(anna, "/close all done")
    assert "already closed" not in reply.text
    assert "Day closed" in reply.text
    assert portal.request_count("timeman.close") == 1
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"
