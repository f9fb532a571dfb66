"""Unit tests of the pure timeman engine: docs/bitrix24.md#transition-table, docs/bitrix24.md#arithmetic, zones, expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from workday_sandbox.portal import timeman_engine as tm
from workday_sandbox.portal.timeman_engine import (
    Outcome,
    TimemanError,
    TimemanPolicy,
    UserContext,
    WorkdayRecord,
)

# Africa/Johannesburg is UTC+2 all year: the docs' examples use +02:00.
JNB = ZoneInfo("Africa/Johannesburg")
BERLIN = ZoneInfo("Europe/Berlin")
DAY1 = date(2025, 3, 27)


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY1, zone=JNB) -> datetime:
    """A local wall clock in `zone`, returned as an aware UTC instant."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=zone).astimezone(UTC)


CTX = UserContext(zone=JNB)
FLEX = UserContext(zone=JNB, flextime=True)


def policy(**changes) -> TimemanPolicy:
    return TimemanPolicy(**changes)


def opened(start: datetime, ctx: UserContext = CTX, pol: TimemanPolicy | None = None) -> WorkdayRecord:
    outcome = tm.open_day(None, start, ctx, pol or policy())
    assert outcome.action == "open" and outcome.record is not None
    return outcome.record


def status(record, now, ctx=CTX, pol=None) -> dict:
    return tm.status_object(record, now, ctx, pol or policy())


def error_of(call) -> TimemanError:
    with pytest.raises(TimemanError) as caught:
        call()
    return caught.value


# --------------------------------------------------------------------------- formatting


def test_durations_are_clamped_and_zero_padded():
    assert tm.format_duration(0) == "00:00:00"
    assert tm.format_duration(-30) == "00:00:00"
    assert tm.format_duration(3599) == "00:59:59"
    assert tm.format_duration(9 * 3600 + 37 * 60 + 4) == "09:37:04"
    assert tm.format_duration(86400) == "24:00:00"
    assert tm.format_duration(90000) == "24:00:00"


def test_offsets_format_with_sign():
    assert tm.format_offset(7200) == "+02:00"
    assert tm.format_offset(0) == "+00:00"
    assert tm.format_offset(-12600) == "-03:30"
    assert tm.format_offset(19800) == "+05:30"


@pytest.mark.parametrize(
    "value",
    ["", "2025-03-27 08:00:00", "2025-03-27T08:00:00Z", "2025-03-27T08:00:00.5+00:00",
     "2025-03-27T08:00+00:00", "27.03.2025 08:00:00", None, 1743062401, ["2025-03-27T08:00:00+00:00"]],
)
def test_time_must_be_strict_atom(value):
    err = error_of(lambda: tm.parse_atom(value))
    assert (err.code, err.description, err.status) == (
        "WRONG_DATETIME_FORMAT",
        "Wrong datetime format",
        400,
    )


def test_atom_parsing_overflows_like_php():
    info = tm.parse_atom("2025-02-30T10:00:00+00:00")
    assert info.date == date(2025, 3, 2) and info.seconds == 36000
    info = tm.parse_atom("2025-03-27T24:00:00-05:00")
    assert info.date == date(2025, 3, 28) and info.seconds == 0 and info.offset == -18000


def test_shifting_a_clock_to_another_offset_rolls_the_date():
    info = tm.parse_atom("2025-03-27T23:30:00+00:00")
    moved = tm.shift_time_info(info, 7200)
    assert (moved.date, moved.seconds) == (date(2025, 3, 28), 5400)
    back = tm.shift_time_info(tm.parse_atom("2025-03-27T01:00:00+02:00"), 0)
    assert (back.date, back.seconds) == (date(2025, 3, 26), 23 * 3600)


def test_php_floatval_takes_the_numeric_prefix():
    assert tm.php_floatval("53.548841") == 53.548841
    assert tm.php_floatval("9.98abc") == 9.98
    assert tm.php_floatval("abc") == 0.0
    assert tm.php_floatval(tm.ABSENT) == 0.0
    assert tm.php_floatval(12) == 12.0


# --------------------------------------------------------------------------- no record


def test_no_record_reads_as_closed_only():
    assert status(None, at(9)) == {"STATUS": "CLOSED"}


