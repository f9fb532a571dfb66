"""The journal keeps closed days compactly, for 13 weeks, and forgets them on request."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from redis.asyncio import Redis

from bot.bitrix24 import Workday, WorkdayStatus
from bot.storage.journal import KEPT, JournalRepository
from bot.storage.keys import KeySpace
from bot.worktime.models import JournalDay

BERLIN_WINTER = timezone(timedelta(hours=1))


def closed_day(day: date, *, start_hour: int = 9, hours: int = 9, breaks_min: int = 45,
               zone: timezone = BERLIN_WINTER, active: bool = True) -> Workday:
    started = datetime(day.year, day.month, day.day, start_hour, 0, 5, tzinfo=zone)
    finished = started + timedelta(hours=hours)
    return Workday(status=WorkdayStatus.CLOSED, started_at=started, finished_at=finished,
                   duration=finished - started - timedelta(minutes=breaks_min),
                   breaks=timedelta(minutes=breaks_min), active=active,
                   tz_offset=zone.utcoffset(None))


async def test_a_closed_day_reads_back_with_every_figure(redis: Redis) -> None:
    journal = JournalRepository(redis, KeySpace("t"))
    entry = JournalDay.from_workday(closed_day(date(2026, 11, 30), active=False))
    assert entry is not None
    await journal.record(7, entry)
    [back] = await journal.days(7, date(2026, 11, 30), date(2026, 12, 6))
    assert back == entry
    assert back.started_at.utcoffset() == timedelta(hours=1)
    assert back.worked == timedelta(hours=8, minutes=15) and back.approved is False


def test_only_closed_days_make_entries() -> None:
    started = datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN_WINTER)
    for status in (WorkdayStatus.OPENED, WorkdayStatus.PAUSED, WorkdayStatus.EXPIRED):
        assert JournalDay.from_workday(Workday(status=status, started_at=started)) is None
    assert JournalDay.from_workday(Workday(status=WorkdayStatus.CLOSED)) is None  # never had a day


async def test_a_day_recorded_again_replaces_its_entry(redis: Redis) -> None:
    journal = JournalRepository(redis, KeySpace("t"))
    monday = date(2026, 11, 30)
    first = JournalDay.from_workday(closed_day(monday, hours=4))
    again = JournalDay.from_workday(closed_day(monday, hours=9))  # reopened, closed later
    assert first and again
    await journal.record(7, first)
    await journal.record(7, again)
    assert await journal.days(7, monday, monday) == [again]


async def test_days_older_than_13_weeks_are_dropped_and_the_key_expires(redis: Redis) -> None:
    keys = KeySpace("t")
    journal = JournalRepository(redis, keys)
    today = date(2026, 11, 30)
    old = JournalDay.from_workday(closed_day(today - KEPT - timedelta(days=1)))
    kept = JournalDay.from_workday(closed_day(today - KEPT + timedelta(days=1)))
    new = JournalDay.from_workday(closed_day(today))
    assert old and kept and new
    await journal.record_many({7: old})
    await journal.record_many({7: kept})
    await journal.record_many({7: new})
    days = await journal.days(7, date(2000, 1, 1), date(2100, 1, 1))
    assert [day.day for day in days] == [kept.day, new.day]
    ttl = await redis.ttl(keys("journal", 7))
    assert KEPT.total_seconds() < ttl <= (KEPT + timedelta(days=1)).total_seconds()


async def test_forget_erases_the_journal(redis: Redis) -> None:
    journal = JournalRepository(redis, KeySpace("t"))
    entry = JournalDay.from_workday(closed_day(date(2026, 11, 30)))
    assert entry
    await journal.record_many({7: entry, 8: entry})
    await journal.forget(7)
    assert await journal.days(7, date(2026, 1, 1), date(2027, 1, 1)) == []
    assert await journal.days(8, date(2026, 1, 1), date(2027, 1, 1)) == [entry]


async def test_an_unreadable_entry_is_skipped(redis: Redis) -> None:
    keys = KeySpace("t")
    journal = JournalRepository(redis, keys)
    await redis.hset(keys("journal", 7), "2026-11-30", "not,a,day")
    assert await journal.days(7, date(2026, 11, 1), date(2026, 12, 31)) == []
