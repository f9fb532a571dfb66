from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.bitrix24 import Bitrix24
from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.fixtures import MONDAY_0700_UTC, populate, webhook_client


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_0700_UTC)


@pytest.fixture
async def portal(clock: ManualClock) -> AsyncIterator[PortalEmulator]:
    emulator = PortalEmulator(clock=clock, rate_limit=None)
    populate(emulator)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def b24(portal: PortalEmulator, http: httpx.AsyncClient) -> Bitrix24:
    return Bitrix24.over(webhook_client(portal, http))
