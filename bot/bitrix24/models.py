"""Typed views of what Bitrix24 returns, tolerant of both the docs' and the server's shapes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from bot.redaction import REDACTED

MAX_DURATION = timedelta(hours=24)
_DURATION = re.compile(r"^(?P<h>\d+):(?P<m>\d{1,2}):(?P<s>\d{1,2})$")


def parse_duration(value: Any) -> timedelta:
    """`HH:MM:SS` (hours may exceed two digits) → timedelta; empty or unknown → 0."""
    if value is None or value == "":
        return timedelta(0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=int(value))
    match = _DURATION.match(str(value).strip())
    if not match:
        return timedelta(0)
    return timedelta(hours=int(match["h"]), minutes=int(match["m"]), seconds=int(match["s"]))


def parse_datetime(value: Any) -> datetime | None:
    """ATOM `2025-03-27T08:00:01+02:00` → aware datetime; empty or unparseable → None."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def format_atom(moment: datetime) -> str:
    """The strict PHP ATOM format Bitrix24 wants for TIME: no fractions, `+HH:MM`."""
    if moment.tzinfo is None:
        raise ValueError("Bitrix24 times must be aware datetimes")
    return moment.replace(microsecond=0).isoformat()


def _as_bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().upper() in ("Y", "YES", "TRUE", "1")
    return bool(value)


def _positive_id(value: Any) -> int | None:
    """An id as Bitrix24 prints it ("5", 5, " 5 "); None for 0, "", null or garbage."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def parse_ids(value: Any) -> tuple[int, ...]:
    """UF_DEPARTMENT: an array of ints by the docs; strings, a single value or a map keyed
    by position are read too. Invalid items are dropped, duplicates kept once, in order."""
    if isinstance(value, Mapping):
        value = list(value.values())
    elif not isinstance(value, (list, tuple)):
        value = [value]
    return tuple(dict.fromkeys(number for item in value if (number := _positive_id(item)) is not None))


def _clamp(delta: timedelta) -> timedelta:
    return max(timedelta(0), min(delta, MAX_DURATION))


class WorkdayStatus(StrEnum):
    OPENED = "OPENED"
    PAUSED = "PAUSED"
    CLOSED = "CLOSED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class Workday:
    """The status object of `timeman.status` (also returned by open, pause and close).

    `started_at`, `finished_at` and `suggested_finish` carry the day-start offset, as
    Bitrix24 labels them. `breaks` is TIME_LEAKS: finished breaks only.
    """

    status: WorkdayStatus
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration: timedelta = timedelta(0)
    breaks: timedelta = timedelta(0)
    active: bool = True
    tz_offset: timedelta | None = None
    suggested_finish: datetime | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any] | None) -> Workday:
        data = data or {}
        raw_status = str(data.get("STATUS") or "CLOSED").upper()
        try:
            status = WorkdayStatus(raw_status)
        except ValueError:
            status = WorkdayStatus.CLOSED
        offset = data.get("TZ_OFFSET")
        tz_offset: timedelta | None
        try:
            tz_offset = timedelta(seconds=int(offset)) if offset not in (None, "") else None
        except (TypeError, ValueError):
            tz_offset = None
        return cls(
            status=status,
            started_at=parse_datetime(data.get("TIME_START")),
            finished_at=parse_datetime(data.get("TIME_FINISH")),
            duration=parse_duration(data.get("DURATION")),
            breaks=parse_duration(data.get("TIME_LEAKS")),
            active=_as_bool(data.get("ACTIVE"), default=True),
            tz_offset=tz_offset,
            suggested_finish=parse_datetime(data.get("TIME_FINISH_DEFAULT")),
        )

    @property
    def has_record(self) -> bool:
        """False for a user who never opened a day (Bitrix24 returns a bare STATUS)."""
        return self.started_at is not None

    @property
    def is_running(self) -> bool:
        return self.status is WorkdayStatus.OPENED

    @property
    def is_unfinished(self) -> bool:
        """Open or paused today, or left so from an earlier day."""
        return self.status in (WorkdayStatus.OPENED, WorkdayStatus.PAUSED, WorkdayStatus.EXPIRED)

    @property
    def paused_at(self) -> datetime | None:
        """When the current break began. The server stores it as TIME_FINISH while paused;
        a portal that follows the docs (TIME_FINISH null) leaves it unknown."""
        return self.finished_at if self.status is WorkdayStatus.PAUSED else None

    @property
    def timezone(self) -> timezone | None:
        if self.tz_offset is not None:
            return timezone(self.tz_offset)
        return self.started_at.tzinfo if self.started_at else None  # type: ignore[return-value]

    def worked(self, now: datetime) -> timedelta | None:
        """Worked time, computed live: Bitrix24 returns DURATION only for a closed day.

        None when it cannot be known: no day yet, an EXPIRED day (it ended at an unknown
        time), or a pause whose start the portal did not report.
        """
        if self.started_at is None:
            return None
        if self.status is WorkdayStatus.CLOSED:
            return self.duration
        if self.status is WorkdayStatus.OPENED:
            return _clamp(now - self.started_at - self.breaks)
        if self.status is WorkdayStatus.PAUSED and self.paused_at is not None:
            return _clamp(self.paused_at - self.started_at - self.breaks)
        return None

    def current_break(self, now: datetime) -> timedelta | None:
        """Length of the break in progress, if the portal told us when it began."""
        if self.paused_at is None:
            return None
        return _clamp(now - self.paused_at)

    def break_time(self, now: datetime) -> timedelta:
        """Finished breaks plus the one in progress (when known)."""
        return _clamp(self.breaks + (self.current_break(now) or timedelta(0)))


@dataclass(frozen=True, slots=True)
class WorkdaySettings:
    """`timeman.settings` (docs/bitrix24.md#timeman-settings)."""

    enabled: bool
    flextime: bool
    max_start: timedelta
    min_finish: timedelta
    min_duration: timedelta
    allowed_delta: timedelta
    admin: bool | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any] | None) -> WorkdaySettings:
        data = data or {}
        return cls(
            enabled=_as_bool(data.get("UF_TIMEMAN"), default=False),
            flextime=_as_bool(data.get("UF_TM_FREE"), default=False),
            max_start=parse_duration(data.get("UF_TM_MAX_START")),
            min_finish=parse_duration(data.get("UF_TM_MIN_FINISH")),
            min_duration=parse_duration(data.get("UF_TM_MIN_DURATION")),
            allowed_delta=parse_duration(data.get("UF_TM_ALLOWED_DELTA")),
            admin=_as_bool(data["ADMIN"], default=False) if "ADMIN" in data else None,
        )


