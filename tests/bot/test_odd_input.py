"""Input that is not what a handler expects: media instead of text, forged callback data
out of range, a group message without a sender. Each gets a sensible reply or is
ignored, and nothing reaches the error handler."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiogram.types import Update

from bot.sandbox.portal import PortalEmulator
from tests.bot.conftest import ANNA_B24, ANNA_TG
from tests.bot.flows import link
from tests.bot.harness import Harness, SentMessage
from tests.bot.test_fuzz import ErrorRecorder, errors  # noqa: F401 - the fixture

STRANGER = 7101

MEDIA: dict[str, dict[str, Any]] = {
    "sticker": {"sticker": {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512,
                            "height": 512, "is_animated": False, "is_video": False}},
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]},
    "location": {"location": {"latitude": 52.52, "longitude": 13.4}},
    "contact": {"contact": {"phone_number": "+4930123", "first_name": "Anna"}},
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 2}},
}


def private_update(update_id: int, user_id: int, body: dict[str, Any]) -> Update:
    message = {"message_id": update_id, "date": int(time.time()),
               "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
               "from": {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "en"}, **body}
    return Update.model_validate({"update_id": update_id, "message": message})


@pytest.mark.parametrize("kind", sorted(MEDIA))
async def test_media_in_a_private_chat_gets_a_short_help(harness: Harness, errors: ErrorRecorder,  # noqa: F811
                                                         kind: str) -> None:
    await harness.feed(private_update(900, STRANGER, MEDIA[kind]))
    assert errors.records == []
    reply = harness.session.last(STRANGER)
    assert "text" in reply.text and "/help" in reply.text


async def test_media_from_a_linked_user_mid_conversation(harness: Harness, portal: PortalEmulator,
                                                         errors: ErrorRecorder) -> None:  # noqa: F811
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
                                                               errors: ErrorRecorder, data: str) -> None:  # noqa: F811
    anna = harness.updates.user(ANNA_TG)
    await link(harness, portal, anna, "anna@example.com", ANNA_B24)
    await harness.feed(harness.updates.tap(anna, SentMessage(ANNA_TG, 1, "card", None), data))
    assert errors.records == []
    answers = list(harness.session.answered.values())
    assert answers and answers[-1][0] == "This button no longer works."


@pytest.mark.parametrize("text", ["/status", "/start", "hello"])
async def test_a_group_message_without_a_sender(harness: Harness, errors: ErrorRecorder,  # noqa: F811
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
