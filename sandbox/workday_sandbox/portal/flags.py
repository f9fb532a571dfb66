"""Switches that choose between readings of the reference (server code vs docs)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import time
from typing import Any

from workday_sandbox.portal.errors import AUTH_DOCS, AUTH_SOURCE
from workday_sandbox.portal.timeman_engine import TimemanPolicy


@dataclass
class PortalFlags(TimemanPolicy):
    """Mutable at run time; every request reads the current values.

    Inherited (timeman): reopen_allowed, pause_on_closed_resumes, expiry_policy,
    new_period_after, workday_finish, allowed_delta_seconds.
    """

    # "source": auth-phase errors are 401 (OAuthException); "docs": 403/400/503 as the
    # docs table says. PORTAL_DELETED follows the same switch (source 403, docs 500).
    auth_error_status: str = AUTH_SOURCE
    # Webhooks over plain http get INVALID_REQUEST "Https required." when True.
    require_https: bool = False
    # The `error` of "User not found": the docs show "", the code would give "510" (docs/bitrix24.md#user-not-found).
    user_not_found_code: str = ""

    def validate(self) -> None:
        super().validate()
        if self.auth_error_status not in (AUTH_SOURCE, AUTH_DOCS):
            raise ValueError("auth_error_status must be 'source' or 'docs'")

    def with_changes(self, changes: dict[str, Any]) -> PortalFlags:
        """A validated copy with `changes` (JSON values; times as "HH:MM") applied.

        Raises ValueError naming the first unknown flag or wrong value; `self` is untouched.
        """
        known = {f.name for f in fields(self)}
        parsed: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown flag {name!r}; the flags are: {', '.join(sorted(known))}")
            parsed[name] = _parse(name, value, getattr(self, name))
        updated = replace(self, **parsed)
        updated.validate()
        return updated

    def apply(self, changes: dict[str, Any]) -> None:
        """Change the flags in place (requests read this object), all or none."""
        updated = self.with_changes(changes)
        for f in fields(self):
            setattr(self, f.name, getattr(updated, f.name))

    def as_json(self) -> dict[str, Any]:
        return {f.name: _to_json(getattr(self, f.name)) for f in fields(self)}


def _parse(name: str, value: Any, current: Any) -> Any:
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if isinstance(current, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number")
        return value
    if isinstance(current, time):
        if isinstance(value, str):
            try:
                return time.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(f'{name} must be a time like "18:00"')
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value


def _to_json(value: Any) -> Any:
    return value.isoformat(timespec="minutes") if isinstance(value, time) else value
