"""Today's "done at": when the minimum is worked, for a running, paused or closed day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.bitrix24 import Workday, WorkdayStatus
from bot.telegram import formatting as fmt
from bot.worktime.done_at import DoneAt, done_at
from bot.worktime.models import WorkTargets

CEST = timezone(timedelta(hours=2))
BERLIN = ZoneInfo("Europe/Berlin")
TARGETS = WorkTargets()  # 8 h, Monday to Friday
THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=CEST)


def opened(start: datetime, breaks: timedelta = timedelta(0)) -> Workday:
    return Workday(WorkdayStatus.OPENED, started_at=start, breaks=breaks)


def test_a_running_day_is_done_at_its_start_plus_breaks_plus_the_minimum() -> None:
    day = opened(THURSDAY, breaks=timedelta(minutes=45))
    now = THURSDAY + timedelta(hours=5)
    done = done_at(day, TARGETS, now)
    assert done == DoneAt(at=THURSDAY + timedelta(hours=8, minutes=45),
                          remaining=timedelta(hours=3, minutes=45), reached=False)
    assert done.at == now + done.remaining


def test_a_running_day_past_its_minimum_says_when_it_was_reached() -> None:
    day = opened(THURSDAY, breaks=timedelta(minutes=30))
    done = done_at(day, TARGETS, THURSDAY + timedelta(hours=10))
    assert done == DoneAt(at=THURSDAY + timedelta(hours=8, minutes=30), remaining=timedelta(0),
                          reached=True)


def test_a_break_has_no_done_at_but_knows_what_remains() -> None:
    paused_at = THURSDAY + timedelta(hours=3, minutes=30)
    day = Workday(WorkdayStatus.PAUSED, started_at=THURSDAY, finished_at=paused_at,
                  breaks=timedelta(minutes=15))
    done = done_at(day, TARGETS, paused_at + timedelta(minutes=40))
    assert done == DoneAt(at=None, remaining=timedelta(hours=4, minutes=45), reached=False)


def test_a_break_after_the_minimum_keeps_the_moment_it_was_reached() -> None:
    paused_at = THURSDAY + timedelta(hours=9)
    day = Workday(WorkdayStatus.PAUSED, started_at=THURSDAY, finished_at=paused_at)
    done = done_at(day, TARGETS, paused_at + timedelta(minutes=20))
    assert done == DoneAt(at=THURSDAY + timedelta(hours=8), remaining=timedelta(0), reached=True)


def test_a_break_whose_start_the_portal_did_not_report_has_no_figures() -> None:
    day = Workday(WorkdayStatus.PAUSED, started_at=THURSDAY)
    assert done_at(day, TARGETS, THURSDAY + timedelta(hours=4)) is None


@pytest.mark.parametrize(("worked", "reached", "remaining"), [
    (timedelta(hours=8, minutes=20), True, timedelta(0)),
    (timedelta(hours=7), False, timedelta(hours=1)),
])
def test_a_day_closed_today_says_whether_it_reached_the_minimum(
        worked: timedelta, reached: bool, remaining: timedelta) -> None:
    finished = THURSDAY + worked + timedelta(minutes=30)
    day = Workday(WorkdayStatus.CLOSED, started_at=THURSDAY, finished_at=finished, duration=worked,
                  breaks=timedelta(minutes=30))
    done = done_at(day, TARGETS, finished + timedelta(hours=1))
    assert done is not None
    assert (done.reached, done.remaining) == (reached, remaining)
    assert done.at == (THURSDAY + timedelta(hours=8, minutes=30) if reached else None)


def test_only_todays_day_has_a_done_at() -> None:
    yesterday = Workday(WorkdayStatus.CLOSED, started_at=THURSDAY - timedelta(days=1),
                        finished_at=THURSDAY - timedelta(hours=15), duration=timedelta(hours=8))
    assert done_at(yesterday, TARGETS, THURSDAY) is None
    expired = Workday(WorkdayStatus.EXPIRED, started_at=THURSDAY - timedelta(days=1))
    assert done_at(expired, TARGETS, THURSDAY) is None
    assert done_at(Workday(WorkdayStatus.CLOSED), TARGETS, THURSDAY) is None  # never opened


def test_today_is_read_in_the_days_own_offset() -> None:
    # Started at 01:00 on Friday in +05:00, still Thursday in UTC: today's day all the same.
    early = datetime(2026, 6, 5, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    done = done_at(opened(early), TARGETS, datetime(2026, 6, 4, 22, 0, tzinfo=UTC))
    assert done is not None and done.remaining == timedelta(hours=6)
    assert done_at(opened(early), TARGETS, datetime(2026, 6, 5, 19, 30, tzinfo=UTC)) is None


def test_no_minimum_no_done_at() -> None:
    saturday = datetime(2026, 6, 6, 10, 0, tzinfo=CEST)
    assert done_at(opened(saturday), TARGETS, saturday + timedelta(hours=1)) is None
    untracked = WorkTargets(tracked=False)
    assert done_at(opened(THURSDAY), untracked, THURSDAY + timedelta(hours=1)) is None


def test_flextime_still_has_a_minimum_duration() -> None:
    flextime = WorkTargets(min_duration=timedelta(hours=6), latest_start=None, earliest_finish=None,
                           flextime=True)
    late_start = THURSDAY.replace(hour=11)
    done = done_at(opened(late_start), flextime, late_start + timedelta(hours=2))
    assert done == DoneAt(at=late_start + timedelta(hours=6), remaining=timedelta(hours=4), reached=False)


def test_done_at_across_the_autumn_dst_change() -> None:
    # Berlin falls back at 03:00 CEST on 25 Oct 2026. Started at midnight (CEST); at 01:00
    # CEST one hour is worked and 7 remain: done at 07:00 CET, 8 real hours after the
    # start. Adding 7 h to the wall clock would say 08:00.
    sunday = WorkTargets(work_days=frozenset(range(7)))
    start = datetime(2026, 10, 25, 0, 0, tzinfo=CEST)
    now = datetime(2026, 10, 25, 1, 0, tzinfo=BERLIN)
    done = done_at(opened(start), sunday, now)
    assert done is not None
    assert done.remaining == timedelta(hours=7)
    assert done.at is not None and done.at - start == timedelta(hours=8)
    assert fmt.clock(done.at, BERLIN) == "07:00"
    assert done.at.astimezone(BERLIN).time() == time(7, 0)
