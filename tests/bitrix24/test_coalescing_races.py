"""Races and orderings an independent review found in the coalescing layer, each of which
once made a caller hear a wrong outcome or let one user's writes land out of order."""

from __future__ import annotations

import asyncio
import socket
import struct
import time

import httpx
import pytest
from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24Client, DeadlineExceededError, LeakyBucket, RetryPolicy, TransportError, WebhookAuth, WorkdayAPI
from bot.bitrix24.coalesce import Coalescer, Flight
from workday_sandbox.portal.emulator import PortalEmulator
from bot.storage.keys import KeySpace
from bot.storage.pacing import SharedLeakyBucket
from tests.bitrix24.fixtures import ADMIN, BOB, CARL, populate, webhook_client
from tests.bitrix24.test_coalescing import fill_bucket, limited, limited_client, staff  # noqa: F401


# 1. Per-user order with the production limiter (SharedLeakyBucket): the fast path once checked
#    `key not in _in_flight`, then awaits try_acquire (a Redis round trip), and only then
#    marked the key in flight, so two calls for one user both passed the check.
@pytest.mark.parametrize("shared", [False, True], ids=["LeakyBucket", "SharedLeakyBucket"])
async def test_one_users_order_on_the_idle_fast_path(
    limited: PortalEmulator, http: httpx.AsyncClient, redis: Redis, shared: bool  # noqa: F811
) -> None:
    limiter = (SharedLeakyBucket(redis, KeySpace("rv1:"), rate=10.0, burst=5, margin_seconds=0.1)
               if shared else LeakyBucket(10.0, 5, margin_seconds=0.1))
    client = webhook_client(limited, http, limiter=limiter)
    limited.faults.inject("slow", method="timeman.open", delay=0.3, times=1)  # the open lands late
    opened, paused = await asyncio.gather(client.call("timeman.open", {"USER_ID": BOB}),
                                          client.call("timeman.pause", {"USER_ID": BOB}))
    assert limited.status_of(BOB)["STATUS"] == "PAUSED"  # open, then pause


# 2. A command that completed is reported as "not sent" when the caller's deadline passes in
#    the event-loop iteration in which the delivery task hands the answer over: the future
#    already holds the result, Task.cancel() sets _must_cancel, the caller gets
#    CancelledError -> DeadlineExceededError, and maybe_applied = flight.sent, which
#    _send_batch/_send_one already reset to False.
async def test_answer_handed_over_as_the_deadline_passes(
    limited: PortalEmulator, http: httpx.AsyncClient  # noqa: F811
) -> None:
    ids = staff(limited, 2)
    client = limited_client(limited, http)
    api = WorkdayAPI(client)
    await fill_bucket(client)
    coalescer = client.coalescer
    assert coalescer is not None
    real = coalescer._send_batch
    loop = asyncio.get_running_loop()
    deadline_at: list[float] = []

    async def send_batch(commands, flights):  # type: ignore[no-untyped-def]
        outcomes = await real(commands, flights)
        # The answer is in. The loop is busy for a moment (other callers, parsing, GC) and
        # the caller's deadline passes before the last step of this task runs; the sleep(0)
        # stands for that last I/O wake-up (httpx closing the response).
        while loop.time() < deadline_at[0]:
            time.sleep(0.001)
        await asyncio.sleep(0)
        return outcomes

    coalescer._send_batch = send_batch  # type: ignore[method-assign]

    async def open_with_deadline(user_id: int, seconds: float) -> object:
        deadline_at.append(loop.time() + seconds)
        return await client.call("timeman.open", {"USER_ID": user_id}, deadline=seconds)

    results = await asyncio.gather(open_with_deadline(ids[0], 0.5), api.status(ids[1]), return_exceptions=True)
    error = results[0]
    assert limited.status_of(ids[0])["STATUS"] == "OPENED"
    assert not (isinstance(error, DeadlineExceededError) and error.maybe_applied is False), \
        "the day was opened, and the caller was told it was never sent ('NOT recorded')"


# 3. Per-user order inside one batch: since ca8bd43 one batch may carry several commands for
#    one user. If the first is refused with a retriable error (here OPERATION_TIME_LIMIT of
#    its own method), the second still runs, and the first is re-sent after it.
async def test_one_users_order_when_the_first_command_in_a_batch_is_retried(http: httpx.AsyncClient) -> None:
    emulator = PortalEmulator(rate_limit=10.0, rate_burst=5, operating_limit=1.0, operating_bucket_seconds=0.1)
    populate(emulator)
    async with emulator:
        client = webhook_client(emulator, http, limiter=LeakyBucket(10.0, 5, margin_seconds=0.1), deadline=10.0)
        emulator.set_method_runtime("timeman.open", 2.0)
        await client.call("timeman.open", {"USER_ID": ADMIN})  # runs, and blocks timeman.open for ~1 s
        emulator.set_method_runtime("timeman.open", 0.0)
        await fill_bucket(client, 3)
        opened, paused = await asyncio.gather(client.call("timeman.open", {"USER_ID": BOB}),
                                              client.call("timeman.pause", {"USER_ID": BOB}))
        assert emulator.status_of(BOB)["STATUS"] == "PAUSED"


