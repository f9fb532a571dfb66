"""Photos on the fake Telegram Bot API, over real HTTP: sendPhoto (aiogram uploads and raw
multipart), file_id reuse, Telegram's limits, editMessageMedia / editMessageCaption and
what other edits do to a photo, buttons on photos, flood control, and reading the
photos back (Python accessors, getFile, ``/_fake/files/…``, ``/_fake/chat/…``)."""

from __future__ import annotations

import json
import random
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
)

from tests.sandbox.test_fake_telegram import TOKEN, Ticker
from workday_sandbox.telegram.server import FakeTelegram

ANNA = 1001


def png(width: int, height: int, *, noise: int = 0, seed: int = 1) -> bytes:
    """A real PNG (8-bit RGB): bars of colour, plus ``noise`` random rows so the file is
    not trivially small (like a chart with anti-aliased text)."""
    rng = random.Random(seed)
    bar = bytes([40, 120, 220]) * (width // 2) + bytes([250, 250, 250]) * (width - width // 2)
    rows = []
    for y in range(height):
        row = rng.randbytes(width * 3) if y < noise else bar
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))


def png_header(width: int, height: int) -> bytes:
    """Only a PNG's signature and IHDR chunk (enough for the fake, which reads headers)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + body + struct.pack(">I", zlib.crc32(body))


def jpeg_header(width: int, height: int) -> bytes:
    """A JPEG's first segments: SOI, APP0 (JFIF), a quantisation table, then SOF0."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\x00" + bytes(range(64))
    sof0 = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"

    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    return b"\xff\xd8" + segment(0xE0, app0) + segment(0xDB, dqt) + segment(0xC0, sof0) + b"\xff\xd9"


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data) for text, data in buttons]]
    )


def week_keyboard() -> InlineKeyboardMarkup:
    return keyboard(("‹ Week 9", "week:9"), ("Week 11 ›", "week:11"))


CHART = png(1000, 750, noise=20)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="workday_bot") as fake:
        fake.user(ANNA, "Anna")
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    client = tg.create_bot()
    yield client
    await client.session.close()


@pytest.fixture
async def http(tg: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=tg.base_url, timeout=30) as client:
        yield client


async def raw(http: httpx.AsyncClient, method: str, files: dict[str, Any] | None = None,
              **form: Any) -> httpx.Response:
    data = {key: value if isinstance(value, str) else json.dumps(value) for key, value in form.items()}
    return await http.post(f"/bot{TOKEN}/{method}", data=data, files=files)


