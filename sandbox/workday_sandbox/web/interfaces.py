"""What the sandbox page gets from the launcher: the demo employees and a narrow view of
the portal emulator (so web/app.py and launcher.py do not import each other)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from workday_sandbox.portal.interfaces import SentNotification
from workday_sandbox.portal.users import PortalUser


@dataclass(frozen=True)
class DemoEmployee:
    bitrix_id: int
    telegram_id: int
    name: str
    email: str
    time_zone: str
    language: str
    active: bool
    bot_admin: bool


class SandboxPortal(Protocol):
    """What the page reads of the portal emulator."""

    portal_time_zone: str
    zone: ZoneInfo
    users: dict[int, PortalUser]
    notifications: list[SentNotification]

    def notifications_for(self, user_id: int) -> list[SentNotification]: ...

    def status_of(self, user_id: int) -> dict[str, Any]: ...