# 3b. Same after a whole batch is refused (nothing ran): each caller retries after its own
#     jittered backoff, so the later command for the user is often re-sent first.
@pytest.mark.parametrize("seed", range(4))
async def test_one_users_order_after_a_refused_batch(
    limited: PortalEmulator, http: httpx.AsyncClient, seed: int  # noqa: F811
) -> None:
    import random

    client = limited_client(limited, http, retry=RetryPolicy(attempts=4, base_delay=0.2, max_delay=0.2),
                            rng=random.Random(seed))
    await fill_bucket(client)
    limited.faults.inject("http_503", method="batch", times=1)
    await asyncio.gather(client.call("timeman.open", {"USER_ID": BOB}), client.call("timeman.pause", {"USER_ID": BOB}))
    assert limited.status_of(BOB)["STATUS"] == "PAUSED"


# 4. One exception object shared by every queued caller when the limiter fails.
class _FailingLimiter:
    async def try_acquire(self) -> bool:
        return False

    async def acquire(self) -> None:
        await asyncio.sleep(0.01)
        raise ConnectionError("redis is down")

    async def on_limited(self) -> None:
        pass


async def test_limiter_failure_gives_every_caller_the_same_exception_object() -> None:
    async def never(*args: object) -> dict:  # pragma: no cover
        raise AssertionError

    coalescer = Coalescer(_FailingLimiter(), never, never, batch_limit=50)  # type: ignore[arg-type]
    errors = await asyncio.gather(*(coalescer.submit("timeman.status", {"USER_ID": n}, Flight()) for n in range(3)),
                                  return_exceptions=True)
    assert all(isinstance(e, ConnectionError) for e in errors)
    assert errors[0] is not errors[1], "one exception object raised in three tasks"


# 6. A deadline that passes while a plain request is in flight: `_send_one`'s
#    `finally: flight.sent = False` runs while the CancelledError unwinds, before
#    `_with_deadline` reads `flight.sent` -> maybe_applied is always False.
@pytest.mark.parametrize("coalesce", [True, False], ids=["coalesce-fast-path", "coalesce-off"])
async def test_deadline_during_a_plain_request_says_never_sent(
    limited: PortalEmulator, http: httpx.AsyncClient, redis: Redis, coalesce: bool  # noqa: F811
) -> None:
    from bot.clock import ManualClock
    from bot.services.workday import WorkdayService
    from bot.storage.day_cache import DayCache
    from tests.bitrix24.fixtures import MONDAY_0700_UTC

    client = limited_client(limited, http, deadline=0.5, request_timeout=5.0, coalesce=coalesce)
    api = WorkdayAPI(client)
    await api.open(BOB)
    service = WorkdayService(api, DayCache(redis, KeySpace("rv6:")), ManualClock(MONDAY_0700_UTC))
    limited.faults.inject("slow", method="timeman.pause", delay=1.0, times=1)
    report, _ = await asyncio.gather(service.pause(BOB), asyncio.sleep(0))
    await asyncio.sleep(1.0)
    assert limited.status_of(BOB)["STATUS"] == "PAUSED"
    assert report.ok or report.failure.value != "unavailable", "told 'NOT recorded' for a pause that was applied"


# 7. The dispatcher (and every delivery it starts) inherits the log context of whichever
#    caller happened to start it: batch logs carry that user's ids.
async def test_dispatcher_inherits_the_first_callers_log_context(
    limited: PortalEmulator, http: httpx.AsyncClient  # noqa: F811
) -> None:
    from bot.logging_setup import _context, log_context

    client = limited_client(limited, http)
    await fill_bucket(client)
    seen = []
    real = client.coalescer._send_batch  # type: ignore[union-attr]

    async def send_batch(commands, flights):  # type: ignore[no-untyped-def]
        seen.append(dict(_context.get()))
        return await real(commands, flights)

    client.coalescer._send_batch = send_batch  # type: ignore[union-attr,method-assign]

    async def as_user(tg: int, b24: int) -> None:
        with log_context(tg_user=tg, b24_user=b24):
            await client.call("timeman.status", {"USER_ID": b24})

    await asyncio.gather(as_user(501, BOB), as_user(502, CARL), as_user(503, ADMIN))
    assert seen and seen[0] == {}


# 8. A connection reset after the portal has read the whole request: the write may have
#    run, so it is not sent again and the caller hears "maybe applied".
async def test_a_reset_after_the_request_was_read_is_maybe_applied(http: httpx.AsyncClient) -> None:
    received: list[bytes] = []

    async def read_then_reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += await reader.read(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        while len(body) < length:
            body += await reader.read(65536)
        received.append(body)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    server = await asyncio.start_server(read_then_reset, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = Bitrix24Client(WebhookAuth(f"http://127.0.0.1:{port}/rest/1/code123/"), http=http,
                                retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02), deadline=5)
        with pytest.raises(TransportError) as caught:
            await client.call("timeman.pause", {"USER_ID": 2})
    finally:
        server.close()
        await server.wait_closed()
    assert caught.value.maybe_applied is True
    assert len(received) == 1
