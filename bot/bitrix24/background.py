"""The budget for background requests: a share of the portal's rate, never a slot an
interactive call could use.

The portal counts every request in one bucket (docs/bitrix24.md#request-rate), so work
nobody is waiting for (refreshing day cards) must not make a tap wait. A background
request goes only when two things allow it:

- its own pace, `rate × share` evenly spaced (shared by the replicas through Redis in
  production), which keeps background traffic to its share however long it runs; and
- the portal's bucket, taken *now* and only if `reserve` units stay free after it. It
  never reserves a future slot (that slot would be missing when a tap arrives) and never
  joins the coalescing queue (a tap would then wait behind a background batch). When the
  bucket is busier than that, it polls again after `poll` seconds.

Between two background requests the bucket drains `1 / share` units, so background work
holds at most about one unit of the burst at any moment: an interactive call finds the
room it would have found without it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

DEFAULT_SHARE = 0.25


def default_reserve(burst: int) -> int:
    """Units of the portal's burst kept for interactive calls: a fifth of it."""
    return max(1, burst // 5)


class PortalBucket(Protocol):
    """The client's own limiter, as background work sees it."""

    async def try_acquire_leaving(self, free: int) -> bool:
        """Count one request now if `free` units of room stay after it; never wait."""
        ...

    async def on_limited(self) -> None:
        ...


class Pace(Protocol):
    async def next_slot(self, max_wait: float | None = None) -> float | None:
        """Reserve the next slot: seconds until it comes (None: later than `max_wait`,
        and nothing reserved)."""
        ...


class LocalPace:
    """`Pace` for one process: evenly spaced slots, the next one kept in memory."""

    def __init__(self, rate: float, *, timer: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self._interval = 1.0 / rate
        self._timer = timer
        self._next = timer()

    async def next_slot(self, max_wait: float | None = None) -> float | None:
        now = self._timer()
        slot = max(now, self._next)
        if max_wait is not None and slot - now > max_wait:
            return None
        self._next = slot + self._interval
        return slot - now


class BackgroundBudget:
    """A `RateLimiter` for background requests (see the module docstring). Pass it as
    `limiter=` to `Bitrix24Client.batch` or `WorkdayAPI.status_many`."""

    def __init__(self, portal: PortalBucket, pace: Pace, *, reserve: int, poll: float,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        if reserve < 0 or poll <= 0:
            raise ValueError("reserve must be >= 0 and poll > 0")
        self._portal = portal
        self._pace = pace
        self._reserve = reserve
        self._poll = poll
        self._sleep = sleep
        # Figures for tests, benchmarks and logs.
        self.granted = 0
        self.yielded = 0  # polls that found the portal's bucket too busy for background work

    async def acquire(self) -> None:
        wait = await self._pace.next_slot()
        if wait:
            await self._sleep(wait)
        while not await self._portal.try_acquire_leaving(self._reserve):
            self.yielded += 1
            await self._sleep(self._poll)
        self.granted += 1

    async def try_acquire(self) -> bool:
        if await self._pace.next_slot(max_wait=0) is None:
            return False
        if not await self._portal.try_acquire_leaving(self._reserve):
            return False
        self.granted += 1
        return True

    async def on_limited(self) -> None:
        # Someone else filled the portal's bucket: interactive calls must wait for it too.
        await self._portal.on_limited()

    def __repr__(self) -> str:
        return f"BackgroundBudget(pace={self._pace!r}, reserve={self._reserve})"


def local_background_budget(portal: PortalBucket, *, rate: float, burst: int, share: float = DEFAULT_SHARE,
                            timer: Callable[[], float] = time.monotonic,
                            sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> BackgroundBudget:
    """The budget for one process over its own `LeakyBucket`."""
    return BackgroundBudget(portal, LocalPace(rate * share, timer=timer), reserve=default_reserve(burst),
                            poll=1.0 / rate, sleep=sleep)
