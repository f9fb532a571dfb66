"""A reply Telegram refuses for a while (flood control with a long wait, or 5xx again and
again) is sent later through the paced sender, in order, instead of being dropped."""

from __future__ import annotations

import pytest
from aiogram.methods import SendMessage
from aiogram.types import User

from workday_sandbox.portal.emulator import PortalEmulator
from bot.telegram.deferred import DeferredReplies
from tests.bot.fixtures import ANNA_B24, ANNA_TG, ErrorRecorder
from tests.bot.harness import Harness


def texts(harness: Harness) -> list[str]:
    return [m.text for m in harness.session.by_chat[ANNA_TG]]


async def test_a_long_flood_wait_delays_the_reply(harness: Harness, portal: PortalEmulator, anna: User,
                                                  errors: ErrorRecorder) -> None:
    before = len(texts(harness))
    harness.session.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    await harness.feed(harness.updates.text(anna, "/open"))
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"
    await harness.settle()
    after = texts(harness)[before:]
    assert len(after) == 1 and "Your day has started" in after[0]
    assert harness.waits and harness.waits[0] >= 30  # it waited as long as Telegram asked
    assert errors.records == []
    assert not any("Something went wrong" in text for text in after)


async def test_telegram_failing_again_and_again(harness: Harness, portal: PortalEmulator, anna: User,
                                                errors: ErrorRecorder) -> None:
    card = await harness.say(anna, "/open")
    harness.session.fail_next("editMessageText", 502, "Bad Gateway", times=5)
    await harness.feed(harness.updates.tap(anna, card, card.button("Pause")))
    assert portal.status_of(ANNA_B24)["STATUS"] == "PAUSED"
    await harness.settle()
    assert "Paused" in harness.session.messages[(ANNA_TG, card.message_id)].text
    assert errors.records == []


async def test_later_replies_wait_behind_a_deferred_one(harness: Harness, anna: User,
                                                        errors: ErrorRecorder) -> None:
    before = len(texts(harness))
    harness.session.fail_next("sendMessage", 429, "Too Many Requests: retry after 20", retry_after=20)
    await harness.feed(harness.updates.text(anna, "/help"))
    await harness.feed(harness.updates.text(anna, "/reminders"))
    await harness.settle()
    after = texts(harness)[before:]
    assert len(after) == 2
    assert "/status" in after[0] and "reminder" in after[1].lower()
    assert errors.records == []


async def test_a_deferred_reply_that_cannot_be_sent_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        async def deliver(self, chat_id: int, method: object) -> None:
            raise ConnectionError("redis is gone")

    async def no_wait(seconds: float) -> None:
        return None

    deferred = DeferredReplies(Broken(), sleep=no_wait)  # type: ignore[arg-type]
    assert deferred.defer(ANNA_TG, SendMessage(chat_id=ANNA_TG, text="hi"), 5)
    await deferred.drain(timeout=5)
    assert deferred.stats["failed"] == 1 and deferred.count == 0
    assert any(r.getMessage() == "deferred reply failed" and r.exc_info is None for r in caplog.records)