def test_no_record_open_starts_a_new_day():
    outcome = tm.open_day(None, at(8, 0, 1), CTX, policy())
    assert outcome.action == "open" and outcome.new_record
    result = status(outcome.record, at(8, 5))
    assert result["STATUS"] == "OPENED"
    assert result["TIME_START"] == "2025-03-27T08:00:01+02:00"
    assert result["TIME_FINISH"] is None
    assert result["DURATION"] == "00:00:00" and result["TIME_LEAKS"] == "00:00:00"
    assert result["ACTIVE"] is True and result["TZ_OFFSET"] == 7200
    assert result["IP_OPEN"] == "" and result["LAT_OPEN"] == 0.0


def test_no_record_open_with_time_keeps_the_wall_clock_in_the_users_zone():
    # The docs' example: TIME 08:00:01+00:00 produced TIME_START 08:00:01+02:00.
    now = datetime(2025, 3, 27, 7, 0, tzinfo=UTC)  # 09:00 in Johannesburg
    outcome = tm.open_day(
        None, now, CTX, policy(), time_param="2025-03-27T08:00:01+00:00", report="forgot"
    )
    record = outcome.record
    assert record.start == at(8, 0, 1)
    result = status(record, now)
    assert result["TIME_START"] == "2025-03-27T08:00:01+02:00"
    # 59:59 from now is beyond the 15-minute allowance: the day awaits approval.
    assert result["ACTIVE"] is False


def test_no_record_pause_is_a_silent_noop():
    outcome = tm.pause_day(None, at(9), CTX, policy())
    assert outcome == Outcome(None, "noop")


def test_no_record_close_is_not_eligible():
    err = error_of(lambda: tm.close_day(None, at(9), CTX, policy()))
    assert (err.code, err.description) == ("ALERT_WARNING", "Cannot perform this action")


def test_no_record_close_with_time_fails_the_date_check():
    err = error_of(
        lambda: tm.close_day(None, at(9), CTX, policy(), time_param="2025-03-27T09:00:00+02:00", report="x")
    )
    assert (err.code, err.description) == (
        "WRONG_DATETIME",
        "Day close date should correspond to the day open date",
    )


# --------------------------------------------------------------------------- OPENED


def test_opened_open_is_a_noop_and_ignores_time():
    record = opened(at(8))
    for kwargs in ({}, {"time_param": "not even a date"}, {"time_param": "2025-03-27T07:00:00+02:00"}):
        outcome = tm.open_day(record, at(9), CTX, policy(), **kwargs)
        assert outcome.action == "noop" and outcome.record is record


def test_opened_pause_records_the_pause_and_sets_time_finish():
    record = opened(at(8))
    outcome = tm.pause_day(record, at(10, 30), CTX, policy())
    assert outcome.action == "pause"
    paused = outcome.record
    assert paused.recorded_duration == 2.5 * 3600
    result = status(paused, at(10, 45))
    assert result["STATUS"] == "PAUSED"
    assert result["TIME_FINISH"] == "2025-03-27T10:30:00+02:00"  # source behaviour
    assert result["DURATION"] == "00:00:00" and result["TIME_LEAKS"] == "00:00:00"


def test_opened_close_computes_duration():
    record = opened(at(8))
    closed = tm.close_day(record, at(17, 30), CTX, policy(), ip="10.0.0.7").record
    result = status(closed, at(18))
    assert result["STATUS"] == "CLOSED"
    assert result["TIME_FINISH"] == "2025-03-27T17:30:00+02:00"
    assert result["DURATION"] == "09:30:00"
    assert result["IP_CLOSE"] == "10.0.0.7"
    assert result["ACTIVE"] is True


def test_opened_close_with_time_needs_a_report():
    record = opened(at(8))
    err = error_of(
        lambda: tm.close_day(record, at(18), CTX, policy(), time_param="2025-03-27T17:00:00+02:00")
    )
    assert (err.code, err.description, err.status) == (
        "REPORT_NEEDED",
        "Reason for change is not specified",
        400,
    )
    err = error_of(
        lambda: tm.close_day(
            record, at(18), CTX, policy(), time_param="2025-03-27T17:00:00+02:00", report="   "
        )
    )
    assert err.code == "REPORT_NEEDED"


