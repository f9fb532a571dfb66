"""Client-side leaky bucket that mirrors the portal's (docs/bitrix24.md#request-rate).

The portal adds one unit per HTTP request to a counter that drains at `rate` per second
and refuses requests once the counter would pass `burst`. Keeping an identical bucket on
our side means our own traffic never meets QUERY_LIMIT_EXCEEDED: we wait instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol


def burst_margin(rate: float, seconds: float = 1.0) -> float:
    """Units of burst to keep free so `seconds` of network lag cannot overfill the portal."""
    return max(1.0, rate * seconds)


class RateLimiter(Protocol):
    async def acquire(self) -> None:
        """Wait until one more request fits, and count it."""
        ...

    async def try_acquire(self) -> bool:
        """Count one more request if it fits right now, without waiting for it."""
        ...

    async def on_limited(self) -> None:
        """The portal said QUERY_LIMIT_EXCEEDED: someone else shares the bucket."""
        ...


class LeakyBucket:
    """FIFO leaky bucket: waiters are served in arrival order.

    Part of the burst is kept free: requests are counted when they leave the queue, but
    a burst can reach the portal hundreds of milliseconds later while the next requests
    arrive on time. `margin_seconds` of drain (at least one unit) covers that lag.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        margin_seconds: float = 1.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.capacity = max(1.0, burst - burst_margin(rate, margin_seconds))
        self._timer = timer
        self._level = 0.0
        self._updated = timer()
        self._lock = asyncio.Lock()

    @property
    def level(self) -> float:
        self._drain()
        return self._level

    def _drain(self) -> None:
        now = self._timer()
        self._level = max(0.0, self._level - (now - self._updated) * self.rate)
        self._updated = now

    def delay(self) -> float:
        """Seconds until one more request fits (0 if it fits now)."""
        self._drain()
        excess = self._level + 1 - self.capacity
        return excess / self.rate if excess > 0 else 0.0

    async def acquire(self) -> None:
        async with self._lock:
            while (wait := self.delay()) > 0:
                await asyncio.sleep(wait)
            self._level += 1

    async def try_acquire(self) -> bool:
        if self._lock.locked() or self.delay() > 0:  # someone already waits, or no room
            return False
        self._level += 1
        return True

    async def try_acquire_leaving(self, free: int) -> bool:
        """Count one more request only if `free` units of room stay after it, and nobody
        waits: background work takes what interactive calls leave unused."""
        if self._lock.locked():
            return False
        self._drain()
        if self._level + 1 + free > self.capacity:
            return False
        self._level += 1
        return True

    async def on_limited(self) -> None:
        self._drain()
        self._level = max(self._level, self.capacity)

    def __repr__(self) -> str:
        return f"LeakyBucket(rate={self.rate}, capacity={self.capacity}, level={self.level:.2f})"
