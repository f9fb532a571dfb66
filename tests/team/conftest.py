from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24
from bot.clock import ManualClock
from bot.team import StructureStore, TeamStructureService
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.conftest import clock, http  # noqa: F401 - the same clock and HTTP client
from tests.bitrix24.fixtures import webhook_client
from tests.team.fixtures import KEYS, SCOPES, build_company


@pytest.fixture
async def portal(clock: ManualClock) -> AsyncIterator[PortalEmulator]:
    emulator = PortalEmulator(clock=clock, rate_limit=None)
    build_company(emulator)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
def b24(portal: PortalEmulator, http: httpx.AsyncClient) -> Bitrix24:
    return Bitrix24.over(webhook_client(portal, http, scopes=SCOPES))


@pytest.fixture
def service(b24: Bitrix24, redis: Redis, clock: ManualClock) -> TeamStructureService:
    return TeamStructureService(departments=b24.departments, users=b24.users,
                                store=StructureStore(redis, KEYS), clock=clock, default_zone="Europe/Berlin")