def test_opened_close_with_time_converts_to_the_start_offset():
    # The docs: TIME 17:00:01+00:00 with a start at +02:00 gives TIME_FINISH 19:00:01+02:00.
    record = opened(at(8, 0, 1))
    now = at(19, 5)
    closed = tm.close_day(
        record, now, CTX, policy(), time_param="2025-03-27T17:00:01+00:00", report=" left at 7 "
    ).record
    result = status(closed, now)
    assert result["TIME_FINISH"] == "2025-03-27T19:00:01+02:00"
    assert result["DURATION"] == "11:00:00"
    assert result["ACTIVE"] is True  # 4:59 from now is within the allowance
    assert closed.report == "left at 7"


def test_close_with_time_far_from_now_is_not_approved():
    record = opened(at(8))
    closed = tm.close_day(
        record, at(20), CTX, policy(), time_param="2025-03-27T17:00:00+02:00", report="late"
    ).record
    assert status(closed, at(20))["ACTIVE"] is False


def test_close_with_time_on_a_wrong_date_is_refused():
    record = opened(at(8))
    err = error_of(
        lambda: tm.close_day(
            record, at(20), CTX, policy(), time_param="2025-03-28T17:00:00+02:00", report="x"
        )
    )
    assert err.code == "WRONG_DATETIME"
    # 22:30 UTC is 00:30 on the next day at +02:00: the converted date no longer matches.
    err = error_of(
        lambda: tm.close_day(
            record, at(20), CTX, policy(), time_param="2025-03-27T22:30:00+00:00", report="x"
        )
    )
    assert err.code == "WRONG_DATETIME"


def test_close_with_a_clock_before_the_start_lands_on_the_next_day():
    record = opened(at(8))
    now = at(9)
    closed = tm.close_day(
        record, now, CTX, policy(), time_param="2025-03-27T07:00:00+02:00", report="typo"
    ).record
    result = status(closed, now)
    assert result["TIME_FINISH"] == "2025-03-28T07:00:00+02:00"
    assert result["DURATION"] == "23:00:00"
    assert result["ACTIVE"] is False


# --------------------------------------------------------------------------- PAUSED


def _paused(start=None, pause_at=None):
    record = opened(start or at(8))
    return tm.pause_day(record, pause_at or at(12), CTX, policy()).record


def test_paused_open_continues_and_counts_the_break():
    outcome = tm.open_day(_paused(), at(12, 45), CTX, policy())
    assert outcome.action == "continue" and not outcome.new_record
    result = status(outcome.record, at(13))
    assert result["STATUS"] == "OPENED"
    assert result["TIME_LEAKS"] == "00:45:00"
    assert result["TIME_FINISH"] is None and result["DURATION"] == "00:00:00"


def test_paused_open_with_time_is_refused():
    err = error_of(
        lambda: tm.open_day(_paused(), at(13), CTX, policy(), time_param="2025-03-27T12:30:00+02:00")
    )
    assert (err.code, err.description) == ("TIME", "Unable to set time, work day is paused")


def test_paused_pause_is_a_noop():
    record = _paused()
    outcome = tm.pause_day(record, at(13), CTX, policy())
    assert outcome.action == "noop" and outcome.record is record


def test_paused_close_counts_the_pause_as_a_break():
    closed = tm.close_day(_paused(), at(13), CTX, policy()).record
    result = status(closed, at(13))
    assert result["STATUS"] == "CLOSED"
    assert result["TIME_LEAKS"] == "01:00:00"
    assert result["DURATION"] == "04:00:00"
    assert result["TIME_FINISH"] == "2025-03-27T13:00:00+02:00"


def test_paused_close_with_time_takes_the_break_up_to_time():
    closed = tm.close_day(
        _paused(), at(13), CTX, policy(), time_param="2025-03-27T12:50:00+02:00", report="ok"
    ).record
    assert closed.time_leaks == 50 * 60
    assert status(closed, at(13))["DURATION"] == "04:00:00"


