"""Process-level end to end: `python -m bot` as a subprocess, against the in-repo fake
Telegram Bot API server and the portal emulator, both on loopback, and a private Redis."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from pathlib import Path

import pytest

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.telegram.server import FakeTelegram
from workday_sandbox.redis_server import RedisServer
from tests.e2e.fixtures import ADMIN_B24, ANNA_B24, BOT_TOKEN, IVAN_B24, WEBHOOK_CODE, BotProcess, bot_environment


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    # Telegram's flood control is on, as it is in production: the bot must live with it.
    async with FakeTelegram(token=BOT_TOKEN, bot_username="workday_bot", flood_control=True) as fake:
        yield fake


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    emulator = PortalEmulator(rate_limit=2.0, rate_burst=50)
    emulator.add_user(ADMIN_B24, email="admin@example.com", name="Ada", timeman_admin=True, portal_admin=True,
                      time_zone="Europe/Berlin")
    emulator.add_user(ANNA_B24, email="anna@example.com", name="Anna", last_name="Berg", time_zone="Europe/Berlin")
    emulator.add_user(IVAN_B24, email="ivan@example.com", name="Ivan", last_name="Petrov", time_zone="Europe/Moscow")
    emulator.add_webhook(user_id=ADMIN_B24, code=WEBHOOK_CODE)
    async with emulator:
        yield emulator


@pytest.fixture
def start_bot(telegram: FakeTelegram, portal: PortalEmulator, redis_server: RedisServer,
              tmp_path: Path) -> Iterator[callable]:
    processes: list[BotProcess] = []

    async def start(*, flush: bool = True, ready: Callable[[], Any] | None = None,
                    preexec_fn: Callable[[], None] | None = None, **extra_env: str) -> BotProcess:
        import redis as sync_redis

        if flush:
            sync_redis.Redis.from_url(redis_server.url_for_db(3)).flushdb()
        env = bot_environment(telegram, portal, redis_server.url_for_db(3))
        env.update(extra_env)
        log_path = tmp_path / f"bot-{len(processes)}.log"
        handle = log_path.open("wb")
        process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env,
                                   stdout=handle, stderr=subprocess.STDOUT, preexec_fn=preexec_fn)
        bot = BotProcess(process, log_path)
        processes.append(bot)

        def started() -> Any:
            if process.poll() is not None:
                raise AssertionError(f"the bot exited with {process.returncode}:\n{bot.log()}")
            return ready() if ready is not None else telegram.pollers_waiting > 0

        await telegram.wait_for(started, timeout=30)
        return bot

    yield start
    for bot in processes:
        bot.stop()

