"""A user's work-time limits as `timeman.settings` prints them (docs/bitrix24.md#timeman-settings).

The portal's defaults apply unless the user has an override for a limit; overrides are kept
in seconds on `PortalUser.tm_settings`, keyed by the REST field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from workday_sandbox.portal.durations import DAY, seconds_of
from workday_sandbox.portal.timeman_engine import format_duration
from workday_sandbox.portal.users import PortalUser

SETTINGS_DEFAULTS: Final[dict[str, int]] = {
    "UF_TM_MAX_START": 9 * 3600 + 15 * 60,
    "UF_TM_MIN_FINISH": 17 * 3600 + 45 * 60,
    "UF_TM_MIN_DURATION": 8 * 3600,
}
# The names fixtures and the control API use for the overridable limits.
SETTING_NAMES: Final[dict[str, str]] = {
    "max_start": "UF_TM_MAX_START",
    "min_finish": "UF_TM_MIN_FINISH",
    "min_duration": "UF_TM_MIN_DURATION",
}


def parse_overrides(changes: Mapping[str, Any]) -> dict[str, int | None]:
    """REST field name -> seconds (None: back to the default); ValueError says what is wrong."""
    unknown = sorted(name for name in changes if name not in SETTING_NAMES)
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; the settings are: {', '.join(SETTING_NAMES)}")
    parsed: dict[str, int | None] = {}
    for name, value in changes.items():
        clock_time = name != "min_duration"
        parsed[SETTING_NAMES[name]] = None if value is None else seconds_of(
            value, name, maximum=DAY - 1 if clock_time else DAY
        )
    return parsed


def settings_object(
    user: PortalUser, *, flextime: bool, allowed_delta: int, for_caller: bool
) -> dict[str, Any]:
    """What `timeman.settings` returns: ADMIN only about the caller; limits read 00:00:00 when
    time tracking is off for the user."""
    enabled = user.timeman_enabled

    def fmt(seconds: int) -> str:
        return format_duration(seconds if enabled else 0)

    result: dict[str, Any] = {"UF_TIMEMAN": enabled, "UF_TM_FREE": flextime}
    for name, default in SETTINGS_DEFAULTS.items():
        result[name] = fmt(user.tm_settings.get(name, default))
    result["UF_TM_ALLOWED_DELTA"] = fmt(allowed_delta)
    if for_caller:
        result["ADMIN"] = user.is_timeman_admin
    return result
