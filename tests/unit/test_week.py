"""The week: each day's worked time against its target, the balance so far, and the states
of days that are running, left open, missed or still to come."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.bitrix24 import Workday, WorkdayStatus
from bot.worktime.done_at import DoneAt
from bot.worktime.models import JournalDay, WorkTargets
from bot.i18n import Translator
from bot.worktime import chart
from bot.worktime.texts import week_caption
from bot.worktime.week import DayState, build_week, monday_of

BERLIN = ZoneInfo("Europe/Berlin")
CEST = timezone(timedelta(hours=2))
CET = timezone(timedelta(hours=1))
MONDAY = date(2026, 6, 1)
TARGETS = WorkTargets()  # 8 h, Monday to Friday
H = timedelta(hours=1)
M = timedelta(minutes=1)


def at(day: date, hour: int, minute: int = 0, zone: timezone = CEST) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def journaled(day: date, worked: timedelta, *, approved: bool = True, start: int = 9) -> JournalDay:
    started = at(day, start)
    return JournalDay(day=day, started_at=started, finished_at=started + worked + 30 * M, worked=worked,
                      breaks=30 * M, approved=approved)


def weekday(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def test_monday_of_any_day_of_the_week() -> None:
    assert {monday_of(weekday(offset)) for offset in range(7)} == {MONDAY}
    assert monday_of(weekday(7)) == weekday(7)


def test_a_normal_week_with_today_running() -> None:
    journal = [journaled(weekday(-3), 9 * H),  # the Friday before: not this week
               journaled(weekday(0), 8 * H + 30 * M), journaled(weekday(1), 7 * H + 45 * M),
               journaled(weekday(2), 8 * H, approved=False)]
    now = at(weekday(3), 14)
    current = Workday(WorkdayStatus.OPENED, started_at=at(weekday(3), 9), breaks=30 * M)
    week = build_week(MONDAY, journal, current, TARGETS, now, BERLIN)

    assert [row.state for row in week.rows] == [DayState.CLOSED] * 3 + [DayState.RUNNING] + [DayState.FUTURE] * 3
    assert [row.worked for row in week.rows] == [8 * H + 30 * M, 7 * H + 45 * M, 8 * H, 4 * H + 30 * M,
                                                 timedelta(0), timedelta(0), timedelta(0)]
    assert [row.target for row in week.rows] == [8 * H] * 5 + [timedelta(0)] * 2
    assert week.today == weekday(3) and week.today_row is week.rows[3]
    assert week.worked == 28 * H + 45 * M
    assert (week.target, week.target_so_far) == (40 * H, 32 * H)
    # +30 min, -15 min, 0, and no deficit for a day still running.
    assert week.balance == 15 * M
    assert [row.day for row in week.unapproved] == [weekday(2)]
    assert week.done == DoneAt(at=at(weekday(3), 17, 30), remaining=3 * H + 30 * M, reached=False)
    assert not week.is_past and not week.is_future and week.sunday == weekday(6)


def test_a_running_day_past_its_minimum_adds_its_surplus() -> None:
    current = Workday(WorkdayStatus.OPENED, started_at=at(weekday(0), 8))
    week = build_week(MONDAY, [], current, TARGETS, at(weekday(0), 18), BERLIN)
    assert week.balance == 2 * H
    assert week.done is not None and week.done.reached and week.done.at == at(weekday(0), 16)


def test_today_paused() -> None:
    paused_at = at(weekday(1), 12, 30)
    current = Workday(WorkdayStatus.PAUSED, started_at=at(weekday(1), 9), finished_at=paused_at)
    week = build_week(MONDAY, [journaled(weekday(0), 7 * H)], current, TARGETS, at(weekday(1), 13), BERLIN)
    assert week.rows[1].state is DayState.PAUSED and week.rows[1].worked == 3 * H + 30 * M
    assert week.balance == -1 * H  # Monday's hour short; the paused day adds no deficit
    assert week.done == DoneAt(at=None, remaining=4 * H + 30 * M, reached=False)


def test_a_pause_of_unknown_start_counts_what_the_journal_knew() -> None:
    current = Workday(WorkdayStatus.PAUSED, started_at=at(weekday(1), 9))
    journal = [journaled(weekday(1), 2 * H)]  # closed once, then reopened
    week = build_week(MONDAY, journal, current, TARGETS, at(weekday(1), 13), BERLIN)
    assert week.rows[1].state is DayState.PAUSED and week.rows[1].worked == 2 * H
    assert week.done is None


@pytest.mark.parametrize(("worked", "balance", "reached"), [(7 * H, -1 * H, False), (9 * H, H, True)])
def test_today_closed_counts_its_deficit_or_surplus(worked: timedelta, balance: timedelta, reached: bool) -> None:
    start = at(weekday(2), 9)
    current = Workday(WorkdayStatus.CLOSED, started_at=start, finished_at=start + worked, duration=worked)
    journal = [journaled(weekday(0), 8 * H), journaled(weekday(1), 8 * H), JournalDay.from_workday(current)]
    week = build_week(MONDAY, journal, current, TARGETS, at(weekday(2), 19), BERLIN)
    assert week.rows[2].state is DayState.CLOSED
    assert week.balance == balance and week.worked == 16 * H + worked
    assert week.done is not None and week.done.reached is reached


def test_today_not_started_adds_no_deficit() -> None:
    yesterday = journaled(weekday(0), 8 * H)
    current = Workday(WorkdayStatus.CLOSED, started_at=yesterday.started_at, finished_at=yesterday.finished_at,
                      duration=yesterday.worked)
    week = build_week(MONDAY, [yesterday], current, TARGETS, at(weekday(1), 8), BERLIN)
    assert week.rows[1].state is DayState.TODAY_NOT_STARTED
    assert week.balance == timedelta(0) and week.target_so_far == 16 * H
    assert week.done is None  # yesterday's closed day is not today's


def test_the_live_day_wins_over_its_journal_entry() -> None:
    journal = [journaled(weekday(0), 3 * H)]  # closed at noon, then reopened
    current = Workday(WorkdayStatus.OPENED, started_at=at(weekday(0), 9), breaks=30 * M)
    week = build_week(MONDAY, journal, current, TARGETS, at(weekday(0), 15), BERLIN)
    assert week.rows[0].state is DayState.RUNNING and week.rows[0].worked == 5 * H + 30 * M


def test_a_day_journaled_twice_keeps_its_last_close() -> None:
    first, last = journaled(weekday(0), 3 * H), journaled(weekday(0), 8 * H + 10 * M)
    week = build_week(MONDAY, [last, first], None, TARGETS, at(weekday(1), 8), BERLIN)
    assert week.rows[0].worked == 8 * H + 10 * M


def test_an_expired_day_is_left_open_and_counts_zero_until_repaired() -> None:
    monday_start = at(weekday(0), 9)
    expired = Workday(WorkdayStatus.EXPIRED, started_at=monday_start,
                      suggested_finish=at(weekday(0), 18))
    before = build_week(MONDAY, [], expired, TARGETS, at(weekday(1), 10), BERLIN)
    assert before.rows[0].state is DayState.LEFT_OPEN and before.rows[0].worked == timedelta(0)
    assert not before.rows[0].reached
    assert [row.day for row in before.left_open] == [weekday(0)]
    assert before.rows[1].state is DayState.TODAY_NOT_STARTED
    assert before.balance == -8 * H and before.done is None

    # Repaired with an end at 17:45: closed, unapproved, filed under its start date.
    repaired = Workday(WorkdayStatus.CLOSED, started_at=monday_start, finished_at=at(weekday(0), 17, 45),
                       duration=8 * H + 15 * M, breaks=30 * M, active=False)
    entry = JournalDay.from_workday(repaired)
    assert entry is not None and entry.day == weekday(0)
    for current in (repaired, Workday(WorkdayStatus.OPENED, started_at=at(weekday(1), 9))):
        after = build_week(MONDAY, [entry], current, TARGETS, at(weekday(1), 10), BERLIN)
        assert after.rows[0].state is DayState.CLOSED and after.rows[0].worked == 8 * H + 15 * M
        assert not after.left_open and [row.day for row in after.unapproved] == [weekday(0)]
        assert after.balance == 15 * M


def test_the_week_before_is_all_counted() -> None:
    previous = MONDAY - timedelta(days=7)
    journal = [journaled(previous + timedelta(days=offset), 8 * H + 20 * M) for offset in range(4)]
    week = build_week(previous, journal, None, TARGETS, at(weekday(2), 10), BERLIN)
    assert week.is_past and week.done is None and week.today_row is None
    assert [row.state for row in week.rows] == [DayState.CLOSED] * 4 + [DayState.NOT_WORKED] * 3
    assert [row.day for row in week.missed] == [previous + timedelta(days=4)]  # weekends are no misses
    assert week.worked == 33 * H + 20 * M
    assert week.target == week.target_so_far == 40 * H
    assert week.balance == week.worked - week.target


def test_the_week_to_come_shows_its_targets_only() -> None:
    current = Workday(WorkdayStatus.OPENED, started_at=at(weekday(3), 9))
    following = MONDAY + timedelta(days=7)
    week = build_week(following, [journaled(weekday(0), 8 * H)], current, TARGETS, at(weekday(3), 12), BERLIN)
    assert week.is_future and week.done is None
    assert {row.state for row in week.rows} == {DayState.FUTURE}
    assert (week.worked, week.target, week.target_so_far, week.balance) == (timedelta(0), 40 * H, timedelta(0),
                                                                          timedelta(0))


def test_a_day_worked_on_a_weekend_is_all_surplus() -> None:
    saturday = journaled(weekday(5), 3 * H)
    week = build_week(MONDAY, [journaled(weekday(day), 8 * H) for day in range(5)] + [saturday], None,
                      TARGETS, at(weekday(6), 12), BERLIN)
    assert week.rows[5].target == timedelta(0) and week.rows[5].reached
    assert week.balance == 3 * H and week.rows[6].state is DayState.TODAY_NOT_STARTED


def test_flextime_and_tracking_off() -> None:
    flextime = WorkTargets(min_duration=6 * H, latest_start=None, earliest_finish=None, flextime=True,
                           work_days=frozenset({0, 1, 2, 3}))
    journal = [journaled(weekday(0), 5 * H)]
    week = build_week(MONDAY, journal, None, flextime, at(weekday(4), 12), BERLIN)
    assert week.target == 24 * H and week.balance == 5 * H - 24 * H
    assert week.rows[4].target == timedelta(0)  # Friday is no work day here

    untracked = build_week(MONDAY, journal, None, WorkTargets(tracked=False), at(weekday(4), 12), BERLIN)
    assert untracked.target == timedelta(0) and untracked.balance == 5 * H and not untracked.missed


def test_today_is_the_date_in_the_users_zone() -> None:
    # 00:30 Tuesday in Berlin is still Monday in UTC.
    week = build_week(MONDAY, [], None, TARGETS, datetime(2026, 6, 1, 22, 30, tzinfo=timezone.utc), BERLIN)
    assert week.today == weekday(1) and week.rows[0].state is DayState.NOT_WORKED


def test_a_monday_is_required() -> None:
    with pytest.raises(ValueError, match="not a Monday"):
        build_week(weekday(1), [], None, TARGETS, at(weekday(1), 12), BERLIN)


# Berlin falls back from 03:00 CEST to 02:00 CET on Sunday 25 Oct 2026.
DST_MONDAY = date(2026, 10, 19)
EVERY_DAY = WorkTargets(work_days=frozenset(range(7)))


def test_a_week_with_the_autumn_dst_change() -> None:
    # Saturday's night shift runs 22:00 CEST to 06:00 CET: 9 real hours, the duration
    # Bitrix24 reports, though the wall clocks are 8 hours apart.
    night = JournalDay(day=date(2026, 10, 24), started_at=datetime(2026, 10, 24, 22, tzinfo=CEST),
                       finished_at=datetime(2026, 10, 25, 6, tzinfo=CET), worked=9 * H, breaks=timedelta(0))
    weekdays = [journaled(DST_MONDAY + timedelta(days=offset), 8 * H) for offset in range(5)]
    # Sunday's day started at 01:00 CEST; at 07:00 CET 7 hours are worked.
    current = Workday(WorkdayStatus.OPENED, started_at=datetime(2026, 10, 25, 1, tzinfo=CEST))
    now = datetime(2026, 10, 25, 7, tzinfo=BERLIN)
    week = build_week(monday_of(now.date()), [*weekdays, night], current, EVERY_DAY, now, BERLIN)

    assert week.monday == DST_MONDAY and week.today == date(2026, 10, 25)
    assert week.rows[5].worked == 9 * H
    assert week.rows[6].state is DayState.RUNNING and week.rows[6].worked == 7 * H
    assert week.worked == 40 * H + 9 * H + 7 * H
    assert week.balance == H  # Saturday's surplus; Sunday is still running
    assert week.done is not None and week.done.at is not None
    assert week.done.at.astimezone(BERLIN) == datetime(2026, 10, 25, 8, tzinfo=BERLIN)
    assert week.done.at - current.started_at == 8 * H


def test_the_week_after_the_dst_change_starts_at_midnight_cet() -> None:
    # 00:30 CET on Monday is 23:30 UTC on Sunday: already the next week.
    now = datetime(2026, 10, 25, 23, 30, tzinfo=timezone.utc)
    assert now.astimezone(BERLIN).date() == date(2026, 10, 26)
    week = build_week(date(2026, 10, 26), [], None, EVERY_DAY, now, BERLIN)
    assert week.today == date(2026, 10, 26) and week.rows[0].state is DayState.TODAY_NOT_STARTED
    earlier = build_week(DST_MONDAY, [], None, EVERY_DAY, now, BERLIN)
    assert earlier.is_past and earlier.balance == -7 * 8 * H


def test_the_balance_agrees_with_the_totals_to_the_minute() -> None:
    # Seen in the sandbox: 15 h 58 min worked over two 8 h days, and a balance of −1 min.
    seconds = timedelta(seconds=1)
    journal = [journaled(weekday(0), 7 * H + 59 * M + 30 * seconds),
               journaled(weekday(1), 7 * H + 58 * M + 50 * seconds)]
    week = build_week(MONDAY, journal, None, TARGETS, at(weekday(2), 8), BERLIN)
    assert week.worked == 15 * H + 57 * M
    assert week.balance == week.worked - 16 * H == -3 * M


def test_days_before_the_link_count_no_deficit() -> None:
    # Linked on Wednesday: Monday and Tuesday are not missing hours, just unknown to the bot.
    week = build_week(MONDAY, [], None, TARGETS, at(weekday(3), 8), BERLIN, tracked_since=weekday(2))
    states = [row.state for row in week.rows[:4]]
    assert states == [DayState.UNTRACKED, DayState.UNTRACKED, DayState.NOT_WORKED, DayState.TODAY_NOT_STARTED]
    assert week.balance == -8 * H  # Wednesday only
    assert len(week.untracked) == 2 and len(week.missed) == 1
    caption = week_caption(week, Translator("en"), BERLIN)
    assert "2 work days before you linked the bot are not counted in the balance." in caption
    assert "рабочих дня до подключения бота" in week_caption(week, Translator("ru"), BERLIN)
    assert chart.render_week_png(week, Translator("en"), BERLIN)[:8] == b"\x89PNG\r\n\x1a\n"
