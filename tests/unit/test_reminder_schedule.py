"""Next-occurrence maths: DST weeks, weekends, day sets, time zones."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.models import EVERY_DAY, WEEKDAYS
from bot.reminders.schedule import next_fire

BERLIN, NEW_YORK, KOLKATA = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


def test_weekday_lunch_skips_the_weekend() -> None:
    friday_after_lunch = local(BERLIN, 2026, 3, 6, 14, 0)
    fire = next_fire(time(13, 0), WEEKDAYS, "Europe/Berlin", friday_after_lunch)
    assert fire.astimezone(BERLIN) == local(BERLIN, 2026, 3, 9, 13, 0)  # Monday
    assert fire.tzinfo == UTC


def test_same_day_when_still_ahead() -> None:
    fire = next_fire(time(13, 0), WEEKDAYS, "Europe/Berlin", local(BERLIN, 2026, 3, 4, 9, 0))
    assert fire.astimezone(BERLIN) == local(BERLIN, 2026, 3, 4, 13, 0)


def test_exactly_at_the_firing_time_moves_on() -> None:
    at = local(BERLIN, 2026, 3, 4, 13, 0)
    assert next_fire(time(13, 0), WEEKDAYS, "Europe/Berlin", at).astimezone(BERLIN) == local(BERLIN, 2026, 3, 5, 13, 0)


def test_day_sets() -> None:
    monday_evening = local(BERLIN, 2026, 3, 2, 20, 0)
    fires = []
    moment = monday_evening
    for _ in range(4):
        moment = next_fire(time(12, 30), frozenset({0, 2, 4}), "Europe/Berlin", moment)
        fires.append(moment.astimezone(BERLIN).strftime("%a %d %H:%M"))
    assert fires == ["Wed 04 12:30", "Fri 06 12:30", "Mon 09 12:30", "Wed 11 12:30"]


def test_sunday_only_and_every_day() -> None:
    assert next_fire(time(9, 0), frozenset({6}), "UTC", datetime(2026, 3, 2, tzinfo=UTC)) == datetime(2026, 3, 8, 9, tzinfo=UTC)
    assert next_fire(time(9, 0), EVERY_DAY, "UTC", datetime(2026, 3, 7, 10, tzinfo=UTC)) == datetime(2026, 3, 8, 9, tzinfo=UTC)


def test_spring_forward_week_keeps_the_wall_clock() -> None:
    # Berlin moves from UTC+1 to UTC+2 on Sunday 29 March 2026.
    friday = next_fire(time(13, 0), WEEKDAYS, "Europe/Berlin", local(BERLIN, 2026, 3, 27, 9, 0))
    monday = next_fire(time(13, 0), WEEKDAYS, "Europe/Berlin", friday)
    assert friday == datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    assert monday == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)
    assert monday.astimezone(BERLIN).hour == 13


def test_fall_back_week_keeps_the_wall_clock() -> None:
    # Back to UTC+1 on Sunday 25 October 2026.
    friday = next_fire(time(13, 0), WEEKDAYS, "Europe/Berlin", local(BERLIN, 2026, 10, 23, 9, 0))
    monday = next_fire(time(13, 0), WEEKDAYS, "Europe/Berlin", friday)
    assert friday == datetime(2026, 10, 23, 11, 0, tzinfo=UTC)
    assert monday == datetime(2026, 10, 26, 12, 0, tzinfo=UTC)


def test_a_time_that_does_not_exist_fires_once_after_the_jump() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026: it fires when the clock says 03:30.
    fire = next_fire(time(2, 30), EVERY_DAY, "Europe/Berlin", local(BERLIN, 2026, 3, 28, 12, 0))
    assert fire == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    following = next_fire(time(2, 30), EVERY_DAY, "Europe/Berlin", fire)
    assert following.astimezone(BERLIN) == local(BERLIN, 2026, 3, 30, 2, 30)


def test_a_time_that_happens_twice_fires_once() -> None:
    # 02:30 happens twice in Berlin on 25 October 2026.
    first = next_fire(time(2, 30), EVERY_DAY, "Europe/Berlin", local(BERLIN, 2026, 10, 24, 12, 0))
    second = next_fire(time(2, 30), EVERY_DAY, "Europe/Berlin", first)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second.astimezone(BERLIN) == local(BERLIN, 2026, 10, 26, 2, 30)


@pytest.mark.parametrize(
    ("zone", "expected_utc"),
    [("America/New_York", datetime(2026, 3, 9, 17, 0, tzinfo=UTC)),  # EDT from 8 March
     ("Asia/Kolkata", datetime(2026, 3, 9, 7, 30, tzinfo=UTC)),
     ("Europe/Berlin", datetime(2026, 3, 9, 12, 0, tzinfo=UTC)),
     ("UTC", datetime(2026, 3, 9, 13, 0, tzinfo=UTC))],
)
def test_time_zones(zone: str, expected_utc: datetime) -> None:
    assert next_fire(time(13, 0), WEEKDAYS, zone, datetime(2026, 3, 9, 3, 0, tzinfo=UTC)) == expected_utc


def test_no_days_is_refused() -> None:
    with pytest.raises(ValueError):
        next_fire(time(13, 0), frozenset(), "UTC", datetime(2026, 3, 9, tzinfo=UTC))
