"""Reading a clock time or a length of time given as seconds or `HH:MM[:SS]` (fixtures and the
control API take both, the way the portal prints settings as `HH:MM:SS` and schedules as seconds)."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any, Final

DAY: Final = 86400

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def seconds_of(value: Any, name: str, *, minimum: int = 0, maximum: int = DAY) -> int:
    """Whole seconds from an int, `"HH:MM"`, `"HH:MM:SS"`, a `time` or a `timedelta`.

    Raises ValueError naming `name` when the value has another shape or lies outside
    `minimum..maximum`.
    """
    seconds: int | None = None
    if isinstance(value, bool):
        seconds = None
    elif isinstance(value, int):
        seconds = value
    elif isinstance(value, float) and value.is_integer():
        seconds = int(value)
    elif isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
    elif isinstance(value, timedelta):
        seconds = int(value.total_seconds())
    elif isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if match and int(match[2]) < 60 and int(match[3] or 0) < 60:
            seconds = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0)
    if seconds is None:
        raise ValueError(f'{name} must be seconds or a time like "09:15" or "09:15:00"')
    if not minimum <= seconds <= maximum:
        raise ValueError(
            f"{name} must be from {_shown(minimum)} to {_shown(maximum)}, not {_shown(seconds)}"
        )
    return seconds


def clock_of(seconds: int) -> time:
    """Seconds from midnight as a wall clock; a full day (86400) is the next midnight."""
    seconds %= DAY
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def _shown(seconds: int) -> str:
    if seconds < 0:
        return str(seconds)
    return f"{seconds} ({seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d})"
