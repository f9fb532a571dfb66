"""The engine's view of users: Bitrix24 ids from the links, reachability and time zone
from the profiles."""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.links import LinkRepository
from bot.storage.profiles import ProfileRepository


class UserDirectory:
    def __init__(self, links: LinkRepository, profiles: ProfileRepository, default_zone: str) -> None:
        self._links = links
        self._profiles = profiles
        self._default_zone = default_zone

    async def bitrix_ids(self, telegram_ids: Sequence[int]) -> dict[int, int]:
        return await self._links.bitrix_ids(list(telegram_ids))

    async def unreachable(self, telegram_ids: Sequence[int]) -> set[int]:
        return await self._profiles.blocked_among(list(telegram_ids))

    async def zone(self, telegram_id: int) -> str:
        return (await self._profiles.get(telegram_id)).time_zone or self._default_zone
