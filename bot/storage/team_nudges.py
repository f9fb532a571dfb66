"""Which heads already asked their still-working people to close their day, per date:
a second tap on "ask them" (or a second replica) asks nobody twice."""

from __future__ import annotations

from datetime import date

from redis.asyncio import Redis

from bot.storage.keys import KeySpace

_TTL_SECONDS = 36 * 3600


class TeamNudgeLog:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys

    async def claim(self, telegram_id: int, day: date) -> bool:
        """True the first time for this head and date."""
        return bool(await self._redis.set(self._keys("team", "asked", telegram_id, day.isoformat()), 1,
                                          nx=True, ex=_TTL_SECONDS))

    async def forget(self, telegram_id: int) -> None:
        async for key in self._redis.scan_iter(match=self._keys("team", "asked", telegram_id, "*")):
            await self._redis.delete(key)
