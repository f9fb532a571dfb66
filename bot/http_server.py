"""The bot's HTTP listeners (the webhook, health and metrics), bounded against clients
that open connections and never finish a request.

- A connection that has not sent a complete request head within `idle_timeout` seconds
  is closed: idle keep-alive connections and slow-header clients alike (aiohttp's
  keep-alive timer starts when the connection opens and is not extended by a trickle).
- A request must be read and answered within `request_timeout` (slow bodies).
- At most `max_connections` are open across all listeners; one more closes the oldest
  idle ones first, so a crowd of idle sockets cannot keep /healthz or Telegram out. The
  cap stays below the process's open-files limit, leaving room for the bot's own Redis,
  Bitrix24 and Telegram connections.
- The event loop's own error reports (a failed `accept()` repeats on every loop pass)
  and aiohttp's reports of malformed requests are logged once per kind per minute, with
  a count, never as a flood of tracebacks.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)

# Files the bot opens itself: Redis pool (64), Bitrix24 (20), the two Telegram sessions
# (100 + 8), logs and a burst of accepted sockets not yet closed.
RESERVED_FILES = 256
MIN_CONNECTIONS = 8
LINGERING_SECONDS = 1.0
PENDING_SECONDS = 10.0  # a handler whose connection never registered is forgotten then


@dataclass(frozen=True)
class ServerLimits:
    max_connections: int
    idle_timeout: float
    request_timeout: float


def connection_cap(configured: int, *, reserved: int = RESERVED_FILES, open_files: int | None = None) -> int:
    """`configured`, lowered to fit under the open-files limit (this process's soft
    RLIMIT_NOFILE unless given) with `reserved` to spare."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0] if open_files is None else open_files
    if soft == resource.RLIM_INFINITY:
        return configured
    room = max(MIN_CONNECTIONS, soft - reserved)
    if configured > room:
        log.warning("fewer HTTP connections than configured: the open-files limit is low",
                    extra={"ctx_configured": configured, "ctx_cap": room, "ctx_nofile": soft})
    return min(configured, room)


