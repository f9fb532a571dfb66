"""Clocks: a move on purpose (the sandbox's fast-forward) is not running time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock, OffsetClock, SystemClock

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_offset_clock_does_not_count_a_jump_as_running_time() -> None:
    clock = OffsetClock()
    before = clock.now()
    clock.advance(timedelta(hours=1))
    # Every moment the jump passed over was passed just now, not up to an hour ago.
    for into_the_jump in (timedelta(0), timedelta(minutes=1), timedelta(minutes=59)):
        assert clock.running_since(before + into_the_jump) < timedelta(minutes=1)
    # A moment before the jump is as far behind as real time says.
    assert clock.running_since(before - timedelta(minutes=30)) >= timedelta(minutes=30)


def test_manual_clock_tells_a_jump_from_time_passing() -> None:
    clock = ManualClock(NOON)
    clock.jump(timedelta(hours=2))
    assert clock.running_since(NOON + timedelta(minutes=30)) == timedelta(0)
    clock.advance(timedelta(minutes=15))  # the bot was down
    assert clock.running_since(NOON + timedelta(minutes=30)) == timedelta(minutes=15)
    assert clock.running_since(NOON + timedelta(hours=2, minutes=5)) == timedelta(minutes=10)
    assert clock.running_since(NOON - timedelta(minutes=10)) == timedelta(minutes=25)


def test_two_jumps_over_one_moment_add_up_only_their_part_after_it() -> None:
    clock = ManualClock(NOON)
    clock.jump(timedelta(hours=1))
    clock.advance(timedelta(minutes=5))
    clock.jump(timedelta(hours=1))
    # 12:30 was jumped over; since then only the 5 minutes of running time passed.
    assert clock.running_since(NOON + timedelta(minutes=30)) == timedelta(minutes=5)


def test_clocks_only_jump_forward() -> None:
    with pytest.raises(ValueError):
        ManualClock(NOON).jump(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        OffsetClock().advance(timedelta(seconds=-1))


def test_system_clock_running_time_is_elapsed_time() -> None:
    clock = SystemClock()
    assert clock.running_since(clock.now() - timedelta(hours=1)) >= timedelta(hours=1)
