""""I left at…" on the forgot-to-close nudge: close today's day at an earlier time, with the
reason Bitrix24 wants for a changed time, through the production dispatcher against the portal
emulator. The harness clock starts on Monday 2 March 2026, 09:00 in Berlin (CET, UTC+1)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from aiogram.types import User

from bot.clock import ManualClock
from bot.reminders.engine import NoticeKind
from bot.reminders.models import Kind, ReminderDraft
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bot.fixtures import ANNA_B24
from tests.bot.harness import Harness, SentMessage
from tests.bot.test_reminder_prompts import create, labels, send_notice

START_0900 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
EVENING_1930 = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


async def nudge(harness: Harness, portal: PortalEmulator, clock: ManualClock, *, paused_at: datetime | None = None,
                language: str = "en") -> SentMessage:
    """Anna's day runs since 09:00 (or is paused); at 19:30 the forgot-to-close check comes."""
    if paused_at is None:
        portal.seed_day(ANNA_B24, start=START_0900)
    else:
        portal.seed_day(ANNA_B24, start=START_0900, status="PAUSED", paused_at=paused_at)
    clock.set(EVENING_1930)
    reminder = await create(harness, ReminderDraft(kind=Kind.CLOSE, at=time(19, 30)))
    return await send_notice(harness, clock, NoticeKind.CLOSE_NUDGE, reminder, language=language)


def finished_at(portal: PortalEmulator) -> datetime:
    record = portal.record_of(ANNA_B24)
    assert record is not None and record.finish is not None
    return record.finish


async def test_the_nudge_offers_i_left_at_in_two_rows_of_its_own(harness: Harness, portal: PortalEmulator,
                                                                 anna: User, clock: ManualClock) -> None:
    message = await nudge(harness, portal, clock)
    assert "tap 🕔 if you left earlier" in message.text
    assert labels(message)[-2:] == [["🕔 I left at…"], ["⏰ In 1 h", "⏰ In 2 h"]]
    ru = await send_notice(harness, clock, NoticeKind.CLOSE_NUDGE,
                           (await harness.services.reminders.list(anna.id))[0].reminder, language="ru")
    assert "нажмите 🕔, если ушли раньше" in ru.text
    assert labels(ru)[-2:] == [["🕔 Время ухода…"], ["⏰ Через 1 ч", "⏰ Через 2 ч"]]


async def test_a_typed_time_and_the_one_tap_reason_close_the_day_then(harness: Harness, portal: PortalEmulator,
                                                                      anna: User, clock: ManualClock) -> None:
    message = await nudge(harness, portal, clock)
    asked = await harness.tap(anna, message, message.button("I left at"))
    assert "When did you leave today?" in asked.text and "09:00" in asked.text
    assert "before the day started (09:00)" in (await harness.say(anna, "08:30")).text
    assert "hasn't come yet" in (await harness.say(anna, "20:00")).text
    assert "send a time like" in (await harness.say(anna, "after lunch")).text
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"

    reason_prompt = await harness.say(anna, "6pm")
    assert "at <b>18:00</b>" in reason_prompt.text and "reason" in reason_prompt.text
    done = await harness.tap(anna, reason_prompt, reason_prompt.button("Forgot to close"))
    assert "Day closed" in done.text and "Finished: 18:00" in done.text
    assert "report" not in done.text  # a reason for the time, not a report of the day
    record = portal.record_of(ANNA_B24)
    assert record is not None and record.status == "CLOSED"
    assert finished_at(portal) == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert record.report == "Forgot to close the day"
    assert portal.status_of(ANNA_B24)["TIME_FINISH"].startswith("2026-03-02T18:00:00")


async def test_a_typed_reason_is_the_report_in_russian_too(harness: Harness, portal: PortalEmulator,
                                                           anna: User, clock: ManualClock) -> None:
    menu = await harness.say(anna, "/language")
    await harness.tap(anna, menu, menu.button("Русский"))
    message = await nudge(harness, portal, clock, language="ru")
    asked = await harness.tap(anna, message, message.button("Время ухода"))
    assert "Во сколько вы сегодня ушли?" in asked.text
    reason_prompt = await harness.say(anna, "18.00")
    assert "в <b>18:00</b>" in reason_prompt.text and reason_prompt.button("Забыл закрыть")
    done = await harness.say(anna, "Ушла к врачу, не отметилась")
    assert "Рабочий день завершён" in done.text
    record = portal.record_of(ANNA_B24)
    assert record is not None and record.status == "CLOSED"
    assert record.report == "Ушла к врачу, не отметилась"
    assert finished_at(portal) == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