def refused(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["ok"] is False and body["error_code"] == 400
    return body["description"]


async def send_chart(bot: Bot, caption: str = "<b>Week 10</b>: 38 h 30 min",
                     image: bytes = CHART) -> Any:
    return await bot.send_photo(
        ANNA, BufferedInputFile(image, filename="week.png"), caption=caption,
        parse_mode="HTML", reply_markup=week_keyboard(),
    )


# --- sendPhoto ------------------------------------------------------------------------------


async def test_an_aiogram_upload_comes_back_as_telegram_photo_sizes(tg: FakeTelegram, bot: Bot) -> None:
    assert 30_000 < len(CHART) < 80_000  # the size of the weekly chart the bot will send

    sent = await send_chart(bot)

    sizes = sent.photo
    assert sizes is not None and [(s.width, s.height) for s in sizes] == [(90, 68), (320, 240), (800, 600),
                                                                         (1000, 750)]
    assert sizes[-1].file_size == len(CHART)
    assert all(s.file_size and s.file_size < len(CHART) for s in sizes[:-1])
    assert len({s.file_id for s in sizes}) == 4 and len({s.file_unique_id for s in sizes}) == 4
    assert sent.text is None
    assert sent.caption == "Week 10: 38 h 30 min"
    assert [(e.type, e.offset, e.length) for e in sent.caption_entities or []] == [("bold", 0, 7)]
    assert sent.reply_markup is not None
    assert [[b.callback_data for b in row] for row in sent.reply_markup.inline_keyboard] == [["week:9", "week:11"]]

    message = tg.last_message(ANNA)
    assert message is not None and message.is_photo and message.message_id == sent.message_id
    assert message.caption == "Week 10: 38 h 30 min" and message.html == "<b>Week 10</b>: 38 h 30 min"
    assert message.photo_bytes == CHART
    assert message.photo_file_id == sizes[-1].file_id
    assert message.callback_data == ["week:9", "week:11"]
    assert tg.photo_bytes(sizes[0].file_id) == CHART  # every size serves the upload
    assert tg.stats.messages_sent == 1 and tg.stats.photos_uploaded == 1


async def test_a_sent_file_id_is_reused_without_a_new_upload(tg: FakeTelegram, bot: Bot) -> None:
    first = await send_chart(bot)
    assert first.photo is not None

    again = await bot.send_photo(ANNA, first.photo[-1].file_id, caption="again")

    assert again.photo is not None
    assert [s.file_unique_id for s in again.photo] == [s.file_unique_id for s in first.photo]
    assert again.caption == "again" and again.caption_entities is None
    assert tg.stats.photos_uploaded == 1
    assert tg.last_message(ANNA).photo_bytes == CHART  # type: ignore[union-attr]


async def test_raw_multipart_with_the_photo_field_itself_and_a_jpeg(
    tg: FakeTelegram, http: httpx.AsyncClient
) -> None:
    image = jpeg_header(1280, 960)
    response = await raw(http, "sendPhoto", files={"photo": ("shot.jpg", image, "application/octet-stream")},
                         chat_id=str(ANNA), caption="  plain caption  ",
                         reply_markup={"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]})

    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert [(s["width"], s["height"]) for s in result["photo"]] == [(90, 68), (320, 240), (800, 600),
                                                                   (1280, 960)]
    assert result["caption"] == "plain caption" and "caption_entities" not in result
    assert "text" not in result
    download = await http.get(f"/_fake/files/{result['photo'][1]['file_id']}")
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/jpeg"  # from the bytes, not the part's header
    assert download.content == image


async def test_a_photo_without_a_caption_and_a_huge_one_kept_at_2560(
    tg: FakeTelegram, http: httpx.AsyncClient
) -> None:
    response = await raw(http, "sendPhoto", files={"chart": ("c.png", png_header(5000, 2500), "image/png")},
                         chat_id=str(ANNA), photo="attach://chart")
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert "caption" not in result
    assert (result["photo"][-1]["width"], result["photo"][-1]["height"]) == (2560, 1280)
    assert tg.last_message(ANNA).caption == ""  # type: ignore[union-attr]


async def test_a_small_photo_lists_only_itself_and_smaller_sizes(http: httpx.AsyncClient) -> None:
    response = await raw(http, "sendPhoto", files={"photo": ("p.png", png(300, 100), "image/png")},
                         chat_id=str(ANNA))
    assert [(s["width"], s["height"]) for s in response.json()["result"]["photo"]] == [(90, 30), (300, 100)]


async def test_what_the_fake_cannot_take_as_a_photo(http: httpx.AsyncClient) -> None:
    url = await raw(http, "sendPhoto", chat_id=str(ANNA), photo="https://example.com/chart.png")
    assert refused(url).startswith("Bad Request: failed to get HTTP URL content")
    assert "upload" in refused(url)

    unknown = await raw(http, "sendPhoto", chat_id=str(ANNA), photo="AgACAgIAAxkBAAIBogNotOurs")
    assert refused(unknown) == "Bad Request: wrong file identifier/HTTP URL specified"

    nothing = await raw(http, "sendPhoto", chat_id=str(ANNA), caption="where is it")
    assert refused(nothing) == "Bad Request: there is no photo in the request"

    dangling = await raw(http, "sendPhoto", chat_id=str(ANNA), photo="attach://missing",
                         files={"other": ("o.png", CHART, "image/png")})
    assert refused(dangling) == "Bad Request: there is no photo in the request"


@pytest.mark.parametrize(
    ("image", "description"),
    [
        (b"GIF89a not a photo we model", "Bad Request: IMAGE_PROCESS_FAILED"),
        (b"just some text", "Bad Request: IMAGE_PROCESS_FAILED"),
        (png_header(100, 100)[:-1] + b"\x00", "Bad Request: IMAGE_PROCESS_FAILED"),  # IHDR CRC broken
        (b"\xff\xd8\xff\xda\x00\x02", "Bad Request: IMAGE_PROCESS_FAILED"),  # JPEG without a frame header
        (png_header(0, 100), "Bad Request: IMAGE_PROCESS_FAILED"),
        (png_header(6000, 4001), "Bad Request: PHOTO_INVALID_DIMENSIONS"),  # sides over 10000
        (png_header(2100, 100), "Bad Request: PHOTO_INVALID_DIMENSIONS"),  # ratio 21
        (jpeg_header(50, 1010), "Bad Request: PHOTO_INVALID_DIMENSIONS"),
        (png_header(1000, 750) + bytes(10 * 1024 * 1024), "Bad Request: PHOTO_SAVE_FILE_INVALID"),  # > 10 MB
    ],
)
async def test_telegram_refuses_uploads_that_are_not_acceptable_photos(
    tg: FakeTelegram, http: httpx.AsyncClient, image: bytes, description: str
) -> None:
    response = await raw(http, "sendPhoto", files={"photo": ("x.png", image, "image/png")}, chat_id=str(ANNA))
    assert refused(response) == description
    assert tg.messages(ANNA) == [] and tg.stats.photos_uploaded == 0


@pytest.mark.parametrize("image", [png_header(6000, 4000), png_header(2000, 100), jpeg_header(100, 2000),
                                   png_header(1000, 750) + bytes(10 * 1024 * 1024 - 33)])
async def test_photos_right_at_the_limits_pass(http: httpx.AsyncClient, image: bytes) -> None:
    response = await raw(http, "sendPhoto", files={"photo": ("x.png", image, "image/png")}, chat_id=str(ANNA))
    assert response.status_code == 200, response.text


async def test_a_caption_is_at_most_1024_characters_once_parsed(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await send_chart(bot, caption="x" * 1025)

    tagged = "<b>" + "x" * 1000 + "</b><i>" + "y" * 24 + "</i>"  # 1024 characters of text
    sent = await send_chart(bot, caption=tagged)
    assert sent.caption is not None and len(sent.caption) == 1024
    assert [(e.type, e.offset, e.length) for e in sent.caption_entities or []] == [("bold", 0, 1000),
                                                                                  ("italic", 1000, 24)]

    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await send_chart(bot, caption="<b>unclosed")
    assert tg.stats.photos_uploaded == 1


async def test_caption_entities_without_parse_mode(http: httpx.AsyncClient) -> None:
    response = await raw(http, "sendPhoto", files={"photo": ("p.png", CHART, "image/png")}, chat_id=str(ANNA),
                         caption="Week 10", caption_entities=[{"type": "italic", "offset": 0, "length": 4}])
    assert response.json()["result"]["caption_entities"] == [{"type": "italic", "offset": 0, "length": 4}]


async def test_send_photo_checks_the_chat_like_send_message(tg: FakeTelegram, bot: Bot) -> None:
    tg.block(ANNA)
    with pytest.raises(Exception, match="bot was blocked by the user"):
        await send_chart(bot)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_photo(424242, BufferedInputFile(CHART, "c.png"))


# --- editing a photo message ----------------------------------------------------------------


async def test_edit_message_media_switches_the_week(tg: FakeTelegram, bot: Bot) -> None:
    sent = await send_chart(bot)
    week_nine = png(1000, 750, noise=20, seed=9)

    edited = await bot.edit_message_media(
        InputMediaPhoto(media=BufferedInputFile(week_nine, "week9.png"), caption="<i>Week 9</i>: 40 h",
                        parse_mode="HTML"),
        chat_id=ANNA, message_id=sent.message_id,
        reply_markup=keyboard(("‹ Week 8", "week:8"), ("Week 10 ›", "week:10")),
    )

    assert not isinstance(edited, bool) and edited.photo is not None
    assert edited.photo[-1].file_unique_id != sent.photo[-1].file_unique_id  # type: ignore[index]
    assert edited.caption == "Week 9: 40 h" and edited.edit_date is not None
    message = tg.message(ANNA, sent.message_id)
    assert message is not None
    assert message.photo_bytes == week_nine and message.callback_data == ["week:8", "week:10"]
    assert [version.photo.data for version in message.versions] == [CHART, week_nine]  # type: ignore[union-attr]
    assert [version.text for version in message.versions] == ["Week 10: 38 h 30 min", "Week 9: 40 h"]
    assert tg.photo_bytes(sent.photo[-1].file_id) == CHART  # type: ignore[index]  # old file still there
    assert tg.stats.messages_edited == 1 and tg.stats.photos_uploaded == 2


async def test_edit_message_media_with_the_same_photo_caption_and_keyboard_is_not_modified(
    tg: FakeTelegram, bot: Bot
) -> None:
    sent = await send_chart(bot)
    assert sent.photo is not None
    same = InputMediaPhoto(media=sent.photo[-1].file_id, caption="<b>Week 10</b>: 38 h 30 min", parse_mode="HTML")

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_media(same, chat_id=ANNA, message_id=sent.message_id, reply_markup=week_keyboard())
    # Another of the same photo's sizes is the same file too.
    smaller = InputMediaPhoto(media=sent.photo[0].file_id, caption="<b>Week 10</b>: 38 h 30 min",
                              parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_media(smaller, chat_id=ANNA, message_id=sent.message_id,
                                     reply_markup=week_keyboard())

    # The same photo with another keyboard is an edit (not of the content: no edit_date).
    done = await bot.edit_message_media(same, chat_id=ANNA, message_id=sent.message_id)
    assert not isinstance(done, bool) and done.reply_markup is None and done.edit_date is None

    # The same bytes uploaded again are a new file, as on Telegram.
    again = await bot.edit_message_media(
        InputMediaPhoto(media=BufferedInputFile(CHART, "week.png"), caption="<b>Week 10</b>: 38 h 30 min",
                        parse_mode="HTML"),
        chat_id=ANNA, message_id=sent.message_id)
    assert not isinstance(again, bool) and again.edit_date is not None
    assert tg.stats.photos_uploaded == 2


async def test_edit_message_media_without_a_caption_drops_it(tg: FakeTelegram, bot: Bot) -> None:
    sent = await send_chart(bot)
    assert sent.photo is not None
    edited = await bot.edit_message_media(InputMediaPhoto(media=sent.photo[-1].file_id), chat_id=ANNA,
                                          message_id=sent.message_id, reply_markup=week_keyboard())
    assert not isinstance(edited, bool) and edited.caption is None
    assert tg.message(ANNA, sent.message_id).caption == ""  # type: ignore[union-attr]


async def test_edit_message_media_errors(tg: FakeTelegram, bot: Bot, http: httpx.AsyncClient) -> None:
    text = await bot.send_message(ANNA, "Week 10: 38 h 30 min", reply_markup=week_keyboard())
    with pytest.raises(TelegramBadRequest, match="there is no media in the message to edit"):
        await bot.edit_message_media(InputMediaPhoto(media=BufferedInputFile(CHART, "w.png")), chat_id=ANNA,
                                     message_id=text.message_id)
    assert tg.stats.photos_uploaded == 0 and not tg.message(ANNA, text.message_id).is_photo  # type: ignore[union-attr]

    photo = await send_chart(bot)
    missing = await raw(http, "editMessageMedia", chat_id=str(ANNA), message_id=str(photo.message_id),
                        media={"type": "photo", "media": "attach://nothing"})
    assert refused(missing) == "Bad Request: can't parse InputMedia: media not found"
    broken = await http.post(f"/bot{TOKEN}/editMessageMedia",
                             data={"chat_id": str(ANNA), "message_id": str(photo.message_id), "media": "{"})
    assert refused(broken) == "Bad Request: can't parse input media JSON object"
    video = await raw(http, "editMessageMedia", chat_id=str(ANNA), message_id=str(photo.message_id),
                      media={"type": "video", "media": photo.photo[-1].file_id})  # type: ignore[index]
    assert "only photos" in refused(video)
    gone = await raw(http, "editMessageMedia", chat_id=str(ANNA), message_id="999",
                     media={"type": "photo", "media": photo.photo[-1].file_id})  # type: ignore[index]
    assert refused(gone) == "Bad Request: message to edit not found"
    too_long = await raw(http, "editMessageMedia", chat_id=str(ANNA), message_id=str(photo.message_id),
                         media={"type": "photo", "media": photo.photo[-1].file_id,  # type: ignore[index]
                                "caption": "z" * 1025})
    assert refused(too_long) == "Bad Request: message caption is too long"
    bad_image = await raw(http, "editMessageMedia", files={"pic": ("p.png", b"nope", "image/png")},
                          chat_id=str(ANNA), message_id=str(photo.message_id),
                          media={"type": "photo", "media": "attach://pic"})
    assert refused(bad_image) == "Bad Request: IMAGE_PROCESS_FAILED"
    assert tg.message(ANNA, photo.message_id).photo_bytes == CHART  # type: ignore[union-attr]


async def test_edit_message_caption(tg: FakeTelegram, bot: Bot) -> None:
    sent = await send_chart(bot)

    edited = await bot.edit_message_caption(chat_id=ANNA, message_id=sent.message_id,
                                            caption="<u>Week 10</u> (so far)", parse_mode="HTML",
                                            reply_markup=week_keyboard())
    assert not isinstance(edited, bool)
    assert edited.caption == "Week 10 (so far)" and edited.photo == sent.photo
    assert tg.message(ANNA, sent.message_id).html == "<u>Week 10</u> (so far)"  # type: ignore[union-attr]

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_caption(chat_id=ANNA, message_id=sent.message_id,
                                       caption="<u>Week 10</u> (so far)", parse_mode="HTML",
                                       reply_markup=week_keyboard())
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.edit_message_caption(chat_id=ANNA, message_id=sent.message_id, caption="c" * 1025)

    text = await bot.send_message(ANNA, "plain")
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=ANNA, message_id=text.message_id, caption="new")


async def test_text_edits_keyboard_edits_and_deletes_on_a_photo_message(tg: FakeTelegram, bot: Bot) -> None:
    sent = await send_chart(bot)

    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("Week 10", chat_id=ANNA, message_id=sent.message_id)

    without = await bot.edit_message_reply_markup(chat_id=ANNA, message_id=sent.message_id)
    assert not isinstance(without, bool) and without.reply_markup is None
    assert without.photo == sent.photo and without.caption == sent.caption
    message = tg.message(ANNA, sent.message_id)
    assert message is not None and message.photo_bytes == CHART and message.buttons == []

    assert await bot.delete_message(ANNA, sent.message_id) is True
    assert tg.messages(ANNA) == [] and tg.message(ANNA, sent.message_id).deleted  # type: ignore[union-attr]


# --- users, flood control, inspection ---------------------------------------------------------


async def test_a_user_taps_a_button_on_a_photo(tg: FakeTelegram, bot: Bot) -> None:
    sent = await send_chart(bot)

    tg.click_button(ANNA, sent.message_id, "‹ Week 9")
    updates = await bot.get_updates()

    query = updates[-1].callback_query
    assert query is not None and query.data == "week:9"
    assert query.message is not None and query.message.photo == sent.photo  # type: ignore[union-attr]
    assert query.message.caption == "Week 10: 38 h 30 min"  # type: ignore[union-attr]

    edited = await bot.edit_message_media(InputMediaPhoto(media=BufferedInputFile(png(1000, 750), "9.png"),
                                                          caption="Week 9"),
                                          chat_id=ANNA, message_id=sent.message_id, reply_markup=week_keyboard())
    assert await tg.wait_for_message(ANNA, "Week 9") is tg.message(ANNA, sent.message_id)
    assert not isinstance(edited, bool)


async def test_send_photo_and_photo_edits_count_against_flood_limits() -> None:
    ticker = Ticker()
    async with FakeTelegram(token=TOKEN, monotonic=ticker) as tg:
        tg.user(ANNA)
        tg.set_rate_limits(per_chat_per_second=1, per_chat_burst=2)
        bot = tg.create_bot()
        try:
            await bot.send_message(ANNA, "one")
            sent = await send_chart(bot)
            with pytest.raises(TelegramRetryAfter):
                await send_chart(bot)
            ticker.now += 2
            await bot.edit_message_caption(chat_id=ANNA, message_id=sent.message_id, caption="a")
            await bot.edit_message_media(InputMediaPhoto(media=sent.photo[-1].file_id),  # type: ignore[index]
                                         chat_id=ANNA, message_id=sent.message_id)
            with pytest.raises(TelegramRetryAfter):
                await bot.edit_message_caption(chat_id=ANNA, message_id=sent.message_id, caption="b")
        finally:
            await bot.session.close()
        assert tg.stats.rate_limited == 2


async def test_get_file_and_the_download_route(tg: FakeTelegram, bot: Bot, http: httpx.AsyncClient) -> None:
    sent = await send_chart(bot)
    assert sent.photo is not None

    file = await bot.get_file(sent.photo[1].file_id)
    assert file.file_unique_id == sent.photo[1].file_unique_id and file.file_path
    downloaded = await bot.download(sent.photo[-1].file_id)
    assert downloaded is not None and downloaded.read() == CHART

    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")
    assert (await http.get(f"/file/bot{TOKEN}/{file.file_path}x")).status_code == 404
    assert (await http.get(f"/file/bot999:other/{file.file_path}")).status_code == 404


async def test_the_control_api_shows_photo_messages(tg: FakeTelegram, bot: Bot, http: httpx.AsyncClient) -> None:
    sent = await send_chart(bot)
    assert sent.photo is not None

    chat = (await http.get(f"/_fake/chat/{ANNA}")).json()
    shown = chat["messages"][-1]
    assert shown["caption"] == "Week 10: 38 h 30 min" and shown["html"] == "<b>Week 10</b>: 38 h 30 min"
    assert [size["file_id"] for size in shown["photo"]] == [size.file_id for size in sent.photo]
    assert shown["photo_mime_type"] == "image/png"
    assert [b["callback_data"] for b in shown["buttons"][0]] == ["week:9", "week:11"]
    assert shown["versions"][0]["photo"][-1]["file_id"] == sent.photo[-1].file_id

    image = await http.get(f"/_fake/files/{sent.photo[-1].file_id}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == CHART
    missing = await http.get("/_fake/files/AgACnothing")
    assert missing.status_code == 404 and missing.json()["ok"] is False

    events = (await http.get("/_fake/events")).json()["events"]
    assert events[-1]["type"] == "message_sent" and events[-1]["message"]["photo"][-1]["width"] == 1000
    with pytest.raises(KeyError):
        tg.photo_bytes("AgACnothing")
    assert tg.stored_photo(sent.photo[0].file_id) is tg.last_message(ANNA).photo  # type: ignore[union-attr]
