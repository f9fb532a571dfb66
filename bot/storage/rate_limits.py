"""Fixed-window counters in Redis: "at most N per window" for link attempts and actions."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.storage.keys import KeySpace

_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
return {count, ttl}
"""


@dataclass(frozen=True, slots=True)
class Allowance:
    allowed: bool
    retry_after: float  # seconds until the window resets (0 when allowed)


class WindowLimiter:
    """Shared by every replica, since the counters live in Redis."""

    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys
        self._hit = redis.register_script(_HIT)

    async def hit(self, name: str, subject: object, *, limit: int, window_seconds: float) -> Allowance:
        key = self._keys("rate", name, subject)
        count, ttl_ms = await self._hit(keys=[key], args=[int(window_seconds * 1000)])
        if int(count) <= limit:
            return Allowance(True, 0.0)
        return Allowance(False, max(0, int(ttl_ms)) / 1000)

    async def forget(self, name: str, subject: object) -> None:
        await self._redis.delete(self._keys("rate", name, subject))
