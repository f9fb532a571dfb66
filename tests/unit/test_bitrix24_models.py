from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.bitrix24.models import (
    PortalUser,
    Workday,
    WorkdaySettings,
    WorkdayStatus,
    format_atom,
    parse_duration,
)

PLUS2 = timezone(timedelta(hours=2))


def test_docs_close_example_parses() -> None:
    day = Workday.from_api({
        "STATUS": "CLOSED", "TIME_START": "2025-03-27T08:00:01+02:00",
        "TIME_FINISH": "2025-03-27T19:00:01+02:00", "DURATION": "09:37:04",
        "TIME_LEAKS": "01:22:56", "ACTIVE": False, "IP_OPEN": "", "IP_CLOSE": "83.219.151.30",
        "LAT_OPEN": 53.548841, "LON_OPEN": 9.987274, "TZ_OFFSET": 7200,
    })
    assert day.status is WorkdayStatus.CLOSED
    assert day.started_at == datetime(2025, 3, 27, 8, 0, 1, tzinfo=PLUS2)
    assert day.started_at.utcoffset() == timedelta(hours=2)
    assert day.duration == timedelta(hours=9, minutes=37, seconds=4)
    assert day.breaks == timedelta(hours=1, minutes=22, seconds=56)
    assert day.active is False
    assert day.tz_offset == timedelta(hours=2)
    assert day.worked(datetime(2030, 1, 1, tzinfo=UTC)) == day.duration


def test_bare_closed_status_means_no_record() -> None:
    day = Workday.from_api({"STATUS": "CLOSED"})
    assert day.status is WorkdayStatus.CLOSED
    assert not day.has_record
    assert day.worked(datetime.now(UTC)) is None


def test_open_day_worked_time_is_live() -> None:
    day = Workday.from_api({
        "STATUS": "OPENED", "TIME_START": "2026-03-02T09:00:00+02:00", "TIME_FINISH": None,
        "DURATION": "00:00:00", "TIME_LEAKS": "00:30:00", "ACTIVE": True, "TZ_OFFSET": 7200,
    })
    now = datetime(2026, 3, 2, 12, 15, tzinfo=PLUS2)
    assert day.worked(now) == timedelta(hours=2, minutes=45)
    assert day.break_time(now) == timedelta(minutes=30)
    assert day.current_break(now) is None


def test_paused_day_uses_time_finish_as_pause_start() -> None:
    day = Workday.from_api({
        "STATUS": "PAUSED", "TIME_START": "2026-03-02T09:00:00+02:00",
        "TIME_FINISH": "2026-03-02T13:00:00+02:00", "DURATION": "00:00:00",
        "TIME_LEAKS": "00:10:00", "TZ_OFFSET": 7200,
    })
    now = datetime(2026, 3, 2, 13, 25, tzinfo=PLUS2)
    assert day.paused_at == datetime(2026, 3, 2, 13, 0, tzinfo=PLUS2)
    assert day.worked(now) == timedelta(hours=3, minutes=50)
    assert day.current_break(now) == timedelta(minutes=25)
    assert day.break_time(now) == timedelta(minutes=35)


def test_paused_day_as_the_docs_show_it_has_unknown_pause_start() -> None:
    day = Workday.from_api({
        "STATUS": "PAUSED", "TIME_START": "2025-03-27T08:00:01+02:00", "TIME_FINISH": None,
        "DURATION": "00:00:00", "TIME_LEAKS": "00:00:00", "TZ_OFFSET": 7200,
    })
    assert day.paused_at is None
    assert day.worked(datetime(2025, 3, 27, 12, tzinfo=PLUS2)) is None
    assert day.break_time(datetime(2025, 3, 27, 12, tzinfo=PLUS2)) == timedelta(0)


def test_expired_day_keeps_the_suggested_finish() -> None:
    day = Workday.from_api({
        "STATUS": "EXPIRED", "TIME_START": "2025-03-27T08:00:01+02:00", "TIME_FINISH": None,
        "DURATION": "00:00:00", "TIME_LEAKS": "00:00:00", "TZ_OFFSET": 7200,
        "TIME_FINISH_DEFAULT": "2025-03-27T17:00:00+02:00",
    })
    assert day.status is WorkdayStatus.EXPIRED
    assert day.suggested_finish == datetime(2025, 3, 27, 17, tzinfo=PLUS2)
    assert day.is_unfinished
    assert day.worked(datetime(2025, 3, 28, tzinfo=UTC)) is None


def test_live_worked_time_is_clamped_to_a_day() -> None:
    day = Workday.from_api({"STATUS": "OPENED", "TIME_START": "2026-03-02T09:00:00+00:00"})
    assert day.worked(datetime(2026, 3, 5, tzinfo=UTC)) == timedelta(hours=24)
    assert day.worked(datetime(2026, 3, 1, tzinfo=UTC)) == timedelta(0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("00:00:00", timedelta(0)), ("24:00:00", timedelta(hours=24)), ("101:02:03", timedelta(hours=101, minutes=2, seconds=3)),
     (None, timedelta(0)), ("", timedelta(0)), ("garbage", timedelta(0)), (90, timedelta(seconds=90))],
)
def test_parse_duration(raw: object, expected: timedelta) -> None:
    assert parse_duration(raw) == expected


def test_unknown_status_and_odd_types_are_tolerated() -> None:
    day = Workday.from_api({"STATUS": "WEIRD", "ACTIVE": "N", "TZ_OFFSET": "3600", "TIME_START": "not a date"})
    assert day.status is WorkdayStatus.CLOSED
    assert day.active is False
    assert day.tz_offset == timedelta(hours=1)
    assert day.started_at is None


def test_format_atom_is_strict() -> None:
    assert format_atom(datetime(2025, 2, 12, 15, 52, 1, 999, tzinfo=UTC)) == "2025-02-12T15:52:01+00:00"
    assert format_atom(datetime(2025, 2, 12, 15, 52, 1, tzinfo=PLUS2)) == "2025-02-12T15:52:01+02:00"
    with pytest.raises(ValueError):
        format_atom(datetime(2025, 2, 12, 15, 52, 1))


def test_settings_defaults_parse() -> None:
    settings = WorkdaySettings.from_api({
        "UF_TIMEMAN": True, "UF_TM_FREE": False, "UF_TM_MAX_START": "09:15:00",
        "UF_TM_MIN_FINISH": "17:45:00", "UF_TM_MIN_DURATION": "08:00:00",
        "UF_TM_ALLOWED_DELTA": "00:15:00", "ADMIN": True,
    })
    assert settings.enabled and not settings.flextime and settings.admin
    assert settings.max_start == timedelta(hours=9, minutes=15)
    assert settings.allowed_delta == timedelta(minutes=15)
    assert WorkdaySettings.from_api({"UF_TIMEMAN": False}).admin is None


def test_portal_user_parses_string_ids_and_empty_time_zone() -> None:
    user = PortalUser.from_api({"ID": "17", "NAME": "Anna", "LAST_NAME": "Berg", "EMAIL": "anna@example.com",
                                "ACTIVE": True, "TIME_ZONE": ""})
    assert user.id == 17 and user.time_zone is None and user.full_name == "Anna Berg"
    assert "anna@example.com" not in repr(user)
