"""The zone a user's reminders use: where it came from, setting it by name, re-reading it
from the Bitrix24 profile. Any change moves the user's reminders to it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.bitrix24 import Bitrix24Error, UsersAPI
from bot.services.reminders import ReminderService
from bot.storage.profiles import ProfileRepository

log = logging.getLogger(__name__)

_NOT_ZONES = frozenset({"factory", "localtime", "posixrules"})


@cache
def _zones() -> dict[str, str]:
    """Lower-cased IANA name → its proper spelling."""
    return {name.lower(): name for name in available_timezones() if name.lower() not in _NOT_ZONES}


def find_zone(text: str) -> str | None:
    """The IANA zone named by `text`, in any letter case; None if there is no such zone."""
    name = _zones().get(text.strip().lower())
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


class ZoneSource(StrEnum):
    DEFAULT = "default"  # nothing stored: the bot's default zone
    USER = "user"  # chosen in the bot
    BITRIX24 = "bitrix24"  # from the Bitrix24 profile


@dataclass(frozen=True, slots=True)
class CurrentZone:
    name: str
    source: ZoneSource


@dataclass(frozen=True, slots=True)
class ZoneChange:
    changed: bool  # the zone in use is another one now
    moved: bool = False  # ...and the user has reminders that moved with it


class FromBitrix24(StrEnum):
    ADOPTED = "adopted"
    NO_ZONE = "no_zone"  # the profile names no zone: the stored one was dropped
    NO_USER = "no_user"  # the employee is gone or inactive
    UNAVAILABLE = "unavailable"  # Bitrix24 did not answer; nothing changed


@dataclass(frozen=True, slots=True)
class FromBitrix24Result:
    outcome: FromBitrix24
    change: ZoneChange | None = None  # for ADOPTED and NO_ZONE


class TimeZoneService:
    def __init__(self, profiles: ProfileRepository, reminders: ReminderService, users: UsersAPI) -> None:
        self._profiles = profiles
        self._reminders = reminders
        self._users = users

    async def current(self, telegram_id: int) -> CurrentZone:
        profile = await self._profiles.get(telegram_id)
        if not profile.time_zone:
            source = ZoneSource.DEFAULT
        elif profile.time_zone_source == "user":
            source = ZoneSource.USER
        else:
            source = ZoneSource.BITRIX24
        return CurrentZone(await self._reminders.zone(telegram_id), source)

    async def choose(self, telegram_id: int, zone: str) -> ZoneChange:
        """The user picked `zone` (a name `find_zone` returned)."""
        return await self._change(telegram_id, zone, ZoneSource.USER)

    async def from_bitrix24(self, telegram_id: int, bitrix_id: int) -> FromBitrix24Result:
        """Use the zone of the user's Bitrix24 profile, even over one they chose."""
        try:
            user = await self._users.get_active(bitrix_id)
        except Bitrix24Error as error:
            log.warning("could not read the time zone from bitrix24", extra={"ctx_error": repr(error)})
            return FromBitrix24Result(FromBitrix24.UNAVAILABLE)
        if user is None:
            return FromBitrix24Result(FromBitrix24.NO_USER)
        zone = find_zone(user.time_zone or "")
        # No zone in the profile: drop the stored one, so the bot's default applies.
        change = await self._change(telegram_id, zone, ZoneSource.BITRIX24)
        return FromBitrix24Result(FromBitrix24.ADOPTED if zone else FromBitrix24.NO_ZONE, change)

    async def adopt_bitrix24(self, telegram_id: int, zone: str | None) -> None:
        """After linking: the profile's zone, unless the user chose one in the bot (kept
        when relinking)."""
        if zone and await self._profiles.adopt_bitrix_time_zone(telegram_id, zone):
            await self._reminders.reschedule_all(telegram_id)

    async def _change(self, telegram_id: int, zone: str | None, source: ZoneSource) -> ZoneChange:
        before = await self._reminders.zone(telegram_id)
        await self._profiles.set_time_zone(telegram_id, zone, source.value)
        after = await self._reminders.zone(telegram_id)
        await self._reminders.reschedule_all(telegram_id)
        if after == before:
            return ZoneChange(changed=False)
        return ZoneChange(changed=True, moved=bool(await self._reminders.list(telegram_id)))
