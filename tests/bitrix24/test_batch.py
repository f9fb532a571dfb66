"""batch(): chunks of 50, per-command results and errors, halt."""

from __future__ import annotations

import httpx

from bot.bitrix24 import AccessDeniedError, Bitrix24, NotFoundError, WorkdayStatus
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.fixtures import ADMIN, BOB, CARL, webhook_client


async def test_120_commands_go_in_three_requests(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = webhook_client(portal, http)
    commands = {f"s{i}": ("timeman.status", {"USER_ID": (BOB, CARL, ADMIN)[i % 3]}) for i in range(120)}
    outcome = await client.batch(commands)
    assert portal.request_count("batch") == 3
    assert set(outcome.results) == set(commands)
    assert not outcome.errors
    assert outcome.get("s0") == {"STATUS": "CLOSED"}


async def test_per_command_errors_are_typed(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    bob = webhook_client(portal, http, user_id=BOB, code="bobshook1")
    outcome = await bob.batch([("timeman.status", {}), ("timeman.status", {"USER_ID": CARL}),
                               ("no.such.method", {})])
    assert outcome.results["0"] == {"STATUS": "CLOSED"}
    assert isinstance(outcome.errors["1"], AccessDeniedError)
    assert isinstance(outcome.errors["2"], NotFoundError)


async def test_halt_stops_at_the_first_error(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = webhook_client(portal, http)
    commands = [("timeman.open", {"USER_ID": BOB}), ("timeman.close", {"USER_ID": CARL}),
                ("timeman.open", {"USER_ID": CARL})] + [("timeman.status", {}) for _ in range(60)]
    outcome = await client.batch(commands, halt=True)
    assert "0" in outcome.results and "1" in outcome.errors
    assert "2" not in outcome.results
    assert "2" in outcome.skipped and "62" in outcome.skipped
    assert portal.request_count("batch") == 1
    assert portal.status_of(CARL) == {"STATUS": "CLOSED"}


async def test_pause_many_through_batch(portal: PortalEmulator, http: httpx.AsyncClient, b24: Bitrix24) -> None:
    for user in (BOB, CARL):
        await b24.workday.open(user)
    results = await b24.workday.pause_many([BOB, CARL, 999])
    assert results[BOB].status is WorkdayStatus.PAUSED  # type: ignore[union-attr]
    assert results[CARL].status is WorkdayStatus.PAUSED  # type: ignore[union-attr]
    assert isinstance(results[999], NotFoundError)
    assert portal.request_count("batch") == 1
