"""Creating, listing, switching and deleting a user's reminders, and their follow-ups.

The nudges (not started, goal reached, weekly summary) are stored alongside but belong to
NudgeService: this service neither lists, counts, creates nor deletes them; it only moves
them with the rest in `reschedule_all`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.clock import Clock
from bot.reminders.directory import UserDirectory
from bot.reminders.engine import BREAK_END, BREAK_NUDGE, SNOOZE
from bot.reminders.models import Kind, Reminder, ReminderDraft
from bot.reminders.schedule import recurring_fire
from bot.reminders.store import ReminderStore, one_off_job, recurring_job

log = logging.getLogger(__name__)

MAX_REMINDERS = 10
SNOOZE_MINUTES = 10
SNOOZE_CHOICES = (5, 10, 15)  # the "ask" prompt's snooze buttons
MORE_BREAK_MINUTES = 5  # "5 more minutes" on the break-over message
CLOSE_LATER_HOURS = (1, 2)  # "Still working: remind me in 1 h / 2 h" on the forgot-to-close nudge
MORNING_CHECK = time(8, 30)


class TooManyReminders(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(f"{count} reminders already")
        self.count = count  # how many the user has


class DuplicateReminder(Exception):
    """The user already has this very reminder: a second one would fire twice."""

    def __init__(self, existing: Reminder) -> None:
        super().__init__(f"reminder {existing.id} is the same")
        self.existing = existing


def _same(draft: ReminderDraft, reminder: Reminder) -> bool:
    """Identical for the user: kind, time and days, and for a break its mode and length."""
    if (draft.kind, draft.at, draft.days) != (reminder.kind, reminder.at, reminder.days):
        return False
    if draft.kind is not Kind.BREAK:
        return True
    return (draft.mode, draft.break_minutes, draft.auto_resume) == (
        reminder.mode, reminder.break_minutes, reminder.auto_resume)


def _new_kinds(kind: Kind, existing: list[Reminder]) -> list[Kind]:
    """What creating a reminder of `kind` adds: an evening "forgot to close" check brings
    a morning check for a day left open, unless there is one."""
    if kind is Kind.CLOSE and not any(r.kind is Kind.MORNING for r in existing):
        return [kind, Kind.MORNING]
    return [kind]


def _replaced(kinds: list[Kind], existing: list[Reminder]) -> list[Reminder]:
    """The checks that new ones replace: one of each kind; breaks are never replaced."""
    return [old for old in existing if old.kind is not Kind.BREAK and old.kind in kinds]


def _fits(kinds: list[Kind], existing: list[Reminder]) -> bool:
    return len(existing) - len(_replaced(kinds, existing)) + len(kinds) <= MAX_REMINDERS


@dataclass(frozen=True, slots=True)
class Scheduled:
    reminder: Reminder
    next_at: datetime | None  # None while switched off


class ReminderService:
    def __init__(self, store: ReminderStore, directory: UserDirectory, clock: Clock) -> None:
        self._store = store
        self._directory = directory
        self._clock = clock

    async def zone(self, telegram_id: int) -> str:
        return await self._directory.zone(telegram_id)

    async def _schedule(self, reminder: Reminder) -> datetime | None:
        return await schedule_recurring(self._store, reminder, await self._directory.zone(reminder.telegram_id),
                                        self._clock.now())

    async def _ordinary(self, telegram_id: int) -> list[Reminder]:
        return [r for r in await self._store.for_user(telegram_id) if not r.kind.is_managed]

    async def create(self, telegram_id: int, draft: ReminderDraft) -> list[Scheduled]:
        """Create a reminder. An evening "forgot to close" check comes with a morning
        check for a day left open (each replaces an earlier one of its kind). Raises
        DuplicateReminder for one the user already has, TooManyReminders at the limit."""
        if draft.kind.is_managed:
            raise ValueError("nudges are NudgeService's, digests TeamService's")
        existing = await self._ordinary(telegram_id)
        for reminder in existing:
            if _same(draft, reminder):
                raise DuplicateReminder(reminder)
        kinds = _new_kinds(draft.kind, existing)
        # Checked before anything is written: never half of an evening/morning pair.
        if not _fits(kinds, existing):
            raise TooManyReminders(len(existing))
        drafts = [draft, *(ReminderDraft(kind=kind, at=MORNING_CHECK, days=draft.days) for kind in kinds[1:])]
        for old in _replaced(kinds, existing):
            await self._store.delete(old)
        created: list[Scheduled] = []
        for item in drafts:
            reminder = await self._store.create(telegram_id, item)
            created.append(Scheduled(reminder, await self._schedule(reminder)))
        log.info("reminder created", extra={"ctx_kind": draft.kind.value, "ctx_mode": draft.mode.value})
        return created

    async def has_room(self, telegram_id: int, kind: Kind) -> bool:
        """Whether a reminder of this kind may be created now (the wizard asks before
        its first step)."""
        existing = await self._ordinary(telegram_id)
        return _fits(_new_kinds(kind, existing), existing)

    async def list(self, telegram_id: int) -> list[Scheduled]:
        reminders = await self._ordinary(telegram_id)
        zone = await self._directory.zone(telegram_id)
        now = self._clock.now()
        return [Scheduled(r, recurring_fire(r, zone, now)) for r in reminders]

    async def owned(self, telegram_id: int, reminder_id: int) -> Reminder | None:
        """The reminder, if it belongs to this user: callback data cannot reach others',
        nor the nudges (a forged list button must not delete one)."""
        reminder = await self._store.get(reminder_id)
        if reminder is None or reminder.telegram_id != telegram_id or reminder.kind.is_managed:
            return None
        return reminder

    async def _companions(self, reminder: Reminder) -> list[Reminder]:
        """The morning check goes with the evening one: switched off or deleted together."""
        if reminder.kind is not Kind.CLOSE:
            return [reminder]
        mornings = [r for r in await self._ordinary(reminder.telegram_id) if r.kind is Kind.MORNING]
        return [reminder, *mornings]

    async def set_enabled(self, telegram_id: int, reminder_id: int, enabled: bool) -> Scheduled | None:
        reminder = await self.owned(telegram_id, reminder_id)
        if reminder is None:
            return None
        result: Scheduled | None = None
        for item in await self._companions(reminder):
            if item.enabled != enabled:
                item = item.with_changes(enabled=enabled)
                await self._store.save(item)
            scheduled = Scheduled(item, await self._schedule(item))
            result = result or scheduled
        return result

    async def delete(self, telegram_id: int, reminder_id: int) -> bool:
        reminder = await self.owned(telegram_id, reminder_id)
        if reminder is None:
            return False
        for item in await self._companions(reminder):
            await self._store.delete(item)
        return True

    async def snooze(self, telegram_id: int, reminder_id: int, minutes: int = SNOOZE_MINUTES) -> datetime | None:
        """Ask again in `minutes` (one of SNOOZE_CHOICES; the old button meant 10)."""
        reminder = await self.owned(telegram_id, reminder_id)
        if reminder is None or minutes not in SNOOZE_CHOICES:
            return None
        at = self._clock.now() + timedelta(minutes=minutes)
        await self._store.schedule(one_off_job(SNOOZE, reminder.id, int(at.timestamp())), at)
        return at

    async def more_break(self, telegram_id: int, reminder_id: int) -> datetime | None:
        """"5 more minutes" after the break is over: the break-over message comes again
        then, and the follow-up for an ignored one waits for that message instead."""
        reminder = await self.owned(telegram_id, reminder_id)
        if reminder is None:
            return None
        now = self._clock.now()
        at = now + timedelta(minutes=MORE_BREAK_MINUTES)
        await self._store.unschedule(one_off_job(BREAK_NUDGE, reminder.id, 0))
        await self._store.schedule(one_off_job(BREAK_END, reminder.id, int(now.timestamp())), at,
                                   only_if_new=True)
        return at

    async def close_later(self, telegram_id: int, reminder_id: int, hours: int) -> datetime | None:
        """"Still working": the forgot-to-close check comes again in `hours` (if the day
        is still open then)."""
        reminder = await self.owned(telegram_id, reminder_id)
        if reminder is None or reminder.kind is not Kind.CLOSE or hours not in CLOSE_LATER_HOURS:
            return None
        at = self._clock.now() + timedelta(hours=hours)
        await self._store.schedule(one_off_job(SNOOZE, reminder.id, int(at.timestamp())), at, only_if_new=True)
        return at

    async def start_break_timer(self, telegram_id: int, reminder_id: int) -> datetime | None:
        """After "Pause now": remind to come back when the reminder's break is over."""
        reminder = await self.owned(telegram_id, reminder_id)
        if reminder is None or not reminder.break_minutes:
            return None
        now = self._clock.now()
        at = now + timedelta(minutes=reminder.break_minutes)
        await self._store.schedule(one_off_job(BREAK_END, reminder.id, int(now.timestamp())), at,
                                   only_if_new=True)
        return at

    async def drop_break_follow_ups(self, telegram_ids: list[int]) -> int:
        """The day is no longer paused (resumed or closed elsewhere): the "break is over"
        and "still on a break" messages pending for these users no longer apply."""
        reminder_ids: set[int] = set()
        for telegram_id in telegram_ids:
            reminder_ids |= {r.id for r in await self._store.for_user(telegram_id) if r.kind is Kind.BREAK}
        return await self._store.drop_one_offs(reminder_ids, {BREAK_END, BREAK_NUDGE})

    async def reschedule_all(self, telegram_id: int) -> None:
        """After a time-zone change: every reminder, the nudges too, moves to its new next time."""
        for reminder in await self._store.for_user(telegram_id):
            await self._schedule(reminder)

    async def forget(self, telegram_id: int) -> None:
        await self._store.forget_user(telegram_id)


async def schedule_recurring(store: ReminderStore, reminder: Reminder, zone: str, now: datetime) -> datetime | None:
    """Queue the reminder's recurring job at its next time, or take it off the queue when
    it has none (switched off, or a nudge with nothing to do)."""
    job = recurring_job(reminder.id)
    at = recurring_fire(reminder, zone, now)
    if at is None:
        await store.unschedule(job)
    else:
        await store.schedule(job, at)
    return at
