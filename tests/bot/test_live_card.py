"""One live day card per chat: a new card takes the buttons off the one before."""

from __future__ import annotations

from aiogram.types import User

from tests.bot.fixtures import ANNA_TG
from tests.bot.harness import Harness


async def test_a_new_card_retires_the_old_one(harness: Harness, anna: User) -> None:
    linked = harness.session.last(ANNA_TG)
    assert linked.buttons
    paused_card = await harness.say(anna, "/open")
    assert not harness.session.messages[(ANNA_TG, linked.message_id)].buttons
    await harness.tap(anna, paused_card, paused_card.button("Pause"))  # edited in place: stays live
    assert paused_card.buttons
    fresh = await harness.say(anna, "/status")
    assert fresh.buttons and not harness.session.messages[(ANNA_TG, paused_card.message_id)].buttons
    assert "On a break" in harness.session.messages[(ANNA_TG, paused_card.message_id)].text  # text kept


async def test_a_card_that_cannot_be_edited_never_spoils_the_reply(harness: Harness, anna: User) -> None:
    await harness.say(anna, "/open")
    harness.session.fail_next("editMessageReplyMarkup", 400, "Bad Request: message to edit not found")
    reply = await harness.say(anna, "/status")
    assert "🟢 <b>Working</b>" in reply.text and reply.buttons
    harness.session.fail_next("editMessageReplyMarkup", 500, "Internal Server Error", times=5)
    reply = await harness.say(anna, "/status")
    assert "🟢 <b>Working</b>" in reply.text and reply.buttons


async def test_unlink_forgets_the_live_card(harness: Harness, anna: User, redis) -> None:
    assert await redis.exists(f"test:card:{ANNA_TG}")
    await harness.say(anna, "/unlink")
    unlink_reply = harness.session.last(ANNA_TG)
    if unlink_reply.buttons:  # a confirmation step
        await harness.tap(anna, unlink_reply, unlink_reply.buttons[0][1])
    assert not await redis.exists(f"test:card:{ANNA_TG}")
