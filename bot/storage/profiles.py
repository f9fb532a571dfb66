"""Per-Telegram-user preferences and delivery state."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from redis.asyncio import Redis

from bot.storage.keys import KeySpace


@dataclass(frozen=True, slots=True)
class Profile:
    telegram_id: int
    language: str | None = None
    time_zone: str | None = None
    # Where time_zone came from: "bitrix24" (the profile) or "user" (chosen in the bot).
    time_zone_source: str | None = None
    blocked: bool = False
    # The language the user's Telegram app reports, for messages sent outside an update.
    telegram_language: str | None = None
    # Whether the background sweep may edit the day card when the day changed in Bitrix24.
    card_updates: bool = True


class ProfileRepository:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys

    def _key(self, telegram_id: int) -> str:
        return self._keys("profile", telegram_id)

    async def get(self, telegram_id: int) -> Profile:
        raw = await self._redis.hgetall(self._key(telegram_id))
        data = {k.decode(): v.decode() for k, v in raw.items()}
        return Profile(
            telegram_id=telegram_id,
            language=data.get("language") or None,
            time_zone=data.get("time_zone") or None,
            time_zone_source=data.get("time_zone_source") or None,
            blocked=data.get("blocked") == "1",
            telegram_language=data.get("telegram_language") or None,
            card_updates=data.get("card_updates") != "0",
        )

    async def blocked_among(self, telegram_ids: list[int]) -> set[int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for telegram_id in telegram_ids:
                pipe.hget(self._key(telegram_id), "blocked")
            flags = await pipe.execute()
        return {tg for tg, flag in zip(telegram_ids, flags, strict=True) if flag == b"1"}

    async def zones_of(self, telegram_ids: list[int]) -> dict[int, str]:
        """The time zones these users chose (or took from Bitrix24); those without one are left out."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for telegram_id in telegram_ids:
                pipe.hget(self._key(telegram_id), "time_zone")
            zones = await pipe.execute()
        return {telegram_id: (zone.decode() if isinstance(zone, bytes) else zone)
                for telegram_id, zone in zip(telegram_ids, zones, strict=True) if zone}

    async def without_card_updates(self, telegram_ids: list[int]) -> set[int]:
        """Those among `telegram_ids` whose card the sweep must leave alone: updates
        turned off, or the bot blocked."""
        if not telegram_ids:
            return set()
        async with self._redis.pipeline(transaction=False) as pipe:
            for telegram_id in telegram_ids:
                pipe.hmget(self._key(telegram_id), ["card_updates", "blocked"])
            rows = await pipe.execute()
        return {tg for tg, (updates, blocked) in zip(telegram_ids, rows, strict=True)
                if updates == b"0" or blocked == b"1"}

    async def set_card_updates(self, telegram_id: int, on: bool) -> None:
        await self._redis.hset(self._key(telegram_id), "card_updates", "1" if on else "0")

    async def remember_telegram_language(self, telegram_id: int, code: str) -> None:
        await self._redis.hset(self._key(telegram_id), "telegram_language", code)

    async def set_language(self, telegram_id: int, language: str) -> None:
        await self._redis.hset(self._key(telegram_id), "language", language)

    async def set_time_zone(self, telegram_id: int, time_zone: str | None, source: str) -> None:
        key = self._key(telegram_id)
        if time_zone:
            await self._redis.hset(key, mapping={"time_zone": time_zone, "time_zone_source": source})
        else:
            await self._redis.hdel(key, "time_zone", "time_zone_source")

    async def adopt_bitrix_time_zone(self, telegram_id: int, time_zone: str) -> bool:
        """Use the Bitrix24 profile's zone, unless the user chose one in the bot. True when
        the zone in use changed, so that reminders are moved to it."""
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return False
        zone, source = await self._redis.hmget(self._key(telegram_id), ["time_zone", "time_zone_source"])
        if source == b"user" or zone == time_zone.encode():
            return False
        await self.set_time_zone(telegram_id, time_zone, "bitrix24")
        return True

    async def set_blocked(self, telegram_id: int, blocked: bool) -> bool:
        """Returns True when the flag changed."""
        previous = await self._redis.hget(self._key(telegram_id), "blocked")
        await self._redis.hset(self._key(telegram_id), "blocked", "1" if blocked else "0")
        return (previous == b"1") != blocked

    async def forget(self, telegram_id: int) -> None:
        await self._redis.delete(self._key(telegram_id))
