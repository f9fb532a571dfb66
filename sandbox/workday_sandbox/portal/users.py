"""Portal users and the `user.get` / `user.current` shapes and filters (docs/bitrix24.md#user-methods)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from workday_sandbox.portal.params import items, php_intval, php_string, upper_keys

PAGE_SIZE = 50
HIDDEN_TYPES = frozenset({"bot", "email", "imconnector"})
_RESERVED = frozenset(
    {"SORT", "ORDER", "FILTER", "ADMIN_MODE", "SELECT", "IMAGE_RESIZE", "START", "AUTH",
     "ACCESS_TOKEN", "NAV_PARAMS"}
)
_PREFIXES = ("!=%", "!%=", "=%", "%=", "!@", ">=", "<=", "!%", "!=", ">", "<", "@", "%", "=", "!")
_STRING_FIELDS = {
    "NAME": "name",
    "LAST_NAME": "last_name",
    "SECOND_NAME": "second_name",
    "EMAIL": "email",
    "WORK_POSITION": "work_position",
    "TIME_ZONE": "time_zone",
    "USER_TYPE": "user_type",
    "XML_ID": "xml_id",
    "PERSONAL_GENDER": "personal_gender",
}
_TRUE = {"Y", "TRUE", "1"}
_FALSE = {"N", "FALSE", "0"}


@dataclass
class PortalUser:
    id: int
    email: str = ""
    name: str = ""
    last_name: str = ""
    second_name: str = ""
    time_zone: str = ""  # IANA name, or "" = the portal default
    active: bool = True
    timeman_admin: bool = False
    portal_admin: bool = False
    # Without an assigned schedule these two stand for the user's schedule; with one
    # (`schedule_id`), the schedule decides (PortalEmulator.flextime_of / shift_of).
    flextime: bool = False
    schedule_shift: tuple[time, time] | None = None
    schedule_id: int | None = None
    # timeman.settings overrides in seconds, keyed by REST name (user_settings.py).
    tm_settings: dict[str, int] = field(default_factory=dict)
    user_type: str = "employee"
    departments: tuple[int, ...] = (1,)
    work_position: str = ""
    timeman_enabled: bool = True
    xml_id: str = ""
    personal_gender: str = ""
    date_register: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_timeman_admin(self) -> bool:
        return self.timeman_admin or self.portal_admin

    def rest_fields(self, scopes: frozenset[str]) -> dict[str, Any]:
        """The user as `user.get` prints it; `user_brief` alone has no contact data."""
        out: dict[str, Any] = {
            "ID": str(self.id),
            "XML_ID": self.xml_id,
            "ACTIVE": self.active,
            "NAME": self.name,
            "LAST_NAME": self.last_name,
            "SECOND_NAME": self.second_name,
        }
        if "user" in scopes or "user_basic" in scopes:
            out["EMAIL"] = self.email
        out.update(
            {
                "LAST_LOGIN": "",
                "DATE_REGISTER": self.date_register.isoformat(timespec="seconds")
                if self.date_register
                else "",
                "TIME_ZONE": self.time_zone,
                "IS_ONLINE": "N",
                "PERSONAL_GENDER": self.personal_gender,
                "PERSONAL_BIRTHDAY": "",
                "WORK_POSITION": self.work_position,
                "UF_EMPLOYMENT_DATE": "",
                "UF_DEPARTMENT": list(self.departments),
                "USER_TYPE": self.user_type,
            }
        )
        out.update(self.extra)
        return out


def _split(key: str) -> tuple[str, str]:
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return prefix, key[len(prefix) :].upper()
    return "=", key.upper()


def _like(pattern: str, text: str) -> bool:
    regex = "^" + ".*".join(re.escape(part) for part in pattern.split("%")) + "$"
    return re.match(regex, text, re.IGNORECASE | re.DOTALL) is not None


def _values(value: Any) -> list[Any]:
    if isinstance(value, (list, dict)):
        return [v for _, v in items(value)]
    return [value]


def _in_values(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")]
    return _values(value)


def _truth(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = php_string(value).strip().upper()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _equals(user: PortalUser, name: str, wanted: Any) -> bool | None:
    """None when the field is not one we filter on (the condition is ignored)."""
    if name == "ID":
        text = php_string(wanted).strip()
        return text.isdigit() and int(text) == user.id
    if name == "ACTIVE":
        truth = _truth(wanted)
        return True if truth is None else truth == user.active
    if name == "UF_DEPARTMENT":
        return php_intval(wanted) in user.departments
    attr = _STRING_FIELDS.get(name)
    if attr is None:
        return None
    have = str(getattr(user, attr))
    want = php_string(wanted)
    if "%" in want:
        return _like(want, have)
    return have.lower() == want.lower()


def _substring(user: PortalUser, name: str, wanted: Any) -> bool | None:
    if name in ("NAME_SEARCH", "FIND"):
        haystack = " ".join((user.name, user.last_name, user.second_name, user.email))
        return php_string(wanted).lower() in haystack.lower()
    if name == "ID":
        return php_string(wanted) in str(user.id)
    attr = _STRING_FIELDS.get(name)
    if attr is None:
        return None
    return php_string(wanted).lower() in str(getattr(user, attr)).lower()


def _compare(user: PortalUser, name: str, op: str, wanted: Any) -> bool | None:
    if name == "ID":
        have: Any = user.id
        want: Any = php_intval(wanted)
    else:
        attr = _STRING_FIELDS.get(name)
        if attr is None:
            return None
        have, want = str(getattr(user, attr)).lower(), php_string(wanted).lower()
    return {">": have > want, ">=": have >= want, "<": have < want, "<=": have <= want}[op]


def _condition(user: PortalUser, key: str, value: Any) -> bool:
    op, name = _split(key)
    if name in ("NAME_SEARCH", "FIND") and op == "=":
        op = "%"
    if op in ("=", "!", "!="):
        results = [_equals(user, name, v) for v in _values(value)]
        if any(r is None for r in results):
            return True
        hit = any(results)
        return hit if op == "=" else not hit
    if op in ("@", "!@"):
        results = [_equals(user, name, v) for v in _in_values(value)]
        if any(r is None for r in results):
            return True
        hit = any(results)
        return hit if op == "@" else not hit
    if op in ("%", "!%"):
        results = [_substring(user, name, v) for v in _values(value)]
        if any(r is None for r in results):
            return True
        hit = any(results)
        return hit if op == "%" else not hit
    if op in ("=%", "%=", "!=%", "!%="):
        attr = _STRING_FIELDS.get(name)
        if attr is None:
            return True
        hit = any(_like(php_string(v), str(getattr(user, attr))) for v in _values(value))
        return hit if not op.startswith("!") else not hit
    result = _compare(user, name, op, value)
    return True if result is None else result


def filter_of(params: dict[Any, Any]) -> dict[Any, Any]:
    """FILTER when given (it replaces top-level keys), else the top-level keys."""
    upper = upper_keys(params)
    given = upper.get("FILTER")
    if isinstance(given, (dict, list)):
        return {k: v for k, v in items(given) if isinstance(k, str)}
    return {k: v for k, v in upper.items() if isinstance(k, str) and k not in _RESERVED}


def select_users(users: list[PortalUser], params: dict[Any, Any]) -> list[PortalUser]:
    conditions = filter_of(params)
    chosen = [
        user
        for user in users
        if user.user_type not in HIDDEN_TYPES
        and all(_condition(user, key, value) for key, value in conditions.items())
    ]
    upper = upper_keys(params)
    sort_field = php_string(upper.get("SORT") or "ID").upper()
    descending = php_string(upper.get("ORDER") or "ASC").upper() == "DESC"

    def sort_key(user: PortalUser) -> Any:
        if sort_field == "ID":
            return (user.id,)
        attr = _STRING_FIELDS.get(sort_field)
        return (str(getattr(user, attr)).lower() if attr else "", user.id)

    return sorted(chosen, key=sort_key, reverse=descending)


def page(
    found: list[Any], params: dict[Any, Any]
) -> tuple[list[Any], int | None, int | None]:
    """(page, total, next): 50 per page from `start`; `start=-1` skips the count."""
    upper = upper_keys(params)
    start = php_intval(upper.get("START", 0))
    if start == -1:
        return found[:PAGE_SIZE], None, None
    start = max(0, start)
    chunk = found[start : start + PAGE_SIZE]
    total = len(found)
    following = start + PAGE_SIZE if start + PAGE_SIZE < total else None
    return chunk, total, following
