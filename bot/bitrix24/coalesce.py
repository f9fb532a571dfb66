"""Coalescing: calls that would wait for the rate limiter share one `batch` request.

Bitrix24 counts HTTP requests, and a `batch` of up to 50 commands is one request
(docs/bitrix24.md#request-rate, docs/bitrix24.md#batch). So:

- when the bucket has room and nothing is queued, a call goes out at once on its own,
  exactly as without this layer;
- otherwise it joins a queue, and each request the bucket grants carries up to 50 queued
  commands as one `batch`; every caller gets back its own answer, shaped as if it had
  called alone, and the client's retry and deadline logic applies to it unchanged.

Writes for the same Bitrix24 user keep their order: each takes that user's turn
(`UserTurns`) for the whole call, retries included, so a later write waits until the
earlier one has its final outcome. Reads need no order and never wait for a turn.

Transport knowledge (envelopes, credentials, errors) stays in the client; this module
only decides what goes out when, and hands answers back.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.bitrix24.ratelimit import RateLimiter

log = logging.getLogger(__name__)

Body = dict[str, Any]
# One answer per command: its body, or the exception its caller should see.
Outcome = Body | BaseException


@dataclass(slots=True)
class Flight:
    """One call's current attempt, as the caller's retry loop needs to know it.

    Only the caller clears `sent`, once it has taken an answer: a deadline that strikes
    between the answer arriving and the caller seeing it still knows the request went out."""

    sent: bool = False  # the attempt left (or may have left) for the portal, answer not yet taken
    token: str | None = None  # the access token it was sent with (to refresh it once)
    body: Body | None = None  # the answer, once one was handed over
    abandoned: bool = False  # the caller gave up while it was queued: do not send it


class Abandoned(Exception):
    """Internal: the caller gave up while its command was queued; it is never sent."""


@dataclass(slots=True, eq=False)
class _Queued:
    method: str
    params: dict[str, Any]
    flight: Flight
    future: asyncio.Future[Body] = field(repr=False)


SendOne = Callable[[str, dict[str, Any], Flight], Awaitable[Body]]
SendBatch = Callable[[list[tuple[str, dict[str, Any]]], list[Flight]], Awaitable[list[Outcome]]]


def order_key(params: Mapping[str, Any]) -> Hashable | None:
    """Writes for the same user must run in order; others need not."""
    user = params.get("USER_ID")
    return None if user is None else str(user)


class UserTurns:
    """One write at a time per user, first come first served (asyncio.Lock is FIFO)."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._holders: Counter[Hashable] = Counter()

    @asynccontextmanager
    async def hold(self, key: Hashable | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key]
                del self._locks[key]


class Coalescer:
    def __init__(self, limiter: RateLimiter, send_one: SendOne, send_batch: SendBatch, *, batch_limit: int) -> None:
        self._limiter = limiter
        self._send_one = send_one
        self._send_batch = send_batch
        self._batch_limit = batch_limit
        self._queue: list[_Queued] = []  # in arrival order; given-up items are dropped lazily
        self._dispatcher: asyncio.Task[None] | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        # Figures for tests, benchmarks and logs.
        self.requests = 0
        self.batches = 0
        self.batched_commands = 0

    @property
    def queued(self) -> int:
        return sum(1 for item in self._queue if not item.future.done())

    async def submit(self, method: str, params: dict[str, Any], flight: Flight, *, join_queue: bool = False) -> Body:
        """Send one command, alone if the bucket allows it now, else in the next batch.

        `join_queue` makes the command wait for the next grant even when the bucket has
        room: the commands of one `batch()` call arrive together and should travel together.
        """
        if not join_queue and not self._queue and await self._limiter.try_acquire():
            self.requests += 1
            return await self._send_one(method, params, flight)
        item = _Queued(method, params, flight, asyncio.get_running_loop().create_future())
        self._queue.append(item)
        if self._dispatcher is None or self._dispatcher.done():
            # A context of its own: the requests it sends belong to no one caller's log context.
            self._dispatcher = asyncio.create_task(self._dispatch(), name="bitrix24-coalescer",
                                                   context=contextvars.Context())
        try:
            return await item.future
        except asyncio.CancelledError:
            flight.abandoned = True  # still queued: it will not be sent; in flight: too late to stop
            raise

    def _eligible(self) -> list[_Queued]:
        """Up to `batch_limit` queued commands, oldest first."""
        taken: list[_Queued] = []
        for item in self._queue:
            if not item.future.done():
                taken.append(item)
                if len(taken) >= self._batch_limit:
                    break
        return taken

    async def _dispatch(self) -> None:
        try:
            await self._dispatch_loop()
        except Exception as exc:  # the limiter failed (a shared one needs Redis): nobody may wait for nothing
            log.error("bitrix24 request queue stopped", extra={"ctx_error": repr(exc)})
            for item in self._queue:
                if not item.future.done():
                    item.future.set_exception(copy.copy(exc))
            self._queue.clear()

    async def _dispatch_loop(self) -> None:
        while True:
            self._queue = [item for item in self._queue if not item.future.done()]
            if not self._queue:
                return
            await self._limiter.acquire()
            # Whatever arrived while we waited for the grant travels with it.
            unit = self._eligible()
            if not unit:
                continue  # every waiter gave up meanwhile; the grant is lost, as a request would be
            taken = set(map(id, unit))
            self._queue = [item for item in self._queue if id(item) not in taken]
            task = asyncio.create_task(self._deliver(unit), name="bitrix24-coalesced-request",
                                       context=contextvars.Context())
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)
            # Let the request start before deciding about the next grant.
            await asyncio.sleep(0)

    async def _deliver(self, unit: list[_Queued]) -> None:
        self.requests += 1
        outcomes: list[Outcome]
        try:
            if len(unit) == 1:
                only = unit[0]
                outcomes = [await self._send_one(only.method, only.params, only.flight)]
            else:
                self.batches += 1
                self.batched_commands += len(unit)
                log.debug("bitrix24 coalesced batch", extra={"ctx_commands": len(unit)})
                outcomes = await self._send_batch(
                    [(item.method, item.params) for item in unit], [item.flight for item in unit]
                )
        except asyncio.CancelledError:  # shutdown: nobody may hang on a request that stopped
            for item in unit:
                item.future.cancel()
            raise
        except Exception as exc:  # a lone command's own error: handed to its caller, who decides
            outcomes = [copy.copy(exc) if index else exc for index, _ in enumerate(unit)]
        for item, outcome in zip(unit, outcomes, strict=True):
            if item.future.done():
                continue
            if isinstance(outcome, BaseException):
                item.future.set_exception(outcome)
            else:
                item.flight.body = outcome
                item.future.set_result(outcome)
