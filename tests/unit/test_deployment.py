"""The deployment files agree with the configuration contract."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.config import contract_variables

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_and_readme_name_every_variable() -> None:
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in contract_variables():
        assert re.search(rf"\b{name}\b", readme), f"README.md does not describe {name}"
    for name in ("TELEGRAM_BOT_TOKEN", "BITRIX24_WEBHOOK_URL", "BITRIX24_PORTAL_URL", "BITRIX24_CLIENT_ID",
                 "BITRIX24_CLIENT_SECRET", "BITRIX24_ACCESS_TOKEN", "BITRIX24_REFRESH_TOKEN",
                 "BITRIX24_RATE_LIMIT", "BITRIX24_RATE_BURST", "REDIS_URL", "BOT_ADMIN_IDS",
                 "BOT_DEFAULT_TIMEZONE", "BOT_MODE", "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_HOST",
                 "WEBHOOK_PORT"):
        assert name in example, f".env.example does not mention {name}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Tests", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    command = [line.split("#")[0].strip() for line in block.strip().splitlines() if "run.py test" in line]
    assert command, "README's test section has no pytest command"
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command[0] in ci


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_validates(tmp_path: Path) -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    # No .env at all: the file must still validate (the sandbox profile needs none).
    result = subprocess.run([*command, "config"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "redis:7" in result.stdout and "appendonly" in result.stdout
    assert "healthcheck" in result.stdout and "redis-data" in result.stdout
    profiles = subprocess.run([*command, "--profile", "sandbox", "config", "--services"], cwd=tmp_path,
                              capture_output=True, text=True)
    assert profiles.stdout.split() == ["redis", "bot", "sandbox"] or set(profiles.stdout.split()) == {
        "redis", "bot", "sandbox"}


def test_compose_passes_every_setting_to_the_bot() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    for name in contract_variables():
        assert re.search(rf"^\s+{name}:", compose, re.M), f"docker-compose.yml does not pass {name}"


def test_dockerfile_runs_as_non_root_on_slim() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "python:3.11-slim" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)


def _healthcheck_command() -> list[str]:
    import json

    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$", dockerfile, re.M)
    assert match, "the Dockerfile has no HEALTHCHECK with an exec-form CMD"
    return json.loads(match.group(1))


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
async def test_docker_healthcheck_asks_the_health_port(status: int, healthy: bool) -> None:
    """The HEALTHCHECK's own command, run with this Python against a real server on
    BOT_HEALTH_PORT: it passes on 200 and fails on 503 (or nothing listening)."""
    import asyncio
    import os
    import sys

    from aiohttp import web

    from workday_sandbox.redis_server import free_port

    command = _healthcheck_command()
    assert command[0] == "python" and "curl" not in " ".join(command)
    asked: list[str] = []

    async def healthz(request: web.Request) -> web.Response:
        asked.append(request.path)
        return web.json_response({"ok": status == 200}, status=status)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *command[1:], env={**os.environ, "BOT_HEALTH_PORT": str(port)},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        code = await process.wait()
    finally:
        await runner.cleanup()
    assert asked == ["/healthz"]
    assert (code == 0) is healthy


def test_package_metadata_uses_an_spdx_license_string() -> None:
    # A license table makes every `pip install -e .` print ~30 lines of setuptools
    # deprecation warnings; the SPDX string needs setuptools 77 or newer to build.
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert isinstance(project["project"]["license"], str)
    [backend] = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    match = re.fullmatch(r"setuptools>=(\d+)(\.\d+)*", backend)
    assert match and int(match[1]) >= 77, backend
