"""In webhook mode Telegram may deliver an update twice; it is handled once."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis

from bot.app import Repositories, create_bot, create_dispatcher
from bot.bitrix24 import Bitrix24, Bitrix24Client, WebhookAuth
from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from bot.storage.keys import KeySpace
from tests.bot.fixtures import ADMIN_B24, make_settings
from tests.bot.harness import RecordingSession, Updates


async def test_a_repeated_update_is_handled_once(portal: PortalEmulator, redis: Redis, clock: ManualClock) -> None:
    settings = make_settings(mode="webhook")
    keys = KeySpace("dedup")
    async with httpx.AsyncClient() as http:
        client = Bitrix24Client(WebhookAuth(portal.add_webhook(user_id=ADMIN_B24, code="deduphook1")), http=http)
        repositories = Repositories.over(redis, keys)
        session = RecordingSession()
        bot = create_bot(settings, repositories=repositories, session=session)
        dispatcher = create_dispatcher(settings=settings, redis=redis, bitrix=Bitrix24.over(client), clock=clock,
                                       keys=keys, repositories=repositories)
        update = Updates().text(Updates.user(4242), "/help")
        await dispatcher.feed_update(bot, update)
        await dispatcher.feed_update(bot, update)
        await dispatcher.feed_update(bot, Updates().text(Updates.user(4242), "/help"))  # update_id 1 again
    assert len(session.calls("sendMessage")) == 1
