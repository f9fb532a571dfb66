"""BOT_MODE=webhook: an aiohttp server that checks the secret, serves /healthz and sets the
webhook only when it changed."""

from __future__ import annotations

import httpx

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.telegram.server import FakeTelegram
from tests.e2e.fixtures import ANNA_TG
from workday_sandbox.redis_server import free_port

SECRET = "hook-secret_123"


async def test_webhook_mode(start_bot, telegram: FakeTelegram, portal: PortalEmulator) -> None:
    port, health_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}/telegram/updates"
    env = {"BOT_MODE": "webhook", "WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET,
           "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port), "BOT_HEALTH_PORT": str(health_port)}
    bot = await start_bot(ready=lambda: telegram.webhook_info.get("url") == url, **env)

    async with httpx.AsyncClient() as http:
        health = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200 and health.json()["ok"] is True
        # The server's software and version are nobody's business.
        assert "server" not in health.headers
        forged = await http.post(url, json={"update_id": 1}, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
        assert forged.status_code == 401
        # A secret that is not ASCII is just a wrong secret: 401, no traceback.
        for value in ("пароль".encode(), "hook-secret_123é".encode(), b"\xff\xfe"):
            forged = await http.post(url, json={"update_id": 2},
                                     headers={"X-Telegram-Bot-Api-Secret-Token": value})
            assert forged.status_code == 401

    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    telegram.send_text(anna, "/help")
    await telegram.wait_for_message(anna, "What I can do", timeout=15)
    assert telegram.pollers_waiting == 0 and not telegram.calls_to("getUpdates")
    async with httpx.AsyncClient() as http:
        # The private health port: no polling to judge in webhook mode, and the metrics.
        health = await http.get(f"http://127.0.0.1:{health_port}/healthz")
        assert health.status_code == 200 and "polling" not in health.json()
        metrics = (await http.get(f"http://127.0.0.1:{health_port}/metrics")).text
        assert 'b24bot_updates_total{outcome="handled",type="message"} 1.0' in metrics
        # ...which the internet-facing webhook port does not serve.
        assert (await http.get(f"http://127.0.0.1:{port}/metrics")).status_code == 404
    assert len(telegram.calls_to("setWebhook")) == 1
    assert bot.stop() == 0
    assert "Traceback" not in bot.log() and " ERROR " not in bot.log()

    # A restart with the same settings leaves the webhook alone.
    async def served() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    await start_bot(flush=False, ready=served, **env)
    assert len(telegram.calls_to("setWebhook")) == 1
    telegram.send_text(anna, "/help")
    await telegram.wait_for_message(anna, "What I can do", timeout=15)