def test_paused_close_with_time_before_the_pause_adds_no_break():
    closed = tm.close_day(
        _paused(), at(13), CTX, policy(), time_param="2025-03-27T11:00:00+02:00", report="ok"
    ).record
    assert closed.time_leaks == 0
    assert status(closed, at(13))["DURATION"] == "03:00:00"


# --------------------------------------------------------------------------- CLOSED


def _closed(start=None, close_at=None, ctx=CTX):
    record = opened(start or at(8), ctx)
    return tm.close_day(record, close_at or at(12), ctx, policy()).record


def test_closed_same_period_open_reopens_and_counts_the_gap_as_a_break():
    outcome = tm.open_day(_closed(), at(13, 15), CTX, policy())
    assert outcome.action == "reopen" and not outcome.new_record
    result = status(outcome.record, at(14))
    assert result["STATUS"] == "OPENED"
    assert result["TIME_START"] == "2025-03-27T08:00:00+02:00"
    assert result["TIME_LEAKS"] == "01:15:00"
    assert result["TIME_FINISH"] is None and result["DURATION"] == "00:00:00"
    closed = tm.close_day(outcome.record, at(17), CTX, policy()).record
    assert status(closed, at(17))["DURATION"] == "07:45:00"


def test_closed_same_period_open_with_time_is_refused():
    err = error_of(
        lambda: tm.open_day(_closed(), at(13), CTX, policy(), time_param="2025-03-27T13:00:00+02:00")
    )
    assert err.code == "TIME"


def test_closed_pause_is_a_noop_under_source_behaviour():
    record = _closed()
    outcome = tm.pause_day(record, at(13), CTX, policy())
    assert outcome.action == "noop" and outcome.record is record


def test_closed_pause_resumes_under_the_docs_flag():
    pol = policy(pause_on_closed_resumes=True)
    outcome = tm.pause_day(_closed(), at(13), CTX, pol)
    assert outcome.action == "resume"
    assert status(outcome.record, at(13), pol=pol)["STATUS"] == "OPENED"
    assert outcome.record.time_leaks == 0  # the docs: the gap counts as work
    closed = tm.close_day(outcome.record, at(17), CTX, pol).record
    assert status(closed, at(17), pol=pol)["DURATION"] == "09:00:00"


def test_closed_close_is_not_eligible_with_or_without_time():
    record = _closed()
    err = error_of(lambda: tm.close_day(record, at(13), CTX, policy()))
    assert (err.code, err.description) == ("ALERT_WARNING", "Cannot perform this action")
    err = error_of(
        lambda: tm.close_day(record, at(13), CTX, policy(), time_param="2025-03-27T12:30:00+02:00", report="x")
    )
    assert err.code == "ALERT_WARNING"
    # ... but the date check comes first.
    err = error_of(
        lambda: tm.close_day(record, at(13), CTX, policy(), time_param="2025-03-26T12:30:00+02:00", report="x")
    )
    assert err.code == "WRONG_DATETIME"


def test_closed_from_an_earlier_day_opens_a_new_record():
    record = _closed()
    next_morning = at(8, 30, day=DAY1 + timedelta(days=1))
    outcome = tm.open_day(record, next_morning, CTX, policy())
    assert outcome.action == "open" and outcome.new_record
    assert status(outcome.record, next_morning)["TIME_START"] == "2025-03-28T08:30:00+02:00"
    assert status(outcome.record, next_morning)["TIME_LEAKS"] == "00:00:00"
    pause = tm.pause_day(record, next_morning, CTX, policy())
    assert pause.action == "noop"


def test_closed_from_an_earlier_day_open_with_time_opens_a_new_record_at_time():
    record = _closed()
    now = at(9, day=DAY1 + timedelta(days=1))
    outcome = tm.open_day(
        record, now, CTX, policy(), time_param="2025-03-28T08:50:00+02:00", report="badge"
    )
    assert outcome.new_record
    assert status(outcome.record, now)["TIME_START"] == "2025-03-28T08:50:00+02:00"
    assert status(outcome.record, now)["ACTIVE"] is True


def test_never_ending_period_keeps_reopening():
    record = _closed()
    now = at(9, day=DAY1 + timedelta(days=1))
    outcome = tm.open_day(record, now, CTX, policy(new_period_after="never"))
    assert outcome.action == "reopen"


