"""What a reminder is, and the text shortcuts that create one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import time
from enum import StrEnum

from bot.wall_time import parse_length_minutes, parse_wall_time

WEEKDAYS = frozenset(range(5))  # Monday = 0
EVERY_DAY = frozenset(range(7))
MAX_BREAK_MINUTES = 8 * 60

_DAY_NAMES = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "пн": 0, "вт": 1, "ср": 2, "чт": 3, "пт": 4, "сб": 5, "вс": 6,
}
_DAY_SETS = {
    "weekdays": WEEKDAYS, "workdays": WEEKDAYS, "будни": WEEKDAYS,
    "daily": EVERY_DAY, "everyday": EVERY_DAY, "ежедневно": EVERY_DAY,
    "weekends": frozenset({5, 6}), "выходные": frozenset({5, 6}),
}


class Kind(StrEnum):
    BREAK = "break"  # "take a break at 13:00"
    CLOSE = "close"  # "tell me at 18:30 if I forgot to close my day"
    MORNING = "morning"  # "in the morning, help me fix yesterday if I left it open"
    # Nudges: one of each per user, set from the Bitrix24 targets (bot/services/nudges.py),
    # never created by /remind and not counted among the reminders.
    LATE_START = "late_start"  # the day is not started by the latest start
    GOAL = "goal"  # the minimum duration is worked: a one-off job per day, no recurring one
    WEEKLY = "weekly"  # the week's summary on the last work day
    # A department head's digests (bot/services/team.py), one of each per head, set from /team.
    TEAM_DIGEST = "team_digest"  # the team's day, at the head's chosen time
    TEAM_EVENING = "team_evening"  # who still works or left a day open, with a nudge for them

    @property
    def is_nudge(self) -> bool:
        return self in NUDGE_KINDS

    @property
    def is_managed(self) -> bool:
        """One per user, kept by a service of its own: never made by /remind, not counted or
        listed among the user's reminders."""
        return self in NUDGE_KINDS or self in TEAM_KINDS


NUDGE_KINDS = frozenset({Kind.LATE_START, Kind.GOAL, Kind.WEEKLY})
TEAM_KINDS = frozenset({Kind.TEAM_DIGEST, Kind.TEAM_EVENING})


class Mode(StrEnum):
    ASK = "ask"  # a message with [Pause now] [In 10 min] [Skip]
    AUTO = "auto"  # the bot pauses the day and says so


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    telegram_id: int
    kind: Kind
    at: time
    days: frozenset[int] = WEEKDAYS
    mode: Mode = Mode.ASK
    break_minutes: int = 0  # 0: no "come back" reminder
    auto_resume: bool = False
    enabled: bool = True
    version: int = 1

    def to_redis(self) -> dict[str, str]:
        return {
            "id": str(self.id),
            "telegram_id": str(self.telegram_id),
            "kind": self.kind.value,
            "at": self.at.strftime("%H:%M"),
            "days": "".join(str(day) for day in sorted(self.days)),
            "mode": self.mode.value,
            "break_minutes": str(self.break_minutes),
            "auto_resume": "1" if self.auto_resume else "0",
            "enabled": "1" if self.enabled else "0",
            "version": str(self.version),
        }

    @classmethod
    def from_redis(cls, data: dict[str, str]) -> Reminder:
        hour, minute = (int(part) for part in data["at"].split(":"))
        return cls(
            id=int(data["id"]),
            telegram_id=int(data["telegram_id"]),
            kind=Kind(data["kind"]),
            at=time(hour, minute),
            days=frozenset(int(ch) for ch in data.get("days", "01234")),
            mode=Mode(data.get("mode", "ask")),
            break_minutes=int(data.get("break_minutes", "0")),
            auto_resume=data.get("auto_resume") == "1",
            enabled=data.get("enabled", "1") == "1",
            version=int(data.get("version", "1")),
        )

    def with_changes(self, **changes: object) -> Reminder:
        return replace(self, version=self.version + 1, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ReminderDraft:
    """A reminder before it has an id."""

    kind: Kind
    at: time
    days: frozenset[int] = WEEKDAYS
    mode: Mode = Mode.ASK
    break_minutes: int = 0
    auto_resume: bool = False


@dataclass
class ParseError(Exception):
    """`key` names an i18n message; `token` is the word that was not understood."""

    key: str
    token: str = ""
    params: dict[str, object] = field(default_factory=dict)


def parse_time(token: str) -> time | None:
    return parse_wall_time(token)


def parse_days(token: str) -> frozenset[int] | None:
    token = token.lower()
    if token in _DAY_SETS:
        return _DAY_SETS[token]
    days: set[int] = set()
    for part in token.split(","):
        part = part.strip()
        if "-" in part:
            start, _, end = part.partition("-")
            if start not in _DAY_NAMES or end not in _DAY_NAMES:
                return None
            first, last = _DAY_NAMES[start], _DAY_NAMES[end]
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
            days.update(span)
        elif part in _DAY_NAMES:
            days.add(_DAY_NAMES[part])
        else:
            return None
    return frozenset(days) or None


def parse_minutes(token: str) -> int | None:
    return parse_length_minutes(token)


# A number and its unit typed apart ("45 мин", "1 час") are one token, and so are the
# words of a length ("полчаса"): the parser below reads tokens split on spaces.
_SPLIT_LENGTH = re.compile(
    r"\b(\d+)\s+(h|hr|hrs|hours?|ч|час|часа|часов|m|min|mins|minutes?|м|мин|минута|минуты|минут)(?!\w)",
    re.IGNORECASE)


def parse_remind_args(text: str) -> ReminderDraft:
    """`13:00`, `13:00 auto 45m`, `12:30 mon,wed,fri`, `close 18:30`, `morning 08:30`.

    Defaults: weekdays, ask mode. Raises ParseError with what was not understood.
    """
    tokens = _SPLIT_LENGTH.sub(r"\1\2", text).split()
    kind = Kind.BREAK
    if tokens and tokens[0].lower() in ("close", "закрыть"):
        kind, tokens = Kind.CLOSE, tokens[1:]
    elif tokens and tokens[0].lower() in ("morning", "утро"):
        kind, tokens = Kind.MORNING, tokens[1:]
    at: time | None = None
    days: frozenset[int] | None = None
    mode: Mode | None = None
    minutes: int | None = None
    auto_resume = False
    for token in tokens:
        lowered = token.lower()
        if at is None and (parsed := parse_time(lowered)) is not None:
            at = parsed
        elif lowered in ("ask", "спросить"):
            mode = Mode.ASK
        elif lowered in ("auto", "авто", "автоматически"):
            mode = Mode.AUTO
        elif lowered in ("resume", "autoresume", "продолжить"):
            auto_resume = True
        elif (parsed_days := parse_days(lowered)) is not None and days is None:
            days = parsed_days
        elif minutes is None and (parsed_minutes := parse_minutes(lowered)) is not None:
            minutes = parsed_minutes
        else:
            raise ParseError("remind.parse_unknown", token=token)
    if at is None:
        raise ParseError("remind.parse_no_time")
    if minutes is not None and not 1 <= minutes <= MAX_BREAK_MINUTES:
        raise ParseError("remind.parse_break_length", params={"limit": MAX_BREAK_MINUTES})
    if kind is not Kind.BREAK and (mode is not None or minutes is not None or auto_resume):
        raise ParseError("remind.parse_break_only")
    return ReminderDraft(
        kind=kind,
        at=at,
        days=days or WEEKDAYS,
        mode=mode or Mode.ASK,
        break_minutes=minutes or 0,
        auto_resume=auto_resume and bool(minutes),
    )
