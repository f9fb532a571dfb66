"""The two load limits of a cloud portal (docs/bitrix24.md#rate-limits), on real time, not the business clock.

* `LeakyBucket`: every HTTP request adds 1; the counter drains at `rate` per second; a
  request that would push it above `burst` is refused (503 QUERY_LIMIT_EXCEEDED) and
  does not add to it.
* `OperatingLimiter`: run time summed per (auth entity, method) in 10 buckets; a method
  whose stored sum is above the limit is refused (429 OPERATION_TIME_LIMIT) before it runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

BUCKETS = 10
RECORD_THRESHOLD = 0.1  # only calls longer than this are recorded


class LeakyBucket:
    def __init__(
        self,
        rate: float,
        burst: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = float(rate)
        self.burst = int(burst)
        self._monotonic = monotonic
        self._level = 0.0
        self._updated = monotonic()

    @property
    def level(self) -> float:
        self._drain()
        return self._level

    def _drain(self) -> None:
        now = self._monotonic()
        self._level = max(0.0, self._level - (now - self._updated) * self.rate)
        self._updated = now

    def try_acquire(self) -> bool:
        self._drain()
        if self._level + 1 > self.burst:
            return False
        self._level += 1
        return True

    def reset(self) -> None:
        self._level = 0.0
        self._updated = self._monotonic()


@dataclass
class _Usage:
    # bucket index -> [seconds used, unix time of the first recorded call in it]
    buckets: dict[int, list[float]] = field(default_factory=dict)


class OperatingLimiter:
    def __init__(
        self,
        limit: float = 420.0,
        bucket_seconds: float = 60.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if bucket_seconds <= 0:
            raise ValueError("bucket_seconds must be positive")
        self.limit = float(limit)
        self.bucket_seconds = float(bucket_seconds)
        self._wall = wall
        self._usage: dict[tuple[str, str], _Usage] = {}

    @property
    def window(self) -> float:
        return self.bucket_seconds * BUCKETS

    def _live(self, key: tuple[str, str]) -> dict[int, list[float]]:
        usage = self._usage.get(key)
        if usage is None:
            return {}
        oldest = int(self._wall() // self.bucket_seconds) - BUCKETS + 1
        for index in [i for i in usage.buckets if i < oldest]:
            del usage.buckets[index]
        return usage.buckets

    def used(self, entity: str, method: str) -> float:
        return sum(value[0] for value in self._live((entity, method)).values())

    def blocked(self, entity: str, method: str) -> bool:
        return self.used(entity, method) > self.limit

    def record(self, entity: str, method: str, seconds: float) -> None:
        if seconds <= RECORD_THRESHOLD:
            return
        now = self._wall()
        index = int(now // self.bucket_seconds)
        buckets = self._usage.setdefault((entity, method), _Usage()).buckets
        slot = buckets.get(index)
        if slot is None:
            buckets[index] = [seconds, now]
        else:
            slot[0] += seconds

    def reset_at(self, entity: str, method: str) -> int:
        """When the oldest non-empty bucket expires: its first call + the window."""
        buckets = self._live((entity, method))
        if not buckets:
            return int(self._wall() + self.window)
        first = buckets[min(buckets)][1]
        return int(first + self.window)

    def clear(self) -> None:
        self._usage.clear()