def test_reopen_not_allowed_opens_a_new_record_the_same_day():
    outcome = tm.open_day(_closed(), at(13), CTX, policy(reopen_allowed=False))
    assert outcome.action == "open" and outcome.new_record
    assert status(outcome.record, at(13))["TIME_START"] == "2025-03-27T13:00:00+02:00"


def test_flextime_never_reopens():
    record = _closed(ctx=FLEX)
    outcome = tm.open_day(record, at(13), FLEX, policy())
    assert outcome.action == "open" and outcome.new_record


def test_new_record_overlapping_the_previous_one_is_refused():
    record = _closed()  # 08:00-12:00
    err = error_of(
        lambda: tm.open_day(
            record, at(13), CTX, policy(reopen_allowed=False),
            time_param="2025-03-27T11:00:00+02:00", report="x",
        )
    )
    assert (err.code, err.description) == (
        "ALERT_WARNING",
        "Work hours record for specified day already exists",
    )


# --------------------------------------------------------------------------- open + TIME rules


def test_open_with_time_must_be_today_in_times_own_offset():
    now = datetime(2025, 3, 27, 23, 30, tzinfo=UTC)  # already the 28th at +02:00
    err = error_of(
        lambda: tm.open_day(None, now, CTX, policy(), time_param="2025-03-28T01:00:00+02:00")
    )
    assert err.code == "ERROR_CORE"  # the 28th is today at +02:00: past the date check
    err = error_of(
        lambda: tm.open_day(None, now, CTX, policy(), time_param="2025-03-28T01:00:00+00:00", report="x")
    )
    assert (err.code, err.description) == (
        "WRONG_DATETIME",
        "Day open date should correspond to the current date",
    )


def test_open_with_time_without_report_is_error_core():
    err = error_of(lambda: tm.open_day(None, at(9), CTX, policy(), time_param="2025-03-27T08:55:00+02:00"))
    assert (err.code, err.description) == ("ERROR_CORE", "Reason for change is not specified")
    # A flextime schedule needs no reason.
    outcome = tm.open_day(None, at(9), FLEX, policy(), time_param="2025-03-27T08:55:00+02:00")
    assert outcome.action == "open"


def test_open_with_time_in_the_future_is_refused():
    err = error_of(
        lambda: tm.open_day(None, at(9), CTX, policy(), time_param="2025-03-27T09:30:00+02:00", report="x")
    )
    assert (err.code, err.description) == ("ALERT_WARNING", "Cannot clock-in later than now")


def test_open_with_time_within_the_allowance_is_approved():
    within = tm.open_day(None, at(9), CTX, policy(), time_param="2025-03-27T08:45:00+02:00", report="x")
    assert within.record.approved is True
    beyond = tm.open_day(None, at(9), CTX, policy(), time_param="2025-03-27T08:44:59+02:00", report="x")
    assert beyond.record.approved is False
    wider = tm.open_day(
        None, at(9), CTX, policy(allowed_delta_seconds=3600),
        time_param="2025-03-27T08:01:00+02:00", report="x",
    )
    assert wider.record.approved is True


def test_open_stores_lat_lon_and_close_stores_its_own():
    record = tm.open_day(None, at(8), CTX, policy(), lat="53.548841", lon=9.987274).record
    closed = tm.close_day(record, at(17), CTX, policy(), lat="1.5x").record
    result = status(closed, at(17))
    assert (result["LAT_OPEN"], result["LON_OPEN"]) == (53.548841, 9.987274)
    assert (result["LAT_CLOSE"], result["LON_CLOSE"]) == (1.5, 0.0)


def test_reopen_keeps_the_open_coordinates():
    record = tm.open_day(None, at(8), CTX, policy(), lat=10, lon=20).record
    closed = tm.close_day(record, at(12), CTX, policy()).record
    reopened = tm.open_day(closed, at(13), CTX, policy(), lat=99, lon=99).record
    assert (reopened.lat_open, reopened.lon_open) == (10.0, 20.0)


# --------------------------------------------------------------------------- arithmetic