async def test_a_paused_day_closes_at_the_time_and_the_break_runs_up_to_it(
        harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock) -> None:
    message = await nudge(harness, portal, clock, paused_at=datetime(2026, 3, 2, 16, 0, tzinfo=UTC))  # 17:00
    asked = await harness.tap(anna, message, message.button("I left at"))
    reason_prompt = await harness.say(anna, "17:30")
    done = await harness.tap(anna, reason_prompt, reason_prompt.button("Forgot to close"))
    assert "Day closed" in done.text and "Finished: 17:30" in done.text
    record = portal.record_of(ANNA_B24)
    assert record is not None and record.status == "CLOSED"
    assert finished_at(portal) == datetime(2026, 3, 2, 16, 30, tzinfo=UTC)
    assert record.time_leaks == 30 * 60 and record.report == "Forgot to close the day"
    assert "When did you leave" in asked.text


async def test_a_day_closed_meanwhile_is_said_so_and_left_alone(harness: Harness, portal: PortalEmulator,
                                                                anna: User, clock: ManualClock) -> None:
    message = await nudge(harness, portal, clock)
    await harness.services.workday.close(ANNA_B24)  # closed elsewhere, at 19:30
    tapped = await harness.tap(anna, message, message.button("I left at"))
    assert "already closed" in tapped.text and "Finished: 19:30" in tapped.text
    assert "When did you leave" not in tapped.text


async def test_a_day_closed_between_the_time_and_the_reason_is_not_closed_again(
        harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock) -> None:
    message = await nudge(harness, portal, clock)
    asked = await harness.tap(anna, message, message.button("I left at"))
    reason_prompt = await harness.say(anna, "18:00")
    await harness.services.workday.close(ANNA_B24)  # closed elsewhere, at 19:30
    done = await harness.tap(anna, reason_prompt, reason_prompt.button("Forgot to close"))
    assert "already closed" in done.text and "When did you leave" in asked.text
    assert finished_at(portal) == EVENING_1930


async def test_a_day_that_expired_meanwhile_goes_to_the_repair(harness: Harness, portal: PortalEmulator,
                                                               anna: User, clock: ManualClock) -> None:
    message = await nudge(harness, portal, clock)
    clock.set(EVENING_1930 + timedelta(days=1))  # the next evening: that day is now EXPIRED
    asked = await harness.tap(anna, message, message.button("I left at"))
    assert "was never closed" in asked.text and "When did you finish on Mon, 2 Mar" in asked.text
    reason_prompt = await harness.say(anna, "18:00")
    done = await harness.tap(anna, reason_prompt, reason_prompt.button("Forgot to close"))
    assert "is closed at 18:00" in done.text and "You can start today now" in done.text
    assert finished_at(portal) == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


async def test_a_reason_question_left_behind_never_closes_the_day_later(
        harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock) -> None:
    message = await nudge(harness, portal, clock)
    asked = await harness.tap(anna, message, message.button("I left at"))
    await harness.say(anna, "6pm")
    await harness.say(anna, "/status")
    assert "18:00" in asked.text or "When did you leave" in asked.text
    await harness.say(anna, "all good, thanks")
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_a_failed_earlier_close_offers_no_retry_that_closes_now(
        harness: Harness, portal: PortalEmulator, anna: User, clock: ManualClock) -> None:
    message = await nudge(harness, portal, clock)
    asked = await harness.tap(anna, message, message.button("I left at"))
    reason_prompt = await harness.say(anna, "6pm")
    portal.faults.inject("http_503", method="timeman.close", times=10)
    failed = await harness.tap(anna, reason_prompt, reason_prompt.button("Forgot to close"))
    assert "not" in failed.text.lower() and asked.text
    portal.faults.clear()
    assert not [label for label, _ in failed.buttons if "Try again" in label]
    assert portal.status_of(ANNA_B24)["STATUS"] == "OPENED"


async def test_a_stale_cancel_does_not_say_a_closed_day_is_open(harness: Harness, portal: PortalEmulator,
                                                                 anna: User, clock: ManualClock) -> None:
    message = await nudge(harness, portal, clock)
    asked = await harness.tap(anna, message, message.button("I left at"))
    await harness.say(anna, "/close")
    assert portal.status_of(ANNA_B24)["STATUS"] == "CLOSED"
    cancelled = await harness.tap(anna, asked, asked.button("Cancel"))
    assert "still open" not in cancelled.text
    assert "Day finished" in cancelled.text
