"""The health and metrics server of a real `python -m bot` in polling mode."""

from __future__ import annotations

import httpx

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.redis_server import free_port
from workday_sandbox.telegram.server import FakeTelegram
from tests.e2e.fixtures import ANNA_TG


async def test_polling_mode_serves_health_and_metrics(start_bot, telegram: FakeTelegram,
                                                      portal: PortalEmulator) -> None:
    port = free_port()
    bot = await start_bot(BOT_HEALTH_PORT=str(port))
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(timeout=10) as http:
        health = await http.get(f"{base}/healthz")
        assert health.status_code == 200
        assert health.json() | {"polling_last_answer_s": 0} == {
            "ok": True, "redis": "ok", "polling": "ok", "version": health.json()["version"],
            "polling_last_answer_s": 0}
        assert "server" not in health.headers

        anna = telegram.user(ANNA_TG, "Anna", language_code="en")
        telegram.send_text(anna, "/help")
        await telegram.wait_for_message(anna, "What I can do", timeout=15)

        metrics = await http.get(f"{base}/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert 'b24bot_updates_total{outcome="handled",type="message"} 1.0' in text
    # The start-up check went through the rate-limit bucket.
    assert "b24bot_bitrix24_bucket_wait_seconds_count 0.0" not in text
    assert "b24bot_bitrix24_bucket_wait_seconds_count" in text
    assert "b24bot_reminder_lag_seconds_count 0.0" in text
    assert bot.stop() == 0


async def test_a_taken_health_port_is_a_clear_start_up_error(start_bot, telegram: FakeTelegram,
                                                            portal: PortalEmulator) -> None:
    import socket

    import pytest

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        with pytest.raises(AssertionError, match="exited with 1") as failure:
            await start_bot(BOT_HEALTH_PORT=str(port))
    finally:
        taken.close()
    output = str(failure.value)
    assert f"Cannot start: cannot listen on 127.0.0.1:{port} (BOT_HEALTH_HOST/BOT_HEALTH_PORT)" in output
    assert "Traceback" not in output
