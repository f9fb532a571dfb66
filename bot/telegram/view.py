"""Everything a handler needs to render for one user: language, time zone, now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from bot.bitrix24 import Workday
from bot.clock import Clock
from bot.i18n import Translator, language_for
from bot.storage.profiles import Profile


@dataclass(frozen=True)
class UserView:
    t: Translator
    profile: Profile
    default_zone: str
    clock: Clock

    @classmethod
    def of(cls, profile: Profile, default_zone: str, clock: Clock) -> UserView:
        """The view for a message the bot sends on its own (no update to take it from)."""
        return cls(t=Translator(language_for(profile.telegram_language, profile.language)), profile=profile,
                   default_zone=default_zone, clock=clock)

    def now(self) -> datetime:
        return self.clock.now()

    def zone(self, day: Workday | None = None) -> tzinfo:
        """The user's chosen or Bitrix24 zone; else the day's own offset; else the default."""
        if self.profile.time_zone:
            return ZoneInfo(self.profile.time_zone)
        if day is not None and day.timezone is not None:
            return day.timezone
        return ZoneInfo(self.default_zone)
