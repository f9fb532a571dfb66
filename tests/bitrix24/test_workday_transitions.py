"""Every cell of the transition table (docs/bitrix24.md#transition-table), through the client, over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.bitrix24 import Bitrix24, InvalidArgumentError, WorkdayStatus
from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.fixtures import BOB

BERLIN_WINTER = timezone(timedelta(hours=1))


def berlin(hour: int, minute: int = 0, second: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=BERLIN_WINTER)


async def opened_at_0800(b24: Bitrix24) -> None:
    day = await b24.workday.open(BOB)
    assert day.status is WorkdayStatus.OPENED


# --- no record -----------------------------------------------------------------------

async def test_no_record_status_is_bare_closed(b24: Bitrix24) -> None:
    day = await b24.workday.status(BOB)
    assert day.status is WorkdayStatus.CLOSED and not day.has_record


async def test_no_record_open_starts_a_day(b24: Bitrix24) -> None:
    day = await b24.workday.open(BOB)
    assert day.status is WorkdayStatus.OPENED
    assert day.started_at == berlin(8)
    assert day.tz_offset == timedelta(hours=1)
    assert day.active is True


async def test_no_record_open_with_time_starts_at_that_wall_clock(b24: Bitrix24) -> None:
    # Only the wall clock counts; it is placed in the user's zone (docs/bitrix24.md#open-with-a-time).
    day = await b24.workday.open(BOB, at=datetime(2026, 3, 2, 7, 45, 1, tzinfo=UTC), report="late entry")
    assert day.status is WorkdayStatus.OPENED
    assert day.started_at == berlin(7, 45, 1)


async def test_no_record_pause_is_a_silent_no_op(b24: Bitrix24) -> None:
    day = await b24.workday.pause(BOB)
    assert day.status is WorkdayStatus.CLOSED and not day.has_record


async def test_no_record_close_is_refused(b24: Bitrix24) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.close(BOB)
    assert caught.value.code == "ALERT_WARNING"
    assert caught.value.description == "Cannot perform this action"


async def test_no_record_close_with_time_is_refused(b24: Bitrix24) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.close(BOB, at=berlin(7, 30), report="x")
    assert caught.value.code in ("WRONG_DATETIME", "ALERT_WARNING")


# --- OPENED --------------------------------------------------------------------------

async def test_opened_open_is_a_no_op(b24: Bitrix24, clock: ManualClock) -> None:
    await opened_at_0800(b24)
    clock.advance(timedelta(hours=1))
    day = await b24.workday.open(BOB)
    assert day.status is WorkdayStatus.OPENED and day.started_at == berlin(8)


async def test_opened_open_with_time_is_ignored(b24: Bitrix24, clock: ManualClock) -> None:
    await opened_at_0800(b24)
    clock.advance(timedelta(hours=1))
    day = await b24.workday.open(BOB, at=berlin(6), report="earlier")
    assert day.status is WorkdayStatus.OPENED and day.started_at == berlin(8)


async def test_opened_pause_pauses(b24: Bitrix24, clock: ManualClock) -> None:
    await opened_at_0800(b24)
    clock.advance(timedelta(hours=4))
    day = await b24.workday.pause(BOB)
    assert day.status is WorkdayStatus.PAUSED
    assert day.paused_at == berlin(12)  # the server stores the pause moment as TIME_FINISH
    assert day.duration == timedelta(0)
    assert day.worked(clock.now() + timedelta(minutes=30)) == timedelta(hours=4)


async def test_opened_close_closes(b24: Bitrix24, clock: ManualClock) -> None:
    await opened_at_0800(b24)
    clock.advance(timedelta(hours=9))
    day = await b24.workday.close(BOB)
    assert day.status is WorkdayStatus.CLOSED
    assert day.finished_at == berlin(17)
    assert day.duration == timedelta(hours=9)


async def test_opened_close_with_time_needs_a_report(b24: Bitrix24, clock: ManualClock) -> None:
    await opened_at_0800(b24)
    clock.advance(timedelta(hours=9))
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.close(BOB, at=berlin(16))
    assert caught.value.code == "REPORT_NEEDED"
    day = await b24.workday.close(BOB, at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC), report="left early")
    assert day.status is WorkdayStatus.CLOSED
    assert day.finished_at == berlin(16)  # converted to the day-start offset
    assert day.duration == timedelta(hours=8)


async def test_close_with_time_far_from_now_needs_approval(b24: Bitrix24, clock: ManualClock) -> None:
    await opened_at_0800(b24)
    clock.advance(timedelta(hours=9))
    day = await b24.workday.close(BOB, at=berlin(14), report="forgot")
    assert day.status is WorkdayStatus.CLOSED and day.active is False


# --- PAUSED --------------------------------------------------------------------------

async def paused_at_1200(b24: Bitrix24, clock: ManualClock) -> None:
    await opened_at_0800(b24)
    clock.advance(timedelta(hours=4))
    assert (await b24.workday.pause(BOB)).status is WorkdayStatus.PAUSED


async def test_paused_open_resumes_and_counts_the_break(b24: Bitrix24, clock: ManualClock) -> None:
    await paused_at_1200(b24, clock)
    clock.advance(timedelta(minutes=45))
    day = await b24.workday.open(BOB)
    assert day.status is WorkdayStatus.OPENED
    assert day.breaks == timedelta(minutes=45)
    assert day.finished_at is None
    assert day.worked(clock.now()) == timedelta(hours=4)


async def test_paused_open_with_time_is_refused(b24: Bitrix24, clock: ManualClock) -> None:
    await paused_at_1200(b24, clock)
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.open(BOB, at=berlin(12, 30), report="x")
    assert caught.value.code == "TIME"


async def test_paused_pause_is_a_no_op(b24: Bitrix24, clock: ManualClock) -> None:
    await paused_at_1200(b24, clock)
    clock.advance(timedelta(minutes=10))
    day = await b24.workday.pause(BOB)
    assert day.status is WorkdayStatus.PAUSED and day.paused_at == berlin(12)


async def test_paused_close_counts_the_pause_as_break(b24: Bitrix24, clock: ManualClock) -> None:
    await paused_at_1200(b24, clock)
    clock.advance(timedelta(minutes=30))
    day = await b24.workday.close(BOB)
    assert day.status is WorkdayStatus.CLOSED
    assert day.breaks == timedelta(minutes=30)
    assert day.duration == timedelta(hours=4)


async def test_paused_close_with_time(b24: Bitrix24, clock: ManualClock) -> None:
    await paused_at_1200(b24, clock)
    clock.advance(timedelta(hours=2))
    day = await b24.workday.close(BOB, at=berlin(13), report="went home at 13")
    assert day.status is WorkdayStatus.CLOSED
    assert day.finished_at == berlin(13)
    assert day.breaks == timedelta(hours=1)
    assert day.duration == timedelta(hours=4)


# --- CLOSED --------------------------------------------------------------------------

async def closed_at_1200(b24: Bitrix24, clock: ManualClock) -> None:
    await opened_at_0800(b24)
    clock.advance(timedelta(hours=4))
    assert (await b24.workday.close(BOB)).status is WorkdayStatus.CLOSED


async def test_closed_same_day_open_reopens_and_counts_the_gap_as_break(
    b24: Bitrix24, clock: ManualClock
) -> None:
    await closed_at_1200(b24, clock)
    clock.advance(timedelta(hours=1))
    day = await b24.workday.open(BOB)
    assert day.status is WorkdayStatus.OPENED
    assert day.started_at == berlin(8)
    assert day.breaks == timedelta(hours=1)
    assert day.duration == timedelta(0) and day.finished_at is None


async def test_closed_same_day_open_with_time_is_refused(b24: Bitrix24, clock: ManualClock) -> None:
    await closed_at_1200(b24, clock)
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.open(BOB, at=berlin(12, 30), report="x")
    assert caught.value.code == "TIME"


async def test_closed_pause_is_a_no_op_as_the_server_code_does(b24: Bitrix24, clock: ManualClock) -> None:
    await closed_at_1200(b24, clock)
    clock.advance(timedelta(minutes=20))
    day = await b24.workday.pause(BOB)
    assert day.status is WorkdayStatus.CLOSED
    assert day.duration == timedelta(hours=4)


async def test_closed_pause_resumes_as_the_docs_say_behind_a_flag(
    b24: Bitrix24, clock: ManualClock, portal: PortalEmulator
) -> None:
    portal.flags.pause_on_closed_resumes = True
    await closed_at_1200(b24, clock)
    clock.advance(timedelta(minutes=20))
    day = await b24.workday.pause(BOB)
    assert day.status is WorkdayStatus.OPENED


async def test_closed_close_is_refused(b24: Bitrix24, clock: ManualClock) -> None:
    await closed_at_1200(b24, clock)
    for kwargs in ({}, {"at": berlin(11), "report": "x"}):
        with pytest.raises(InvalidArgumentError) as caught:
            await b24.workday.close(BOB, **kwargs)
        assert caught.value.code == "ALERT_WARNING"


async def test_closed_new_period_open_starts_a_new_record(b24: Bitrix24, clock: ManualClock) -> None:
    await closed_at_1200(b24, clock)
    clock.advance(timedelta(days=1))
    day = await b24.workday.open(BOB)
    assert day.status is WorkdayStatus.OPENED
    assert day.started_at == berlin(12, day=3)
    assert day.breaks == timedelta(0)


async def test_closed_new_period_open_with_time(b24: Bitrix24, clock: ManualClock) -> None:
    await closed_at_1200(b24, clock)
    clock.advance(timedelta(days=1))
    day = await b24.workday.open(BOB, at=berlin(9, 5, day=3), report="came at 9:05")
    assert day.status is WorkdayStatus.OPENED and day.started_at == berlin(9, 5, day=3)


async def test_closed_new_period_pause_and_close(b24: Bitrix24, clock: ManualClock) -> None:
    await closed_at_1200(b24, clock)
    clock.advance(timedelta(days=1))
    assert (await b24.workday.pause(BOB)).status is WorkdayStatus.CLOSED
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.close(BOB)
    assert caught.value.code == "ALERT_WARNING"


async def test_closed_reopen_not_allowed_starts_a_new_record(
    b24: Bitrix24, clock: ManualClock, portal: PortalEmulator
) -> None:
    portal.flags.reopen_allowed = False
    await closed_at_1200(b24, clock)
    clock.advance(timedelta(hours=1))
    day = await b24.workday.open(BOB)
    assert day.status is WorkdayStatus.OPENED
    assert day.started_at == berlin(13)
    assert day.breaks == timedelta(0)


# --- EXPIRED -------------------------------------------------------------------------

def left_open_yesterday(portal: PortalEmulator, status: str = "OPENED") -> None:
    start = datetime(2026, 3, 1, 8, 0, tzinfo=BERLIN_WINTER)
    portal.seed_day(BOB, start=start, status=status,
                    paused_at=start + timedelta(hours=3) if status == "PAUSED" else None)


@pytest.mark.parametrize("left", ["OPENED", "PAUSED"])
async def test_expired_status_offers_a_suggested_finish(b24: Bitrix24, portal: PortalEmulator, left: str) -> None:
    left_open_yesterday(portal, left)
    day = await b24.workday.status(BOB)
    assert day.status is WorkdayStatus.EXPIRED
    assert day.suggested_finish is not None
    assert day.suggested_finish.date() == day.started_at.date()  # type: ignore[union-attr]


async def test_expired_open_pause_are_no_ops(b24: Bitrix24, portal: PortalEmulator) -> None:
    left_open_yesterday(portal)
    assert (await b24.workday.open(BOB)).status is WorkdayStatus.EXPIRED
    assert (await b24.workday.open(BOB, at=berlin(8, 30), report="x")).status is WorkdayStatus.EXPIRED
    assert (await b24.workday.pause(BOB)).status is WorkdayStatus.EXPIRED


async def test_expired_close_without_time_is_refused(b24: Bitrix24, portal: PortalEmulator) -> None:
    left_open_yesterday(portal)
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.close(BOB)
    assert caught.value.code == "WD_EXPIRED"


async def test_expired_close_with_time_needs_a_report(b24: Bitrix24, portal: PortalEmulator) -> None:
    left_open_yesterday(portal)
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.close(BOB, at=datetime(2026, 3, 1, 18, 0, tzinfo=BERLIN_WINTER))
    assert caught.value.code == "REPORT_NEEDED"
    assert caught.value.description == ""


async def test_expired_close_with_time_and_report_closes_pending_approval(
    b24: Bitrix24, portal: PortalEmulator
) -> None:
    left_open_yesterday(portal)
    day = await b24.workday.close(BOB, at=datetime(2026, 3, 1, 17, 30, tzinfo=BERLIN_WINTER), report="forgot")
    assert day.status is WorkdayStatus.CLOSED
    assert day.finished_at == datetime(2026, 3, 1, 17, 30, tzinfo=BERLIN_WINTER)
    assert day.duration == timedelta(hours=9, minutes=30)
    assert day.active is False
    today = await b24.workday.open(BOB)
    assert today.status is WorkdayStatus.OPENED and today.started_at == berlin(8)


async def test_expired_close_on_another_date_is_refused(b24: Bitrix24, portal: PortalEmulator) -> None:
    left_open_yesterday(portal)
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.close(BOB, at=berlin(7, 30), report="x")
    assert caught.value.code == "WRONG_DATETIME"


async def test_wrong_datetime_format_is_invalid_argument(b24: Bitrix24) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.client.call("timeman.open", {"USER_ID": BOB, "TIME": "yesterday", "REPORT": "x"})
    assert caught.value.code == "WRONG_DATETIME_FORMAT"


async def test_open_on_another_date_is_refused(b24: Bitrix24) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.open(BOB, at=datetime(2026, 3, 1, 9, 0, tzinfo=BERLIN_WINTER), report="x")
    assert caught.value.code == "WRONG_DATETIME"


async def test_settings_for_self_include_admin(b24: Bitrix24) -> None:
    own = await b24.workday.settings()
    assert own.enabled and own.admin is True
    other = await b24.workday.settings(BOB)
    assert other.admin is None
    assert other.max_start == timedelta(hours=9, minutes=15)


async def test_a_report_is_sent_as_plain_text(b24: Bitrix24, portal: PortalEmulator, clock: ManualClock) -> None:
    """The reason a user types for a late close is user text: it must not render in Bitrix24."""
    await opened_at_0800(b24)
    clock.advance(timedelta(hours=9))
    await b24.workday.close(BOB, at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
                            report="[URL=https://evil.example]approved by HR[/URL]#BR#left early")
    report = portal.record_of(BOB).report
    assert "[" not in report and "#BR#" not in report and "://" not in report
    assert "approved by HR" in report and "left early" in report
