"""Rate limits shared by every replica: GCRA slots reserved atomically in Redis.

Each key holds a "theoretical arrival time" (TAT). A caller reserves the earliest slot that
every key it names allows (e.g. Telegram's global limit *and* one chat's limit), and
then sleeps until that slot: one Redis round trip per request, however many wait.
Cancelling after a reservation only wastes that slot; it never lets traffic through early.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.bitrix24.background import BackgroundBudget, PortalBucket, default_reserve
from bot.bitrix24.ratelimit import burst_margin
from bot.storage.keys import KeySpace

# KEYS: one per limit. ARGV: now_ms, max_wait_ms (-1: unbounded), then per key:
# interval_ms, tolerance_ms. Returns the wait in ms, or -1 when it would exceed max_wait
# (nothing is reserved then).
_RESERVE = """
local now = tonumber(ARGV[1])
local max_wait = tonumber(ARGV[2])
local slot = now
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[1 + 2 * i])
  local tolerance = tonumber(ARGV[2 + 2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  tats[i] = tat
  local allowed_at = tat - tolerance
  if allowed_at > slot then slot = allowed_at end
end
local wait = slot - now
if max_wait >= 0 and wait > max_wait then return -1 end
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[1 + 2 * i])
  local tat = tats[i]
  if slot > tat then tat = slot end
  local new_tat = tat + interval
  redis.call('SET', key, new_tat, 'PX', math.ceil(new_tat - now) + 1000)
end
return wait
"""

# The far side said "too many": treat the key as full from now on.
_FILL = """
local now = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
local full = now + tonumber(ARGV[2])
if full > tat then redis.call('SET', KEYS[1], full, 'PX', math.ceil(full - now) + 1000) end
return 1
"""


# A sliding log of actual sends: admit one more only if fewer than `cap` happened in the
# last window. KEYS: the log. ARGV: now_ms, window_ms, cap, member. Returns 0 when admitted,
# else the ms until the oldest entry leaves the window.
_ADMIT = """
local now, window, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < cap then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
"""


@dataclass(frozen=True, slots=True)
class Limit:
    """`rate` per second with bursts of up to `burst` (burst 1 means evenly spaced)."""

    key: str
    rate: float
    burst: int = 1

    @property
    def interval_ms(self) -> float:
        return 1000.0 / self.rate

    @property
    def tolerance_ms(self) -> float:
        return (self.burst - 1) * self.interval_ms


class Pacer:
    def __init__(self, redis: Redis, *, timer: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self._timer = timer
        self._reserve = redis.register_script(_RESERVE)
        self._fill = redis.register_script(_FILL)
        self._admit = redis.register_script(_ADMIT)
        self._admitted = 0
        # One reservation at a time per process: FIFO among our own waiters, and a burst
        # of waiters uses one Redis connection instead of hundreds.
        self._lock = asyncio.Lock()

    async def reserve(self, limits: Sequence[Limit], *, max_wait: float | None = None) -> float | None:
        """Reserve a slot under every limit; returns seconds to wait, or None if that would
        be longer than `max_wait` (nothing reserved then)."""
        args: list[float] = [self._timer() * 1000, -1 if max_wait is None else max_wait * 1000]
        for limit in limits:
            args += [limit.interval_ms, limit.tolerance_ms]
        async with self._lock:
            wait = float(await self._reserve(keys=[limit.key for limit in limits], args=args))
        return None if wait < 0 else wait / 1000

    async def wait(self, limits: Sequence[Limit]) -> None:
        # The slot was computed for the moment we asked, so the round trip counts as waiting.
        asked = time.monotonic()
        delay = await self.reserve(limits) or 0.0
        remaining = asked + delay - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)

    async def admit(self, key: str, *, cap: int, window: float = 1.0) -> None:
        """Wait until fewer than `cap` sends started within the last `window` seconds.

        Slots reserved in advance keep sends evenly spaced, but a send that leaves late
        (a busy event loop, a new connection) lands next to the ones after it; this check
        at the moment of sending keeps every window under the cap anyway."""
        while True:
            self._admitted += 1
            member = f"{id(self)}:{self._admitted}"
            wait = int(await self._admit(keys=[key], args=[self._timer() * 1000, window * 1000, cap, member]))
            if wait == 0:
                return
            await asyncio.sleep(wait / 1000)

    async def fill(self, limit: Limit, seconds: float | None = None) -> None:
        """Push the key's next free slot `seconds` ahead (default: as if the burst were used)."""
        ahead = seconds * 1000 if seconds is not None else limit.tolerance_ms + limit.interval_ms
        await self._fill(keys=[limit.key], args=[self._timer() * 1000, ahead])


class SharedLeakyBucket:
    """The Bitrix24 client's `RateLimiter`, shared by all replicas through Redis, so that
    together they stay under the portal's bucket."""

    def __init__(self, redis: Redis, keys: KeySpace, *, rate: float, burst: int, margin_seconds: float = 1.0,
                 timer: Callable[[], float] = time.time) -> None:
        self._pacer = Pacer(redis, timer=timer)
        margin = burst_margin(rate, margin_seconds)
        self._limit = Limit(keys("pace", "bitrix24"), rate=rate, burst=max(1, int(burst - margin)))

    async def acquire(self) -> None:
        await self._pacer.wait([self._limit])

    async def try_acquire(self) -> bool:
        return await self._pacer.reserve([self._limit], max_wait=0) is not None

    async def try_acquire_leaving(self, free: int) -> bool:
        """Take a slot now only if `free` more would still fit after it: the same key with
        a burst `free` units smaller. Never a slot in the future, which an interactive
        call arriving meanwhile would then find taken."""
        if free >= self._limit.burst:
            return False
        stricter = Limit(self._limit.key, rate=self._limit.rate, burst=self._limit.burst - free)
        return await self._pacer.reserve([stricter], max_wait=0) is not None

    async def on_limited(self) -> None:
        await self._pacer.fill(self._limit)

    def __repr__(self) -> str:
        return f"SharedLeakyBucket(rate={self._limit.rate}, burst={self._limit.burst})"


class SharedPace:
    """Evenly spaced slots at `rate` per second for every replica together (the background
    share of the portal's rate): `next_slot` reserves the next one and says how far off it is."""

    def __init__(self, redis: Redis, keys: KeySpace, *, rate: float, timer: Callable[[], float] = time.time) -> None:
        self._pacer = Pacer(redis, timer=timer)
        self._limit = Limit(keys("pace", "bitrix24", "background"), rate=rate, burst=1)

    async def next_slot(self, max_wait: float | None = None) -> float | None:
        return await self._pacer.reserve([self._limit], max_wait=max_wait)

    def __repr__(self) -> str:
        return f"SharedPace(rate={self._limit.rate})"


def shared_background_budget(redis: Redis, keys: KeySpace, portal: PortalBucket, *, rate: float, burst: int,
                             share: float, timer: Callable[[], float] = time.time,
                             sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> BackgroundBudget:
    """The background budget of every replica together, over the `SharedLeakyBucket`
    `portal` that their interactive calls use."""
    return BackgroundBudget(portal, SharedPace(redis, keys, rate=rate * share, timer=timer),
                            reserve=default_reserve(burst), poll=1.0 / rate, sleep=sleep)
