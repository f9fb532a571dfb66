"""The live-card sweep: day cards follow changes made in Bitrix24 itself.

Bitrix24 sends no timeman events (docs/bitrix24.md#events), so a day started in the web
UI or the mobile app leaves the chat's card saying "not started" until someone taps. The
sweep reads, 50 `timeman.status` per `batch` request, the days of the linked users whose
chat has a live card (shown within Telegram's 48-hour edit window), through the
background budget (`bot.bitrix24.background`): a share of the portal's rate that taps
never wait behind. Where a day differs from what the bot last saw (DayCache: status,
start, breaks), the card is edited in place, the cache updated, and pending break
follow-ups dropped once the day is no longer paused. Every day read is handed to
`DaySightings`, as any other read is.

It runs as a periodic job (`JobRegistry.every`): once per slot across the replicas, and a
pass still running holds a lock, so a long pass is never doubled by another replica.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.bitrix24 import Bitrix24Error, RateLimiter, Workday, WorkdayAPI, WorkdayStatus
from bot.clock import Clock
from bot.jobs import JobRegistry
from bot.jobs.schedule import Slot
from bot.services.reminders import ReminderService
from bot.services.workday import TargetsSource
from bot.storage.day_cache import DayCache, SeenDay
from bot.storage.links import LinkRepository
from bot.storage.live_cards import Card, LiveCardRepository
from bot.storage.profiles import ProfileRepository
from bot.worktime.models import WorkTargets
from bot.worktime.sightings import DaySightings

log = logging.getLogger(__name__)

CHUNK = 50  # one `batch` request
SWEEP_EVERY_SECONDS = 60
# A chunk's read may wait long for the budget while taps keep the portal busy; past this
# it is left for the next pass.
CHUNK_DEADLINE = 120.0
# How long a pass may hold the lock before another replica may take over (a crashed pass).
_LOCK_SECONDS = 30 * 60


class EditOutcome(StrEnum):
    EDITED = "edited"
    UNCHANGED = "unchanged"  # Telegram says the card already shows this
    GONE = "gone"  # deleted, or too old to edit: the card is forgotten
    UNREACHABLE = "unreachable"  # the user blocked the bot
    FAILED = "failed"  # refused or not delivered: tried again on the next pass
    HELD = "held"  # the bot is stopping: the pass ends here


class CardEditor(Protocol):
    async def edit(self, card: Card, day: Workday, targets: WorkTargets | None) -> EditOutcome:
        """Show `day` on `card`, rendered as a tap on it would."""
        ...


@dataclass(slots=True)
class SweepReport:
    cards: int = 0  # live cards within the edit window
    read: int = 0  # days read from Bitrix24
    requests: int = 0  # `batch` requests sent for them
    changed: int = 0  # days that differed from what the bot last saw
    edited: int = 0
    unchanged: int = 0
    gone: int = 0
    failed: int = 0
    unreadable: int = 0
    skipped: int = 0  # unlinked, updates off, blocked, or acted on while the pass ran
    follow_ups_dropped: int = 0
    ran: bool = True  # False: another replica's pass was still running


def differs(seen: SeenDay | None, day: Workday) -> bool:
    """Whether the day moved since the bot last saw it (nothing seen: the card may be old)."""
    if seen is None:
        return True
    started = int(day.started_at.timestamp()) if day.started_at else 0
    return (seen.status is not day.status or seen.started != started
            or seen.breaks != int(day.breaks.total_seconds()))


@dataclass(frozen=True, slots=True)
class _Watched:
    card: Card
    bitrix_id: int
    seen: SeenDay | None


class LiveCardSweep:
    def __init__(self, *, cards: LiveCardRepository, links: LinkRepository, profiles: ProfileRepository,
                 days: DayCache, api: WorkdayAPI, budget: RateLimiter, editor: CardEditor,
                 reminders: ReminderService, clock: Clock, sightings: DaySightings | None = None,
                 targets: TargetsSource | None = None, chunk: int = CHUNK) -> None:
        self._cards = cards
        self._links = links
        self._profiles = profiles
        self._days = days
        self._api = api
        self._budget = budget
        self._editor = editor
        self._reminders = reminders
        self._clock = clock
        self._sightings = sightings
        self._targets = targets
        self._chunk = chunk

    def register_jobs(self, jobs: JobRegistry, *, seconds: float = SWEEP_EVERY_SECONDS) -> None:
        jobs.every("live_cards.sweep", self.sweep, seconds=seconds)

    async def sweep(self, _slot: Slot | None = None) -> SweepReport:
        """One pass over every live card; returns what it did."""
        token = uuid.uuid4().hex
        if not await self._cards.claim_sweep(token, _LOCK_SECONDS):
            return SweepReport(ran=False)
        try:
            return await self._pass()
        finally:
            await self._cards.release_sweep(token)

    async def _pass(self) -> SweepReport:
        report = SweepReport()
        cards = await self._cards.live(self._clock.now())
        report.cards = len(cards)
        for offset in range(0, len(cards), self._chunk):
            if not await self._chunk_pass(cards[offset:offset + self._chunk], report):
                break
        log.info("live cards swept", extra={"ctx_cards": report.cards, "ctx_requests": report.requests,
                                            "ctx_changed": report.changed, "ctx_edited": report.edited})
        return report

    async def _watched(self, cards: Sequence[Card], report: SweepReport) -> list[_Watched]:
        chat_ids = [card.chat_id for card in cards]
        bitrix_ids = await self._links.bitrix_ids(chat_ids)
        quiet = await self._profiles.without_card_updates(list(bitrix_ids))
        wanted = [card for card in cards if card.chat_id in bitrix_ids and card.chat_id not in quiet]
        report.skipped += len(cards) - len(wanted)
        seen = await self._days.get_many([bitrix_ids[card.chat_id] for card in wanted])
        return [_Watched(card, bitrix_ids[card.chat_id], seen.get(bitrix_ids[card.chat_id])) for card in wanted]

    async def _chunk_pass(self, cards: Sequence[Card], report: SweepReport) -> bool:
        """Read and refresh one chunk; False when the bot is stopping."""
        watched = await self._watched(cards, report)
        if not watched:
            return True
        try:
            days = await self._api.status_many([item.bitrix_id for item in watched], deadline=CHUNK_DEADLINE,
                                               limiter=self._budget)
        except Bitrix24Error as error:
            log.warning("the live-card sweep could not read a part of the days",
                        extra={"ctx_count": len(watched), "ctx_error": repr(error)})
            report.unreadable += len(watched)
            return True
        report.requests += 1
        read = {bitrix_id: day for bitrix_id, day in days.items() if isinstance(day, Workday)}
        report.read += len(read)
        report.unreadable += len(watched) - len(read)
        if self._sightings is not None:
            await self._sightings.saw_many(read)
        changed = [item for item in watched if item.bitrix_id in read and differs(item.seen, read[item.bitrix_id])]
        report.changed += len(changed)
        changed = await self._not_acted_on(changed, report)
        targets = await self._targets.kept([item.bitrix_id for item in changed]) if self._targets and changed else {}
        resumed: list[int] = []
        for item in changed:
            day = read[item.bitrix_id]
            outcome = await self._editor.edit(item.card, day, targets.get(item.bitrix_id))
            if outcome is EditOutcome.HELD:
                return False
            if outcome is EditOutcome.FAILED:
                report.failed += 1
                continue  # the cache keeps the old day: the next pass tries the card again
            if outcome is EditOutcome.GONE:
                report.gone += 1
                await self._cards.forget_card(item.card.chat_id, item.card.message_id)
            elif outcome is EditOutcome.EDITED:
                report.edited += 1
            elif outcome is EditOutcome.UNCHANGED:
                report.unchanged += 1
            await self._days.put(item.bitrix_id, day)
            if item.seen is not None and item.seen.status is WorkdayStatus.PAUSED \
                    and day.status is not WorkdayStatus.PAUSED:
                resumed.append(item.card.chat_id)
        if resumed:
            report.follow_ups_dropped += await self._reminders.drop_break_follow_ups(resumed)
        return True

    async def _not_acted_on(self, changed: list[_Watched], report: SweepReport) -> list[_Watched]:
        """Leave out users who acted while their day was being read: their own answer is
        newer than the sweep's, and already on a card (a new one, or this one edited)."""
        if not changed:
            return changed
        now_seen = await self._days.get_many([item.bitrix_id for item in changed])
        cards = await self._cards.current([item.card.chat_id for item in changed])
        kept = [item for item in changed
                if now_seen.get(item.bitrix_id) == item.seen and cards.get(item.card.chat_id) == item.card.message_id]
        report.skipped += len(changed) - len(kept)
        return kept
