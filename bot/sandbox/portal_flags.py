"""Switches that choose between readings of the reference (server code vs docs)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.portal_errors import AUTH_DOCS, AUTH_SOURCE
from bot.sandbox.timeman import TimemanPolicy


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
    # The `error` of "User not found": the docs show "", the code would give "510" (§10).
    user_not_found_code: str = ""

    def validate(self) -> None:
        super().validate()
        if self.auth_error_status not in (AUTH_SOURCE, AUTH_DOCS):
            raise ValueError("auth_error_status must be 'source' or 'docs'")
