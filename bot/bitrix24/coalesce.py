"""Coalescing: calls that would wait for the rate limiter share one `batch` request.

Bitrix24 counts HTTP requests, and a `batch` of up to 50 commands is one request
(reference §4.1, §5). So:

- when the bucket has room and nothing is queued, a call goes out at once on its own,
  exactly as without this layer;
- otherwise it joins a queue, and each request the bucket grants carries up to 50 queued
  commands as one `batch`; every caller gets back its own answer, shaped as if it had
  called alone, and the client's retry and deadline logic applies to it unchanged.

Commands that act on the same Bitrix24 user keep their order: while a request carrying
one is in flight, later ones for that user wait; one `batch` may carry several, since
Bitrix24 runs a batch's commands one after another in the order given.

Transport knowledge (envelopes, credentials, errors) stays in the client; this module
only decides what goes out when, and hands answers back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.bitrix24.ratelimit import RateLimiter

log = logging.getLogger(__name__)

Body = dict[str, Any]
# One answer per command: its body, or the exception its caller should see.
Outcome = Body | BaseException


@dataclass(slots=True)
class Flight:
    """One call's current attempt, as the caller's retry loop needs to know it."""

    sent: bool = False  # the attempt left for the portal and has no answer yet
    token: str | None = None  # the access token it was sent with (to refresh it once)


@dataclass(slots=True)
class _Queued:
    seq: int
    method: str
    params: dict[str, Any]
    order_key: Hashable | None
    flight: Flight
    future: asyncio.Future[Body] = field(repr=False)


SendOne = Callable[[str, dict[str, Any], Flight], Awaitable[Body]]
SendBatch = Callable[[list[tuple[str, dict[str, Any]]], list[Flight]], Awaitable[list[Outcome]]]


def order_key(params: Mapping[str, Any]) -> Hashable | None:
    """Commands for the same user must run in order; others need not."""
    user = params.get("USER_ID")
    return None if user is None else str(user)


class Coalescer:
    def __init__(self, limiter: RateLimiter, send_one: SendOne, send_batch: SendBatch, *, batch_limit: int) -> None:
        self._limiter = limiter
        self._send_one = send_one
        self._send_batch = send_batch
        self._batch_limit = batch_limit
        self._queue: list[_Queued] = []  # in arrival order
        self._in_flight: set[Hashable] = set()  # order keys with a command out
        self._seq = 0
        self._changed = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        # Figures for tests, benchmarks and logs.
        self.requests = 0
        self.batches = 0
        self.batched_commands = 0

    @property
    def queued(self) -> int:
        return len(self._queue)

    async def submit(self, method: str, params: dict[str, Any], flight: Flight, *, join_queue: bool = False) -> Body:
        """Send one command, alone if the bucket allows it now, else in the next batch.

        `join_queue` makes the command wait for the next grant even when the bucket has
        room: the commands of one `batch()` call arrive together and should travel together.
        """
        key = order_key(params)
        if not join_queue and not self._queue and key not in self._in_flight and await self._limiter.try_acquire():
            self.requests += 1
            if key is None:
                return await self._send_one(method, params, flight)
            self._in_flight.add(key)
            try:
                return await self._send_one(method, params, flight)
            finally:
                self._in_flight.discard(key)
                self._wake()
        self._seq += 1
        item = _Queued(self._seq, method, params, key, flight, asyncio.get_running_loop().create_future())
        self._queue.append(item)
        self._wake()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="bitrix24-coalescer")
        try:
            return await item.future
        except asyncio.CancelledError:  # the caller gave up (its deadline): drop it if still queued
            if item in self._queue:
                self._queue.remove(item)
            raise

    def _wake(self) -> None:
        self._changed.set()

    def _eligible(self) -> list[_Queued]:
        """Up to `batch_limit` queued commands that may go now, oldest first."""
        taken: list[_Queued] = []
        for item in self._queue:
            if item.future.done() or item.order_key in self._in_flight:
                continue
            # Several for one user may share a request: a batch runs its commands in order.
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
                    item.future.set_exception(exc)
            self._queue.clear()

    async def _dispatch_loop(self) -> None:
        while True:
            self._queue = [item for item in self._queue if not item.future.done()]
            if not self._queue:
                return
            if not self._eligible():
                self._changed.clear()
                await self._changed.wait()  # an in-flight command for the same user must finish first
                continue
            await self._limiter.acquire()
            # Whatever arrived while we waited for the grant travels with it.
            unit = self._eligible()
            if not unit:
                continue  # every waiter gave up meanwhile; the grant is lost, as a request would be
            for item in unit:
                self._queue.remove(item)
                if item.order_key is not None:
                    self._in_flight.add(item.order_key)
            task = asyncio.create_task(self._deliver(unit), name="bitrix24-coalesced-request")
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
            self._settle(unit, [])
            raise
        except Exception as exc:  # a lone command's own error: handed to its caller, who decides
            outcomes = [exc for _ in unit]
        self._settle(unit, outcomes)

    def _settle(self, unit: list[_Queued], outcomes: list[Outcome]) -> None:
        for item in unit:
            if item.order_key is not None:
                self._in_flight.discard(item.order_key)
        for item, outcome in zip(unit, outcomes):
            if item.future.done():
                continue
            if isinstance(outcome, BaseException):
                item.future.set_exception(outcome)
            else:
                item.future.set_result(outcome)
        self._wake()

    async def aclose(self) -> None:
        """Stop dispatching; fail what is still queued (used at shutdown)."""
        tasks = [t for t in (self._dispatcher, *self._deliveries) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for item in self._queue:
            if not item.future.done():
                item.future.cancel()
        self._queue.clear()
