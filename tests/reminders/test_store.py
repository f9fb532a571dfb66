"""The due queue against a real Redis: atomic claims, leases, the reaper."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta

from redis.asyncio import Redis

from bot.reminders.models import Kind, ReminderDraft
from bot.reminders.store import ReminderStore, recurring_job
from bot.storage.keys import KeySpace

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def store_for(redis: Redis) -> ReminderStore:
    return ReminderStore(redis, KeySpace("t"))


async def test_concurrent_claimers_take_each_job_once(redis_server) -> None:
    clients = [Redis.from_url(redis_server.url) for _ in range(5)]
    try:
        await clients[0].flushall()
        stores = [store_for(client) for client in clients]
        for index in range(1000):
            await stores[0].schedule(f"r:{index}", NOW - timedelta(seconds=index % 60))

        async def drain(store: ReminderStore) -> list[str]:
            taken: list[str] = []
            while jobs := await store.claim(NOW, limit=37, lease_seconds=60):
                taken += [job.key for job in jobs]
                await asyncio.sleep(0)
            return taken

        results = await asyncio.gather(*(drain(store) for store in stores))
        everything = [key for taken in results for key in taken]
        assert len(everything) == 1000
        assert max(Counter(everything).values()) == 1
        assert sum(1 for taken in results if taken) >= 2  # they really did compete
        assert await stores[0].counts() == (0, 1000)
    finally:
        for client in clients:
            await client.aclose()


async def test_only_due_jobs_are_claimed(redis: Redis) -> None:
    store = store_for(redis)
    await store.schedule("r:1", NOW - timedelta(seconds=1))
    await store.schedule("r:2", NOW + timedelta(seconds=1))
    jobs = await store.claim(NOW, limit=10, lease_seconds=60)
    assert [(job.key, job.due) for job in jobs] == [("r:1", NOW - timedelta(seconds=1))]


async def test_a_crashed_claim_is_reaped_with_its_original_due_time(redis: Redis) -> None:
    store = store_for(redis)
    due = NOW - timedelta(seconds=5)
    await store.schedule("r:1", due)
    [job] = await store.claim(NOW, limit=10, lease_seconds=60)
    # The replica dies here. Before the lease ends nothing happens...
    assert await store.reap(NOW + timedelta(seconds=59)) == 0
    assert await store.claim(NOW + timedelta(seconds=59), limit=10, lease_seconds=60) == []
    # ...after it, the job is back with the same due time, so the same occurrence.
    assert await store.reap(NOW + timedelta(seconds=61)) == 1
    [again] = await store.claim(NOW + timedelta(seconds=61), limit=10, lease_seconds=60)
    assert again.key == job.key and again.due == due and again.occurrence == job.occurrence


async def test_renewed_leases_are_not_reaped(redis: Redis) -> None:
    store = store_for(redis)
    await store.schedule("r:1", NOW)
    jobs = await store.claim(NOW, limit=10, lease_seconds=60)
    await store.renew(jobs, NOW + timedelta(seconds=50), 60)
    assert await store.reap(NOW + timedelta(seconds=100)) == 0
    assert await store.reap(NOW + timedelta(seconds=111)) == 1


async def test_complete_reschedules_unless_deleted(redis: Redis) -> None:
    store = store_for(redis)
    kept = await store.create(1, ReminderDraft(kind=Kind.BREAK, at=time(13)))
    gone = await store.create(1, ReminderDraft(kind=Kind.BREAK, at=time(14)))
    for reminder in (kept, gone):
        await store.schedule(recurring_job(reminder.id), NOW)
    jobs = {job.key: job for job in await store.claim(NOW, limit=10, lease_seconds=60)}
    await store.delete(gone)  # deleted while its job was in flight
    tomorrow = NOW + timedelta(days=1)
    for job in jobs.values():
        await store.complete(job, tomorrow)
    assert await store.due_at(recurring_job(kept.id)) == tomorrow
    assert await store.due_at(recurring_job(gone.id)) is None
    assert await store.counts() == (1, 0)


async def test_step_marks_survive_completion(redis: Redis) -> None:
    store = store_for(redis)
    await store.schedule("o:be:5:1", NOW)
    [job] = await store.claim(NOW, limit=1, lease_seconds=60)
    await store.mark_step([job], "acted")
    await store.complete(job, None)
    assert (await store.steps_done([job]))[job.key] == {"acted": "1"}
    assert await store.counts() == (0, 0)


async def test_reaper_keeps_a_newer_schedule(redis: Redis) -> None:
    store = store_for(redis)
    await store.schedule("r:1", NOW)
    await store.claim(NOW, limit=1, lease_seconds=60)
    rescheduled = NOW + timedelta(hours=3)  # the user edited it meanwhile
    await store.schedule("r:1", rescheduled)
    await store.reap(NOW + timedelta(minutes=5))
    assert await store.due_at("r:1") == rescheduled


async def test_release_hands_claims_back_at_their_own_time_and_only_unfinished_ones(redis: Redis) -> None:
    store = store_for(redis)
    for index in range(3):
        await store.schedule(f"r:{index}", NOW - timedelta(seconds=index))
    jobs = await store.claim(NOW, limit=10, lease_seconds=60)
    done = next(job for job in jobs if job.key == "r:0")
    await store.complete(done, None)
    assert await store.release(jobs) == 2  # the completed one is left alone
    assert await store.counts() == (2, 0)
    assert await store.due_at("r:0") is None
    assert await store.due_at("r:1") == NOW - timedelta(seconds=1)
    assert await store.due_at("r:2") == NOW - timedelta(seconds=2)
    assert await store.release(jobs) == 0  # nothing in flight any more
    assert len(await store.claim(NOW, limit=10, lease_seconds=60)) == 2  # due at once, no lease to wait for
