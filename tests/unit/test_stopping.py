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
    stop.request()
    outer.cancel()  # e.g. asyncio.run's own clean-up, at the same moment
    with pytest.raises(asyncio.CancelledError):
        await outer


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_second_ctrl_c_stops_at_once_but_not_a_repeat_of_the_first_or_a_sigterm() -> None:
    ticks = Ticks()
    stop = StopSignal(monotonic=ticks)
    stop.request(signal.SIGINT)
    ticks.now += 0.2
    stop.request(signal.SIGINT)  # the same keypress, forwarded by a wrapper: ignored
    ticks.now += 5
    stop.request(signal.SIGTERM)  # a supervisor's: Docker's SIGKILL follows if need be
    with pytest.raises(KeyboardInterrupt):
        stop.request(signal.SIGINT)


def test_signals_after_the_run_are_ignored() -> None:
    ticks = Ticks()
    stop = StopSignal(monotonic=ticks)
    stop.request(signal.SIGTERM)
    stop.close()
    ticks.now += 5
    stop.request(signal.SIGINT)  # would break into asyncio.run's clean-up
    assert stop.requested


async def test_real_sigterm_and_sigint_reach_the_flag() -> None:
    stop = StopSignal(monotonic=Ticks())  # time stands still: the SIGINT is a repeat
    stop.install()
    loop = asyncio.get_running_loop()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stop.wait(), timeout=5)
        assert stop.requested
        os.kill(os.getpid(), signal.SIGINT)  # a raise here would break this test's loop
        await asyncio.sleep(0.1)
    finally:
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(number)
