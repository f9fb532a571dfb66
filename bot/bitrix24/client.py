"""The async Bitrix24 REST client: `call()` and `batch()` with auth, rate limiting and retries.

One instance per portal, on a shared `httpx.AsyncClient` that its owner closes. With a
rate limiter, calls that would wait for it are coalesced into `batch` requests
(`bot.bitrix24.coalesce`); each caller still sees its own answer and its own errors.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.bitrix24.auth import Auth
from bot.bitrix24.coalesce import Abandoned, Body, Coalescer, Flight, Outcome, UserTurns, order_key
from bot.bitrix24.encoding import batch_command
from bot.bitrix24.errors import (
    Bitrix24Error,
    DeadlineExceededError,
    OperationTimeLimitError,
    PortalMovedError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnavailableError,
    error_from_response,
)
from bot.bitrix24.ratelimit import RateLimiter
from bot.redaction import install_url_redaction, redact

log = logging.getLogger(__name__)
install_url_redaction()

BATCH_LIMIT = 50
# Errors that prove a request never reached the portal.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
# Bitrix24 refuses these inside a batch (docs/bitrix24.md#batch-request): they always go alone.
_NOT_BATCHABLE = frozenset({"batch", "upload", "download"})
_METHOD_NAME = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
# Refreshing twice within one call means the fresh token was refused too: stop there.
_MAX_REFRESHES_PER_CALL = 2
# The token has expired, or the portal no longer knows it (revoked, or rotated by another
# install): a refresh may cure both. Without a refresh token they stay auth errors.
_REFRESHABLE = frozenset({"expired_token", "invalid_token"})

Command = tuple[str, Mapping[str, Any] | None]

# Methods that only read: safe to send again when an answer was lost. Anything else may
# change the portal, and is never re-sent once it may have been applied.
_READ_SUFFIXES = (".get", ".list", ".status", ".settings", ".current", ".fields")


def is_read(method: str) -> bool:
    return method.endswith(_READ_SUFFIXES)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


@dataclass(frozen=True)
class Envelope:
    """A successful answer: `result`, plus `total`/`next` for list methods and the `time` block."""

    result: Any
    total: int | None = None
    next: int | None = None
    time: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class BatchResult:
    """Per-command outcomes of `batch()`, keyed as the commands were."""

    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Bitrix24Error] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    nexts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def get(self, key: str) -> Any:
        """The command's result, or raise its error."""
        if key in self.errors:
            raise self.errors[key]
        if key in self.results:
            return self.results[key]
        raise KeyError(key)


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(self, error: Bitrix24Error, wait: float | None = None, *, limited: bool = False) -> None:
        self.error = error
        self.wait = wait
        self.limited = limited


def _own_copy(exc: BaseException) -> BaseException:
    """An exception for one of the callers that shared a request: callers annotate their
    errors (`maybe_applied`), so none may see another's."""
    if isinstance(exc, _Retry):
        return _Retry(copy.copy(exc.error), exc.wait, limited=exc.limited)
    return copy.copy(exc)


