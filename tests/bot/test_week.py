"""/week through the production dispatcher: a chart with its figures, weeks to either side,
the card's "done at" line, and what happens when a chart or Bitrix24 is not there."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone

from redis.asyncio import Redis
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import User

from bot.clock import ManualClock
from bot.reminders.engine import Notice, NoticeKind
from bot.reminders.models import Kind
from bot.storage.keys import KeySpace
from bot.storage.pacing import Pacer
from bot.telegram.sender import PacedSender
from bot.telegram.weekly_summary import WeeklySummaries
from tests.bot.fixtures import ANNA_B24, ANNA_TG, BOT_TOKEN
from tests.bot.flows import link
from tests.bot.harness import Harness
from workday_sandbox.portal.emulator import PortalEmulator


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


async def a_day(harness: Harness, anna: User, clock: ManualClock, hours: float) -> None:
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=hours))
    await harness.say(anna, "/close")


async def test_week_is_a_chart_whose_caption_carries_the_figures(
        harness: Harness, anna: User, clock: ManualClock) -> None:
    await a_day(harness, anna, clock, 9)  # Monday 2 March: 08:00–17:00 UTC
    clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=timezone.utc))
    await harness.say(anna, "/open")
    clock.advance(timedelta(hours=3))
    week = await harness.say(anna, "/week")
    assert week.photo is not None and png_size(week.photo) == (900, 900)
    assert "Mon, 2 Mar" in week.text and "Sun, 8 Mar" in week.text
    assert "Worked <b>12 h</b> of 40 h" in week.text  # 9 h on Monday, 3 h so far today
    assert "Balance so far: <b>+1 h</b>" in week.text  # Monday's hour over; today is still running
    assert "done at <b>17:00</b>, 5 h to go" in week.text  # 16:00 UTC, in Anna's Berlin
    assert [label for label, _ in week.buttons] == ["◀ Earlier", "Later ▶", "🔄 Refresh"]


async def test_earlier_and_later_weeks_edit_the_chart_in_place(
        harness: Harness, anna: User, clock: ManualClock) -> None:
    await a_day(harness, anna, clock, 8)
    week = await harness.say(anna, "/week")
    this_week = week.photo
    earlier = await harness.tap(anna, week, week.button("Earlier"))
    assert earlier.message_id == week.message_id and earlier.photo != this_week
    assert "Mon, 23 Feb" in earlier.text and "Worked <b>0 min</b> of 40 h" in earlier.text
    assert [[b["text"] for b in row] for row in earlier.markup["inline_keyboard"]] == [
        ["◀ Earlier", "Later ▶"], ["This week", "🔄 Refresh"]]  # two to a row: a phone shows them whole
    later = await harness.tap(anna, earlier, earlier.button("Later"))
    later = await harness.tap(anna, later, later.button("Later"))
    assert "Mon, 9 Mar" in later.text and "Target: <b>40 h</b>" in later.text
    assert "Later ▶" not in [label for label, _ in later.buttons]  # next week is as far as it goes
    assert len(harness.session.calls("editMessageMedia")) == 3


async def test_a_forged_week_shows_this_week(harness: Harness, anna: User) -> None:
    week = await harness.say(anna, "/week")
    odd = await harness.tap(anna, week, "wk:1:0")  # 1 January of year 1
    assert "Mon, 2 Mar" in odd.text


async def test_the_day_card_opens_the_week_in_a_new_message(
        harness: Harness, anna: User, clock: ManualClock) -> None:
    card = await harness.say(anna, "/open")
    await harness.tap(anna, card, card.button("Week"))
    week = harness.session.last(ANNA_TG)
    assert week.message_id != card.message_id and week.photo is not None
    assert harness.session.messages[(card.chat_id, card.message_id)].photo is None  # the card stays


async def test_the_card_says_when_the_minimum_is_done(harness: Harness, anna: User, clock: ManualClock) -> None:
    await harness.say(anna, "/week")  # the targets are read (at link time, or here) and kept
    card = await harness.say(anna, "/open")
    assert "🏁 Done at 17:00 (8 h)" in card.text  # started 09:00 in Berlin
    clock.advance(timedelta(hours=8, minutes=5))
    card = await harness.say(anna, "/status")
    assert "✅ 8 h done at 17:00" in card.text


async def test_a_repaired_day_counts_in_its_week(harness: Harness, anna: User, portal: PortalEmulator,
                                                clock: ManualClock) -> None:
    portal.seed_day(ANNA_B24, datetime(2026, 2, 27, 8, 0, tzinfo=timezone.utc))  # Friday, left open
    card = await harness.say(anna, "/status")
    assert "still open" in card.text or "not closed" in card.text.lower()
    week = await harness.say(anna, "/week")
    earlier = await harness.tap(anna, week, week.button("Earlier"))
    assert "still open in Bitrix24" in earlier.text
    asked = await harness.tap(anna, card, card.button("Close at"))
    reason = await harness.tap(anna, asked, asked.buttons[0][1])
    assert "closed" in reason.text.lower()
    again = await harness.tap(anna, earlier, earlier.button("Refresh"))
    assert "still open in Bitrix24" not in again.text
    assert "Worked <b>9 h</b> of 40 h" in again.text  # 08:00 to the suggested 17:00


async def test_without_a_chart_the_week_comes_as_text(harness: Harness, anna: User, clock: ManualClock) -> None:
    harness.services.week_charts._available = False  # noqa: SLF001 - as on a system without matplotlib
    await a_day(harness, anna, clock, 8)
    week = await harness.say(anna, "/week")
    assert week.photo is None
    assert "Mon, 2 Mar" in week.text and "Worked <b>8 h</b> of 40 h" in week.text
    earlier = await harness.tap(anna, week, week.button("Earlier"))
    assert earlier.message_id == week.message_id and "Mon, 23 Feb" in earlier.text


async def test_with_bitrix24_down_and_no_targets_kept_the_week_says_so(
        harness: Harness, anna: User, portal: PortalEmulator) -> None:
    await harness.services.worktime.forget(ANNA_B24)  # nothing kept from the link
    await portal.stop()
    reply = await harness.say(anna, "/week")
    assert "Bitrix24 is not answering" in reply.text and "Nothing was changed" in reply.text
    assert reply.buttons and "Try again" in reply.buttons[0][0]


async def test_unlink_erases_the_journal_and_the_targets(harness: Harness, anna: User, clock: ManualClock,
                                                        redis: Redis) -> None:
    await a_day(harness, anna, clock, 8)
    await harness.say(anna, "/week")
    assert await redis.exists(f"test:journal:{ANNA_B24}", f"test:targets:{ANNA_B24}") == 2
    asked = await harness.say(anna, "/unlink")
    await harness.tap(anna, asked, asked.button("Unlink"))
    assert await redis.exists(f"test:journal:{ANNA_B24}", f"test:targets:{ANNA_B24}") == 0


async def test_the_weekly_summary_sends_the_week_without_reading_the_day_again(
        harness: Harness, anna: User, clock: ManualClock, portal: PortalEmulator, redis: Redis) -> None:
    await a_day(harness, anna, clock, 9)
    [weekly] = [r for r in await harness.repos.reminders.for_user(ANNA_TG) if r.kind is Kind.WEEKLY]
    sender = PacedSender(Bot(BOT_TOKEN, session=harness.session.sibling(),
                             default=DefaultBotProperties(parse_mode=ParseMode.HTML)), Pacer(redis), KeySpace("test"))
    summaries = WeeklySummaries(worktime=harness.services.worktime, charts=harness.services.week_charts,
                                sender=sender, profiles=harness.repos.profiles, links=harness.repos.links,
                                clock=clock, default_zone="Europe/Berlin")
    day = await harness.services.workday.status(ANNA_B24)  # what the engine's batch read
    before = portal.request_count()
    notice = Notice(kind=NoticeKind.WEEKLY_SUMMARY, telegram_id=ANNA_TG, reminder=weekly,
                    scheduled=clock.now(), day=day.day)
    assert await summaries(notice) is True
    sent = harness.session.last(ANNA_TG)
    assert sent.photo is not None and png_size(sent.photo) == (900, 900)
    assert sent.text.startswith("📊 Your week so far\n📅 <b>Week: Mon, 2 Mar")
    assert "Worked <b>9 h</b> of 40 h" in sent.text
    assert portal.request_count() == before  # the day came with the notice; the targets were kept


async def test_earlier_stops_at_the_oldest_week_the_journal_still_holds_whole(
        harness: Harness, anna: User, clock: ManualClock) -> None:
    week = await harness.say(anna, "/week")
    for _ in range(20):
        if "Earlier" not in str(week.buttons):
            break
        clock.advance(timedelta(seconds=2))  # a person's pace, not a flood the throttle stops
        week = await harness.tap(anna, week, week.button("Earlier"))
    # 12 weeks back from Mon 2 Mar: the journal keeps 13 weeks from its newest day, so the
    # week before would already have lost its first days.
    assert "Week: Mon, 8 Dec" in week.text
