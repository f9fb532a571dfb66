"""The last workday state each employee's action returned.

Bitrix24 answers an action with the new state only, so "resumed" and "was already
running" look the same. Remembering the previous answer lets the bot say which one
happened without a second request. The day may have changed elsewhere since (in the web
UI, or by a reminder), so the wording leans on what only moves forward: finished breaks
grow exactly when a pause or a closed day is resumed. It only shapes wording: the day
card always comes from Bitrix24's fresh answer, with one exception: a portal that follows
the docs leaves TIME_FINISH null while paused, so it never says when a break began. When
the bot paused the day itself it knows, and `paused_at` keeps that moment for later cards.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.bitrix24 import Workday, WorkdayStatus
from bot.storage.keys import KeySpace

_TTL_SECONDS = 36 * 3600


@dataclass(frozen=True, slots=True)
class SeenDay:
    status: WorkdayStatus
    started: int  # unix seconds of TIME_START, 0 when there was no day
    breaks: int = 0  # seconds of finished breaks (TIME_LEAKS)
    paused_at: int = 0  # unix seconds the current break began, when the portal does not say


class DayCache:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys

    async def get(self, bitrix_id: int) -> SeenDay | None:
        return _parse(await self._redis.get(self._keys("day", bitrix_id)))

    async def get_many(self, bitrix_ids: list[int]) -> dict[int, SeenDay | None]:
        if not bitrix_ids:
            return {}
        raws = await self._redis.mget([self._keys("day", bitrix_id) for bitrix_id in bitrix_ids])
        return {bitrix_id: _parse(raw) for bitrix_id, raw in zip(bitrix_ids, raws, strict=True)}

    async def put(self, bitrix_id: int, day: Workday) -> None:
        started = int(day.started_at.timestamp()) if day.started_at else 0
        breaks = int(day.breaks.total_seconds())
        paused = int(day.paused_at.timestamp()) if day.paused_at else 0
        await self._redis.set(self._keys("day", bitrix_id), f"{day.status.value}:{started}:{breaks}:{paused}",
                              ex=_TTL_SECONDS)

    async def forget(self, bitrix_id: int) -> None:
        await self._redis.delete(self._keys("day", bitrix_id))


def _parse(raw: bytes | None) -> SeenDay | None:
    if not raw:
        return None
    try:
        status, started, breaks, *paused = raw.decode().split(":", 3)
        return SeenDay(WorkdayStatus(status), int(started), int(breaks), int(paused[0]) if paused else 0)
    except ValueError:
        return None
