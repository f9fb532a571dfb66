from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24, Bitrix24Client, RetryPolicy, WebhookAuth
from bot.clock import ManualClock
from bot.reminders.directory import UserDirectory
from bot.reminders.store import ReminderStore
from workday_sandbox.portal.emulator import PortalEmulator
from bot.services.reminders import ReminderService
from bot.storage.links import LinkRepository
from bot.storage.profiles import ProfileRepository
from tests.reminders.fixtures import ADMIN_B24, KEYS, MONDAY_1000_UTC, CollectingNotifier, World


@pytest.fixture
async def world(redis: Redis) -> AsyncIterator[World]:
    clock = ManualClock(MONDAY_1000_UTC)
    portal = PortalEmulator(clock=clock, rate_limit=None)
    portal.add_user(ADMIN_B24, email="admin@example.com", name="Ada", timeman_admin=True, portal_admin=True)
    async with portal, httpx.AsyncClient() as http:
        webhook = portal.add_webhook(user_id=ADMIN_B24, code="reminderhook1")
        client = Bitrix24Client(WebhookAuth(webhook), http=http, deadline=10.0,
                                retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02))
        links, profiles = LinkRepository(redis, KEYS), ProfileRepository(redis, KEYS)
        store = ReminderStore(redis, KEYS)
        service = ReminderService(store, UserDirectory(links, profiles, "Europe/Berlin"), clock)
        yield World(clock, portal, redis, Bitrix24.over(client), store, service, links, profiles,
                    CollectingNotifier())
