"""/week on the wire: the production bot polling the fake Telegram server over HTTP, with
Telegram's limits, sends a real PNG and swaps it in place for another week."""

from __future__ import annotations

import struct

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.telegram.flood import TELEGRAM_FLOOD_LIMITS
from workday_sandbox.telegram.server import FakeTelegram
from tests.bot.fixtures import ANNA_B24, ANNA_TG
from tests.bot.flows import latest_code


async def test_week_arrives_as_a_photo_and_earlier_swaps_it(polling: FakeTelegram, portal: PortalEmulator) -> None:
    telegram = polling
    telegram.set_rate_limits(**TELEGRAM_FLOOD_LIMITS)  # Telegram's own flood limits
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    telegram.send_text(anna, "/link anna@example.com")
    await telegram.wait_for_message(anna, "6-digit code", timeout=15)
    telegram.send_text(anna, latest_code(portal, ANNA_B24))
    await telegram.wait_for_message(anna, "Linked to", timeout=15)
    telegram.send_text(anna, "/week")
    week = await telegram.wait_for_message(anna, "Week: Mon, 2 Mar", timeout=20)
    assert week.is_photo and week.photo_bytes is not None
    png = week.photo_bytes
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (900, 900)
    assert telegram.photo_bytes(week.photo_file_id) == png
    assert "<b>Worked" not in week.caption and "Worked 0 min of 40 h" in week.caption  # entities parsed
    telegram.click_button(anna, week, "Earlier")
    earlier = await telegram.wait_for_message(anna, "Week: Mon, 23 Feb", timeout=20)
    assert earlier.message_id == week.message_id and earlier.photo_bytes != png
    # Quick taps meet Telegram's per-chat limit: a 429 is waited out and the edit retried.
    statuses = [call.status for call in telegram.calls_to("editMessageMedia")]
    assert statuses[-1] == 200 and set(statuses[:-1]) <= {429}
