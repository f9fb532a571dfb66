"""A stop on SIGINT or SIGTERM, from the first moment of start-up to the last update.

asyncio.run turns Ctrl-C into one cancellation of the main task, and one cancellation can
be lost: Python 3.11's asyncio.timeout swallows a cancellation that meets its own expiry,
and redis-py checks each connection it hands out with a zero-timeout read. A Ctrl-C that
landed on such a check left a bot that finished starting and served on. So the signals
set a flag here instead: start-up looks at it before it serves, and a start-up step that
may wait long (a slow portal) runs as a task of its own that the signal cuts short.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable
from contextlib import suppress
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Stopped(Exception):
    """A stop was asked for before the bot began to serve."""


class StopSignal:
    def __init__(self) -> None:
        self._requested = asyncio.Event()
        self._steps: set[asyncio.Future[Any]] = set()

    def install(self) -> None:
        """Take SIGINT and SIGTERM for the rest of the run (the running loop's handlers)."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError):  # Windows has no loop signal handlers
                loop.add_signal_handler(number, self.request, number)

    def request(self, number: int | None = None) -> None:
        if self._requested.is_set():
            if number is not None:
                # A second Ctrl-C: the orderly stop is taking too long for someone.
                log.warning("a second signal: stopping at once")
                raise KeyboardInterrupt
            return
        log.info("stopping", extra={"ctx_signal": signal.Signals(number).name} if number else {})
        self._requested.set()
        for step in self._steps:
            step.cancel()

    @property
    def requested(self) -> bool:
        return self._requested.is_set()

    async def wait(self) -> None:
        await self._requested.wait()

    def check(self) -> None:
        """Raise Stopped if a stop was asked for."""
        if self.requested:
            raise Stopped

    async def step(self, awaitable: Awaitable[T]) -> T:
        """Await one start-up step; a stop cuts it short and raises Stopped, and so does a
        stop that came while a step finished anyway (its cancellation lost)."""
        if self.requested:
            if asyncio.iscoroutine(awaitable):
                awaitable.close()  # never to run
            raise Stopped
        step = asyncio.ensure_future(awaitable)
        self._steps.add(step)
        try:
            result = await step
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if self.requested and step.cancelled() and not (current and current.cancelling()):
                raise Stopped from None
            raise
        finally:
            self._steps.discard(step)
        self.check()
        return result
