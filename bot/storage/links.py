"""Who is who: Telegram user id ↔ Bitrix24 user id, one to one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from redis.asyncio import Redis

from bot.storage.keys import KeySpace

# Atomically link tg ↔ b24, dropping whatever either side was linked to before.
_LINK = """
local by_tg, by_b24, meta = KEYS[1], KEYS[2], KEYS[3]
local tg, b24, info = ARGV[1], ARGV[2], ARGV[3]
local old_b24 = redis.call('HGET', by_tg, tg)
local old_tg = redis.call('HGET', by_b24, b24)
if old_b24 and old_b24 ~= b24 then redis.call('HDEL', by_b24, old_b24) end
if old_tg and old_tg ~= tg then
  redis.call('HDEL', by_tg, old_tg)
  redis.call('HDEL', meta, old_tg)
end
redis.call('HSET', by_tg, tg, b24)
redis.call('HSET', by_b24, b24, tg)
redis.call('HSET', meta, tg, info)
return {old_b24 or '', old_tg or ''}
"""

_UNLINK_TG = """
local by_tg, by_b24, meta = KEYS[1], KEYS[2], KEYS[3]
local b24 = redis.call('HGET', by_tg, ARGV[1])
if not b24 then return '' end
redis.call('HDEL', by_tg, ARGV[1])
redis.call('HDEL', meta, ARGV[1])
if redis.call('HGET', by_b24, b24) == ARGV[1] then redis.call('HDEL', by_b24, b24) end
return b24
"""


@dataclass(frozen=True, slots=True)
class Link:
    telegram_id: int
    bitrix_id: int
    name: str = ""
    linked_at: str = ""
    by_admin: bool = False

    def linked_on(self, zone: tzinfo) -> date | None:
        """The date the link was made, in `zone`; None when it is not known."""
        try:
            moment = datetime.fromisoformat(self.linked_at)
        except ValueError:
            return None
        return moment.astimezone(zone).date() if moment.tzinfo else moment.date()


@dataclass(frozen=True, slots=True)
class Relink:
    """What a new link displaced."""

    previous_bitrix_id: int | None
    previous_telegram_id: int | None


class LinkRepository:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._by_tg = keys("links", "by_tg")
        self._by_b24 = keys("links", "by_b24")
        self._meta = keys("links", "meta")
        self._link = redis.register_script(_LINK)
        self._unlink = redis.register_script(_UNLINK_TG)

    async def bitrix_id(self, telegram_id: int) -> int | None:
        value = await self._redis.hget(self._by_tg, str(telegram_id))
        return int(value) if value else None

    async def telegram_id(self, bitrix_id: int) -> int | None:
        value = await self._redis.hget(self._by_b24, str(bitrix_id))
        return int(value) if value else None

    async def bitrix_ids(self, telegram_ids: list[int]) -> dict[int, int]:
        """Linked ones only."""
        if not telegram_ids:
            return {}
        values = await self._redis.hmget(self._by_tg, [str(tg) for tg in telegram_ids])
        return {tg: int(value) for tg, value in zip(telegram_ids, values, strict=True) if value}

    async def telegram_ids(self, bitrix_ids: list[int]) -> dict[int, int]:
        """Bitrix24 id → Telegram id, for the linked ones, in one read."""
        if not bitrix_ids:
            return {}
        values = await self._redis.hmget(self._by_b24, [str(b24) for b24 in bitrix_ids])
        return {b24: int(value) for b24, value in zip(bitrix_ids, values, strict=True) if value}

    async def get(self, telegram_id: int) -> Link | None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hget(self._by_tg, str(telegram_id))
            pipe.hget(self._meta, str(telegram_id))
            bitrix, meta = await pipe.execute()
        if not bitrix:
            return None
        return _link(telegram_id, int(bitrix), meta)

    async def link(
        self, telegram_id: int, bitrix_id: int, *, name: str, at: datetime, by_admin: bool = False
    ) -> Relink:
        info = json.dumps({"name": name, "linked_at": at.isoformat(), "by_admin": by_admin})
        old_b24, old_tg = await self._link(
            keys=[self._by_tg, self._by_b24, self._meta], args=[telegram_id, bitrix_id, info]
        )
        old_b24 = int(old_b24) if old_b24 and int(old_b24) != bitrix_id else None
        old_tg = int(old_tg) if old_tg and int(old_tg) != telegram_id else None
        return Relink(previous_bitrix_id=old_b24, previous_telegram_id=old_tg)

    async def unlink(self, telegram_id: int) -> int | None:
        """Remove the link; returns the Bitrix24 id it pointed to."""
        bitrix = await self._unlink(keys=[self._by_tg, self._by_b24, self._meta], args=[telegram_id])
        return int(bitrix) if bitrix else None

    async def all(self) -> list[Link]:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(self._by_tg)
            pipe.hgetall(self._meta)
            by_tg, meta = await pipe.execute()
        links = [_link(int(tg), int(b24), meta.get(tg)) for tg, b24 in by_tg.items()]
        return sorted(links, key=lambda link: (link.name.lower(), link.bitrix_id))

    async def count(self) -> int:
        return int(await self._redis.hlen(self._by_tg))


def _link(telegram_id: int, bitrix_id: int, meta: bytes | str | None) -> Link:
    info: dict = {}
    if meta:
        try:
            info = json.loads(meta)
        except ValueError:
            info = {}
    return Link(
        telegram_id=telegram_id,
        bitrix_id=bitrix_id,
        name=str(info.get("name", "")),
        linked_at=str(info.get("linked_at", "")),
        by_admin=bool(info.get("by_admin", False)),
    )
