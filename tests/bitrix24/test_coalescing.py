"""Coalescing: plain requests when idle, `batch` requests under pressure, and every caller
still gets its own answer, its own error and its own truthful "maybe applied"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.bitrix24 import (
    Bitrix24Client,
    DeadlineExceededError,
    InvalidArgumentError,
    LeakyBucket,
    NotFoundError,
    OAuthAuth,
    RetryPolicy,
    TransportError,
    WorkdayAPI,
    WorkdayStatus,
)
from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from bot.services.workday import Change, WorkdayService
from bot.storage.day_cache import DayCache
from bot.storage.keys import KeySpace
from bot.storage.pacing import SharedLeakyBucket
from bot.storage.tokens import RedisTokenStore
from tests.bitrix24.fixtures import ADMIN, BOB, CARL, populate, webhook_client

FIRST_EXTRA = 100


def staff(portal: PortalEmulator, count: int) -> list[int]:
    ids = [FIRST_EXTRA + index for index in range(count)]
    for user_id in ids:
        portal.add_user(user_id, email=f"e{user_id}@example.com", name=f"E{user_id}", time_zone="Europe/Berlin")
    return ids


@pytest.fixture
async def limited(clock: ManualClock) -> AsyncIterator[PortalEmulator]:
    """A portal with a small bucket (burst 5, 10 per second) so pressure comes quickly."""
    emulator = PortalEmulator(clock=clock, rate_limit=10.0, rate_burst=5)
    populate(emulator)
    await emulator.start()
    yield emulator
    await emulator.stop()


def bucket() -> LeakyBucket:
    """The client's copy of the portal's bucket; a tenth of a second of lag margin leaves 4."""
    return LeakyBucket(10.0, 5, margin_seconds=0.1)


def limited_client(portal: PortalEmulator, http: httpx.AsyncClient, **kwargs: object) -> Bitrix24Client:
    options: dict[str, object] = {"limiter": bucket()}
    options.update(kwargs)
    return webhook_client(portal, http, **options)


async def fill_bucket(client: Bitrix24Client, calls: int = 4) -> None:
    """Use up the client's bucket with plain requests, one after another."""
    for _ in range(calls):
        await client.call("user.current")


def outer_requests(portal: PortalEmulator) -> int:
    return sum(1 for record in portal.requests if not record.batch)


def query_limited(portal: PortalEmulator) -> int:
    return sum(1 for record in portal.requests if record.error == "QUERY_LIMIT_EXCEEDED")


