"""Every Bitrix24 answer that shows an employee's day, handed to whoever keeps track.

Bitrix24 sends no timeman events (docs/bitrix24.md#events), so what the bot learns of a
day comes from its own calls: actions, status reads, reminders' batched checks and the
nightly sweep. Each of them reports here; the journal records closed days from it. A
listener's failure is logged and never reaches the action that saw the day.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from bot.bitrix24 import Workday
from bot.storage.journal import JournalRepository
from bot.worktime.models import JournalDay

log = logging.getLogger(__name__)

DayListener = Callable[[Mapping[int, Workday]], Awaitable[object]]


class DaySightings:
    def __init__(self) -> None:
        self._listeners: list[DayListener] = []

    def subscribe(self, listener: DayListener) -> None:
        self._listeners.append(listener)

    async def saw(self, bitrix_id: int, day: Workday) -> None:
        await self.saw_many({bitrix_id: day})

    async def saw_many(self, days: Mapping[int, Workday]) -> None:
        if not days:
            return
        for listener in self._listeners:
            try:
                await listener(days)
            except Exception as error:  # noqa: BLE001 - bookkeeping must not undo an action
                log.warning("a day seen could not be recorded",
                            extra={"ctx_listener": getattr(listener, "__qualname__", repr(listener)),
                                   "ctx_error": repr(error), "ctx_count": len(days)})


def journal_writer(journal: JournalRepository) -> DayListener:
    """Records the closed days among those seen."""

    async def record(days: Mapping[int, Workday]) -> None:
        entries = {bitrix_id: entry for bitrix_id, day in days.items()
                   if (entry := JournalDay.from_workday(day)) is not None}
        await journal.record_many(entries)

    record.__qualname__ = "journal_writer"
    return record
