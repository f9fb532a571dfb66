"""Constants the portal emulator's tests share (pytest fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime

# Monday 2 March 2026, 07:00 UTC: 08:00 in Berlin.
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
# The scopes of the webhook most tests call through.
ALL_SCOPES = ("timeman", "user", "im")
