"""A head's digests go through the reminder machinery: each fires once across replicas, in
the head's own zone, on work days."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time

from bot.reminders.engine import NoticeKind
from bot.reminders.models import WEEKDAYS, Kind, ReminderDraft
from bot.services.reminders import schedule_recurring
from tests.reminders.fixtures import World


async def test_each_digest_fires_once_across_two_replicas(world: World) -> None:
    heads = 40
    for index in range(heads):
        await world.employee(3000 + index, 4000 + index, zone="Asia/Almaty" if index % 2 else "Europe/Berlin")
        for kind, at in ((Kind.TEAM_DIGEST, time(9, 30)), (Kind.TEAM_EVENING, time(19, 0))):
            reminder = await world.store.create_nudge(3000 + index, ReminderDraft(kind=kind, at=at, days=WEEKDAYS),
                                                      enabled=True)
            zone = "Asia/Almaty" if index % 2 else "Europe/Berlin"
            await schedule_recurring(world.store, reminder, zone, world.clock.now())
    # Tuesday 09:30 in Berlin (08:30 UTC): Almaty's 09:30 (04:30 UTC) came and went unseen.
    world.clock.set(datetime(2026, 3, 3, 8, 30, 5, tzinfo=UTC))
    first, second = world.engine(chunk_size=7), world.engine(chunk_size=7)
    await asyncio.gather(first.tick(), second.tick())
    told = Counter((n.telegram_id, n.kind) for n in world.notifier.notices)
    assert set(told.values()) == {1}
    assert {kind for _, kind in told} == {NoticeKind.TEAM_DIGEST}
    assert {telegram_id for telegram_id, _ in told} == {3000 + index for index in range(0, heads, 2)}
    # The evening list, at 19:00 in Berlin, once.
    world.clock.set(datetime(2026, 3, 3, 18, 0, 5, tzinfo=UTC))
    await asyncio.gather(first.tick(), second.tick())
    evening = Counter(n.telegram_id for n in world.notifier.notices if n.kind is NoticeKind.TEAM_EVENING)
    assert set(evening) == {3000 + index for index in range(0, heads, 2)} and set(evening.values()) == {1}


async def test_digests_are_neither_counted_nor_listed_among_reminders(world: World) -> None:
    await world.employee(3000, 4000)
    await world.store.create_nudge(3000, ReminderDraft(kind=Kind.TEAM_DIGEST, at=time(9, 30)), enabled=True)
    assert await world.service.list(3000) == []
    assert await world.service.has_room(3000, Kind.BREAK)
