"""The engine reports each reminder's lag and each fan-out's duration."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.metrics import Metrics
from bot.reminders.engine import Notice
from bot.reminders.models import Kind, Mode, ReminderDraft
from tests.reminders.fixtures import World


class SlowNotifier:
    """Each delivery takes two seconds of the injected clock."""

    def __init__(self, world: World) -> None:
        self._world = world
        self.notices: list[Notice] = []

    async def deliver(self, notice: Notice) -> bool:
        self._world.advance(seconds=2)
        self.notices.append(notice)
        return True


async def test_lag_and_fan_out_duration_are_observed(world: World) -> None:
    metrics = Metrics()
    for telegram_id, bitrix_id in ((100, 10), (101, 11)):
        await world.employee(telegram_id, bitrix_id)
        await world.service.create(telegram_id, ReminderDraft(kind=Kind.BREAK, at=time(13, 0), mode=Mode.ASK))
        await world.bitrix.workday.open(bitrix_id)
    world.clock.set(datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC))  # 5 s after 13:00 in Berlin
    world.notifier = SlowNotifier(world)  # type: ignore[assignment]
    engine = world.engine(metrics=metrics.reminders)

    report = await engine.tick()
    assert report.notified == 2

    value = metrics.registry.get_sample_value
    assert value("b24bot_reminder_lag_seconds_count") == 2
    # Delivered at 13:00:07 and 13:00:09 (in whichever order): 16 s of lag in all.
    assert value("b24bot_reminder_lag_seconds_sum") == 16
    assert value("b24bot_reminder_lag_seconds_bucket", {"le": "5.0"}) == 0
    assert value("b24bot_reminder_lag_seconds_bucket", {"le": "10.0"}) == 2
    assert value("b24bot_reminder_fanout_seconds_count") == 1
    assert value("b24bot_reminder_fanout_seconds_sum") == 4

    # A tick with nothing due is not a fan-out.
    await engine.tick()
    assert value("b24bot_reminder_fanout_seconds_count") == 1
    assert timedelta(seconds=4) == world.clock.now() - datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)
