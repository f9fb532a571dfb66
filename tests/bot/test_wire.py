"""What the bot puts on the wire, as the fake Telegram server receives it."""

from __future__ import annotations

from bot.app import create_sender_bot
from workday_sandbox.telegram.server import FakeTelegram
from tests.bot.fixtures import make_settings


async def test_link_previews_are_off_the_current_way(polling: FakeTelegram) -> None:
    anna = polling.user(7301, "Anna", language_code="en")
    polling.send_text(anna, "/help")
    await polling.wait_for_message(anna, "/status", timeout=15)
    params = polling.calls_to("sendMessage")[-1].params
    assert params.get("link_preview_options") == {"is_disabled": True}
    assert "disable_web_page_preview" not in params  # deprecated since Bot API 7.0


async def test_the_reminder_sender_too(polling: FakeTelegram) -> None:
    polling.user(7302, "Boris")
    sender = create_sender_bot(make_settings(api_base=polling.base_url))
    try:
        await sender.send_message(7302, "Time for a break")
    finally:
        await sender.session.close()
    params = polling.calls_to("sendMessage")[-1].params
    assert params.get("link_preview_options") == {"is_disabled": True}
    assert "disable_web_page_preview" not in params
