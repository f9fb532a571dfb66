"""StopSignal: a stop asked for during start-up is never lost, and a second one is at once."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from bot.stopping import Stopped, StopSignal


async def test_a_stop_cuts_a_start_up_step_short() -> None:
    stop = StopSignal()
    slow = asyncio.Event()
    step = asyncio.create_task(stop.step(slow.wait()))
    await asyncio.sleep(0)
    stop.request()
    with pytest.raises(Stopped):
        await step


async def test_a_step_that_swallows_the_cancellation_still_ends_in_stopped() -> None:
    stop = StopSignal()

    async def a_library_that_loses_the_cancellation() -> str:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            pass
        return "finished anyway"

    step = asyncio.create_task(stop.step(a_library_that_loses_the_cancellation()))
    await asyncio.sleep(0)
    stop.request()
    with pytest.raises(Stopped):
        await step


async def test_no_step_starts_after_a_stop() -> None:
    stop = StopSignal()
    stop.request()
    started = []

    async def step() -> None:
        started.append(True)

    with pytest.raises(Stopped):
        await stop.step(step())
    await asyncio.sleep(0)
    assert not started


async def test_a_cancellation_from_outside_is_not_taken_for_a_stop() -> None:
    stop = StopSignal()
    outer = asyncio.create_task(stop.step(asyncio.Event().wait()))
    await asyncio.sleep(0)
    outer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await outer


async def test_sigint_and_sigterm_request_the_stop_and_a_second_signal_interrupts() -> None:
    stop = StopSignal()
    stop.install()
    loop = asyncio.get_running_loop()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stop.wait(), timeout=5)
        assert stop.requested
        with pytest.raises(KeyboardInterrupt):
            stop.request(signal.SIGINT)
    finally:
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(number)
