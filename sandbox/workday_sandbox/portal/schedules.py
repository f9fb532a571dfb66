"""Work schedules: what `timeman.schedule.get` prints, and how fixtures and the control API define
them (docs/bitrix24.md#work-schedules).

The printed shape follows the docs' example of `timeman.schedule.get` key for key. A schedule
is defined from a JSON-like mapping with the same upper-case keys as it prints (only the ones
that make sense to set); `schedule_from_fields` checks it and says what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any, Final

from workday_sandbox.portal.durations import DAY, clock_of, seconds_of

SCHEDULE_TYPES: Final = ("FIXED", "SHIFT", "FLEXTIME")
REPORT_PERIODS: Final = ("MONTH", "WEEK", "TWO_WEEKS", "QUARTER")
# The portal has one production calendar; every schedule points at it.
CALENDAR_ID: Final = 1
NOT_SET: Final = -1

# SCHEDULE_VIOLATION_RULES that can be set, with their defaults; -1 means "not set" (docs).
# MAX_ALLOWED_TO_EDIT_WORK_TIME defaults to the portal's usual 15-minute allowance.
RULE_DEFAULTS: Final[dict[str, int]] = {
    "MAX_EXACT_START": NOT_SET,
    "MIN_EXACT_END": NOT_SET,
    "MAX_OFFSET_START": NOT_SET,
    "MIN_OFFSET_END": NOT_SET,
    "RELATIVE_START_FROM": NOT_SET,
    "RELATIVE_START_TO": NOT_SET,
    "RELATIVE_END_FROM": NOT_SET,
    "RELATIVE_END_TO": NOT_SET,
    "MIN_DAY_DURATION": NOT_SET,
    "MAX_ALLOWED_TO_EDIT_WORK_TIME": 900,
    "MAX_WORK_TIME_LACK_FOR_PERIOD": NOT_SET,
    "PERIOD_TIME_LACK_AGENT_ID": 0,
    "MAX_SHIFT_START_DELAY": NOT_SET,
    "MISSED_SHIFT_START": 0,
}
# Rules that are not a time of day or a length within a day.
_RULE_MAXIMUM: Final[dict[str, int]] = {
    "MAX_WORK_TIME_LACK_FOR_PERIOD": 92 * DAY,  # a quarter's worth
    "PERIOD_TIME_LACK_AGENT_ID": 2**31 - 1,
    "MISSED_SHIFT_START": 2**31 - 1,
}
NOTIFY_KEYS: Final = (
    "FIXED_START_END",
    "FIXED_PER_RECORD",
    "FIXED_EDIT_WORKTIME",
    "FIXED_PERIODIC",
    "SHIFT_DELAY",
    "SHIFT_MISSED_START",
)
SCHEDULE_FIELDS: Final = (
    "ID", "NAME", "SCHEDULE_TYPE", "REPORT_PERIOD", "IS_FOR_ALL_USERS", "SHIFTS",
    "SCHEDULE_VIOLATION_RULES",
)
SHIFT_FIELDS: Final = ("ID", "NAME", "BREAK_DURATION", "WORK_TIME_START", "WORK_TIME_END", "WORK_DAYS")
RULE_FIELDS: Final = (*RULE_DEFAULTS, "ENTITY_CODE", "USERS_TO_NOTIFY")


@dataclass(frozen=True, slots=True)
class Shift:
    id: int
    name: str
    break_duration: int  # seconds
    work_time_start: int  # seconds from midnight
    work_time_end: int  # seconds from midnight; at or before the start: the next day
    work_days: str  # "12345": 1 = Monday ... 7 = Sunday

    @property
    def clocks(self) -> tuple[time, time]:
        """The shift as the engine's (start, end) wall clocks."""
        return clock_of(self.work_time_start), clock_of(self.work_time_end)

    def rest_shape(self, schedule_id: int) -> dict[str, Any]:
        return {
            "ID": self.id,
            "NAME": self.name,
            "BREAK_DURATION": self.break_duration,
            "WORK_TIME_START": self.work_time_start,
            "WORK_TIME_END": self.work_time_end,
            "WORK_DAYS": self.work_days,
            "SCHEDULE_ID": schedule_id,
            "DELETED": False,
        }