class Bitrix24Client:
    def __init__(
        self,
        auth: Auth,
        *,
        http: httpx.AsyncClient,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy = RetryPolicy(),
        deadline: float = 30.0,
        request_timeout: float = 10.0,
        rng: random.Random | None = None,
        coalesce: bool = True,
        on_request: Callable[[str, str], None] | None = None,
    ) -> None:
        """`on_request(method, outcome)` hears of every HTTP request: "ok" or the error's
        class name (for metrics)."""
        self.auth = auth
        self._on_request = on_request
        self._http = http
        self._limiter = limiter
        self._retry = retry
        self._deadline = deadline
        self._request_timeout = request_timeout
        self._rng = rng or random.Random()
        self._operating_reset_at: dict[str, float] = {}
        self.http_requests = 0
        self._turns = UserTurns()
        # Without a limiter nothing ever waits, so there is nothing to coalesce.
        self.coalescer = (
            Coalescer(limiter, self._send_one, self._send_batch, batch_limit=BATCH_LIMIT)
            if coalesce and limiter is not None
            else None
        )

    def __repr__(self) -> str:
        return f"Bitrix24Client(auth={self.auth!r}, limiter={self._limiter!r})"

    async def call(
        self, method: str, params: Mapping[str, Any] | None = None, *, deadline: float | None = None
    ) -> Any:
        """Call a method and return its `result`."""
        return (await self.request(method, params, deadline=deadline)).result

    async def request(
        self, method: str, params: Mapping[str, Any] | None = None, *, deadline: float | None = None
    ) -> Envelope:
        """Call a method and return the whole success envelope (with `total`/`next`)."""
        method = _checked(method)
        return _envelope(await self._with_deadline(method, dict(params or {}), deadline))

    async def batch(
        self,
        commands: Mapping[str, Command] | Sequence[Command],
        *,
        halt: bool = False,
        deadline: float | None = None,
        limiter: RateLimiter | None = None,
    ) -> BatchResult:
        """Run commands through `batch`, 50 per request, and collect per-command outcomes.

        Keys are opaque to Bitrix24 here (they are renamed on the wire), so `$result[...]`
        references between commands are not supported.

        With `limiter` (background work: `bot.bitrix24.background.BackgroundBudget`) each
        request waits for that limiter instead of the client's, and never joins the
        coalescing queue, so no interactive call waits behind it.
        """
        items = list(commands.items()) if isinstance(commands, Mapping) else [
            (str(index), command) for index, command in enumerate(commands)
        ]
        if self.coalescer is not None and not halt and limiter is None:
            return await self._batch_coalesced(items, deadline)
        outcome = BatchResult()
        for offset in range(0, len(items), BATCH_LIMIT):
            chunk = items[offset : offset + BATCH_LIMIT]
            wire_keys = {f"c{index}": key for index, (key, _) in enumerate(chunk)}
            cmd = {
                f"c{index}": batch_command(method.strip().lower(), params)
                for index, (_, (method, params)) in enumerate(chunk)
            }
            body = await self._with_deadline(
                "batch", {"halt": 1 if halt else 0, "cmd": cmd}, deadline,
                safe_to_resend=all(is_read(method.strip().lower()) for _, (method, _) in chunk),
                limiter=limiter,
            )
            self._collect(body.get("result"), wire_keys, chunk, outcome)
            if halt and outcome.errors:
                done = set(outcome.results) | set(outcome.errors)
                outcome.skipped.extend(key for key, _ in items if key not in done)
                break
        return outcome

    async def _batch_coalesced(self, items: list[tuple[str, Command]], deadline: float | None) -> BatchResult:
        """Each command as its own call through the queue, so that the commands travel
        together (and with anyone else's) and each gets its own retries."""

        async def one(method: str, params: Mapping[str, Any] | None) -> Envelope:
            method = _checked(method)
            return _envelope(await self._with_deadline(method, dict(params or {}), deadline, join_queue=True))

        answers: list[Envelope | BaseException] = []
        # A chunk at a time, as one batch request would carry them: each call's deadline
        # then covers one chunk's wait, not the whole list's.
        for offset in range(0, len(items), BATCH_LIMIT):
            chunk = items[offset : offset + BATCH_LIMIT]
            answers += await asyncio.gather(*(one(method, params) for _, (method, params) in chunk),
                                            return_exceptions=True)
        outcome = BatchResult()
        for (key, _), answer in zip(items, answers, strict=True):
            if isinstance(answer, Bitrix24Error):
                outcome.errors[key] = answer
            elif isinstance(answer, BaseException):
                raise answer
            else:
                outcome.results[key] = answer.result
                if answer.total is not None:
                    outcome.totals[key] = answer.total
                if answer.next is not None:
                    outcome.nexts[key] = answer.next
        return outcome

    def _collect(
        self,
        result: Any,
        wire_keys: dict[str, str],
        chunk: list[tuple[str, Command]],
        outcome: BatchResult,
    ) -> None:
        methods = {f"c{index}": command[0] for index, (_, command) in enumerate(chunk)}

        def keyed(section: str) -> dict[str, Any]:
            return _section(result, section)

        for wire_key, value in keyed("result").items():
            if wire_key in wire_keys:
                outcome.results[wire_keys[wire_key]] = value
        for wire_key, value in keyed("result_error").items():
            if wire_key not in wire_keys:
                continue
            value = value if isinstance(value, Mapping) else {}
            outcome.errors[wire_keys[wire_key]] = error_from_response(
                str(value.get("error", "")),
                self._clean(str(value.get("error_description", ""))),
                method=methods.get(wire_key),
            )
        for section, target in (("result_total", outcome.totals), ("result_next", outcome.nexts)):
            for wire_key, value in keyed(section).items():
                if wire_key in wire_keys and _optional_int(value) is not None:
                    target[wire_keys[wire_key]] = int(value)

    async def _with_deadline(
        self,
        method: str,
        params: dict[str, Any],
        deadline: float | None,
        *,
        join_queue: bool = False,
        safe_to_resend: bool | None = None,
        limiter: RateLimiter | None = None,
    ) -> Body:
        """`limiter` replaces the client's own for this call, outside the coalescing queue."""
        budget = self._deadline if deadline is None else deadline
        own_limiter = limiter or self._limiter
        coalescer = self.coalescer if limiter is None else None
        resendable = is_read(method) if safe_to_resend is None else safe_to_resend
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + budget
        flight = Flight()
        # Once any attempt may have reached the portal, the call's outcome stays uncertain.
        maybe_applied = False
        last_error: Bitrix24Error | None = None

        def final(error: Bitrix24Error) -> Bitrix24Error:
            if maybe_applied and isinstance(error, TransportError):
                error.maybe_applied = True
            elif maybe_applied and isinstance(error, UnavailableError):
                return TransportError(
                    f"{error} (an earlier attempt got no answer, so it may have been applied)",
                    code=error.code, method=method, http_status=error.http_status, maybe_applied=True,
                )
            return error

        async def attempts() -> Body:
            nonlocal last_error, maybe_applied
            refreshes = 0
            attempt = 0
            while True:
                attempt += 1
                try:
                    if coalescer is not None and method not in _NOT_BATCHABLE:
                        return await coalescer.submit(method, params, flight, join_queue=join_queue)
                    if own_limiter is not None:
                        await own_limiter.acquire()
                    return await self._send_one(method, params, flight)
                except _Retry as retry:
                    flight.sent = False  # answered: the error itself says whether it may have been applied
                    error = retry.error
                    last_error = error
                    if retry.limited and own_limiter is not None:
                        await own_limiter.on_limited()
                    maybe_applied = maybe_applied or error.maybe_applied
                    if maybe_applied and not resendable:
                        # The write may have been done: sending it again could do it twice,
                        # or land after a later action. The caller reads the day instead.
                        raise final(error) from None
                    if error.code in _REFRESHABLE:
                        if not self.auth.can_refresh:
                            raise error from None
                        refreshes += 1
                        if refreshes > _MAX_REFRESHES_PER_CALL:
                            raise final(error) from None
                        await self.auth.refresh(flight.token)
                        attempt -= 1  # a refresh is not a failed attempt
                        continue
                    if attempt >= self._retry.attempts:
                        raise final(error) from None
                    wait = retry.wait if retry.wait is not None else self._retry.backoff(attempt, self._rng)
                    remaining = ends_at - loop.time()
                    if wait >= remaining:
                        raise final(error) from None  # the wait alone would pass the deadline
                    log.warning(
                        "bitrix24 call failed, retrying",
                        extra={
                            "ctx_method": method,
                            "ctx_error": error.code or type(error).__name__,
                            "ctx_attempt": attempt,
                            "ctx_wait": round(wait, 3),
                        },
                    )
                    await asyncio.sleep(wait)

        # Writes for one user go one at a time, retries included, so they land in order.
        turn = None if resendable else order_key(params)
        try:
            async with asyncio.timeout(budget):
                async with self._turns.hold(turn):
                    return await attempts()
        except TimeoutError:
            if flight.body is not None:
                return flight.body  # the answer came in the very moment the deadline passed
            detail = f" (last error: {last_error})" if last_error else ""
            raise DeadlineExceededError(
                f"no answer within the {budget:g} s deadline{detail}",
                method=method,
                maybe_applied=flight.sent or maybe_applied,
            ) from None

    async def _send_one(self, method: str, params: dict[str, Any], flight: Flight) -> Body:
        """One request for one command, with the current credentials."""
        extra, flight.token = await self.auth.credentials()
        if flight.abandoned:
            raise Abandoned()
        flight.sent = True
        return await self._send_once(method, {**params, **extra})

    async def _send_batch(self, commands: list[tuple[str, dict[str, Any]]], flights: list[Flight]) -> list[Outcome]:
        """One `batch` request for several callers' commands; per command, the body a lone
        call would have got, or the exception it would have met."""
        extra, token = await self.auth.credentials()
        live = [index for index, flight in enumerate(flights) if not flight.abandoned]
        outcomes: list[Outcome] = [Abandoned() for _ in commands]  # for callers who gave up: never sent
        if not live:
            return outcomes
        for index in live:
            flights[index].token, flights[index].sent = token, True
        cmd = {f"c{index}": batch_command(*commands[index]) for index in live}
        try:
            body = await self._send_once("batch", {"halt": 0, "cmd": cmd, **extra})
        except (_Retry, Bitrix24Error) as exc:  # the whole request failed: each caller meets it
            for index in live:
                outcomes[index] = _own_copy(exc)
            return outcomes
        result = body.get("result")
        sections = {name: _section(result, name) for name in ("result", "result_error", "result_total",
                                                               "result_next", "result_time")}
        for index in live:
            method = commands[index][0]
            wire_key = f"c{index}"
            timing = sections["result_time"].get(wire_key)
            if isinstance(timing, Mapping):
                self._note_operating(method, timing)
            if wire_key in sections["result_error"]:
                value = sections["result_error"][wire_key]
                value = value if isinstance(value, Mapping) else {}
                outcomes[index] = self._refusal(
                    method, str(value.get("error") or ""), str(value.get("error_description") or ""), None)
            elif wire_key in sections["result"]:
                outcomes[index] = {
                    "result": sections["result"][wire_key],
                    "total": sections["result_total"].get(wire_key),
                    "next": sections["result_next"].get(wire_key),
                    "time": timing if isinstance(timing, Mapping) else {},
                }
            else:
                # The answer came but says nothing of this command: it may or may not have run.
                missing = ServerError("the batch answer has no outcome for this command", method=method,
                                      http_status=200)
                missing.maybe_applied = True
                outcomes[index] = _Retry(missing)
        return outcomes

    async def _send_once(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if self._on_request is None:
            return await self._send_and_parse(method, params)
        try:
            body = await self._send_and_parse(method, params)
        except _Retry as retry:
            self._on_request(method, type(retry.error).__name__)
            raise
        except Bitrix24Error as error:
            self._on_request(method, type(error).__name__)
            raise
        self._on_request(method, "ok")
        return body

    async def _send_and_parse(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        self.http_requests += 1
        try:
            response = await self._http.post(
                self.auth.endpoint(method), json=params, timeout=self._request_timeout
            )
        except httpx.TimeoutException as exc:
            # A read timeout means the portal may have done the work; a connect timeout means not.
            sent = not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
            raise _Retry(
                TransportError(
                    f"timed out ({type(exc).__name__})", method=method, maybe_applied=sent
                )
            ) from None
        except httpx.HTTPError as exc:
            # Only an error before the connection was made proves the request never left; a
            # reset or a read error can come after the portal has the whole request.
            raise _Retry(
                TransportError(
                    f"could not reach Bitrix24 ({type(exc).__name__}: {self._clean(str(exc))})",
                    method=method,
                    maybe_applied=not isinstance(exc, _NOT_SENT),
                )
            ) from None
        elapsed = time.perf_counter() - started
        log.debug(
            "bitrix24 call",
            extra={"ctx_method": method, "ctx_status": response.status_code, "ctx_ms": round(elapsed * 1000, 1)},
        )
        return self._parse(method, response)

    def _parse(self, method: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if response.is_redirect:
            location = response.headers.get("location", "")
            parts = urlsplit(location)
            # Only the scheme and host: the rest of the address may carry the webhook code.
            where = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "another address"
            raise PortalMovedError(where, method=method, http_status=status)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _Retry(
                ServerError(
                    f"HTTP {status} with a body that is not Bitrix24 JSON",
                    method=method,
                    http_status=status,
                )
            )
        if "error" in body and "result" not in body:
            raise self._refusal(method, str(body.get("error") or ""), str(body.get("error_description") or ""),
                                status)
        if status >= 500:
            raise _Retry(ServerError(f"HTTP {status}", method=method, http_status=status))
        timing = body.get("time")
        if isinstance(timing, Mapping):
            self._note_operating(method, timing)
        return body

    def _refusal(self, method: str, code: str, description: str, status: int | None) -> Bitrix24Error | _Retry:
        """Bitrix24's error for a command (the whole request, or one inside a batch): the
        error itself, or a `_Retry` of it when another attempt may succeed."""
        error = error_from_response(code, self._clean(description), method=method, http_status=status)
        if isinstance(error, RateLimitedError):
            return _Retry(error, limited=True)
        if isinstance(error, OperationTimeLimitError):
            reset_at = self._operating_reset_at.get(method)
            if reset_at is not None:
                error.reset_at = datetime.fromtimestamp(reset_at, UTC)
            # reset_at is a whole second; a little slack keeps us from arriving early.
            wait = max(0.0, reset_at - time.time()) + 1.0 if reset_at is not None else 60.0
            return _Retry(error, wait=wait)
        if error.code in _REFRESHABLE or isinstance(error, ServerError):
            return _Retry(error)
        return error

    def _note_operating(self, method: str, timing: Mapping[str, Any]) -> None:
        """Remember when the method's operating-time window resets (inner batch commands
        count per method, like lone calls)."""
        if timing.get("operating_reset_at"):
            try:
                self._operating_reset_at[method] = float(timing["operating_reset_at"])
            except (TypeError, ValueError):
                pass

    def _clean(self, text: str) -> str:
        return redact(text, self.auth.secrets())


def _checked(method: str) -> str:
    method = method.strip().lower()
    if not _METHOD_NAME.match(method):
        raise ValueError(f"not a Bitrix24 method name: {method!r}")
    return method


def _envelope(body: Body) -> Envelope:
    return Envelope(
        result=body.get("result"),
        total=_optional_int(body.get("total")),
        next=_optional_int(body.get("next")),
        time=body.get("time") or {},
    )


def _section(result: Any, name: str) -> dict[str, Any]:
    """One section of a batch answer, keyed by wire key. PHP turns a list-like map into a
    JSON list, and an empty one into `[]`."""
    value = result.get(name) if isinstance(result, Mapping) else None
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        return {f"c{i}": v for i, v in enumerate(value)}
    return {}


def _optional_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
