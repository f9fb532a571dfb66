"""The engine's batched status reads feed the journal: a day closed in Bitrix24 itself is
recorded when a reminder next looks at it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.reminders.models import Kind, ReminderDraft
from bot.storage.journal import JournalRepository
from bot.worktime.sightings import DaySightings, journal_writer
from tests.reminders.fixtures import KEYS, World


async def test_a_reminders_read_journals_the_closed_days_it_sees(world: World) -> None:
    journal = JournalRepository(world.redis, KEYS)
    sightings = DaySightings()
    sightings.subscribe(journal_writer(journal))
    engine = world.engine(sightings=sightings)
    await world.employee(100, 10)
    await world.employee(101, 11)
    for telegram_id in (100, 101):
        await world.service.create(telegram_id, ReminderDraft(kind=Kind.CLOSE, at=time(18, 30)))
    morning = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    world.portal.seed_day(10, morning, status="CLOSED", closed_at=morning + timedelta(hours=8, minutes=20))
    world.portal.seed_day(11, morning)  # still open at 18:30: nudged, not journaled
    world.clock.set(datetime(2026, 3, 2, 17, 30, 5, tzinfo=UTC))  # 18:30 in Berlin
    report = await engine.tick()
    assert report.claimed == 2 and world.notifier.kinds_for(101) == ["close_nudge"]
    [entry] = await journal.days(10, date(2026, 3, 2), date(2026, 3, 2))
    assert entry.worked == timedelta(hours=8, minutes=20)
    assert await journal.days(11, date(2026, 3, 1), date(2026, 3, 3)) == []
    assert world.portal.request_count("batch") == 1  # one read for both, as before
