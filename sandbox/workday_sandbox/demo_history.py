"""Past workdays for the demo employees (two full weeks and this one so far), so that
/week has a story to tell.

Bitrix24 offers a webhook no history of days (docs/bitrix24.md#other-timeman-methods): the
bot's journal holds only the days it has seen. A sandbox that just started has seen none,
so this puts the same past days in both places: the portal's closed-day history, and the
bot's journal, as if the bot had been running for a while.
"""

from __future__ import annotations

from datetime import timedelta

from redis.asyncio import Redis

from bot.bitrix24 import Workday
from bot.storage.journal import JournalRepository
from bot.storage.keys import KeySpace
from bot.worktime.models import JournalDay
from workday_sandbox.portal.closed_days import ClosedDay
from workday_sandbox.portal.emulator import PortalEmulator

# (start, finish, breaks in minutes) for the work days, one pattern per weekday, shifted a
# little per employee so the charts differ: some days over the target, some under.
_PATTERN = (("08:55", "17:40", 45), ("09:10", "17:30", 30), ("08:40", "18:05", 60),
            ("09:20", "16:50", 30), ("08:50", "15:45", 40))


def _shifted(clock: str, minutes: int) -> str:
    hour, minute = (int(part) for part in clock.split(":"))
    total = hour * 60 + minute + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


def seed_demo_history(portal: PortalEmulator, *, weeks: int = 3) -> dict[int, list[ClosedDay]]:
    """Closed days on the work days before today (this week and the ones before it), for
    every active employee, in the portal's history. Returns what was seeded, per user."""
    seeded: dict[int, list[ClosedDay]] = {}
    for user in sorted(portal.users.values(), key=lambda u: u.id):
        if not user.active:
            continue
        today = portal.clock.now().astimezone(portal.zone_of(user)).date()
        monday = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
        days = []
        for offset in range((today - monday).days):
            day = monday + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            week = (day - monday).days // 7  # each week its own mix, so Earlier shows a change
            start, finish, breaks = _PATTERN[(day.weekday() + user.id + 2 * week) % len(_PATTERN)]
            shift = (user.id * 7) % 20 - 10
            days.append({"date": day.isoformat(), "start": _shifted(start, shift),
                         "finish": _shifted(finish, shift), "breaks": breaks * 60})
        seeded[user.id] = portal.seed_closed_days(user.id, days)
    return seeded


def journal_entry(closed: ClosedDay) -> JournalDay | None:
    return JournalDay.from_workday(Workday.from_api({
        "STATUS": "CLOSED", "TIME_START": closed.time_start, "TIME_FINISH": closed.time_finish,
        "DURATION": closed.duration, "TIME_LEAKS": closed.time_leaks, "ACTIVE": closed.active}))


async def journal_demo_history(redis: Redis, keys: KeySpace, seeded: dict[int, list[ClosedDay]]) -> int:
    """Put the seeded days in the bot's journal; returns how many."""
    journal = JournalRepository(redis, keys)
    count = 0
    for user_id, days in seeded.items():
        for closed in days:
            if (entry := journal_entry(closed)) is not None:
                await journal.record(user_id, entry)
                count += 1
    return count


__all__ = ["journal_demo_history", "journal_entry", "seed_demo_history"]
