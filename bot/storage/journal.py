"""The journal of days: each closed day's final figures, per Bitrix24 employee, for 13 weeks.

`timeman.status` shows only the latest record, and the history methods are not reliably
open to a webhook (docs/bitrix24.md#other-timeman-methods), so the bot keeps what it sees.

One hash per employee, `journal:{bitrix_id}`: field = the date the day started on (in its
own offset, `YYYY-MM-DD`), value = `start,finish,offset,worked,breaks,approved` (unix
seconds, seconds east of UTC, seconds, seconds, 1/0). Under a hundred small fields stay in
Redis's compact listpack encoding. A write drops the fields older than the kept span and
renews the key's lifetime, so an employee the bot stops seeing is forgotten by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone

from redis.asyncio import Redis

from bot.storage.keys import KeySpace
from bot.worktime.models import JournalDay

KEPT = timedelta(weeks=13)
_TTL_SECONDS = int((KEPT + timedelta(days=1)).total_seconds())

# KEYS[1] the hash; ARGV: cutoff date, ttl, then field/value pairs.
_RECORD = """
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
for _, day in ipairs(redis.call('HKEYS', KEYS[1])) do
  if day < ARGV[1] then redis.call('HDEL', KEYS[1], day) end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


def encode(day: JournalDay) -> str:
    offset = day.started_at.utcoffset() or timedelta(0)
    return ",".join(str(value) for value in (
        int(day.started_at.timestamp()), int(day.finished_at.timestamp()), int(offset.total_seconds()),
        int(day.worked.total_seconds()), int(day.breaks.total_seconds()), 1 if day.approved else 0))


def decode(field: bytes | str, value: bytes | str) -> JournalDay | None:
    try:
        start, finish, offset, worked, breaks, approved = (
            int(part) for part in (value.decode() if isinstance(value, bytes) else value).split(","))
        zone = timezone(timedelta(seconds=offset))
        return JournalDay(
            day=date.fromisoformat(field.decode() if isinstance(field, bytes) else field),
            started_at=datetime.fromtimestamp(start, UTC).astimezone(zone),
            finished_at=datetime.fromtimestamp(finish, UTC).astimezone(zone),
            worked=timedelta(seconds=worked), breaks=timedelta(seconds=breaks), approved=approved == 1)
    except ValueError:
        return None  # a value from a future format: skipped, not a crash


class JournalRepository:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys
        self._record = redis.register_script(_RECORD)

    def _key(self, bitrix_id: int) -> str:
        return self._keys("journal", bitrix_id)

    async def record(self, bitrix_id: int, day: JournalDay) -> None:
        await self.record_many({bitrix_id: day})

    async def record_many(self, days: Mapping[int, JournalDay]) -> None:
        """One round trip for many employees (a sweep's batch of answers)."""
        if not days:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for bitrix_id, day in days.items():
                cutoff = (day.day - KEPT).isoformat()
                await self._record(keys=[self._key(bitrix_id)],
                                   args=[cutoff, _TTL_SECONDS, day.day.isoformat(), encode(day)], client=pipe)
            await pipe.execute()

    async def days(self, bitrix_id: int, first: date, last: date) -> list[JournalDay]:
        """The recorded days from `first` to `last` (inclusive), in date order."""
        raw = await self._redis.hgetall(self._key(bitrix_id))
        found = [decode(field, value) for field, value in raw.items()]
        return sorted((day for day in found if day is not None and first <= day.day <= last),
                      key=lambda day: day.day)

    async def forget(self, bitrix_id: int) -> None:
        await self._redis.delete(self._key(bitrix_id))

    async def size(self, bitrix_id: int) -> int:
        """Bytes Redis uses for the employee's journal (for the benchmark)."""
        return int(await self._redis.memory_usage(self._key(bitrix_id)) or 0)
