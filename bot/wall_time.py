"""Times of day and lengths as people type them, shared by every prompt that asks for one.

A time: `13:00`, `13.00`, `13-00`, `13h00`, `13ч00`, `9:05`, and the 12-hour `1pm`,
`1 pm`, `1:30pm`, `1.30 p.m.`, `12am` (midnight). A length: `45`, `45m`, `45 min`,
`45мин`, `45 минут`, `1h`, `1 ч`, `1 час`, `1h30`, `1ч 30мин`, `полчаса`.
"""

from __future__ import annotations

import re
from datetime import time

_24_HOUR = re.compile(r"^(?P<h>\d{1,2})\s*[:.\-hч]\s*(?P<m>\d{2})$")
_12_HOUR = re.compile(r"^(?P<h>\d{1,2})(?:\s*[:.]\s*(?P<m>\d{2}))?\s*(?P<half>a|p)\.?\s*m\.?$")

_HOURS = r"(?:h|hr|hrs|hour|hours|ч|час|часа|часов)"
_MINUTES = r"(?:m|min|mins|minute|minutes|м|мин|минута|минуты|минут)"
_LENGTH = re.compile(rf"^(?:(?P<h>\d+)\s*{_HOURS})?\s*(?:(?P<m>\d+)\s*{_MINUTES}?)?$")
_WORD_LENGTHS = {"полчаса": 30, "час": 60, "hour": 60, "half an hour": 30, "полтора часа": 90}


def parse_wall_time(text: str) -> time | None:
    text = text.strip().lower()
    if match := _24_HOUR.match(text):
        hour, minute = int(match["h"]), int(match["m"])
    elif match := _12_HOUR.match(text):
        hour, minute = int(match["h"]), int(match["m"] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["half"] == "p" else 0)
    else:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_length_minutes(text: str) -> int | None:
    """Minutes in a length; None when it is not one."""
    text = " ".join(text.strip().lower().replace("ё", "е").split())
    if text in _WORD_LENGTHS:
        return _WORD_LENGTHS[text]
    if not any(ch.isdigit() for ch in text):
        return None
    match = _LENGTH.match(text)
    if not match or (match["h"] is None and match["m"] is None):
        return None
    return int(match["h"] or 0) * 60 + int(match["m"] or 0)
