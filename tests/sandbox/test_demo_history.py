"""The sandbox starts with past days, the same in the portal and the journal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from redis.asyncio import Redis

from bot.bitrix24.models import parse_duration
from bot.clock import ManualClock
from bot.storage.journal import JournalRepository
from bot.storage.keys import KeySpace
from workday_sandbox.demo_history import journal_demo_history, seed_demo_history
from workday_sandbox.portal.emulator import build_demo_portal

WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


async def test_past_work_days_are_seeded_in_the_portal_and_the_journal(redis: Redis) -> None:
    portal = build_demo_portal(clock=ManualClock(WEDNESDAY))
    seeded = seed_demo_history(portal)
    assert set(seeded) == {user.id for user in portal.users.values() if user.active}
    anna = [day.date for day in seeded[1]]
    # Two full weeks, then this Monday and Tuesday: never today, never a weekend.
    assert anna == [date(2026, 11, 16) + timedelta(days=n) for n in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15)]
    assert portal.closed_days_of(1) == seeded[1]
    keys = KeySpace("sandbox")
    assert await journal_demo_history(redis, keys, seeded) == sum(len(days) for days in seeded.values())
    journal = await JournalRepository(redis, keys).days(1, date(2026, 11, 16), date(2026, 12, 6))
    assert [entry.day for entry in journal] == anna
    assert [entry.worked for entry in journal] == [parse_duration(closed.duration) for closed in seeded[1]]
    assert len({entry.worked for entry in journal}) > 1  # the days differ, so the chart does