def test_the_docs_close_example_adds_up():
    # Start 08:00:01, two pauses totalling 1:22:56, close 19:00:01 -> DURATION 9:37:04.
    pol = policy()
    record = opened(at(8, 0, 1))
    record = tm.pause_day(record, at(12, 0, 0), CTX, pol).record
    record = tm.open_day(record, at(12, 45, 0), CTX, pol).record  # 45:00
    record = tm.pause_day(record, at(15, 0, 0), CTX, pol).record
    record = tm.open_day(record, at(15, 37, 56), CTX, pol).record  # 37:56
    assert record.time_leaks == 45 * 60 + 37 * 60 + 56
    closed = tm.close_day(record, at(19, 0, 1), CTX, pol).record
    result = status(closed, at(19, 5))
    assert result["TIME_START"] == "2025-03-27T08:00:01+02:00"
    assert result["TIME_FINISH"] == "2025-03-27T19:00:01+02:00"
    assert result["TIME_LEAKS"] == "01:22:56"
    assert result["DURATION"] == "09:37:04"


def test_recorded_duration_follows_the_formulas():
    pol = policy()
    record = opened(at(8))
    record = tm.pause_day(record, at(10), CTX, pol).record
    assert record.recorded_duration == 7200  # RD = P - S - L
    record = tm.open_day(record, at(10, 30), CTX, pol).record
    assert record.time_leaks == 1800  # L += R - S - RD - L
    closed = tm.close_day(record, at(12), CTX, pol).record
    assert closed.recorded_duration == 4 * 3600 - 1800  # RD = C - S - L


def test_a_day_across_midnight_wraps_the_duration():
    # Source expiry with a night shift keeps the day alive after midnight.
    ctx = UserContext(zone=JNB, schedule_shift=(time(22, 0), time(6, 0)))
    pol = policy(expiry_policy="source")
    record = tm.open_day(None, at(22), ctx, pol).record
    closed = tm.close_day(record, at(5, 30, day=DAY1 + timedelta(days=1)), ctx, pol).record
    result = status(closed, at(6, day=DAY1 + timedelta(days=1)), ctx, pol)
    assert result["TIME_FINISH"] == "2025-03-28T05:30:00+02:00"
    assert result["DURATION"] == "07:30:00"  # 05:30 - 22:00 is negative: + 86400


def test_breaks_are_clamped_to_a_day():
    # Flextime under the source policy stays alive until the second midnight.
    pol = policy(expiry_policy="source")
    record = tm.open_day(None, at(0, 0, 5), FLEX, pol).record
    paused = tm.pause_day(record, at(0, 0, 10), FLEX, pol).record
    resume_at = at(23, 0, day=DAY1 + timedelta(days=1))  # 47 hours later
    resumed = tm.open_day(paused, resume_at, FLEX, pol)
    assert resumed.action == "continue"
    assert resumed.record.time_leaks == tm.DAY
    assert status(resumed.record, resume_at, FLEX, pol)["TIME_LEAKS"] == "24:00:00"


def test_time_finish_exactly_at_midnight_reads_as_null():
    ctx = UserContext(zone=JNB, flextime=True)
    pol = policy(expiry_policy="source")
    record = tm.open_day(None, at(22), ctx, pol).record
    paused = tm.pause_day(record, at(0, day=DAY1 + timedelta(days=1)), ctx, pol).record
    result = status(paused, at(0, 5, day=DAY1 + timedelta(days=1)), ctx, pol)
    assert result["STATUS"] == "PAUSED"
    assert result["TIME_FINISH"] is None  # PHP: TIME_FINISH > 0 ? ... : null


# --------------------------------------------------------------------------- time zones


def test_close_without_time_is_labelled_with_the_start_offset_across_dst():
    # Berlin switches from +01:00 to +02:00 at 02:00 on 2025-03-30.
    ctx = UserContext(zone=BERLIN, schedule_shift=(time(22, 0), time(6, 0)))
    pol = policy(expiry_policy="source")
    start = datetime(2025, 3, 29, 23, 0, tzinfo=BERLIN)
    record = tm.open_day(None, start, ctx, pol).record
    assert record.start_offset == 3600
    stop = datetime(2025, 3, 30, 5, 0, tzinfo=BERLIN)  # +02:00 by then
    closed = tm.close_day(record, stop, ctx, pol).record
    result = status(closed, stop, ctx, pol)
    assert result["TIME_START"] == "2025-03-29T23:00:00+01:00"
    assert result["TIME_FINISH"] == "2025-03-30T05:00:00+01:00"  # stop clock, start offset
    assert result["TZ_OFFSET"] == 3600


