"""Input that is not what a handler expects: media instead of text, forged callback data
out of range, a group message without a sender. Each gets a sensible reply or is
ignored, and nothing reaches the error handler."""

from __future__ import annotations

import time

import pytest
from aiogram.types import Update

from workday_sandbox.portal.emulator import PortalEmulator
from tests.bot.fixtures import ANNA_B24, ANNA_TG, ErrorRecorder
from tests.bot.flows import MEDIA, link, private_update
from tests.bot.harness import Harness, SentMessage

STRANGER = 7101

@pytest.mark.parametrize("kind", sorted(MEDIA))
async def test_media_in_a_private_chat_gets_a_short_help(harness: Harness, errors: ErrorRecorder,
                                                         kind: str) -> None:
    await harness.feed(private_update(900, STRANGER, MEDIA[kind]))
    assert errors.records == []
    reply = harness.session.last(STRANGER)
    assert "text" in reply.text and "/help" in reply.text


async def test_media_from_a_linked_user_mid_conversation(harness: Harness, portal: PortalEmulator,
                                                         errors: ErrorRecorder) -> None:
    anna = harness.updates.user(ANNA_TG)
    await link(harness, portal, anna, "anna@example.com", ANNA_B24)
    await harness.say(anna, "/link")  # now waiting for an e-mail
    await harness.feed(private_update(901, ANNA_TG, MEDIA["sticker"]))
    assert errors.records == []
    assert "text" in harness.session.last(ANNA_TG).text


@pytest.mark.parametrize("data", ["fx:cancel:99999999999999", "fx:cancel:-99999999999999",
                                  "d:pause:99999999999999999999", "rm:skip:-1", "rl:del:99999999999999999999",
                                  "fx:suggested:-5"])
async def test_callback_numbers_out_of_range_are_an_old_button(harness: Harness, portal: PortalEmulator,
                                                               errors: ErrorRecorder, data: str) -> None:
    anna = harness.updates.user(ANNA_TG)
    await link(harness, portal, anna, "anna@example.com", ANNA_B24)
    await harness.feed(harness.updates.tap(anna, SentMessage(ANNA_TG, 1, "card", None), data))
    assert errors.records == []
    answers = list(harness.session.answered.values())
    assert answers and answers[-1][0] == "This button no longer works."


@pytest.mark.parametrize("text", ["/status", "/start", "hello"])
async def test_a_group_message_without_a_sender(harness: Harness, errors: ErrorRecorder,
                                                text: str) -> None:
    message = {"message_id": 5, "date": int(time.time()),
               "chat": {"id": -100777, "type": "supergroup", "title": "Team"},
               "sender_chat": {"id": -100777, "type": "supergroup", "title": "Team"},
               "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    await harness.feed(Update.model_validate({"update_id": 902, "message": message}))
    assert errors.records == []
    if text.startswith("/"):
        assert "private chats only" in harness.session.last(-100777).text
