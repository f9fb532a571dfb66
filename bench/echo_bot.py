"""The baseline bot for bench/bot_status.py: bare aiogram, nothing else.

One `Dispatcher` (in-memory storage, no middlewares) with one handler that answers
every message with a fixed text, polling the Bot API at TELEGRAM_API_BASE with
TELEGRAM_BOT_TOKEN: the cost of aiogram's polling, parsing and one sendMessage per
update, which every aiogram bot pays. Run it the way the real bot runs (its own
process, `asyncio.run`, `Dispatcher.start_polling`); SIGTERM stops it.

    TELEGRAM_BOT_TOKEN=123:abc TELEGRAM_API_BASE=http://127.0.0.1:8081 python -m bench.echo_bot
"""

from __future__ import annotations

import asyncio
import logging
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

REPLY = "echo: got it"


async def main() -> None:
    logging.basicConfig(level=os.environ.get("BOT_LOG_LEVEL", "WARNING"))
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"]))
    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def answer(message: Message) -> None:
        await message.answer(REPLY)

    try:
        await dispatcher.start_polling(bot)
    finally:
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