@dataclass(frozen=True, slots=True)
class WorkSchedule:
    id: int
    name: str
    schedule_type: str = "FIXED"
    report_period: str = "MONTH"
    is_for_all_users: bool = False
    shifts: tuple[Shift, ...] = ()
    rules: Mapping[str, int] = field(default_factory=lambda: dict(RULE_DEFAULTS))
    entity_code: str = "UA"
    users_to_notify: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {key: () for key in NOTIFY_KEYS}
    )
    created_at: str = ""  # ATOM, as CREATED_AT prints

    @property
    def flextime(self) -> bool:
        return self.schedule_type == "FLEXTIME"

    @property
    def first_shift(self) -> Shift | None:
        return self.shifts[0] if self.shifts else None

    def rest_shape(self) -> dict[str, Any]:
        """Exactly the keys of the docs' `timeman.schedule.get` example, in its order."""
        rules: dict[str, Any] = {"ID": self.id, "SCHEDULE_ID": self.id, "ENTITY_CODE": self.entity_code}
        rules.update(self.rules)
        rules["USERS_TO_NOTIFY"] = {key: list(self.users_to_notify.get(key, ())) for key in NOTIFY_KEYS}
        return {
            "ID": self.id,
            "NAME": self.name,
            "SCHEDULE_TYPE": self.schedule_type,
            "REPORT_PERIOD": self.report_period,
            "REPORT_PERIOD_OPTIONS": {"START_WEEK_DAY": 0},
            "CALENDAR_ID": CALENDAR_ID,
            "ALLOWED_DEVICES": {"browser": True},
            "DELETED": "0",  # a string here, unlike a shift's boolean DELETED (as the docs show)
            "IS_FOR_ALL_USERS": self.is_for_all_users,
            "WORKTIME_RESTRICTIONS": ["[]"],  # sic: the docs show a list holding the string "[]"
            "CONTROLLED_ACTIONS": 3,
            "UPDATED_BY": 0,
            "DELETED_BY": 0,
            "DELETED_AT": "",
            "CREATED_BY": 0,
            "CREATED_AT": self.created_at,
            "SHIFTS": [shift.rest_shape(self.id) for shift in self.shifts],
            "CALENDAR": {
                "ID": CALENDAR_ID, "NAME": "", "PARENT_CALENDAR_ID": 0, "SYSTEM_CODE": "",
                "EXCLUSIONS": [],
            },
            "SCHEDULE_VIOLATION_RULES": rules,
        }


def default_schedule(created_at: str) -> WorkSchedule:
    """The system's "For all employees" schedule: 09:00-18:00 Monday to Friday, an hour's break,
    with violation rules that agree with timeman.settings' defaults (09:15, 17:45, 8 hours)."""
    rules = dict(RULE_DEFAULTS)
    rules.update(MAX_EXACT_START=9 * 3600 + 15 * 60, MIN_EXACT_END=17 * 3600 + 45 * 60,
                 MIN_DAY_DURATION=8 * 3600)
    return WorkSchedule(
        id=1,
        name="For all employees",
        is_for_all_users=True,
        shifts=(Shift(1, "", 3600, 9 * 3600, 18 * 3600, "12345"),),
        rules=rules,
        created_at=created_at,
    )


def schedule_from_fields(
    data: Mapping[str, Any],
    *,
    schedule_id: int,
    next_shift_id: Callable[[], int],
    created_at: str,
) -> WorkSchedule:
    """A schedule from upper-case fields (see SCHEDULE_FIELDS); ValueError says what is wrong.

    Shifts without an ID get one from `next_shift_id` (shift ids are portal-wide).
    """
    if not isinstance(data, Mapping):
        raise ValueError("a schedule must be a JSON object")
    _known(data, SCHEDULE_FIELDS, "schedule")
    name = data.get("NAME")
    if not isinstance(name, str) or not name.strip():
        raise ValueError('NAME is required, like "Early shift"')
    schedule_type = data.get("SCHEDULE_TYPE", "FIXED")
    if schedule_type not in SCHEDULE_TYPES:
        raise ValueError(f"SCHEDULE_TYPE must be one of {', '.join(SCHEDULE_TYPES)}")
    report_period = data.get("REPORT_PERIOD", "MONTH")
    if report_period not in REPORT_PERIODS:
        raise ValueError(f"REPORT_PERIOD must be one of {', '.join(REPORT_PERIODS)}")
    for_all = data.get("IS_FOR_ALL_USERS", False)
    if not isinstance(for_all, bool):
        raise ValueError("IS_FOR_ALL_USERS must be true or false")
    raw_shifts = data.get("SHIFTS", [])
    if not isinstance(raw_shifts, list):
        raise ValueError("SHIFTS must be a list of shift objects")
    if not raw_shifts and schedule_type != "FLEXTIME":
        raise ValueError(f"a {schedule_type} schedule needs at least one shift in SHIFTS")
    shifts = tuple(
        _shift(raw, f"SHIFTS[{index}]", next_shift_id) for index, raw in enumerate(raw_shifts)
    )
    ids = [shift.id for shift in shifts]
    if len(set(ids)) != len(ids):
        raise ValueError("SHIFTS have a repeated ID")
    rules, entity_code, notify = _rules(data.get("SCHEDULE_VIOLATION_RULES", {}))
    return WorkSchedule(
        id=schedule_id,
        name=name.strip(),
        schedule_type=schedule_type,
        report_period=report_period,
        is_for_all_users=for_all,
        shifts=shifts,
        rules=rules,
        entity_code=entity_code,
        users_to_notify=notify,
        created_at=created_at,
    )


