"""The standalone emulator: `python -m workday_sandbox.portal.emulator --demo`, and the demo portal."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from queue import Empty, Queue

import httpx
import pytest

from workday_sandbox.portal.emulator import PortalEmulator, build_demo_portal, main

ROOT = Path(__file__).resolve().parents[2]


def _reader(stream, lines: Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def test_cli_demo_serves_a_webhook_until_terminated():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "workday_sandbox.portal.emulator", "--host", "127.0.0.1", "--port", "0",
         "--demo", "--rate-limit", "5", "--rate-burst", "100"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: Queue = Queue()
    threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        while True:
            try:
                line = lines.get(timeout=30)
            except Empty:
                pytest.fail(f"the emulator printed no ready line; got {seen!r}")
            if line is None:
                pytest.fail(f"the emulator exited early; got {seen!r}")
            seen.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        webhook = next(l.split("=", 1)[1] for l in seen if l.startswith("BITRIX24_WEBHOOK_URL="))
        assert webhook.startswith("http://127.0.0.1:") and webhook.endswith("/")
        assert any("Anna Berg" in l and "timeman admin" in l for l in seen)
        assert any("America/New_York" in l for l in seen)
        response = httpx.post(webhook + "user.current.json", timeout=10)
        assert response.status_code == 200
        assert response.json()["result"]["NAME"] == "Anna"
        users = httpx.post(webhook + "user.get", json={"ACTIVE": True}, timeout=10).json()
        assert users["total"] == 5
        # The README's control API works on the standalone emulator: its clock moves.
        control = webhook.split("/rest/", 1)[0] + "/_emulator"
        before = datetime.fromisoformat(httpx.get(control + "/state", timeout=10).json()["now"])
        moved = httpx.post(control + "/clock", json={"advance_seconds": 3600}, timeout=10)
        assert moved.status_code == 200, moved.text
        assert datetime.fromisoformat(moved.json()["now"]) - before >= timedelta(hours=1)
        added = httpx.post(control + "/users", json={"email": "new@example.com", "name": "New"}, timeout=10)
        assert added.status_code == 201 and added.json()["user"]["id"] == 7
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0


def test_main_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--port", "not-a-number"])
    assert exited.value.code == 2


async def test_build_demo_portal_is_reusable():
    portal = build_demo_portal(rate_limit=None, webhook_code="mycode")
    assert isinstance(portal, PortalEmulator) and portal.bucket is None
    zones = {user.time_zone for user in portal.users.values()}
    assert {"Europe/Berlin", "America/New_York", ""} <= zones
    admins = [user.id for user in portal.users.values() if user.is_timeman_admin]
    assert admins == [1]
    hook = next(iter(portal.auth.webhooks.values()))
    assert (hook.user_id, hook.code) == (1, "mycode")
    assert hook.scopes == frozenset({"timeman", "user", "im", "department"})
    async with portal:
        async with httpx.AsyncClient(timeout=10) as http:
            url = portal.webhook_url(1, "mycode")
            result = (await http.post(url + "timeman.open", json={"USER_ID": 3})).json()["result"]
            assert result["STATUS"] == "OPENED" and result["TZ_OFFSET"] in (-18000, -14400)
