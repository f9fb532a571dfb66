"""The `/rest/...` pipeline in the server's order (docs/bitrix24.md#processing-order):

faults (transport; portal alive) -> method exists (404) -> auth and scope -> leaky bucket
(503) -> operating-time limit (429) -> the method. Success gets the `time` block; errors
do not.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import datetime
from typing import Any

from aiohttp import web

from workday_sandbox.portal.auth import AuthContext
from workday_sandbox.portal.batch import InnerResult, command_methods, run_batch
from workday_sandbox.portal.errors import (
    TEXT_METHOD_NOT_FOUND,
    TEXT_NO_AUTH,
    TEXT_OPERATION_LIMIT,
    TEXT_QUERY_LIMIT,
    TEXT_SCOPE_OAUTH,
    TEXT_SCOPE_WEBHOOK,
    RestError,
    auth_error,
)
from workday_sandbox.portal.faults_http import fault_error, fault_response, fault_status
from workday_sandbox.portal.interfaces import RequestRecord, RestPortal
from workday_sandbox.portal.method_table import CallContext, ListResult, MethodSpec, MethodTable
from workday_sandbox.portal.params import php_json
from workday_sandbox.portal.request import bearer_token, read_params

log = logging.getLogger(__name__)


def json_response(body: Any, status: int) -> web.Response:
    return web.Response(
        text=json.dumps(php_json(body), ensure_ascii=False),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )


async def _answer_late(request: web.Request, delay: float) -> None:
    """Hold the answer for `delay` seconds, or until the caller has gone (as a real server
    would find out when it writes): a dead client must not keep the emulator busy."""
    loop = asyncio.get_running_loop()
    end = loop.time() + delay
    while loop.time() < end:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(min(0.05, max(0.0, end - loop.time())))


class RestDispatcher:
    def __init__(self, portal: RestPortal, methods: MethodTable) -> None:
        self.portal = portal
        self.methods = methods

    # ------------------------------------------------------------------ helpers

    def _record(
        self,
        method: str,
        status: int,
        error: str | None,
        auth: AuthContext | None,
        *,
        batch: bool = False,
        fault: str | None = None,
    ) -> None:
        self.portal.record_request(
            RequestRecord(
                method=method,
                http_status=status,
                error=error,
                auth=auth.kind if auth else None,
                user_id=auth.user_id if auth else None,
                batch=batch,
                at=time.time(),
                fault=fault,
            )
        )

    def time_block(
        self, started: float, t0: float, entity: str | None, method: str
    ) -> dict[str, Any]:
        portal = self.portal
        elapsed = time.perf_counter() - t0
        finish = started + elapsed
        limiter = portal.operating
        if entity is None:
            operating, reset_at = 0.0, int(time.time() + limiter.window)
        else:
            operating = limiter.used(entity, method)
            reset_at = limiter.reset_at(entity, method)
        return {
            "start": started,
            "finish": finish,
            "duration": elapsed,
            "processing": elapsed,
            "date_start": self._iso(started),
            "date_finish": self._iso(finish),
            "operating_reset_at": reset_at,
            "operating": operating,
        }

    def _iso(self, stamp: float) -> str:
        return datetime.fromtimestamp(stamp, self.portal.zone).isoformat(timespec="seconds")

    def _authenticate(
        self, request: web.Request, params: dict[Any, Any], uid: str | None, code: str | None
    ) -> AuthContext:
        portal = self.portal
        mode = portal.flags.auth_error_status
        if uid is not None and code is not None:
            return portal.auth.webhook_context(
                uid,
                code,
                scheme=request.scheme,
                require_https=portal.flags.require_https,
                user_active=portal.user_is_active,
                mode=mode,
            )
        token = params.get("auth") or params.get("access_token") or bearer_token(request)
        if not isinstance(token, str) or not token:
            raise RestError("NO_AUTH_FOUND", TEXT_NO_AUTH, 401)
        return portal.auth.token_context(token, user_active=portal.user_is_active)

    # ------------------------------------------------------------------ running

    def run_method(
        self, spec: MethodSpec, auth: AuthContext, params: dict[Any, Any], ip: str, *, batch: bool
    ) -> InnerResult:
        portal = self.portal
        assert spec.handler is not None
        if portal.operating.blocked(auth.entity, spec.name):
            raise RestError("OPERATION_TIME_LIMIT", TEXT_OPERATION_LIMIT, 429)
        started = portal.clock.now().timestamp()
        t0 = time.perf_counter()
        try:
            result = spec.handler(CallContext(portal, auth, spec.name, ip, batch), params)
        finally:
            elapsed = time.perf_counter() - t0
            charged = portal.method_runtimes.get(spec.name, elapsed)
            portal.operating.record(auth.entity, spec.name, charged)
        total = following = None
        if isinstance(result, ListResult):
            result, total, following = result.items, result.total, result.next
        timing = self.time_block(started, t0, auth.entity, spec.name)
        return InnerResult(result, total, following, timing)

    def _inner(
        self, auth: AuthContext, ip: str, method: str, params: dict[Any, Any]
    ) -> InnerResult:
        spec = self.methods.get(method)
        try:
            if spec is None:
                raise RestError("ERROR_METHOD_NOT_FOUND", TEXT_METHOD_NOT_FOUND, 404)
            if not auth.allows(spec.scopes):
                raise RestError("insufficient_scope", "", 401)
            outcome = self.run_method(spec, auth, params, ip, batch=True)
        except RestError as exc:
            self._record(method, exc.status, exc.code, auth, batch=True)
            raise
        self._record(method, 200, None, auth, batch=True)
        return outcome

    async def handle(self, request: web.Request) -> web.StreamResponse:
        portal = self.portal
        method = request.match_info["method"].lower()
        if method.endswith(".json"):
            method = method[: -len(".json")]
        uid = request.match_info.get("uid")
        code = request.match_info.get("code")

        fault = portal.faults.take(method)
        early_params: dict[Any, Any] | None = None
        if fault is not None:
            if fault.kind == "slow":
                # PHP has the whole request before the script runs, and a client that hangs
                # up does not stop it: a slow call still does its work, just late.
                early_params = await read_params(request)
                await asyncio.sleep(fault.delay)
            else:
                status = fault_status(fault.kind, portal.deleted_status)
                self._record(method, status, fault_error(fault.kind), None, fault=fault.kind)
                return fault_response(fault, request, portal.deleted_status)

        auth: AuthContext | None = None
        inner: tuple[str, ...] = ()
        try:
            params = early_params if early_params is not None else await read_params(request)
            spec = self.methods.get(method)
            if spec is None:
                raise RestError("ERROR_METHOD_NOT_FOUND", TEXT_METHOD_NOT_FOUND, 404)
            auth = self._authenticate(request, params, uid, code)
            if not auth.allows(spec.scopes):
                text = TEXT_SCOPE_WEBHOOK if auth.kind == "webhook" else TEXT_SCOPE_OAUTH
                raise auth_error("insufficient_scope", text, portal.flags.auth_error_status)
            if portal.bucket is not None and not portal.bucket.try_acquire():
                raise RestError("QUERY_LIMIT_EXCEEDED", TEXT_QUERY_LIMIT, 503)
            ip = request.remote or ""
            if spec.handler is None:  # batch: the outer call is not counted or limited
                inner = command_methods(params)
                started = portal.clock.now().timestamp()
                t0 = time.perf_counter()
                current = auth
                result = run_batch(
                    params, lambda name, inner: self._inner(current, ip, name, inner)
                )
                body: dict[str, Any] = {"result": result}
                body["time"] = self.time_block(started, t0, None, method)
            else:
                outcome = self.run_method(spec, auth, params, ip, batch=False)
                body = {"result": outcome.result}
                if outcome.total is not None:
                    body["total"] = outcome.total
                if outcome.next is not None:
                    body["next"] = outcome.next
                body["time"] = outcome.time
        except RestError as exc:
            self._record(method, exc.status, exc.code, auth)
            return json_response(exc.body(), exc.status)
        except Exception:  # a bug in the emulator: say so loudly, like a PHP fatal error
            log.exception("portal emulator failed on %s", method)
            self._record(method, 500, "INTERNAL_SERVER_ERROR", auth)
            return json_response(
                {"error": "INTERNAL_SERVER_ERROR", "error_description": "Emulator error"}, 500
            )
        after = portal.faults.take_after(method, inner)
        if after is not None and after.kind == "lost_answer":  # applied; the answer never leaves
            self._record(method, 0, None, auth, fault=after.kind)
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # nowhere to go: the connection is gone
        self._record(method, 200, None, auth)
        if after is not None:  # late_answer: applied already; the answer is what comes late
            await _answer_late(request, after.delay)
        return json_response(body, 200)