def _known(data: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise ValueError(f"unknown {what} field {unknown[0]!r}; the fields are: {', '.join(allowed)}")


def _shift(raw: Any, where: str, next_shift_id: Callable[[], int]) -> Shift:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be a JSON object")
    _known(raw, SHIFT_FIELDS, "shift")
    shift_id = raw.get("ID")
    if shift_id is None:
        shift_id = next_shift_id()
    elif isinstance(shift_id, bool) or not isinstance(shift_id, int) or shift_id <= 0:
        raise ValueError(f"{where}.ID must be a positive whole number")
    name = raw.get("NAME", "")
    if not isinstance(name, str):
        raise ValueError(f"{where}.NAME must be a string")
    if "WORK_TIME_START" not in raw or "WORK_TIME_END" not in raw:
        raise ValueError(f"{where} needs WORK_TIME_START and WORK_TIME_END (seconds from midnight or \"HH:MM\")")
    start = seconds_of(raw["WORK_TIME_START"], f"{where}.WORK_TIME_START", maximum=DAY - 1)
    end = seconds_of(raw["WORK_TIME_END"], f"{where}.WORK_TIME_END")
    if end % DAY == start:
        raise ValueError(f"{where} starts and ends at the same time")
    breaks = seconds_of(raw.get("BREAK_DURATION", 0), f"{where}.BREAK_DURATION")
    days = raw.get("WORK_DAYS", "12345")
    if isinstance(days, int) and not isinstance(days, bool):
        days = str(days)
    if (
        not isinstance(days, str)
        or any(ch not in "1234567" for ch in days)
        or len(set(days)) != len(days)
    ):
        raise ValueError(f'{where}.WORK_DAYS must be distinct digits 1 (Monday) to 7 (Sunday), like "12345"')
    return Shift(shift_id, name, breaks, start, end, "".join(sorted(days)))


def _rules(raw: Any) -> tuple[dict[str, int], str, dict[str, tuple[str, ...]]]:
    if not isinstance(raw, Mapping):
        raise ValueError("SCHEDULE_VIOLATION_RULES must be a JSON object")
    _known(raw, RULE_FIELDS, "SCHEDULE_VIOLATION_RULES")
    rules = dict(RULE_DEFAULTS)
    for key in RULE_DEFAULTS:
        if key not in raw:
            continue
        value = raw[key]
        if value == NOT_SET and type(value) is int:
            rules[key] = NOT_SET
        else:
            where = f"SCHEDULE_VIOLATION_RULES.{key}"
            rules[key] = seconds_of(value, where, maximum=_RULE_MAXIMUM.get(key, DAY))
    entity_code = raw.get("ENTITY_CODE", "UA")
    if not isinstance(entity_code, str):
        raise ValueError("SCHEDULE_VIOLATION_RULES.ENTITY_CODE must be a string")
    notify_raw = raw.get("USERS_TO_NOTIFY", {})
    if not isinstance(notify_raw, Mapping):
        raise ValueError("SCHEDULE_VIOLATION_RULES.USERS_TO_NOTIFY must be a JSON object")
    _known(notify_raw, NOTIFY_KEYS, "USERS_TO_NOTIFY")
    notify: dict[str, tuple[str, ...]] = {}
    for key in NOTIFY_KEYS:
        codes = notify_raw.get(key, [])
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ValueError(f'USERS_TO_NOTIFY.{key} must be a list like ["U1"]')
        notify[key] = tuple(codes)
    return rules, entity_code, notify
