"""Rate limits in Redis: fixed-window counters ("at most N per window") for link attempts,
and a token bucket for a user's Bitrix24 actions."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.clock import Clock
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


# Tokens refill continuously; `now` comes from the caller's clock, so tests and the
# sandbox's fast-forward drive it. Time going backwards refills nothing.
_TAKE = """
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
return {allowed, tostring(tokens)}
"""


class TokenBucket:
    """"At most `capacity` at once, then `per_second`": a burst passes, a flood does not.

    Unlike a fixed window, a person tapping a button every second or two never runs out."""

    def __init__(self, redis: Redis, keys: KeySpace, clock: Clock) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._take = redis.register_script(_TAKE)

    async def take(self, name: str, subject: object, *, capacity: int, per_second: float) -> Allowance:
        key = self._keys("bucket", name, subject)
        now_ms = int(self._clock.now().timestamp() * 1000)
        allowed, tokens = await self._take(keys=[key], args=[capacity, per_second / 1000, now_ms])
        if int(allowed):
            return Allowance(True, 0.0)
        return Allowance(False, (1 - float(tokens)) / per_second)

    async def forget(self, name: str, subject: object) -> None:
        await self._redis.delete(self._keys("bucket", name, subject))
