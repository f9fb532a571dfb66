"""The client's leaky bucket keeps a burst of calls under the portal's limit."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.bitrix24 import LeakyBucket, RetryPolicy
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.fixtures import ADMIN, webhook_client


@pytest.mark.slow
async def test_burst_of_300_calls_meets_no_query_limit(http: httpx.AsyncClient) -> None:
    # The portal's default plan: burst 50, 2 per second. Without coalescing, 300 calls take
    # about two minutes, one request each: this proves the bucket alone.
    emulator = PortalEmulator(rate_limit=2.0, rate_burst=50)
    emulator.add_user(ADMIN, email="ada@example.com", timeman_admin=True)
    async with emulator:
        client = webhook_client(emulator, http, limiter=LeakyBucket(2.0, 50), deadline=600.0, coalesce=False)
        results = await asyncio.gather(*(client.call("timeman.status") for _ in range(300)))
    assert len(results) == 300 and all(r == {"STATUS": "CLOSED"} for r in results)
    limited = [r for r in emulator.requests if r.error == "QUERY_LIMIT_EXCEEDED"]
    assert limited == []
    assert emulator.request_count("timeman.status") == 300


async def test_without_the_bucket_the_portal_refuses_and_retries_recover(http: httpx.AsyncClient) -> None:
    # Control experiment: the same burst with no client-side bucket does meet the limit,
    # so the test above proves the bucket, not a lenient emulator.
    emulator = PortalEmulator(rate_limit=20.0, rate_burst=5)
    emulator.add_user(ADMIN, email="ada@example.com", timeman_admin=True)
    async with emulator:
        client = webhook_client(emulator, http, deadline=30.0,
                                retry=RetryPolicy(attempts=12, base_delay=0.1, max_delay=1.0))
        results = await asyncio.gather(*(client.call("timeman.status") for _ in range(20)))
    assert len(results) == 20
    assert any(r.error == "QUERY_LIMIT_EXCEEDED" for r in emulator.requests)


async def test_burst_of_300_calls_coalesced_fits_the_burst(http: httpx.AsyncClient) -> None:
    # The same burst with coalescing: what does not fit the bucket rides in batches.
    emulator = PortalEmulator(rate_limit=2.0, rate_burst=50)
    emulator.add_user(ADMIN, email="ada@example.com", timeman_admin=True)
    async with emulator:
        bucket = LeakyBucket(2.0, 50)
        client = webhook_client(emulator, http, limiter=bucket, deadline=60.0)
        results = await asyncio.gather(*(client.call("timeman.status") for _ in range(300)))
    assert len(results) == 300 and all(r == {"STATUS": "CLOSED"} for r in results)
    assert [r for r in emulator.requests if r.error == "QUERY_LIMIT_EXCEEDED"] == []
    assert emulator.request_count("timeman.status", count_inner=True) == 300
    outer = sum(1 for r in emulator.requests if not r.batch)
    alone = int(bucket.capacity)  # what fits the bucket goes alone, the rest 50 per batch
    assert outer == alone + -(-(300 - alone) // 50)
