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
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# A second Ctrl-C this soon after the first is the same keypress, forwarded twice.
REPEAT_SECONDS = 1.0


class Stopped(Exception):
    """A stop was asked for before the bot began to serve."""


class StopSignal:
    """`monotonic`: seconds, for telling a second Ctrl-C from a repeat of the first."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._requested = asyncio.Event()
        self._steps: set[asyncio.Future[Any]] = set()
        self._monotonic = monotonic
        self._requested_at: float | None = None
        self._closed = False

    def install(self) -> None:
        """Take SIGINT and SIGTERM for the rest of the run."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(number, self.request, number)
            except NotImplementedError:  # Windows: no loop signal handlers, a plain one instead
                signal.signal(number, lambda caught, _frame: loop.call_soon_threadsafe(self.request, caught))

    def close(self) -> None:
        """The run is over: later signals are ignored, so that none breaks into asyncio.run's
        own clean-up."""
        self._closed = True

    def request(self, number: int | None = None) -> None:
        if self._closed:
            return
        if self._requested.is_set():
            # A second Ctrl-C, when the orderly stop takes too long for someone. Not a
            # repeat of the first (a wrapper forwarding the terminal's, or a supervisor's
            # SIGTERM then SIGINT), and never a SIGTERM: Docker follows one with SIGKILL.
            assert self._requested_at is not None
            if number == signal.SIGINT and self._monotonic() - self._requested_at >= REPEAT_SECONDS:
                log.warning("a second Ctrl-C: stopping at once")
                raise KeyboardInterrupt
            return
        log.info("stopping", extra={"ctx_signal": signal.Signals(number).name} if number else {})
        self._requested_at = self._monotonic()
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
