"""Answering a tap is a courtesy to the client (it stops the spinner); the tap's action
must happen whether or not the answer gets through."""

from __future__ import annotations

import pytest
from aiogram.types import User

from bot.sandbox.portal import PortalEmulator
from tests.bot.conftest import ANNA_B24, ANNA_TG, ErrorRecorder
from tests.bot.flows import link
from tests.bot.harness import Harness

TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@pytest.fixture
async def anna(harness: Harness, portal: PortalEmulator) -> User:
    user = harness.updates.user(ANNA_TG)
    await link(harness, portal, user, "anna@example.com", ANNA_B24)
    return user


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
