"""The bitrix24 client tests' users, codes and helpers (pytest fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import httpx

from bot.bitrix24 import Bitrix24Client, RetryPolicy, WebhookAuth
from workday_sandbox.portal.emulator import PortalEmulator

# Monday 2 March 2026, 08:00 in Berlin (UTC+1).
MONDAY_0700_UTC = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
WEBHOOK_CODE = "hooksecret123"
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)

ADMIN, BOB, CARL, GONE = 1, 2, 3, 4


def populate(portal: PortalEmulator) -> None:
    portal.add_user(ADMIN, email="ada@example.com", name="Ada", last_name="Admin",
                    time_zone="Europe/Berlin", timeman_admin=True, portal_admin=True,
                    schedule_shift=(time(9, 0), time(18, 0)))
    portal.add_user(BOB, email="bob@example.com", name="Bob", time_zone="Europe/Berlin",
                    schedule_shift=(time(9, 0), time(18, 0)))
    portal.add_user(CARL, email="carl@example.com", name="Carl", time_zone="Asia/Almaty")
    portal.add_user(GONE, email="gone@example.com", name="Gone", active=False)


def webhook_client(portal: PortalEmulator, http: httpx.AsyncClient, *, user_id: int = ADMIN,
                   code: str = WEBHOOK_CODE, scopes: tuple[str, ...] = ("timeman", "user", "im"),
                   **kwargs: object) -> Bitrix24Client:
    url = portal.add_webhook(user_id=user_id, code=code, scopes=scopes)
    options: dict[str, object] = {"retry": FAST_RETRY, "deadline": 10.0, "request_timeout": 2.0}
    options.update(kwargs)
    return Bitrix24Client(WebhookAuth(url), http=http, **options)  # type: ignore[arg-type]
