"""run_polling under a stop: polling against the fake Telegram, stopped by the StopSignal or cancelled."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.runner import run_polling
from bot.stopping import StopSignal
from workday_sandbox.telegram.server import FakeTelegram

TOKEN = "123456:TEST-polling-stop"


async def test_a_shutdown_step_that_raises_ends_the_run_with_its_error_instead_of_hanging() -> None:
    async with FakeTelegram(token=TOKEN, bot_username="workday_bot") as telegram:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url)))
        dispatcher = Dispatcher()
        stop = StopSignal()

        async def failing_step() -> None:
            raise RuntimeError("a shutdown step failed")

        dispatcher.shutdown.register(failing_step)
        run = asyncio.create_task(run_polling(bot, dispatcher, stop))
        try:
            await telegram.wait_for(lambda: telegram.pollers_waiting > 0, timeout=15)
            stop.request()
            # aiogram's own stopped event is never set when a shutdown step raises.
            done, _ = await asyncio.wait({run}, timeout=15)
            assert run in done, "the run hung after a failed shutdown step"
            with pytest.raises(RuntimeError, match="a shutdown step failed"):
                run.result()
        finally:
            run.cancel()
            await bot.session.close()


async def test_a_cancelled_run_still_winds_polling_down_through_its_shutdown_steps() -> None:
    async with FakeTelegram(token=TOKEN, bot_username="workday_bot") as telegram:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url)))
        dispatcher = Dispatcher()
        steps: list[str] = []

        async def shutdown_step() -> None:
            steps.append("shut down")

        dispatcher.shutdown.register(shutdown_step)
        run = asyncio.create_task(run_polling(bot, dispatcher, StopSignal()))
        try:
            await telegram.wait_for(lambda: telegram.pollers_waiting > 0, timeout=15)
            run.cancel()  # asyncio.run's Ctrl-C where loop signal handlers are missing (Windows)
            done, _ = await asyncio.wait({run}, timeout=15)
            assert run in done and run.cancelled()
            assert steps == ["shut down"]
        finally:
            await bot.session.close()
