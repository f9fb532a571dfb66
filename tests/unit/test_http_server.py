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
