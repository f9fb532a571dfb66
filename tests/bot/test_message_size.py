"""Every reply fits in one Telegram message: user input is never echoed unbounded, long
lists come in pages, and one guard on the session shortens anything still too long."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram.types import User

from workday_sandbox.telegram.html import parse_html, strip_text
from tests.bot.fixtures import ADMIN_TG, ANNA_TG
from tests.bot.flows import link
from tests.bot.harness import Harness

LONG = "x" * 4000


def visible(html_text: str) -> str:
    text, entities = parse_html(html_text)
    return strip_text(text, entities)[0]


@pytest.mark.parametrize("command", [f"/remind 13:00 {LONG}", f"/remind {LONG}", f"/timezone {LONG}",
                                     f"/timezone Europe/{LONG}"])
async def test_a_long_argument_gets_a_short_answer(harness: Harness, anna: User, command: str) -> None:
    sent_before = len(harness.session.by_chat[ANNA_TG])
    reply = await harness.say(anna, command)
    assert len(harness.session.by_chat[ANNA_TG]) == sent_before + 1  # the answer got through
    assert "x" * 100 not in reply.text
    assert "xxx…" in reply.text  # the start of what was typed is shown, shortened


async def test_links_come_in_pages_that_fit(harness: Harness, redis) -> None:
    links = harness.repos.links
    count = 61
    for number in range(count):
        await links.link(8000 + number, 100 + number, name=f"Employee {number:02d} " + "Долгое имя " * 20,
                         at=datetime(2026, 3, 1, tzinfo=UTC))
    admin = harness.updates.user(ADMIN_TG)
    seen: set[int] = set()
    page = await harness.say(admin, "/links")
    pages = 1
    while True:
        assert len(visible(page.text)) <= 4096
        seen |= {number for number in range(count) if f"Employee {number:02d}" in page.text}
        if "/links " not in page.text:
            break
        next_command = page.text.split("/links ")[1].split()[0].strip("<>/.")
        page = await harness.say(admin, f"/links {next_command}")
        pages += 1
        assert pages <= 10
    assert seen == set(range(count))
    assert pages > 1
    assert f"{count}" in (await harness.say(admin, "/links")).text  # the header says how many in all


async def test_links_page_out_of_range(harness: Harness) -> None:
    admin = harness.updates.user(ADMIN_TG)
    await harness.repos.links.link(8100, 200, name="Solo", at=datetime(2026, 3, 1, tzinfo=UTC))
    reply = await harness.say(admin, "/links 99")
    assert "Solo" in reply.text or "page" in reply.text.lower()
    reply = await harness.say(admin, "/links " + "9" * 500)
    assert len(visible(reply.text)) <= 4096


async def test_any_message_too_long_is_shortened_not_lost(harness: Harness) -> None:
    """The guard on the session, for a reply no handler bounded."""
    text = "<b>Report</b>\n" + "\n".join(f"line {n}: <i>{'z' * 80}</i>" for n in range(100))
    await harness.bot.send_message(ANNA_TG, text)
    sent = harness.session.last(ANNA_TG)
    assert len(visible(sent.text)) <= 4096 and visible(sent.text).endswith("…")
    edited = await harness.bot.edit_message_text(text.replace("Report", "Edited"), chat_id=ANNA_TG,
                                                 message_id=sent.message_id)
    assert len(visible(edited.text)) <= 4096


async def test_a_tap_answer_is_kept_to_200_characters(harness: Harness) -> None:
    await harness.bot.answer_callback_query("q-long", text="Long note. " * 40)
    text, _alert = harness.session.answered["q-long"]
    assert text is not None and len(text) <= 200 and text.endswith("…")
