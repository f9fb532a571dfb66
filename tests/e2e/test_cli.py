"""`python -m bot`: the sandbox when nothing is configured; a clear failure when half is."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.config import contract_variables
from workday_sandbox.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in set(contract_variables())}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def run_bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean_env(**env),
                          capture_output=True, text=True, timeout=60)


def test_half_configured_fails_fast_and_names_what_is_missing(tmp_path: Path) -> None:
    result = run_bot(tmp_path, BOT_ADMIN_IDS="123")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN: is required" in result.stderr
    assert "BITRIX24_WEBHOOK_URL" in result.stderr
    assert "sandbox" not in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_half_configured_dot_env_fails_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=123:abc\nBITRIX24_WEBHOOK_URL=\n")
    result = run_bot(tmp_path)
    assert result.returncode == 2
    assert "no Bitrix24 access" in result.stderr and "sandbox" not in result.stderr.lower()


def test_unreachable_redis_is_a_clear_message(tmp_path: Path) -> None:
    result = run_bot(tmp_path, TELEGRAM_BOT_TOKEN="123:abc",
                     BITRIX24_WEBHOOK_URL="https://example.bitrix24.com/rest/1/secretcode99/",
                     REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert result.returncode == 1
    assert "cannot reach Redis (REDIS_URL)" in result.stderr
    assert "secretcode99" not in result.stderr + result.stdout


def test_nothing_configured_starts_the_sandbox(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bot", "--port", str(port)], cwd=tmp_path,
                               env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        page = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert page is not None and page.status_code == 200, "the sandbox page never came up"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            pytest.fail(f"the sandbox did not stop within 60 s of Ctrl-C; its output:\n{output[-3000:]}")
    assert "Nothing is configured" in output and "starting the sandbox" in output
    assert process.returncode == 0
