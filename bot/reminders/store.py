"""Reminders in Redis: definitions, and a due queue that replicas claim atomically.

Keys (under the bot's prefix):
- `rem:{id}` hash: the definition; `rem:user:{tg}` set: a user's ids; `rem:seq`: ids.
- `rem:due` zset: job → due time (ms). A job is `r:{id}` (a recurring reminder) or
  `o:{kind}:{id}:{token}` (a one-off follow-up: a snooze, or the end of a break).
- `rem:inflight` zset: claimed job → lease expiry (ms); `rem:sched` hash: job → the due
  time it was claimed for, so a reaped job goes back with its original time.
- `rem:occ:{job}@{due}` hash: which steps of that occurrence are done (and, for a change
  about to be sent to Bitrix24, when it was decided), so a job re-delivered after a crash
  or a stop neither pauses nor notifies twice, and recognises a pause it made itself;
  `rem:occs:{id}` set: the occurrences of reminder `id` that have marks, so they can be
  deleted with it.
- `rem:nudge:{kind}` hash: telegram id → the id of that user's nudge of this kind (one
  each), so a listener can find many users' nudges in one read.
- `rem:once:{id}:{token}`: a nudge that happens at most once per `token` (the goal,
  once per day) has happened; it expires like the occurrence marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.asyncio import Redis

from bot.reminders.models import Kind, Reminder, ReminderDraft
from bot.storage.keys import KeySpace

OCCURRENCE_TTL_SECONDS = 2 * 24 * 3600

_CLAIM = """
local due, inflight, sched = KEYS[1], KEYS[2], KEYS[3]
local items = redis.call('ZRANGEBYSCORE', due, '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for i = 1, #items, 2 do
  local job, score = items[i], items[i + 1]
  redis.call('ZREM', due, job)
  redis.call('ZADD', inflight, ARGV[3], job)
  redis.call('HSET', sched, job, score)
  out[#out + 1] = job
  out[#out + 1] = score
end
return out
"""

# Finish a claimed job; a recurring one goes back to the queue at its next time, unless
# its definition was deleted meanwhile.
_COMPLETE = """
local due, inflight, sched, definition = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
redis.call('ZREM', inflight, ARGV[1])
redis.call('HDEL', sched, ARGV[1])
if ARGV[2] ~= '' and redis.call('EXISTS', definition) == 1 then
  redis.call('ZADD', due, ARGV[2], ARGV[1])
end
return 1
"""

# Jobs whose lease ran out (their replica died) go back to the queue at their due time.
_REAP = """
local due, inflight, sched = KEYS[1], KEYS[2], KEYS[3]
local expired = redis.call('ZRANGEBYSCORE', inflight, '-inf', ARGV[1], 'LIMIT', 0, 1000)
for _, job in ipairs(expired) do
  local score = redis.call('HGET', sched, job) or ARGV[1]
  redis.call('ZREM', inflight, job)
  redis.call('HDEL', sched, job)
  redis.call('ZADD', due, 'NX', score, job)
end
return #expired
"""

# Hand claimed jobs back at once (a graceful stop): each goes back at the due time it was
# claimed for. A job no longer in flight (completed, or reaped) is left alone.
_RELEASE = """
local due, inflight, sched = KEYS[1], KEYS[2], KEYS[3]
local released = 0
for i = 1, #ARGV do
  local job = ARGV[i]
  if redis.call('ZSCORE', inflight, job) then
    local score = redis.call('HGET', sched, job)
    redis.call('ZREM', inflight, job)
    redis.call('HDEL', sched, job)
    if score then
      redis.call('ZADD', due, 'NX', score, job)
      released = released + 1
    end
  end
end
return released
"""

# Renew leases only for jobs still in flight (XX: a completed job is not resurrected).
_RENEW = """
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i]) end
return 1
"""


# Queue (or move) once-a-day jobs, each unless a replica holds it right now or its once
# mark says it happened: a sighting must not hand a job another replica is working on to
# a third one, nor bring back one that has had its say.
_SCHEDULE_IDLE = """
local due, inflight = KEYS[1], KEYS[2]
local queued = 0
for i = 1, #ARGV, 3 do
  local job, score, once = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if not redis.call('ZSCORE', inflight, job) and redis.call('EXISTS', once) == 0 then
    redis.call('ZADD', due, score, job)
    queued = queued + 1
  end
end
return queued
"""


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(value: float | bytes | str) -> datetime:
    return datetime.fromtimestamp(float(value) / 1000, UTC)


def recurring_job(reminder_id: int) -> str:
    return f"r:{reminder_id}"


def one_off_job(kind: str, reminder_id: int, token: int | str) -> str:
    return f"o:{kind}:{reminder_id}:{token}"


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed job and the due time it was claimed for."""

    key: str
    due: datetime

    @property
    def reminder_id(self) -> int:
        parts = self.key.split(":")
        return int(parts[1] if parts[0] == "r" else parts[2])

    @property
    def one_off_kind(self) -> str | None:
        return self.key.split(":")[1] if self.key.startswith("o:") else None

    @property
    def token(self) -> str | None:
        """A one-off job's token (what tells its occurrences apart, e.g. the goal's day)."""
        return self.key.rsplit(":", 1)[1] if self.key.startswith("o:") else None

    @property
    def occurrence(self) -> str:
        return f"{self.key}@{to_ms(self.due)}"


class ReminderStore:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys
        self._due = keys("rem", "due")
        self._inflight = keys("rem", "inflight")
        self._sched = keys("rem", "sched")
        self._claim = redis.register_script(_CLAIM)
        self._complete = redis.register_script(_COMPLETE)
        self._reap = redis.register_script(_REAP)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)
        self._schedule_idle = redis.register_script(_SCHEDULE_IDLE)

    def _definition(self, reminder_id: int) -> str:
        return self._keys("rem", reminder_id)

    def _user(self, telegram_id: int) -> str:
        return self._keys("rem", "user", telegram_id)

    def _occurrences(self, reminder_id: int) -> str:
        return self._keys("rem", "occs", reminder_id)

    def _nudges(self, kind: Kind) -> str:
        return self._keys("rem", "nudge", kind.value)

    def _once(self, reminder_id: int, token: int | str) -> str:
        return self._keys("rem", "once", reminder_id, token)

    # --- definitions -----------------------------------------------------------------

    async def create(self, telegram_id: int, draft: ReminderDraft) -> Reminder:
        reminder_id = int(await self._redis.incr(self._keys("rem", "seq")))
        reminder = Reminder(id=reminder_id, telegram_id=telegram_id, kind=draft.kind, at=draft.at,
                            days=draft.days, mode=draft.mode, break_minutes=draft.break_minutes,
                            auto_resume=draft.auto_resume)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._definition(reminder_id), mapping=reminder.to_redis())
            pipe.sadd(self._user(telegram_id), reminder_id)
            await pipe.execute()
        return reminder

    async def create_nudge(self, telegram_id: int, draft: ReminderDraft, *, enabled: bool) -> Reminder:
        """The user's nudge of `draft.kind`, created unless there is one (two replicas
        settling the same user in at once still make one)."""
        reminder_id = int(await self._redis.incr(self._keys("rem", "seq")))
        reminder = Reminder(id=reminder_id, telegram_id=telegram_id, kind=draft.kind, at=draft.at,
                            days=draft.days, enabled=enabled)
        # The definition first, then the claim: the index never names a reminder that is
        # not there yet, so a second replica creating the same nudge finds it and gives way.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._definition(reminder_id), mapping=reminder.to_redis())
            pipe.sadd(self._user(telegram_id), reminder_id)
            await pipe.execute()
        if await self._redis.hsetnx(self._nudges(draft.kind), str(telegram_id), reminder_id):
            return reminder
        existing = await self.nudge_ids(draft.kind, [telegram_id])
        found = await self.get(existing[telegram_id]) if telegram_id in existing else None
        if found is not None:
            async with self._redis.pipeline(transaction=True) as pipe:  # ours lost: take it back
                pipe.delete(self._definition(reminder_id))
                pipe.srem(self._user(telegram_id), reminder_id)
                await pipe.execute()
            return found
        await self._redis.hset(self._nudges(draft.kind), str(telegram_id), reminder_id)  # a stale entry
        return reminder

    async def nudge_ids(self, kind: Kind, telegram_ids: Sequence[int]) -> dict[int, int]:
        """Telegram id → the id of their nudge of `kind`, for those who have one."""
        if not telegram_ids:
            return {}
        values = await self._redis.hmget(self._nudges(kind), [str(tg) for tg in telegram_ids])
        return {tg: int(value) for tg, value in zip(telegram_ids, values, strict=True) if value}

    async def mark_once(self, reminder_id: int, token: int | str) -> None:
        key = self._once(reminder_id, token)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(key, "1", ex=OCCURRENCE_TTL_SECONDS)
            pipe.sadd(self._occurrences(reminder_id), f"once:{token}")
            pipe.expire(self._occurrences(reminder_id), OCCURRENCE_TTL_SECONDS)
            await pipe.execute()

    async def happened(self, pairs: Sequence[tuple[int, int | str]]) -> set[tuple[int, int | str]]:
        """Which (reminder id, token) pairs `mark_once` marked."""
        if not pairs:
            return set()
        values = await self._redis.mget([self._once(reminder_id, token) for reminder_id, token in pairs])
        return {pair for pair, value in zip(pairs, values, strict=True) if value is not None}

    async def schedule_once_a_day(self, jobs: Sequence[tuple[str, datetime, int, int | str]]) -> int:
        """Queue (job, at, reminder id, token) each at `at`, unless the job is in flight or
        `mark_once(reminder id, token)` was called; returns how many were queued."""
        if not jobs:
            return 0
        args: list[str | int] = []
        for job, at, reminder_id, token in jobs:
            args += [job, to_ms(at), self._once(reminder_id, token)]
        return int(await self._schedule_idle(keys=[self._due, self._inflight], args=args))

    async def save(self, reminder: Reminder) -> None:
        await self._redis.hset(self._definition(reminder.id), mapping=reminder.to_redis())

    async def set_time(self, reminder: Reminder) -> Reminder | None:
        """Write only the reminder's time and days (a switch tapped meanwhile stays as it
        is), and return the reminder as stored now; None when it was deleted meanwhile."""
        fields = reminder.to_redis()
        key = self._definition(reminder.id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.exists(key)
            pipe.hset(key, mapping={name: fields[name] for name in ("at", "days", "version")})
            existed, _ = await pipe.execute()
        if not existed:
            await self._redis.delete(key)  # the HSET made a stray definition of a deleted one
            return None
        return await self.get(reminder.id)

    async def get(self, reminder_id: int) -> Reminder | None:
        return (await self.get_many([reminder_id])).get(reminder_id)

    async def get_many(self, reminder_ids: Iterable[int]) -> dict[int, Reminder]:
        ids = list(dict.fromkeys(reminder_ids))
        if not ids:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for reminder_id in ids:
                pipe.hgetall(self._definition(reminder_id))
            rows = await pipe.execute()
        found: dict[int, Reminder] = {}
        for reminder_id, row in zip(ids, rows, strict=True):
            if row:
                found[reminder_id] = Reminder.from_redis({k.decode(): v.decode() for k, v in row.items()})
        return found

    async def for_user(self, telegram_id: int) -> list[Reminder]:
        ids = [int(value) for value in await self._redis.smembers(self._user(telegram_id))]
        reminders = await self.get_many(sorted(ids))
        return sorted(reminders.values(), key=lambda r: (r.kind != "break", r.at, r.id))

    async def count_for(self, telegram_id: int) -> int:
        return int(await self._redis.scard(self._user(telegram_id)))

    async def delete(self, reminder: Reminder) -> None:
        job = recurring_job(reminder.id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._definition(reminder.id))
            pipe.srem(self._user(reminder.telegram_id), reminder.id)
            pipe.zrem(self._due, job)
            if reminder.kind.is_managed:
                pipe.hdel(self._nudges(reminder.kind), str(reminder.telegram_id))
            await pipe.execute()

    # --- the due queue --------------------------------------------------------------

    async def schedule(self, job: str, at: datetime, *, only_if_new: bool = False) -> None:
        await self._redis.zadd(self._due, {job: to_ms(at)}, nx=only_if_new)

    async def unschedule(self, job: str) -> None:
        await self._redis.zrem(self._due, job)

    async def drop_one_offs(self, reminder_ids: set[int], kinds: set[str]) -> int:
        """Unschedule the queued one-off jobs of these kinds for these reminders (their
        tokens vary, so the queue is scanned once for all of them). Claimed jobs are not in
        the queue and are left to run. Returns how many were dropped."""
        if not reminder_ids or not kinds:
            return 0
        jobs = []
        async for job, _ in self._redis.zscan_iter(self._due, match="o:*"):
            text = job.decode() if isinstance(job, bytes) else job
            if text.split(":")[1] in kinds and _reminder_of(text) in reminder_ids:
                jobs.append(job)
        if not jobs:
            return 0
        return int(await self._redis.zrem(self._due, *jobs))

    async def due_at(self, job: str) -> datetime | None:
        score = await self._redis.zscore(self._due, job)
        return from_ms(score) if score is not None else None

    async def claim(self, now: datetime, *, limit: int, lease_seconds: float) -> list[Job]:
        raw = await self._claim(
            keys=[self._due, self._inflight, self._sched],
            args=[to_ms(now), limit, to_ms(now) + int(lease_seconds * 1000)],
        )
        return [Job(raw[i].decode(), from_ms(raw[i + 1])) for i in range(0, len(raw), 2)]

    async def renew(self, jobs: Sequence[Job], now: datetime, lease_seconds: float) -> None:
        if jobs:
            await self._renew(keys=[self._inflight],
                              args=[to_ms(now) + int(lease_seconds * 1000), *(job.key for job in jobs)])

    async def complete(self, job: Job, next_at: datetime | None) -> None:
        # The occurrence's step marks stay until they expire: should the job ever be
        # delivered again for the same due time, they keep it from acting twice.
        await self._complete(
            keys=[self._due, self._inflight, self._sched, self._definition(job.reminder_id)],
            args=[job.key, to_ms(next_at) if next_at else ""],
        )

    async def release(self, jobs: Sequence[Job]) -> int:
        """Give up claims without finishing them: the jobs are due again at once."""
        if not jobs:
            return 0
        return int(await self._release(keys=[self._due, self._inflight, self._sched],
                                       args=[job.key for job in jobs]))

    async def reap(self, now: datetime) -> int:
        return int(await self._reap(keys=[self._due, self._inflight, self._sched], args=[to_ms(now)]))

    async def counts(self) -> tuple[int, int]:
        """(due, in flight): for health checks and tests."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zcard(self._due)
            pipe.zcard(self._inflight)
            due, inflight = await pipe.execute()
        return int(due), int(inflight)

    # --- per-occurrence progress --------------------------------------------------------

    async def steps_done(self, jobs: Sequence[Job]) -> dict[str, dict[str, str]]:
        """Per job: the steps done for its occurrence, each with the value it was marked with."""
        if not jobs:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for job in jobs:
                pipe.hgetall(self._keys("rem", "occ", job.occurrence))
            rows = await pipe.execute()
        return {job.key: {field.decode(): value.decode() for field, value in row.items()}
                for job, row in zip(jobs, rows, strict=True)}

    async def mark_step(self, jobs: Sequence[Job], step: str, value: str | Sequence[str] = "1") -> None:
        """Mark `step` done for each job's occurrence; `value` is one for all, or one per job."""
        if not jobs:
            return
        values = [value] * len(jobs) if isinstance(value, str) else list(value)
        async with self._redis.pipeline(transaction=False) as pipe:
            for job, marked in zip(jobs, values, strict=True):
                key = self._keys("rem", "occ", job.occurrence)
                pipe.hset(key, step, marked)
                pipe.expire(key, OCCURRENCE_TTL_SECONDS)
                pipe.sadd(self._occurrences(job.reminder_id), job.occurrence)
                pipe.expire(self._occurrences(job.reminder_id), OCCURRENCE_TTL_SECONDS)
            await pipe.execute()

    async def forget_user(self, telegram_id: int) -> None:
        """Delete a user's reminders with everything that refers to them: queued one-off
        follow-ups (snoozes, break ends; found by scanning the queue, which is fine for
        something as rare as an unlink) and the step marks of past occurrences."""
        reminders = await self.for_user(telegram_id)
        ids = {reminder.id for reminder in reminders}
        ids |= {int(value) for value in await self._redis.smembers(self._user(telegram_id))}
        for reminder in reminders:
            await self.delete(reminder)
        await self._redis.delete(self._user(telegram_id))
        if not ids:
            return
        jobs = [job async for job, _ in self._redis.zscan_iter(self._due) if _reminder_of(job) in ids]
        if jobs:
            await self._redis.zrem(self._due, *jobs)
        for reminder_id in ids:
            occurrences = await self._redis.smembers(self._occurrences(reminder_id))
            marks = [self._once(reminder_id, occurrence.decode()[5:]) if occurrence.startswith(b"once:")
                     else self._keys("rem", "occ", occurrence.decode()) for occurrence in occurrences]
            await self._redis.delete(self._occurrences(reminder_id), *marks)


def _reminder_of(job: bytes | str) -> int | None:
    """The reminder a job key (`r:{id}` or `o:{kind}:{id}:{token}`) belongs to."""
    text = job.decode() if isinstance(job, bytes) else job
    parts = text.split(":")
    try:
        return int(parts[1] if parts[0] == "r" else parts[2])
    except (IndexError, ValueError):
        return None