def _seconds(value: Any) -> timedelta | None:
    """A schedule's seconds count; -1 (Bitrix24's "not set"), empty or junk → None."""
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return timedelta(seconds=seconds) if seconds >= 0 else None


class ScheduleType(StrEnum):
    FIXED = "FIXED"
    SHIFT = "SHIFT"
    FLEXTIME = "FLEXTIME"


@dataclass(frozen=True, slots=True)
class Shift:
    start: timedelta  # since local midnight
    end: timedelta
    work_days: frozenset[int]  # Monday = 0; Bitrix24 writes them as digits, 1 = Monday
    break_length: timedelta = timedelta(0)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Shift | None:
        start, end = _seconds(data.get("WORK_TIME_START")), _seconds(data.get("WORK_TIME_END"))
        if start is None or end is None or _as_bool(data.get("DELETED"), default=False):
            return None
        days = frozenset(int(ch) - 1 for ch in str(data.get("WORK_DAYS") or "") if ch in "1234567")
        return cls(start=start, end=end, work_days=days,
                   break_length=_seconds(data.get("BREAK_DURATION")) or timedelta(0))


@dataclass(frozen=True, slots=True)
class WorkSchedule:
    """`timeman.schedule.get` (docs/bitrix24.md#work-schedules): what a bot can use of it."""

    id: int
    type: ScheduleType
    shifts: tuple[Shift, ...] = ()
    latest_start: timedelta | None = None  # SCHEDULE_VIOLATION_RULES.MAX_EXACT_START
    earliest_finish: timedelta | None = None  # MIN_EXACT_END
    min_duration: timedelta | None = None  # MIN_DAY_DURATION
    start_delay: timedelta | None = None  # MAX_SHIFT_START_DELAY (shift schedules)

    @classmethod
    def from_api(cls, data: Any) -> WorkSchedule | None:
        """None for an unknown id (Bitrix24 answers `[]`) or a deleted schedule."""
        if not isinstance(data, Mapping) or not data.get("ID") \
                or _as_bool(data.get("DELETED"), default=False):
            return None
        try:
            kind = ScheduleType(str(data.get("SCHEDULE_TYPE") or "FIXED").upper())
        except ValueError:
            kind = ScheduleType.FIXED
        raw_shifts = data.get("SHIFTS")
        shifts = tuple(shift for item in (raw_shifts if isinstance(raw_shifts, list) else [])
                       if isinstance(item, Mapping) and (shift := Shift.from_api(item)) is not None)
        rules = data.get("SCHEDULE_VIOLATION_RULES")
        rules = rules if isinstance(rules, Mapping) else {}
        return cls(id=int(data["ID"]), type=kind, shifts=shifts,
                   latest_start=_seconds(rules.get("MAX_EXACT_START")),
                   earliest_finish=_seconds(rules.get("MIN_EXACT_END")),
                   min_duration=_seconds(rules.get("MIN_DAY_DURATION")) or None,
                   start_delay=_seconds(rules.get("MAX_SHIFT_START_DELAY")))


@dataclass(frozen=True, slots=True)
class PortalUser:
    """An employee as `user.get` returns them."""

    id: int
    name: str = ""
    last_name: str = ""
    email: str = ""
    time_zone: str | None = None
    active: bool = True
    departments: tuple[int, ...] = ()  # UF_DEPARTMENT

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> PortalUser:
        return cls(
            id=int(data.get("ID") or 0),
            name=str(data.get("NAME") or ""),
            last_name=str(data.get("LAST_NAME") or ""),
            email=str(data.get("EMAIL") or ""),
            time_zone=str(data.get("TIME_ZONE") or "") or None,
            active=_as_bool(data.get("ACTIVE"), default=True),
            departments=parse_ids(data.get("UF_DEPARTMENT")),
        )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.name, self.last_name) if part) or f"#{self.id}"

    def __repr__(self) -> str:
        # E-mail addresses are personal data: keep them out of logs by default.
        return f"PortalUser(id={self.id}, email={REDACTED!r}, active={self.active})"


@dataclass(frozen=True, slots=True)
class Department:
    """A department as `department.get` returns it: ids come as strings, the root has no
    PARENT and a department nobody heads no UF_HEAD."""

    id: int
    name: str
    parent: int | None = None
    head: int | None = None  # a Bitrix24 user id

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Department | None:
        """None for an entry without a usable ID."""
        dept_id = _positive_id(data.get("ID"))
        if dept_id is None:
            return None
        parent = _positive_id(data.get("PARENT"))
        return cls(
            id=dept_id,
            name=str(data.get("NAME") or ""),
            parent=parent if parent != dept_id else None,
            head=_positive_id(data.get("UF_HEAD")),
        )
