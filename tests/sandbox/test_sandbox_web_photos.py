"""Photos on the sandbox page's JSON API: a photo the bot sends shows with its caption and
buttons, its image is served by the page itself, and editMessageMedia swaps it."""

from __future__ import annotations

from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto

from tests.sandbox.test_fake_telegram_photos import png
from tests.sandbox.test_sandbox_web import ANNA_TG, Sandbox, ok, refused, sandbox  # noqa: F401

WEEK_10 = png(1000, 750, noise=10, seed=10)
WEEK_9 = png(1000, 750, noise=10, seed=9)


def weeks(previous: int, following: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=f"‹ Week {previous}", callback_data=f"week:{previous}"),
        InlineKeyboardButton(text=f"Week {following} ›", callback_data=f"week:{following}"),
    ]])


async def test_a_photo_shows_with_its_caption_buttons_and_image(sandbox: Sandbox):
    bot = sandbox.telegram.create_bot()
    try:
        sent = await bot.send_photo(ANNA_TG, BufferedInputFile(WEEK_10, "week.png"),
                                    caption="<b>Week 10</b>: 38 h", parse_mode="HTML", reply_markup=weeks(9, 11))
    finally:
        await bot.session.close()
    assert sent.photo is not None

    [message] = ok(await sandbox.http.get(f"/api/chat/{ANNA_TG}"))["messages"]
    assert message["from_bot"] is True and message["html"] == "<b>Week 10</b>: 38 h"
    photo = message["photo"]
    assert photo["file_id"] == sent.photo[-1].file_id
    assert (photo["width"], photo["height"]) == (1000, 750)
    assert photo["url"] == f"/api/photo/{sent.photo[-1].file_id}"
    assert [b["callback_data"] for b in message["buttons"][0]] == ["week:9", "week:11"]

    image = await sandbox.http.get(photo["url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == WEEK_10
    assert image.headers["x-content-type-options"] == "nosniff"

    click = ok(await sandbox.http.post("/api/click", json={
        "telegram_id": ANNA_TG, "message_id": sent.message_id, "callback_data": "week:9"}))
    [update] = [u for u in sandbox.telegram.pending_updates if "callback_query" in u]
    assert update["callback_query"]["id"] == click["callback_query_id"]
    assert update["callback_query"]["message"]["photo"][-1]["file_id"] == sent.photo[-1].file_id


async def test_edit_message_media_changes_the_picture_on_the_page(sandbox: Sandbox):
    bot = sandbox.telegram.create_bot()
    try:
        sent = await bot.send_photo(ANNA_TG, BufferedInputFile(WEEK_10, "week.png"), caption="Week 10",
                                    reply_markup=weeks(9, 11))
        seq = sandbox.telegram.last_event_seq
        await bot.edit_message_media(InputMediaPhoto(media=BufferedInputFile(WEEK_9, "week9.png"),
                                                     caption="<i>Week 9</i>", parse_mode="HTML"),
                                     chat_id=ANNA_TG, message_id=sent.message_id, reply_markup=weeks(8, 10))
    finally:
        await bot.session.close()

    feed = ok(await sandbox.http.get("/api/events", params={"since": seq, "timeout": 5}))
    assert [(e["type"], e.get("message_id")) for e in feed["events"]] == [("message_edited", sent.message_id)]
    [message] = ok(await sandbox.http.get(f"/api/chat/{ANNA_TG}"))["messages"]
    assert message["edited"] is True and message["versions"] == 2
    assert message["html"] == "<i>Week 9</i>"
    assert message["photo"]["file_id"] != sent.photo[-1].file_id  # type: ignore[index]
    assert (await sandbox.http.get(message["photo"]["url"])).content == WEEK_9
    assert [b["callback_data"] for b in message["buttons"][0]] == ["week:8", "week:10"]


async def test_text_messages_have_no_photo_and_unknown_photos_are_refused(sandbox: Sandbox):
    await sandbox.bot_says(ANNA_TG, "plain")
    [message] = ok(await sandbox.http.get(f"/api/chat/{ANNA_TG}"))["messages"]
    assert message["photo"] is None

    assert "no photo" in refused(await sandbox.http.get("/api/photo/AgACAgIAAxkBAAIunknown"), 404)
    assert "file_id" in refused(await sandbox.http.get("/api/photo/..%2Fsecret"), 400)