def test_tz_offset_is_the_users_offset_at_start():
    ny = UserContext(zone=ZoneInfo("America/New_York"))
    record = tm.open_day(None, datetime(2025, 1, 15, 14, 0, tzinfo=UTC), ny, policy()).record
    result = status(record, datetime(2025, 1, 15, 15, 0, tzinfo=UTC), ny)
    assert result["TZ_OFFSET"] == -18000
    assert result["TIME_START"] == "2025-01-15T09:00:00-05:00"


# --------------------------------------------------------------------------- expiry


def test_docs_expiry_is_a_day_left_open_past_midnight():
    record = opened(at(9))
    assert status(record, at(23, 59, 59))["STATUS"] == "OPENED"
    tomorrow = at(0, 0, 1, day=DAY1 + timedelta(days=1))
    result = status(record, tomorrow)
    assert result["STATUS"] == "EXPIRED"
    assert result["TIME_FINISH_DEFAULT"] == "2025-03-27T18:00:00+02:00"


def test_docs_expiry_applies_to_paused_days_too():
    paused = _paused()
    result = status(paused, at(8, day=DAY1 + timedelta(days=1)))
    assert result["STATUS"] == "EXPIRED"
    assert result["TIME_FINISH"] == "2025-03-27T12:00:00+02:00"


def test_closed_days_never_expire():
    assert status(_closed(), at(9, day=DAY1 + timedelta(days=5)))["STATUS"] == "CLOSED"


def test_legacy_time_finish_default_after_a_late_start():
    pol = policy(workday_finish=time(18, 0))
    record = opened(at(19))
    record = tm.pause_day(record, at(19, 30), CTX, pol).record
    record = tm.open_day(record, at(19, 40), CTX, pol).record  # 10 minutes of break
    result = status(record, at(9, day=DAY1 + timedelta(days=1)), pol=pol)
    assert result["STATUS"] == "EXPIRED"
    assert result["TIME_FINISH_DEFAULT"] == "2025-03-27T19:15:00+02:00"  # 19:00 + 600 + 300
    pol.workday_finish = time(17, 0)
    assert status(opened(at(9)), at(9, day=DAY1 + timedelta(days=1)), pol=pol)[
        "TIME_FINISH_DEFAULT"
    ] == "2025-03-27T17:00:00+02:00"


def test_source_expiry_with_a_fixed_shift():
    ctx = UserContext(zone=JNB, schedule_shift=(time(8, 0), time(17, 0)))
    pol = policy(expiry_policy="source")
    record = tm.open_day(None, at(8), ctx, pol).record
    next_day = DAY1 + timedelta(days=1)
    # shift end + min((next start - end) / 2, length) = 17:00 + 7:30 = 00:30
    assert status(record, at(0, 29, 59, day=next_day), ctx, pol)["STATUS"] == "OPENED"
    result = status(record, at(0, 30, day=next_day), ctx, pol)
    assert result["STATUS"] == "EXPIRED"
    assert result["TIME_FINISH_DEFAULT"] == "2025-03-27T17:00:00+02:00"  # the shift end


def test_source_expiry_without_a_shift_is_eighteen_hours():
    pol = policy(expiry_policy="source")
    record = opened(at(8, 0, 1))
    assert status(record, at(2, 0, 1, day=DAY1 + timedelta(days=1)), pol=pol)["STATUS"] == "OPENED"
    result = status(record, at(2, 0, 2, day=DAY1 + timedelta(days=1)), pol=pol)
    assert result["STATUS"] == "EXPIRED"
    assert result["TIME_FINISH_DEFAULT"] == "2025-03-27T17:00:01+02:00"  # S + 9 h


def test_source_expiry_for_flextime_is_two_midnights():
    pol = policy(expiry_policy="source")
    record = opened(at(9), FLEX)
    assert status(record, at(23, 59, 59, day=DAY1 + timedelta(days=1)), FLEX, pol)["STATUS"] == "OPENED"
    assert status(record, at(0, day=DAY1 + timedelta(days=2)), FLEX, pol)["STATUS"] == "EXPIRED"


