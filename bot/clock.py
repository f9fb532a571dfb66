"""Injectable wall-clock time.

Everything that reasons about the workday (durations, reminders, token expiry) asks a
`Clock` for "now" instead of calling `datetime.now()`, so tests and the sandbox can
freeze or fast-forward time without sleeping.

A clock also says how long it has been *running* since it showed a moment: the time
that passed, minus any stretch it was moved over on purpose (the sandbox's "+1 h").
The reminder engine measures lateness with it, so a reminder that a fast-forward jumped
over still fires, while one missed because the bot was down stays skipped.
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Protocol

MAX_JUMPS_KEPT = 10_000  # older jumps are forgotten: what they skipped then counts as running time


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant as an aware datetime in UTC."""
        ...

    def running_since(self, moment: datetime) -> timedelta:
        """How long the clock has run since it showed `moment`, not counting time it was
        moved over on purpose."""
        ...


class _Jumps:
    """The stretches of clock time a clock was moved over on purpose, as (from, to)."""

    def __init__(self) -> None:
        self._skipped: deque[tuple[datetime, datetime]] = deque(maxlen=MAX_JUMPS_KEPT)

    def record(self, start: datetime, delta: timedelta) -> None:
        if delta > timedelta(0):
            self._skipped.append((start, start + delta))

    def running_since(self, moment: datetime, now: datetime) -> timedelta:
        skipped = sum((end - max(moment, start) for start, end in self._skipped if end > moment), timedelta(0))
        return now - moment - skipped


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def running_since(self, moment: datetime) -> timedelta:
        return self.now() - moment

    def __repr__(self) -> str:
        return "SystemClock()"


class OffsetClock:
    """The system time shifted by an adjustable offset.

    The sandbox's "fast-forward" control moves this clock; it keeps ticking in real time
    between jumps, so it behaves like a normal clock to everything that reads it. Every
    jump is a move on purpose: the time it skips is not running time.
    """

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset
        self._jumps = _Jumps()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._jumps.record(self.now(), delta)
        self.offset += delta

    def running_since(self, moment: datetime) -> timedelta:
        return self._jumps.running_since(moment, self.now())

    def __repr__(self) -> str:
        return f"OffsetClock(offset={self.offset!r})"


class ManualClock:
    """A clock that stands still until it is told to move. For tests.

    `advance` and `set` play time passing (a bot that was down for an hour); `jump` plays
    a deliberate move such as the sandbox's fast-forward.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._jumps = _Jumps()

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def jump(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._jumps.record(self._now, delta)
        self._now += delta

    def running_since(self, moment: datetime) -> timedelta:
        return self._jumps.running_since(moment, self._now)

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"
