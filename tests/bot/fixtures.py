"""The dispatcher tests' people, codes and helpers (pytest fixtures are in conftest.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.config import Bitrix24Settings, BotSettings, RedisSettings, Settings, TelegramSettings, WebhookSettings
from tests.bot.harness import BOT_TOKEN

# Monday 2 March 2026, 09:00 in Berlin.
MONDAY_0800_UTC = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ADMIN_B24, ANNA_B24, BORIS_B24, GONE_B24 = 1, 10, 11, 12
ANNA_TG, BORIS_TG, ADMIN_TG, STRANGER_TG = 5001, 5002, 5003, 6666
WEBHOOK_CODE = "dispatchertestcode1"


def make_settings(api_base: str | None = None, **bot_options: object) -> Settings:
    telegram = {"api_base": api_base} if api_base else {}
    return Settings(
        telegram=TelegramSettings(bot_token=BOT_TOKEN, _env_file=None, **telegram),
        bitrix24=Bitrix24Settings(webhook_url=f"http://127.0.0.1:1/rest/{ADMIN_B24}/{WEBHOOK_CODE}/",
                                  _env_file=None),
        redis=RedisSettings(_env_file=None),
        bot=BotSettings(_env_file=None, **{"admin_ids": frozenset({ADMIN_TG}), "default_timezone": "UTC",
                                           **bot_options}),
        webhook=WebhookSettings(_env_file=None),
    )


class ErrorRecorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