async def test_an_idle_call_is_one_plain_request(limited: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = limited_client(limited, http)
    day = await WorkdayAPI(client).status(BOB)
    assert day.status is WorkdayStatus.CLOSED
    assert [(r.method, r.batch) for r in limited.requests] == [("timeman.status", False)]
    assert client.coalescer is not None and client.coalescer.batches == 0


async def test_calls_that_would_wait_share_batches(limited: PortalEmulator, http: httpx.AsyncClient) -> None:
    ids = staff(limited, 120)
    client = limited_client(limited, http)
    api = WorkdayAPI(client)
    days = await asyncio.gather(*(api.open(user_id) for user_id in ids))
    assert all(day.status is WorkdayStatus.OPENED for day in days)
    assert all(limited.status_of(user_id)["STATUS"] == "OPENED" for user_id in ids)
    # One request per call would be 120; the bucket lets about 4 go alone, the rest ride in batches.
    assert outer_requests(limited) < 12
    assert limited.request_count("batch") >= 2
    assert limited.request_count("timeman.open", count_inner=True) == 120
    assert query_limited(limited) == 0


async def test_each_caller_gets_its_own_error(limited: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = limited_client(limited, http)
    api = WorkdayAPI(client)
    await fill_bucket(client)
    results = await asyncio.gather(
        api.open(BOB), api.status(999), api.close(CARL), api.status(ADMIN), return_exceptions=True
    )
    assert limited.request_count("batch") == 1
    opened, unknown, refused, admin = results
    assert opened.status is WorkdayStatus.OPENED  # type: ignore[union-attr]
    assert isinstance(unknown, NotFoundError) and unknown.method == "timeman.status"
    assert isinstance(refused, InvalidArgumentError) and refused.method == "timeman.close"
    assert admin.status is WorkdayStatus.CLOSED  # type: ignore[union-attr]
    # Each caller owns its error: annotating one never changes another's.
    unknown.maybe_applied = True
    assert refused.maybe_applied is False


async def test_a_lost_batch_answer_leaves_writes_maybe_applied_and_not_resent(
    limited: PortalEmulator, http: httpx.AsyncClient
) -> None:
    ids = staff(limited, 6)
    client = limited_client(limited, http, request_timeout=0.3, deadline=5.0)
    api = WorkdayAPI(client)
    await asyncio.gather(*(api.open(user_id) for user_id in ids))
    limited.faults.inject("slow", method="batch", delay=1.0, times=1)
    pauses = [api.pause(user_id) for user_id in ids[:3]]
    reads = [api.status(user_id) for user_id in ids[3:]]
    results = await asyncio.gather(*pauses, *reads, return_exceptions=True)
    for error in results[:3]:
        assert isinstance(error, TransportError) and error.maybe_applied is True
    for day in results[3:]:
        assert day.status is WorkdayStatus.OPENED  # type: ignore[union-attr]
    await asyncio.sleep(1.0)  # the slow batch lands late: the pauses were applied once
    assert limited.request_count("timeman.pause", count_inner=True) == 3
    assert all(limited.status_of(user_id)["STATUS"] == "PAUSED" for user_id in ids[:3])


async def test_the_service_verifies_a_pause_whose_batch_answer_was_lost(
    limited: PortalEmulator, http: httpx.AsyncClient, redis: Redis, clock: ManualClock
) -> None:
    client = limited_client(limited, http, request_timeout=0.3, deadline=5.0)
    api = WorkdayAPI(client)
    service = WorkdayService(api, DayCache(redis, KeySpace("t:")), clock)
    await api.open(BOB)
    await fill_bucket(client)
    limited.faults.inject("slow", method="batch", delay=0.5, times=1)
    report, _ = await asyncio.gather(service.pause(BOB), api.status(CARL))
    assert report.ok and report.change is Change.PAUSED
    assert limited.status_of(BOB)["STATUS"] == "PAUSED"
    assert limited.request_count("timeman.pause", count_inner=True) == 1


async def test_refused_reads_are_retried_inside_the_queue(limited: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = limited_client(limited, http, retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05))
    api = WorkdayAPI(client)
    await fill_bucket(client)
    limited.faults.inject("http_503", method="batch", times=1)  # the whole batch refused: nothing ran
    days = await asyncio.gather(api.status(BOB), api.status(CARL), api.open(BOB))
    assert days[2].status is WorkdayStatus.OPENED
    assert limited.request_count("timeman.open", count_inner=True) == 1


async def test_a_queued_call_past_its_deadline_was_never_sent(limited: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = limited_client(limited, http, limiter=LeakyBucket(0.5, 2))
    await client.call("timeman.status", {"USER_ID": ADMIN})  # the bucket (capacity 1) is now full
    with pytest.raises(DeadlineExceededError) as caught:
        await client.call("timeman.open", {"USER_ID": BOB}, deadline=0.3)
    assert caught.value.maybe_applied is False
    await asyncio.sleep(0.1)
    assert limited.request_count("timeman.open", count_inner=True) == 0
    assert limited.status_of(BOB)["STATUS"] == "CLOSED"


async def test_commands_for_one_user_keep_their_order(limited: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = limited_client(limited, http)
    await fill_bucket(client)
    steps = ["timeman.open", "timeman.pause", "timeman.open", "timeman.pause", "timeman.open"]
    answers = await asyncio.gather(*(client.call(method, {"USER_ID": BOB}) for method in steps))
    assert [answer["STATUS"] for answer in answers] == ["OPENED", "PAUSED", "OPENED", "PAUSED", "OPENED"]
    bob = [r.method for r in limited.requests if r.user_id == ADMIN and r.method.startswith("timeman.")
           and r.method != "timeman.status"]
    assert bob == steps  # the webhook's user acts; the emulator ran them in the order given


async def test_reminder_batches_and_interactive_calls_share_requests(
    limited: PortalEmulator, http: httpx.AsyncClient
) -> None:
    ids = staff(limited, 30)
    client = limited_client(limited, http)
    api = WorkdayAPI(client)
    await fill_bucket(client)
    before = outer_requests(limited)
    many, *lone = await asyncio.gather(api.status_many(ids), *(api.open(user_id) for user_id in ids[:10]))
    assert all(day.status in (WorkdayStatus.CLOSED, WorkdayStatus.OPENED) for day in many.values())  # type: ignore[union-attr]
    assert all(day.status is WorkdayStatus.OPENED for day in lone)
    # 30 reads and 10 opens: 40 commands; an open waits only while its own user's read is out.
    assert outer_requests(limited) - before <= 3
    assert limited.request_count("timeman.status", count_inner=True) == 30


async def test_two_clients_sharing_the_redis_bucket_never_exceed_it(
    limited: PortalEmulator, http: httpx.AsyncClient, redis: Redis
) -> None:
    ids = staff(limited, 100)
    keys = KeySpace("t:")
    clients = [webhook_client(limited, http, code=f"replica{n}code", deadline=20.0,
                              limiter=SharedLeakyBucket(redis, keys, rate=10.0, burst=5,
                                                        margin_seconds=0.1)) for n in (1, 2)]
    apis = [WorkdayAPI(client) for client in clients]
    days = await asyncio.gather(*(apis[index % 2].open(user_id) for index, user_id in enumerate(ids)))
    assert all(day.status is WorkdayStatus.OPENED for day in days)
    assert query_limited(limited) == 0
    assert outer_requests(limited) < 20
    assert all(client.coalescer is not None and client.coalescer.batches >= 1 for client in clients)


async def test_a_token_refresh_triggered_by_a_batch_answer(
    limited: PortalEmulator, http: httpx.AsyncClient, redis: Redis, clock: ManualClock
) -> None:
    limited.add_app(client_id="local.app", client_secret="app-secret-99", scopes=("timeman", "user", "im"))
    grant = limited.issue_tokens(client_id="local.app", user_id=ADMIN)
    auth = OAuthAuth(portal_url=limited.base_url, client_id="local.app", client_secret="app-secret-99",
                     access_token=grant["access_token"], refresh_token=grant["refresh_token"], http=http,
                     store=RedisTokenStore(redis), oauth_server_url=limited.oauth_url, clock=clock)
    client = Bitrix24Client(auth, http=http, limiter=bucket(), deadline=10.0,
                            retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02))
    api = WorkdayAPI(client)
    await fill_bucket(client)
    limited.expire_access_tokens()
    days = await asyncio.gather(*(api.open(user_id) for user_id in (BOB, CARL)), api.status(ADMIN))
    assert [day.status for day in days] == [WorkdayStatus.OPENED, WorkdayStatus.OPENED, WorkdayStatus.CLOSED]
    assert auth.refresh_count == 1
    assert any(r.method == "batch" and r.error == "expired_token" for r in limited.requests)
    assert limited.request_count("timeman.open", count_inner=True) == 2


async def test_switched_off_every_call_is_its_own_request(limited: PortalEmulator, http: httpx.AsyncClient) -> None:
    ids = staff(limited, 12)
    client = limited_client(limited, http, coalesce=False, deadline=20.0)
    await asyncio.gather(*(WorkdayAPI(client).open(user_id) for user_id in ids))
    assert client.coalescer is None
    assert limited.request_count("batch") == 0
    assert limited.request_count("timeman.open") == 12


async def test_a_command_blocked_by_the_operating_limit_inside_a_batch_waits_it_out(
    http: httpx.AsyncClient,
) -> None:
    # Inner commands count against their own method's operating time (docs/bitrix24.md#operating-time-limit):
    # the blocked read waits for its method's window while the open beside it goes through.
    emulator = PortalEmulator(rate_limit=10.0, rate_burst=5, operating_limit=1.0, operating_bucket_seconds=0.1)
    populate(emulator)
    async with emulator:
        client = webhook_client(emulator, http, limiter=bucket(), deadline=10.0)
        emulator.set_method_runtime("timeman.status", 2.0)
        await client.call("timeman.status", {"USER_ID": ADMIN})  # runs, and blocks the method
        emulator.set_method_runtime("timeman.status", 0.0)
        await fill_bucket(client, 3)  # with the call above, the bucket is full
        status, opened = await asyncio.gather(client.call("timeman.status", {"USER_ID": BOB}),
                                              client.call("timeman.open", {"USER_ID": CARL}))
        assert status == {"STATUS": "CLOSED"} and opened["STATUS"] == "OPENED"
        blocked = [r for r in emulator.requests if r.error == "OPERATION_TIME_LIMIT"]
        assert blocked and all(r.batch and r.method == "timeman.status" for r in blocked)
        assert emulator.request_count("timeman.open", count_inner=True) == 1


async def test_a_raw_batch_call_is_never_nested_in_another_batch(limited: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = limited_client(limited, http, deadline=10.0)
    await fill_bucket(client)
    answers = await asyncio.gather(
        client.call("batch", {"cmd": {"a": "timeman.status?USER_ID=2"}}), client.call("timeman.status", {"USER_ID": CARL}),
        client.call("timeman.status", {"USER_ID": BOB}))
    assert answers[0]["result"]["a"] == {"STATUS": "CLOSED"}
    assert not [r for r in limited.requests if r.batch and r.method == "batch"]


async def test_a_long_batch_call_keeps_each_commands_deadline_to_its_own_chunk(
    limited: PortalEmulator, http: httpx.AsyncClient
) -> None:
    # 200 commands need 4 requests; at one grant per second the last waits about 3 s, more
    # than the 1.5 s deadline, unless each chunk's deadline starts when the chunk does.
    client = limited_client(limited, http, limiter=LeakyBucket(1.0, 2, margin_seconds=0.1), deadline=1.5)
    outcome = await client.batch([("timeman.status", {"USER_ID": (ADMIN, BOB, CARL)[i % 3]}) for i in range(200)])
    assert not outcome.errors
    assert len(outcome.results) == 200


async def test_every_http_request_is_reported_with_its_outcome(limited: PortalEmulator, http: httpx.AsyncClient) -> None:
    heard: list[tuple[str, str]] = []
    client = limited_client(limited, http, on_request=lambda method, outcome: heard.append((method, outcome)))
    await fill_bucket(client)
    limited.faults.inject("http_503", method="batch", times=1)
    await asyncio.gather(*(client.call("timeman.status", {"USER_ID": user}) for user in (ADMIN, BOB, CARL)))
    assert heard[:4] == [("user.current", "ok")] * 4
    assert ("batch", "ServerError") in heard and ("batch", "ok") in heard
    assert len(heard) == sum(1 for r in limited.requests if not r.batch)
