"""A photo from the bot on the sandbox page, in the system's headless Chromium: the picture
loads from the page's own server, its caption keeps its formatting, its buttons work, an
editMessageMedia swaps the picture in place, and it fits a phone-wide chat.

The page, the fake Telegram and the portal run in-process (the `sandbox` fixture of the
page's API tests); the bot's side is an aiogram `Bot` pointed at the fake.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.async_api", reason="playwright is a test dependency: pip install -e .[test]")
from aiogram.types import BufferedInputFile, InputMediaPhoto  # noqa: E402
from playwright.async_api import Browser, Locator, expect  # noqa: E402

from tests.e2e.test_sandbox_browser import browser  # noqa: E402, F401
from tests.sandbox.test_sandbox_web import ANNA_TG, Sandbox, sandbox  # noqa: E402, F401
from tests.sandbox.test_sandbox_web_photos import WEEK_9, WEEK_10, weeks  # noqa: E402

pytestmark = pytest.mark.slow
WAIT = 10_000  # ms


async def loaded_width(image: Locator) -> int:
    """The image's own width once the browser has fetched and decoded it (decode() fails
    for an image that did not load)."""
    return await image.evaluate("img => img.decode().then(() => img.naturalWidth)")


async def test_a_weekly_chart_shows_switches_and_fits_a_phone(sandbox: Sandbox, browser: Browser):
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    bot = sandbox.telegram.create_bot()
    try:
        await page.goto(sandbox.base + "/#employee-1")
        await expect(page.get_by_test_id("chat-as")).to_contain_text("Anna Berg")

        sent = await bot.send_photo(ANNA_TG, BufferedInputFile(WEEK_10, "week.png"),
                                    caption="<b>Week 10</b>: 38 h", parse_mode="HTML", reply_markup=weeks(9, 11))
        card = page.locator(f'[data-testid="message"][data-message-id="{sent.message_id}"]')
        image = card.get_by_test_id("message-photo")
        await expect(image).to_be_visible(timeout=WAIT)
        await expect(image).to_have_attribute("data-file-id", sent.photo[-1].file_id)  # type: ignore[index]
        assert await loaded_width(image) == 1000
        caption = card.get_by_test_id("message-text")
        await expect(caption).to_have_text("Week 10: 38 h")
        await expect(caption.locator("b")).to_have_text("Week 10")
        caption_box, image_box = await caption.bounding_box(), await image.bounding_box()
        assert caption_box and image_box and caption_box["y"] >= image_box["y"] + image_box["height"] - 1
        await expect(card.get_by_test_id("inline-button")).to_have_text(["‹ Week 9", "Week 11 ›"])

        await card.get_by_test_id("inline-button").filter(has_text="Week 9").click()
        [query] = await sandbox.telegram.wait_for(
            lambda: [u["callback_query"] for u in sandbox.telegram.pending_updates if "callback_query" in u])
        assert query["data"] == "week:9" and query["message"]["message_id"] == sent.message_id

        edited = await bot.edit_message_media(
            InputMediaPhoto(media=BufferedInputFile(WEEK_9, "week9.png"), caption="<i>Week 9</i>: 40 h",
                            parse_mode="HTML"),
            chat_id=ANNA_TG, message_id=sent.message_id, reply_markup=weeks(8, 10))
        assert not isinstance(edited, bool) and edited.photo is not None
        await expect(image).to_have_attribute("data-file-id", edited.photo[-1].file_id, timeout=WAIT)
        assert await loaded_width(image) == 1000
        await expect(caption).to_have_text("Week 9: 40 h")
        await expect(caption.locator("i")).to_have_text("Week 9")
        await expect(card.get_by_test_id("inline-button")).to_have_text(["‹ Week 8", "Week 10 ›"])
        await expect(card.get_by_test_id("message-edited")).to_be_visible()

        await page.set_viewport_size({"width": 390, "height": 844})
        log_box, image_box = await page.get_by_test_id("chat-log").bounding_box(), await image.bounding_box()
        assert log_box and image_box and image_box["width"] > 200
        assert image_box["x"] >= log_box["x"] and image_box["x"] + image_box["width"] <= log_box["x"] + log_box["width"]
        assert abs(image_box["width"] / image_box["height"] - 1000 / 750) < 0.02  # not squashed

        assert all(url.startswith(sandbox.base) for url in requests), requests  # no other network
        assert errors == []
    finally:
        await bot.session.close()
        await page.close()
