"""The listener's bounds that need no process: the cap under the open-files limit, and
the event loop's error reports that must not flood the log."""

from __future__ import annotations

import asyncio
import errno
import logging

import pytest

from bot.http_server import RESERVED_FILES, BoundedLoopErrors, connection_cap


def test_the_cap_leaves_room_under_the_open_files_limit() -> None:
    assert connection_cap(400, open_files=1024) == 400
    assert connection_cap(1000, open_files=1024) == 1024 - RESERVED_FILES
    assert connection_cap(400, open_files=300, reserved=256) == 44
    assert connection_cap(400, open_files=100, reserved=256) == 8  # never none at all


class Timer:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_flood_of_failed_accepts_is_logged_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.get_running_loop()
    timer = Timer()
    previous = loop.get_exception_handler()
    BoundedLoopErrors(interval=60, timer=timer).install(loop)
    failure = {"message": "socket.accept() out of system resource",
               "exception": OSError(errno.EMFILE, "Too many open files")}
    try:
        with caplog.at_level(logging.WARNING):
            for _ in range(10_000):
                loop.call_exception_handler(failure)
            timer.now = 61
            loop.call_exception_handler(failure)
    finally:
        loop.set_exception_handler(previous)
    lines = [r for r in caplog.records if "accept" in r.getMessage()]
    assert len(lines) == 2
    assert all(r.exc_info is None for r in lines)  # no traceback for what a client caused
    assert lines[1].ctx_repeated == 9_999


async def test_other_loop_errors_keep_their_traceback_but_not_their_repeats(
        caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    BoundedLoopErrors(interval=60, timer=Timer()).install(loop)
    try:
        with caplog.at_level(logging.ERROR):
            for _ in range(100):
                loop.call_exception_handler({"message": "Task exception was never retrieved",
                                             "exception": ValueError("boom")})
    finally:
        loop.set_exception_handler(previous)
    lines = [r for r in caplog.records if "never retrieved" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is not None


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(b"GET /ping HTTP/1.1\r\nHost: test\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
    return head + await reader.readexactly(length)


async def test_beyond_the_cap_the_oldest_idle_connections_are_closed() -> None:
    from aiohttp import web

    from bot.http_server import Listeners, ServerLimits, harden
    from workday_sandbox.redis_server import free_port

    async def ping(_request: web.Request) -> web.Response:
        return web.Response(text="pong")

    limits = ServerLimits(max_connections=10, idle_timeout=60, request_timeout=60)
    listeners = Listeners(limits, reserved_files=0)
    app = web.Application()
    app.router.add_get("/ping", ping)
    port = free_port()
    await listeners.serve(harden(app, limits), "127.0.0.1", port)
    connections = []
    try:
        for _ in range(30):  # each answered once, then left idle (keep-alive)
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            answer = await _request(reader, writer)
            assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"pong")
            assert b"server:" not in answer.lower()
            connections.append((reader, writer))
        still_open = []
        for reader, writer in connections:
            if not reader.at_eof() and not await _closed_now(reader):
                still_open.append(reader)
        assert 1 <= len(still_open) <= 10
        # Oldest first: every closed one is older than every open one.
        kept = [reader for reader, _ in connections][-len(still_open):]
        assert still_open == kept
        assert listeners.cap.evicted == 30 - len(still_open)
        # The newest still works.
        assert (await _request(*connections[-1])).endswith(b"pong")
    finally:
        for _, writer in connections:
            writer.close()
        await listeners.close()


async def _closed_now(reader: asyncio.StreamReader) -> bool:
    """True when the server has closed it; False when it is open and silent."""
    try:
        return await asyncio.wait_for(reader.read(1), timeout=0.2) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


async def test_malformed_requests_get_a_400_and_one_warning_without_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    from aiohttp import web

    from bot.http_server import REQUEST_LOG, Listeners, RequestErrorLog, ServerLimits, harden
    from workday_sandbox.redis_server import free_port

    timer = Timer()
    quiet = RequestErrorLog(timer=timer)  # a fresh budget, so other tests cannot use it up
    saved = REQUEST_LOG.filters[:]
    REQUEST_LOG.filters[:] = [quiet]
    limits = ServerLimits(max_connections=50, idle_timeout=60, request_timeout=60)
    listeners = Listeners(limits, reserved_files=0)
    port = free_port()
    await listeners.serve(harden(web.Application(), limits), "127.0.0.1", port)
    garbage = [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n"]
    try:
        with caplog.at_level(logging.DEBUG, logger=REQUEST_LOG.name):
            for raw in garbage * 20:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(raw)
                answer = await reader.read()
                writer.close()
                assert answer.startswith((b"HTTP/1.0 400", b"HTTP/1.1 400")), answer[:80]
            timer.now = 61
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(garbage[1])
            await reader.read()
            writer.close()
    finally:
        REQUEST_LOG.filters[:] = saved
        await listeners.close()
    records = [r for r in caplog.records if r.name == REQUEST_LOG.name]
    assert [r.levelname for r in records] == ["WARNING"] * 3  # one per kind, then one a minute later
    assert all(r.exc_info is None and "malformed HTTP request refused" in r.getMessage() for r in records)
    assert records[-1].ctx_repeated == 19
    assert "Traceback" not in caplog.text
