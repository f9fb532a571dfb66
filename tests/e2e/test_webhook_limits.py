"""The webhook server against clients that connect and never finish a request: a crowd
of idle sockets larger than the process's open-files limit, a slow request head, a slow
body. A real `python -m bot` in webhook mode, with RLIMIT_NOFILE lowered."""

from __future__ import annotations

import asyncio
import errno
import resource
import socket

import httpx

from workday_sandbox.portal.emulator import PortalEmulator
from workday_sandbox.redis_server import free_port
from workday_sandbox.telegram.server import FakeTelegram
from tests.e2e.fixtures import ANNA_TG

SECRET = "hook-secret_123"
OPEN_FILES = 300  # the bot process's limit in this test
CROWD = 400  # idle connections: more than the bot could ever hold open


def listening(port: int):  # noqa: ANN201 - a ready-check for start_bot
    async def check() -> bool:
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                return (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def low_open_files_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))


class IdleCrowd:
    """Sockets that connect and then say nothing, opened in small batches as a real crowd
    builds up (all at once would only overflow the kernel's listen queue)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sockets: list[socket.socket] = []

    async def grow(self, count: int, batch: int = 25) -> None:
        for start in range(0, count, batch):
            for _ in range(min(batch, count - start)):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setblocking(False)
                result = sock.connect_ex(("127.0.0.1", self.port))
                assert result in (0, errno.EINPROGRESS, errno.EAGAIN), errno.errorcode.get(result)
                self.sockets.append(sock)
            await asyncio.sleep(0.02)  # pacing only; nothing is asserted about time

    def closed_by_server(self) -> int:
        return sum(closed_by_server(sock) for sock in self.sockets)

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:  # reset, or the connect never completed
        return True


async def wait_closed(telegram: FakeTelegram, sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sent until it closed the connection."""
    loop = asyncio.get_running_loop()
    received = b""
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            await asyncio.sleep(0.05)
            continue
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    raise AssertionError(f"the server kept the connection open for {timeout} s; got {received!r}")


async def test_idle_crowd_beyond_the_open_files_limit_keeps_nobody_out(
        start_bot, telegram: FakeTelegram, portal: PortalEmulator) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/updates"
    env = {"BOT_MODE": "webhook", "WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET,
           "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port), "WEBHOOK_MAX_CONNECTIONS": "40",
           "BOT_LOG_LEVEL": "INFO"}
    bot = await start_bot(ready=listening(port), preexec_fn=low_open_files_limit, **env)
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")

    crowd = IdleCrowd(port)
    try:
        await crowd.grow(CROWD)
        async with httpx.AsyncClient(timeout=10) as http:
            health = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200 and health.json()["ok"] is True
        telegram.send_text(anna, "/help")
        await telegram.wait_for_message(anna, "What I can do", timeout=20)
        # The oldest idle connections made room for the newer ones: the bot holds at most
        # its cap, far below the open-files limit.
        await telegram.wait_for(lambda: crowd.closed_by_server() >= CROWD - 40, timeout=30)

        # More keep coming: still nobody is kept out.
        await crowd.grow(CROWD)
        async with httpx.AsyncClient(timeout=10) as http:
            health = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200
        telegram.send_text(anna, "/help")
        await telegram.wait_for_message(anna, "What I can do", timeout=20)
    finally:
        crowd.close()

    log = bot.log()
    assert "Traceback" not in log
    # A failed accept() (if the limit is reached at all) is reported once, not per attempt.
    assert log.count("accept") <= 2, log[-3000:]


async def test_slow_clients_are_closed_after_the_timeouts(
        start_bot, telegram: FakeTelegram, portal: PortalEmulator) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/updates"
    env = {"BOT_MODE": "webhook", "WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET,
           "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port),
           "WEBHOOK_IDLE_TIMEOUT": "1", "WEBHOOK_REQUEST_TIMEOUT": "1"}
    bot = await start_bot(ready=listening(port), **env)

    idle = socket.create_connection(("127.0.0.1", port))
    slow_head = socket.create_connection(("127.0.0.1", port))
    slow_body = socket.create_connection(("127.0.0.1", port))
    try:
        for sock in (idle, slow_head, slow_body):
            sock.setblocking(False)
        slow_head.send(b"POST /telegram/updates HTTP/1.1\r\nHost: bot\r\n")  # ...and never the rest
        slow_body.send(b"POST /telegram/updates HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                       b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\r\n"
                       b"Content-Length: 100\r\n\r\n{\"update_id\":")
        assert await wait_closed(telegram, idle, timeout=30) == b""
        assert await wait_closed(telegram, slow_head, timeout=30) == b""
        answer = await wait_closed(telegram, slow_body, timeout=30)
        assert answer.startswith(b"HTTP/1.1 408"), answer
    finally:
        for sock in (idle, slow_head, slow_body):
            sock.close()

    # The server still serves everyone else.
    anna = telegram.user(ANNA_TG, "Anna", language_code="en")
    telegram.send_text(anna, "/help")
    await telegram.wait_for_message(anna, "What I can do", timeout=15)
    assert "Traceback" not in bot.log()
