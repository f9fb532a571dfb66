"""`python -m bot sandbox`: the whole product on loopback, with no Telegram token and no portal.

It starts the portal emulator with demo employees, the fake Telegram Bot API, a private
Redis, the real bot (unchanged: the same runner as production, in this process) and a web
page that plays the Telegram app. One `OffsetClock` is shared by the emulator and the
bot, so the page's "fast-forward" moves business time for both.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import sys
import tempfile
import webbrowser
from contextlib import AsyncExitStack
from pathlib import Path

from pydantic import SecretStr

from bot.clock import OffsetClock
from bot.config import Bitrix24Settings, BotSettings, RedisSettings, Settings, TelegramSettings, WebhookSettings
from workday_sandbox.portal.emulator import DEMO_WEBHOOK_CODE, LONG_RUN_REQUEST_LOG, PortalEmulator, build_demo_portal
from workday_sandbox.redis_server import start_redis_server
from workday_sandbox.telegram.server import FakeTelegram
from workday_sandbox.web.interfaces import DemoEmployee
from bot.stopping import StopSignal, Stopped
from bot.storage.keys import KeySpace

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "424242:SANDBOX-not-a-real-token"
SANDBOX_BOT_USERNAME = "workday_sandbox_bot"
SANDBOX_PREFIX = "sandbox"  # every Redis key of the sandbox starts with it
TELEGRAM_ID_BASE = 700_000  # a demo employee's Telegram id is this plus their Bitrix24 id


class SandboxStartError(Exception):
    """The sandbox cannot start (its port is taken); printed without a traceback."""


def demo_employees(portal: PortalEmulator) -> list[DemoEmployee]:
    employees = []
    for user in sorted(portal.users.values(), key=lambda u: u.id):
        employees.append(DemoEmployee(
            bitrix_id=user.id,
            telegram_id=TELEGRAM_ID_BASE + user.id,
            name=f"{user.name} {user.last_name}".strip(),
            email=user.email,
            time_zone=user.time_zone or portal.portal_time_zone,
            # Boris's Telegram speaks Russian, to show the bot's second language.
            language="ru" if user.time_zone == "Europe/Moscow" else "en",
            active=user.active,
            bot_admin=user.id == 1,
        ))
    return employees


def sandbox_settings(portal: PortalEmulator, telegram: FakeTelegram, redis_url: str,
                     admins: frozenset[int]) -> Settings:
    """Settings built here, not read from the environment: the sandbox must never pick up
    a production bot's token or Redis."""
    return Settings(
        telegram=TelegramSettings(bot_token=SecretStr(SANDBOX_TOKEN), api_base=telegram.base_url, _env_file=None),
        bitrix24=Bitrix24Settings(
            webhook_url=SecretStr(f"{portal.base_url}/rest/1/{DEMO_WEBHOOK_CODE}/"),
            portal_url=None, client_id=None, client_secret=None, access_token=None, refresh_token=None,
            rate_limit=2.0, rate_burst=50, schedule_id=1, _env_file=None,  # the demo portal's "For all employees"
        ),
        redis=RedisSettings(url=SecretStr(redis_url), _env_file=None),
        bot=BotSettings(admin_ids=admins, default_timezone="Europe/Berlin", mode="polling",
                        log_level="INFO", log_format="text", health_port=0, _env_file=None),
        webhook=WebhookSettings(url=None, secret=None, _env_file=None),
    )


async def run_sandbox(*, host: str = "127.0.0.1", port: int = 8080, redis_url: str | None = None,
                      open_browser: bool = False) -> None:
    # Ctrl-C is ours from here on: one that comes while the demo is being set up stops it too.
    stop = StopSignal()
    stop.install()
    try:
        await _run_sandbox(host=host, port=port, redis_url=redis_url, open_browser=open_browser, stop=stop)
    except Stopped:
        pass
    finally:
        stop.close()


async def _run_sandbox(*, host: str, port: int, redis_url: str | None, open_browser: bool, stop: StopSignal) -> None:
    from bot.runner import run as run_bot
    from workday_sandbox.web.app import start_web

    clock = OffsetClock()
    async with AsyncExitStack() as stack:
        if redis_url is None:
            folder = Path(tempfile.mkdtemp(prefix="b24bot-sandbox-"))
            server = start_redis_server(folder)
            stack.callback(server.stop)
            redis_url = server.url
        portal = build_demo_portal(clock=clock, rate_limit=2.0, rate_burst=50,
                                   request_log_limit=LONG_RUN_REQUEST_LOG)
        await portal.start(host="127.0.0.1", port=0)
        stack.push_async_callback(portal.stop)
        telegram = FakeTelegram(token=SANDBOX_TOKEN, bot_username=SANDBOX_BOT_USERNAME,
                                bot_first_name="Workday (sandbox)")
        await telegram.start(host="127.0.0.1", port=0)
        stack.push_async_callback(telegram.stop)
        employees = demo_employees(portal)
        await stop.step(_fill_history(portal, redis_url))
        for employee in employees:
            telegram.user(employee.telegram_id, employee.name.split()[0], last_name=employee.name.split()[-1],
                          language_code=employee.language)
        admins = frozenset(e.telegram_id for e in employees if e.bot_admin)
        try:
            web = await start_web(host=host, port=port, portal=portal, telegram=telegram, clock=clock,
                                  employees=employees, bot_username=SANDBOX_BOT_USERNAME)
        except OSError as error:
            raise SandboxStartError(_cannot_listen(host, port, error)) from None
        stack.push_async_callback(web.cleanup)
        bound_port = web.addresses[0][1] if web.addresses else port  # --port 0 picks a free one
        address = f"http://{host}:{bound_port}"
        print(f"\nSandbox ready: open {address}\n"
              f"(demo portal {portal.base_url}, fake Telegram {telegram.base_url}; Ctrl-C stops)\n", flush=True)
        if open_browser:
            webbrowser.open(address)
        settings = sandbox_settings(portal, telegram, redis_url, admins)
        await run_bot(settings, clock=clock, keys=KeySpace(SANDBOX_PREFIX), stop=stop)


async def _fill_history(portal: PortalEmulator, redis_url: str) -> None:
    """Two weeks of past days, in the portal and in the bot's journal (see demo_history)."""
    from redis.asyncio import Redis

    from workday_sandbox.demo_history import journal_demo_history, seed_demo_history

    redis = Redis.from_url(redis_url)
    try:
        await journal_demo_history(redis, KeySpace(SANDBOX_PREFIX), seed_demo_history(portal))
    finally:
        await redis.aclose()


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        reason = (f"port {port} on {host} is already in use (another sandbox, or the bot in webhook "
                  "mode, may be running).")
    else:
        reason = f"cannot listen on {host}:{port}: {error.strerror or error}."
    return (f"The sandbox did not start: {reason}\n"
            f"Pick another port: python3 run.py sandbox --port 8081 (--port 0 picks any free one).")


def main(args: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bot sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--redis-url", default=None,
                        help="use this Redis (the sandbox's keys all start with 'sandbox:'); "
                             "default: a private redis-server in a temporary folder")
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    options = parser.parse_args(args)
    try:
        asyncio.run(run_sandbox(host=options.host, port=options.port, redis_url=options.redis_url,
                                open_browser=options.open))
    except SandboxStartError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
