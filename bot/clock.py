"""Injectable wall-clock time.

Everything that reasons about the workday (durations, reminders, token expiry) asks a
`Clock` for "now" instead of calling `datetime.now()`, so tests and the sandbox can
freeze or fast-forward time without sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant as an aware datetime in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class OffsetClock:
    """The system time shifted by an adjustable offset.

    The sandbox's "fast-forward" control moves this clock; it keeps ticking in real time
    between jumps, so it behaves like a normal clock to everything that reads it.
    """

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += delta

    def __repr__(self) -> str:
        return f"OffsetClock(offset={self.offset!r})"


class ManualClock:
    """A clock that stands still until it is told to move. For tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"
