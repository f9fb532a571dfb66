"""A stop lets the updates being handled finish, and leaves the shared Redis to its owner."""

from __future__ import annotations

import asyncio

from aiogram.types import User
from redis.asyncio import ConnectionPool, Redis

from tests.bot.fixtures import ANNA_B24, ANNA_TG
from tests.bot.flows import link
from tests.bot.harness import Harness
from workday_sandbox.portal.emulator import PortalEmulator


async def test_an_update_in_flight_finishes_before_the_shutdown_steps(harness: Harness,
                                                                      portal: PortalEmulator) -> None:
    anna: User = harness.updates.user(ANNA_TG)
    await link(harness, portal, anna, "anna@example.com", ANNA_B24)
    portal.faults.inject("slow", method="timeman.status", delay=1.0)
    # As polling does it: the update is handled in a task the dispatcher keeps.
    task = asyncio.create_task(harness.feed(harness.updates.text(anna, "/status")))
    harness.dispatcher._handle_update_tasks.add(task)  # noqa: SLF001 - aiogram's own bookkeeping
    task.add_done_callback(harness.dispatcher._handle_update_tasks.discard)  # noqa: SLF001
    await asyncio.sleep(0.2)  # the status read is on its way
    assert not task.done()
    await harness.dispatcher.emit_shutdown(bot=harness.bot)  # the other steps run after the update
    assert task.done() and task.exception() is None
    assert "Day not started" in harness.session.last(ANNA_TG).text


async def test_the_dispatcher_stop_leaves_the_shared_redis_to_its_owner(harness: Harness, redis: Redis) -> None:
    """aiogram's storage closes its Redis client, pool and all, as the first shutdown step;
    the reminder engine's drain comes later and uses the same connections. Seen in CI: a
    stop mid fan-out cut the pacer's and the step marks' commands short ("Connection closed
    by server"), so one reminder was completed without its message, and told users were
    handed back to be told again."""
    in_use = asyncio.create_task(redis.blpop(["nothing-will-come"], timeout=2))  # holds a connection
    observer = Redis(connection_pool=ConnectionPool(**redis.connection_pool.connection_kwargs))
    try:
        while not any(client.get("cmd") == "blpop" for client in await observer.client_list()):
            await asyncio.sleep(0.01)  # until the server has the BLPOP
    finally:
        await observer.aclose()
    await harness.dispatcher.emit_shutdown(bot=harness.bot)
    assert await in_use is None  # ran its course: the timeout, not a cut connection
    assert await redis.ping()
