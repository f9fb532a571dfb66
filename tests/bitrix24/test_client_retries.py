"""Transient failures are retried, boundedly, and the call then succeeds."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.bitrix24 import InvalidArgumentError, ServerError, TransportError, WorkdayStatus
from bot.bitrix24.workday import WorkdayAPI
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.fixtures import BOB, webhook_client


@pytest.mark.parametrize("kind", ["http_500", "http_502", "http_503", "html", "html_200", "query_limit"])
async def test_transient_failure_then_success(portal: PortalEmulator, http: httpx.AsyncClient, kind: str) -> None:
    portal.faults.inject(kind, method="timeman.open", times=2)
    client = webhook_client(portal, http)
    day = await WorkdayAPI(client).open(BOB)
    assert day.status is WorkdayStatus.OPENED
    assert portal.request_count("timeman.open") == 3
    assert portal.status_of(BOB)["STATUS"] == "OPENED"


async def test_a_dropped_connection_is_retried_for_a_read(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("reset", method="timeman.status", times=2)
    client = webhook_client(portal, http)
    day = await WorkdayAPI(client).status(BOB)
    assert day.status is WorkdayStatus.CLOSED
    assert portal.request_count("timeman.status") == 3


async def test_a_write_whose_connection_dropped_is_not_sent_again(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("reset", method="timeman.open", times=2)
    client = webhook_client(portal, http)
    with pytest.raises(TransportError) as caught:
        await WorkdayAPI(client).open(BOB)
    assert caught.value.maybe_applied is True
    assert portal.request_count("timeman.open") == 1


async def test_slow_answer_is_retried_after_a_read_timeout(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("slow", method="timeman.status", delay=1.5, times=1)
    client = webhook_client(portal, http, request_timeout=0.3)
    day = await WorkdayAPI(client).status(BOB)
    assert day.status is WorkdayStatus.CLOSED
    assert client.http_requests == 2


async def test_a_write_that_timed_out_is_not_sent_again(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    # The first attempt may still land: sending it again could land after the user's next
    # action (a resume), and pause the day behind their back.
    portal.faults.inject("slow", method="timeman.pause", delay=1.0, times=1)
    client = webhook_client(portal, http, request_timeout=0.3)
    api = WorkdayAPI(client)
    await api.open(BOB)
    before = client.http_requests
    with pytest.raises(TransportError) as caught:
        await api.pause(BOB)
    assert caught.value.maybe_applied is True
    assert client.http_requests - before == 1
    await asyncio.sleep(1.0)
    assert portal.status_of(BOB)["STATUS"] == "PAUSED"
    assert portal.request_count("timeman.pause") == 1


async def test_retries_are_bounded(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("http_500", times=100)
    client = webhook_client(portal, http)  # 4 attempts
    with pytest.raises(ServerError):
        await client.call("timeman.status")
    assert portal.request_count("timeman.status") == 4


async def test_invalid_argument_is_not_retried(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = webhook_client(portal, http)
    with pytest.raises(InvalidArgumentError):
        await client.call("timeman.close", {"USER_ID": BOB})
    assert portal.request_count("timeman.close") == 1
