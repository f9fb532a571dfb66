"""The engine after a crash or a stop in the middle of its work (issue 10, items 1 and 2).

A crash is played in-process: the first engine's tasks are cancelled while the portal
holds back the answer to a pause it has already applied (the emulator's "late_answer"
fault), so nothing after that point reaches Redis; then its leases run out and a second
engine takes over, as another replica (or the restarted bot) would.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.reminders.engine import BREAK_END, STEP_INTENT, DeliveryHeld, Notice, NoticeKind, ReminderEngine
from bot.reminders.models import Kind, Mode, ReminderDraft
from bot.reminders.store import ReminderStore, one_off_job, recurring_job, to_ms
from tests.reminders.fixtures import KEYS, CollectingNotifier, World

LUNCH_UTC = datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)  # 13:00:05 in Berlin


async def auto_break_users(world: World, count: int, minutes: int = 30, auto_resume: bool = False) -> list[int]:
    ids = []
    for index in range(count):
        telegram_id, bitrix_id = 100 + index, 10 + index
        await world.employee(telegram_id, bitrix_id)
        await world.service.create(telegram_id, ReminderDraft(kind=Kind.BREAK, at=time(13, 0), mode=Mode.AUTO,
                                                              break_minutes=minutes, auto_resume=auto_resume))
        await world.bitrix.workday.open(bitrix_id)
        ids.append(telegram_id)
    world.clock.set(LUNCH_UTC)
    return ids


def batched(world: World, method: str) -> int:
    """Calls of `method` the engine sent (it always batches; a user's own calls are not)."""
    return sum(1 for r in world.portal.requests if r.method == method and r.batch and r.http_status == 200)


async def until(condition, what: str) -> None:
    """Let the event loop run until `condition()` holds (a safety bound, not a timing check)."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened: {what}")


class MortalStore:
    """The store as one process sees it: once the process is dead, nothing it does
    reaches Redis any more (not even the clean-up of a cancelled task)."""

    def __init__(self, store: ReminderStore) -> None:
        self._store = store
        self.dead = False

    def __getattr__(self, name: str):
        method = getattr(self._store, name)

        async def call(*args, **kwargs):
            if self.dead:
                raise ConnectionError("the process is gone")
            return await method(*args, **kwargs)

        return call


async def crash_while(world: World, applied) -> None:
    """Run a tick until `applied()` holds, then kill its process: Redis is out of reach
    from that moment, and every task is stopped at whatever await it is in."""
    store = MortalStore(ReminderStore(world.redis, KEYS))
    before = asyncio.all_tasks()
    task = asyncio.ensure_future(world.engine(store=store).tick())  # type: ignore[arg-type]
    await until(applied, "the portal applied the change")
    store.dead = True
    doomed = [t for t in asyncio.all_tasks() - before if t is not asyncio.current_task()]
    for t in doomed:
        t.cancel()
    await asyncio.gather(*doomed, return_exceptions=True)
    assert task.done()


async def take_over(world: World) -> ReminderEngine:
    """The leases of the dead run expire; another engine re-queues and runs the jobs."""
    world.advance(seconds=121)
    engine = world.engine()
    assert await engine.reap() > 0
    await engine.tick()
    return engine


@pytest.mark.parametrize("pause_moment_reported", [True, False], ids=["server-reading", "docs-reading"])
async def test_a_pause_applied_before_a_crash_is_told_once_with_its_follow_up(
        world: World, pause_moment_reported: bool) -> None:
    world.portal.flags.time_finish_while_paused = pause_moment_reported
    users = await auto_break_users(world, 5, minutes=30)
    world.portal.faults.inject("late_answer", method="batch", inner="timeman.pause", delay=60)
    paused_at = world.clock.now()
    await crash_while(world, lambda: all(world.portal.status_of(10 + i)["STATUS"] == "PAUSED" for i in range(5)))
    assert world.notifier.notices == []  # the run died before telling anyone

    await take_over(world)
    assert batched(world, "timeman.pause") == 5  # not paused again
    assert Counter(n.telegram_id for n in world.notifier.notices) == {user: 1 for user in users}
    assert {n.kind for n in world.notifier.notices} == {NoticeKind.AUTO_PAUSED}
    # The end of the break counts from the pause, not from the re-run two minutes later.
    follow_up = paused_at.replace(microsecond=0) + timedelta(minutes=30)
    assert {n.follow_up_at for n in world.notifier.notices} == {follow_up}
    for reminder_id in range(1, 6):
        job = one_off_job(BREAK_END, reminder_id, int(datetime(2026, 3, 2, 12, 0, tzinfo=UTC).timestamp()))
        assert await world.store.due_at(job) == follow_up

    world.clock.set(follow_up + timedelta(seconds=1))
    await world.engine().tick()
    assert Counter(n.kind for n in world.notifier.notices) == {NoticeKind.AUTO_PAUSED: 5, NoticeKind.BREAK_OVER: 5}
    await world.engine().tick()  # nothing fires twice
    assert len(world.notifier.notices) == 10


async def test_a_resume_applied_before_a_crash_is_told_once(world: World) -> None:
    [user] = await auto_break_users(world, 1, minutes=30, auto_resume=True)
    await world.engine().tick()
    world.advance(minutes=31)
    world.portal.faults.inject("late_answer", method="batch", inner="timeman.open", delay=60)
    await crash_while(world, lambda: world.portal.status_of(10)["STATUS"] == "OPENED")
    await take_over(world)
    assert world.notifier.kinds_for(user) == ["auto_paused", "auto_resumed"]
    assert batched(world, "timeman.open") == 1  # resumed once


async def claimed_with_intent(world: World) -> None:
    """A run claimed the job and decided to pause (the day was open, no breaks yet), then
    died; whether its batch reached the portal is what the test sets up next."""
    [job] = await world.store.claim(world.clock.now(), limit=10, lease_seconds=120)
    await world.store.mark_step([job], STEP_INTENT, f"{to_ms(world.clock.now())}:0")


async def test_a_later_pause_of_the_users_own_is_not_taken_for_the_bots(world: World) -> None:
    [user] = await auto_break_users(world, 1)
    await claimed_with_intent(world)  # ...and its batch never reached the portal
    world.advance(minutes=7)
    await world.bitrix.workday.pause(10)  # the user takes a break by hand, long after
    world.advance(minutes=1)
    engine = world.engine()
    assert await engine.reap() == 1
    await engine.tick()
    assert world.notifier.kinds_for(user) == []
    assert batched(world, "timeman.pause") == 0  # the only pause is the user's own


async def test_an_intent_whose_batch_never_arrived_pauses_then(world: World) -> None:
    [user] = await auto_break_users(world, 1)
    await claimed_with_intent(world)
    await take_over(world)
    assert world.notifier.kinds_for(user) == ["auto_paused"]
    assert world.portal.status_of(10)["STATUS"] == "PAUSED"


async def test_a_pause_the_user_already_ended_is_not_made_again(world: World) -> None:
    [user] = await auto_break_users(world, 1)
    await claimed_with_intent(world)
    await world.bitrix.workday.pause(10)  # the dead run's batch did arrive...
    world.advance(seconds=50)
    await world.bitrix.workday.open(10)  # ...and the user resumed before the re-run
    await take_over(world)
    assert world.notifier.kinds_for(user) == []
    assert world.portal.status_of(10)["STATUS"] == "OPENED"


class GatedNotifier:
    """Tells the first `fast` users at once; the rest wait in line (as behind the paced
    sender) until `hold()`, which turns them into DeliveryHeld."""

    def __init__(self, fast: int) -> None:
        self.fast = fast
        self.notices: list[Notice] = []
        self._held = asyncio.Event()

    async def deliver(self, notice: Notice) -> bool:
        if len(self.notices) >= self.fast:
            await self._held.wait()
            raise DeliveryHeld
        self.notices.append(notice)
        return True

    def hold(self) -> None:
        self._held.set()


async def test_a_stop_mid_fan_out_hands_back_every_unsent_claim_at_once(world: World) -> None:
    users = await auto_break_users(world, 30)
    due = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    gated = GatedNotifier(fast=12)
    world.notifier = gated  # type: ignore[assignment]
    engine = world.engine(chunk_size=10)
    tick = asyncio.create_task(engine.tick())
    await until(lambda: len(gated.notices) == 12, "twelve users told")
    await engine.drain(grace=5.0)
    report = await tick
    assert report.claimed == 30 and report.released == 18
    assert await world.store.counts() == (60, 0)  # nothing in flight; 30 reminders and 30 ends of break
    back = [r for r in await world.store.get_many(range(1, 31)) if await world.store.due_at(recurring_job(r)) == due]
    assert len(back) == 18  # due again at their own time, not after a lease

    world.notifier = CollectingNotifier()  # the restarted bot
    await world.engine().tick()
    told = Counter(n.telegram_id for n in gated.notices + world.notifier.notices)
    assert told == {user: 1 for user in users}
    assert batched(world, "timeman.pause") == 30  # each day paused once
    assert {n.kind for n in world.notifier.notices} == {NoticeKind.AUTO_PAUSED}


async def test_a_stop_claims_nothing_more(world: World) -> None:
    await auto_break_users(world, 3)
    engine = world.engine()
    await engine.drain(grace=1.0)
    assert (await engine.tick()).claimed == 0
    assert await world.store.counts() == (3, 0)


async def test_a_late_re_run_still_tells_of_a_pause_made_but_makes_none(world: World) -> None:
    """Down for longer than the grace period: a reminder is then skipped, but a pause an
    earlier run did make must still be told; one it never made is not made this late."""
    users = await auto_break_users(world, 2)
    world.portal.faults.inject("late_answer", method="batch", inner="timeman.pause", delay=60)
    await crash_while(world, lambda: all(world.portal.status_of(10 + i)["STATUS"] == "PAUSED" for i in range(2)))
    await world.bitrix.workday.open(11)  # 11 resumed by hand; its intent stays recorded
    world.advance(minutes=15)  # beyond the ten minutes' grace
    engine = world.engine()
    assert await engine.reap() == 2
    report = await engine.tick()
    assert world.notifier.kinds_for(users[0]) == ["auto_paused"]
    assert world.notifier.kinds_for(users[1]) == []
    assert world.portal.status_of(11)["STATUS"] == "OPENED"  # not paused again, fifteen minutes late
    assert batched(world, "timeman.pause") == 2
    assert report.late == 0


async def test_a_late_re_run_does_not_pause_when_the_first_never_did(world: World) -> None:
    [user] = await auto_break_users(world, 1)
    await claimed_with_intent(world)  # the batch never reached the portal
    world.advance(minutes=15)
    engine = world.engine()
    assert await engine.reap() == 1
    await engine.tick()
    assert world.notifier.kinds_for(user) == []
    assert world.portal.status_of(10)["STATUS"] == "OPENED"
