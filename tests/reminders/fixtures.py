"""The reminder tests' world and its pieces (pytest fixtures are in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24
from bot.clock import ManualClock
from bot.reminders.directory import UserDirectory
from bot.reminders.engine import DeliveryHeld, Notice, ReminderEngine
from bot.reminders.store import ReminderStore
from workday_sandbox.portal.emulator import PortalEmulator
from bot.services.reminders import ReminderService
from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from bot.storage.profiles import ProfileRepository

# Monday 2 March 2026, 11:00 in Berlin.
MONDAY_1000_UTC = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ADMIN_B24 = 1
KEYS = KeySpace("t")


class CollectingNotifier:
    """Records notices instead of sending them; `reachable=False` plays a blocked user."""

    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self.unreachable: set[int] = set()
        self.holding = False

    async def deliver(self, notice: Notice) -> bool:
        if self.holding:
            raise DeliveryHeld
        if notice.telegram_id in self.unreachable:
            return False
        self.notices.append(notice)
        return True

    def hold(self) -> None:
        self.holding = True

    def kinds_for(self, telegram_id: int) -> list[str]:
        return [n.kind.value for n in self.notices if n.telegram_id == telegram_id]


@dataclass
class World:
    clock: ManualClock
    portal: PortalEmulator
    redis: Redis
    bitrix: Bitrix24
    store: ReminderStore
    service: ReminderService
    links: LinkRepository
    profiles: ProfileRepository
    notifier: CollectingNotifier
    engines: list[ReminderEngine] = field(default_factory=list)

    def engine(self, store: ReminderStore | None = None, **options: object) -> ReminderEngine:
        directory = UserDirectory(self.links, self.profiles, "Europe/Berlin")
        engine = ReminderEngine(store=store or ReminderStore(self.redis, KEYS), workday=self.bitrix.workday,
                                directory=directory, notifier=self.notifier, clock=self.clock, **options)
        self.engines.append(engine)
        return engine

    async def employee(self, telegram_id: int, bitrix_id: int, zone: str = "Europe/Berlin") -> None:
        if bitrix_id not in self.portal.users:
            self.portal.add_user(bitrix_id, email=f"e{bitrix_id}@example.com", name=f"E{bitrix_id}", time_zone=zone)
        await self.links.link(telegram_id, bitrix_id, name=f"E{bitrix_id}", at=self.clock.now())
        await self.profiles.set_time_zone(telegram_id, zone, "bitrix24")

    def advance(self, **kwargs: float) -> None:
        self.clock.advance(timedelta(**kwargs))
