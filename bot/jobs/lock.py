"""One replica per run slot: whoever sets the slot's key first runs it."""

from __future__ import annotations

import math
from datetime import timedelta

from redis.asyncio import Redis

from bot.storage.keys import KeySpace


class SlotLock:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys

    async def claim(self, job: str, slot: str, ttl: timedelta) -> bool:
        """True for the one caller that claims this slot of this job. The claim is kept
        (not released after the run) for as long as any replica may still look at the
        slot, so a replica that starts late in it does not run it again."""
        seconds = max(1, math.ceil(ttl.total_seconds()))
        return bool(await self._redis.set(self._keys("jobs", job, slot), 1, nx=True, ex=seconds))
