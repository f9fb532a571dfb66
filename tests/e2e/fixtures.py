"""The end-to-end tests' people, codes and the bot process handle (pytest fixtures are in conftest.py)."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.redis_server import free_port
from workday_sandbox.telegram.server import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
BOT_TOKEN = "777001:E2E-secret-token"
WEBHOOK_CODE = "e2ewebhookcode42"
ADMIN_B24, ANNA_B24, IVAN_B24 = 1, 20, 21
ANNA_TG, IVAN_TG, ADMIN_TG = 9001, 9002, 9003


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def bot_environment(telegram: FakeTelegram, portal: PortalEmulator, redis_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "BITRIX24_", "BOT_", "WEBHOOK_", "REDIS_"))}
    env.update({
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_BASE": telegram.base_url,
        "BITRIX24_WEBHOOK_URL": f"{portal.base_url}/rest/{ADMIN_B24}/{WEBHOOK_CODE}/",
        "REDIS_URL": redis_url,
        "BOT_ADMIN_IDS": str(ADMIN_TG),
        "BOT_DEFAULT_TIMEZONE": "Europe/Berlin",
        "BOT_LOG_LEVEL": "DEBUG",
        # The machine is shared: never the default port.
        "BOT_HEALTH_PORT": str(free_port()),
        "PYTHONPATH": str(ROOT),
    })
    return env
