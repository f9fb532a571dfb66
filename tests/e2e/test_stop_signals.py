"""Ctrl-C and SIGTERM stop the real bot process at any moment, start-up included."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from redis import Redis as SyncRedis

from tests.e2e.fixtures import bot_environment
from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.redis_server import RedisServer
from workday_sandbox.telegram.server import FakeTelegram

# `python -m bot`, with a start-up step that meets Ctrl-C the way redis-py's connection
# check can on Python 3.11: the cancellation asyncio.run makes of it arrives while an
# `asyncio.timeout(0)` expires, and becomes a TimeoutError that the library takes for
# "nothing to read". Seen in CI as a sandbox that did not stop within 60 s of Ctrl-C.
CTRL_C_LOST_IN_A_LIBRARY = """
import asyncio, os, runpy, signal
import bot.runner as runner

checked = runner.check_bitrix24

async def ctrl_c_meets_a_zero_timeout(bitrix):
    os.kill(os.getpid(), signal.SIGINT)
    try:
        async with asyncio.timeout(0):
            await asyncio.sleep(1)
    except TimeoutError:
        pass
    await checked(bitrix)

runner.check_bitrix24 = ctrl_c_meets_a_zero_timeout
runpy.run_module("bot", run_name="__main__")
"""


async def test_ctrl_c_during_start_up_stops_the_bot_even_when_a_library_loses_the_cancellation(
        telegram: FakeTelegram, portal: PortalEmulator, redis_server: RedisServer, tmp_path: Path) -> None:
    SyncRedis.from_url(redis_server.url_for_db(3)).flushdb()
    env = bot_environment(telegram, portal, redis_server.url_for_db(3))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CTRL_C_LOST_IN_A_LIBRARY, cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
        raise AssertionError(f"Ctrl-C during start-up did not stop the bot:\n{output.decode()[-3000:]}") from None
    log = output.decode()
    assert process.returncode == 0, log
    assert not telegram.calls_to("getUpdates"), "it began to poll after Ctrl-C"
    assert "stopped before serving" in log
    assert "Traceback" not in log