class ConnectionCap:
    """Counts open connections over several aiohttp servers; a new one beyond `limit`
    closes the oldest idle one (or, when none is idle, the oldest)."""

    def __init__(self, limit: int, *, timer: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.evicted = 0
        self._timer = timer
        self._servers: list[web.Server] = []
        # Every handler made, oldest first, with when it was made. One is made before its
        # connection is registered with its server, so "not open" may mean "not yet".
        self._made: dict[RequestHandler, float] = {}
        self._seen: set[RequestHandler] = set()
        self._closing: set[RequestHandler] = set()

    def protocol_factory(self, server: web.Server) -> Callable[[], RequestHandler]:
        self._servers.append(server)

        def make() -> RequestHandler:
            self._make_room()
            handler = server()
            self._made[handler] = self._timer()
            return handler

        return make

    def _make_room(self) -> None:
        # `_made` may still hold a few that are gone: that can only make this early.
        if len(self._made) - len(self._closing) < self.limit:
            return
        self._forget_gone()
        open_count = len(self._made) - len(self._closing)
        if open_count < self.limit:
            return
        # Room for a tenth of the cap at once: under a flood this pass over every
        # connection runs once per `limit // 10` new ones, not for each.
        excess = open_count + 1 - (self.limit - self.limit // 10)
        candidates = [h for h in self._made if h in self._seen and h not in self._closing]
        # Idle ones first (no request head yet: the crowd a slow or idle client leaves),
        # then the oldest busy ones; each request is bounded by its deadline anyway.
        for handler in sorted(candidates, key=lambda h: not _waiting_for_request(h))[:excess]:
            self._closing.add(handler)
            # close() would leave an idle connection's socket open (aiohttp only cancels
            # its wait); force_close() closes the transport now.
            handler.force_close()
            self.evicted += 1

    def _forget_gone(self) -> None:
        open_now = {handler for server in self._servers for handler in server.connections}
        now = self._timer()
        for handler, made in list(self._made.items()):
            if handler in open_now:
                self._seen.add(handler)
            elif handler in self._seen or now - made > PENDING_SECONDS:
                del self._made[handler]
                self._seen.discard(handler)
                self._closing.discard(handler)


def _waiting_for_request(handler: RequestHandler) -> bool:
    waiter = getattr(handler, "_waiter", None)  # aiohttp's wait for the next request head
    return waiter is not None and not waiter.done()


def harden(app: web.Application, limits: ServerLimits) -> web.Application:
    """Bound each request's time and keep the software and version out of the headers."""

    @web.middleware
    async def request_deadline(request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]) -> Any:
        try:
            async with asyncio.timeout(limits.request_timeout):
                return await handler(request)
        except TimeoutError:
            raise web.HTTPRequestTimeout(headers={hdrs.CONNECTION: "close"}) from None

    async def drop_server_header(_request: web.Request, response: web.StreamResponse) -> None:
        response.headers.popall(hdrs.SERVER, None)

    app.middlewares.append(request_deadline)
    app.on_response_prepare.append(drop_server_header)
    return app


class Listeners:
    """aiohttp applications on their own ports, sharing one connection cap."""

    def __init__(self, limits: ServerLimits, *, reserved_files: int = RESERVED_FILES) -> None:
        self.limits = limits
        self.cap = ConnectionCap(connection_cap(limits.max_connections, reserved=reserved_files))
        self._runners: list[web.AppRunner] = []
        self._servers: list[asyncio.Server] = []

    async def serve(self, app: web.Application, host: str, port: int) -> None:
        # After an answer sent before the body was read (a 401, a 408) aiohttp keeps
        # reading the rest for `lingering_time`, 10 s by default: a slow client's gift.
        runner = web.AppRunner(app, keepalive_timeout=self.limits.idle_timeout, access_log=None,
                               handler_cancellation=True, lingering_time=LINGERING_SECONDS,
                               logger=REQUEST_LOG)
        await runner.setup()
        self._runners.append(runner)
        assert runner.server is not None
        factory = self.cap.protocol_factory(runner.server)
        loop = asyncio.get_running_loop()
        # asyncio accepts up to `backlog` sockets in one go before any is capped: part of
        # RESERVED_FILES.
        self._servers.append(await loop.create_server(factory, host, port, reuse_address=True, backlog=100))

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._servers.clear()
        self._runners.clear()


class _Budget:
    """Once per `interval` seconds per key; counts what it holds back."""

    def __init__(self, interval: float, timer: Callable[[], float]) -> None:
        self._interval = interval
        self._timer = timer
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def take(self, key: str) -> int | None:
        """None to stay silent; else how many were held back since the last report."""
        now = self._timer()
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            self._held[key] = self._held.get(key, 0) + 1
            return None
        self._last[key] = now
        return self._held.pop(key, 0)


class RequestErrorLog(logging.Filter):
    """For the logger aiohttp reports request errors to: a malformed request (a client's
    doing) becomes one warning line without a traceback; each kind is reported at most
    once per `interval` seconds. Errors in our own handlers keep their traceback."""

    def __init__(self, *, interval: float = 60.0, timer: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._budget = _Budget(interval, timer)

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        client_error = isinstance(error, HttpProcessingError)
        repeated = self._budget.take(type(error).__name__ if client_error else record.getMessage())
        if repeated is None:
            return False
        record.ctx_repeated = repeated
        if client_error:
            assert isinstance(error, HttpProcessingError)
            record.msg = "malformed HTTP request refused: %s %s"
            record.args = (error.code, type(error).__name__)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


REQUEST_LOG = logging.getLogger("bot.http_server.requests")
REQUEST_LOG.addFilter(RequestErrorLog())


class BoundedLoopErrors:
    """An event-loop exception handler that reports each kind of error at most once per
    `interval` seconds, with the number of repeats it left out. Resource and connection
    errors (caused from outside, e.g. EMFILE on accept) are logged without a traceback."""

    def __init__(self, *, interval: float = 60.0, timer: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._budget = _Budget(interval, timer)

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.set_exception_handler(self)

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        kind = type(error).__name__ if error else ""
        repeated = self._budget.take(f"{context.get('message', '')}|{kind}")
        if repeated is None:
            return
        if isinstance(error, OSError):
            log.warning("%s: %s", context.get("message", "event loop error"), error,
                        extra={"ctx_repeated": repeated, "ctx_next_report_s": int(self._interval)})
            return
        if repeated:
            context = {**context, "message": f"{context.get('message', '')} ({repeated} more left out)"}
        loop.default_exception_handler(context)