def _expired():
    return opened(at(9)), at(8, day=DAY1 + timedelta(days=1))


def test_expired_open_and_pause_are_noops():
    record, now = _expired()
    assert tm.open_day(record, now, CTX, policy()).action == "noop"
    assert tm.open_day(record, now, CTX, policy(), time_param="2025-03-28T08:00:00+02:00").action == "noop"
    assert tm.pause_day(record, now, CTX, policy()).action == "noop"


def test_expired_close_without_time_is_wd_expired():
    record, now = _expired()
    err = error_of(lambda: tm.close_day(record, now, CTX, policy(), report="forgot"))
    assert (err.code, err.description) == ("WD_EXPIRED", "Workday is expired")


def test_expired_close_with_time_needs_a_report_with_an_empty_text():
    record, now = _expired()
    err = error_of(lambda: tm.close_day(record, now, CTX, policy(), time_param="2025-03-27T18:00:00+02:00"))
    assert (err.code, err.description) == ("REPORT_NEEDED", "")


def test_expired_close_with_time_and_report_closes_unapproved():
    record, now = _expired()
    closed = tm.close_day(
        record, now, CTX, policy(), time_param="2025-03-27T18:00:00+02:00", report="forgot"
    ).record
    result = status(closed, now)
    assert result["STATUS"] == "CLOSED"
    assert result["DURATION"] == "09:00:00"
    assert result["ACTIVE"] is False
    # Now a new day can start.
    assert tm.open_day(closed, now, CTX, policy()).action == "open"


def test_expired_close_with_time_on_another_date_is_refused():
    record, now = _expired()
    err = error_of(
        lambda: tm.close_day(record, now, CTX, policy(), time_param="2025-03-28T07:00:00+02:00", report="x")
    )
    assert err.code == "WRONG_DATETIME"


def test_expired_flextime_closes_without_report_and_keeps_active():
    record = opened(at(9), FLEX)
    now = at(0, 5, day=DAY1 + timedelta(days=1))
    assert status(record, now, FLEX)["STATUS"] == "EXPIRED"
    closed = tm.close_day(record, now, FLEX, policy(), time_param="2025-03-27T23:59:59+02:00").record
    assert status(closed, now, FLEX)["STATUS"] == "CLOSED"
    assert closed.approved is True  # flextime: no approval needed for an expired day
    # The same close on a fixed schedule needs a report and drops ACTIVE.
    fixed = tm.close_day(
        opened(at(9)), now, CTX, policy(), time_param="2025-03-27T23:59:59+02:00", report="x"
    ).record
    assert fixed.approved is False


# --------------------------------------------------------------------------- seeding


def test_seed_record_builds_each_state():
    now = at(15)
    paused = tm.seed_record(at(8), CTX, status="PAUSED", breaks=timedelta(minutes=30),
                            paused_at=at(12), now=now)
    assert paused.recorded_duration == 3.5 * 3600 and paused.status == "PAUSED"
    closed = tm.seed_record(at(8), CTX, status="CLOSED", breaks=timedelta(hours=1),
                            closed_at=at(17), now=now)
    assert status(closed, now)["DURATION"] == "08:00:00"
    with pytest.raises(ValueError):
        tm.seed_record(at(8), CTX, status="EXPIRED", now=now)


def test_policy_validation():
    with pytest.raises(ValueError):
        TimemanPolicy(expiry_policy="sometimes").validate()
    with pytest.raises(ValueError):
        TimemanPolicy(new_period_after="week").validate()


def test_docs_reading_of_time_finish_while_paused():
    pol = policy(time_finish_while_paused=False)
    paused = tm.pause_day(opened(at(8)), at(12), CTX, pol).record
    assert status(paused, at(12, 5), pol=pol)["TIME_FINISH"] is None
    assert status(paused, at(12, 5))["TIME_FINISH"] == "2025-03-27T12:00:00+02:00"
    closed = tm.close_day(paused, at(13), CTX, pol).record
    assert status(closed, at(13), pol=pol)["TIME_FINISH"] == "2025-03-27T13:00:00+02:00"
