"""The Bot API over HTTP: reading a request, running a method, recording the call (a mixin)."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from workday_sandbox.telegram.errors import (
    Abandoned,
    ApiError,
    MethodResult,
    bad,
    client_connected,
    too_many,
)
from workday_sandbox.telegram.failures import FailureControls
from workday_sandbox.telegram.flood import RATE_LIMITED_METHODS
from workday_sandbox.telegram.models import ApiCall
from workday_sandbox.telegram.params import UploadedFile, normalize_params

# One logger for the whole fake, under the name it had before it was split into modules.
log = logging.getLogger("workday_sandbox.telegram.server")


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
    )


class HttpApi(FailureControls):
    @web.middleware
    async def _cors(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith("/_fake"):
            return await handler(request)
        if request.method == "OPTIONS":
            response: web.StreamResponse = web.Response(status=204)
        else:
            response = await handler(request)
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        return response

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            raw = await self._read_params(request)
        except ApiError as error:
            raw = {}
            status, body = self._error_body(error)
            self._record(method, raw, status, self._clock(), None, error.description, "http")
            return json_response(body, status)
        if request.match_info["token"] != self.token:
            self._record(method, raw, 401, self._clock(), None, "Unauthorized", "http")
            return json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )

        def connected() -> bool:
            transport = request.transport
            return transport is not None and not transport.is_closing()

        client_connected.set(connected)
        status, body = await self._call(method, raw, via="http")
        return json_response(body, status)

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise bad("JSON request body must be an object")
            params.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = UploadedFile(
                        key, value.filename, value.content_type, value.file.read()
                    )
                else:
                    params[key] = value
        return params

    def _error_body(self, error: ApiError) -> tuple[int, dict[str, Any]]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.status,
            "description": error.description,
        }
        if error.parameters:
            body["parameters"] = error.parameters
        return error.status, body

    async def _call(
        self, method: str, raw: dict[str, Any], *, via: str
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API method; returns (HTTP status, response body)."""
        at = self._clock()
        name = self._method_names.get(method.lower())
        if name is None:
            self._record(method, raw, 404, at, None, "Not Found", via)
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        params: dict[str, Any] = raw
        try:
            params = normalize_params(raw)
            self._apply_injection(name, params)
            rate_key: Any = None
            if name in RATE_LIMITED_METHODS and self._rate.enabled:
                rate_key = self._rate_key(params)
                retry_after = self._rate.retry_after(rate_key)
                if retry_after is not None:
                    self.stats.rate_limited += 1
                    raise too_many(retry_after)
            result = self._handlers[name](params)
            if inspect.isawaitable(result):
                result = await result
            if rate_key is not None:
                self._rate.record(rate_key)
        except ApiError as error:
            status, body = self._error_body(error)
            self._record(name, params, status, at, None, error.description, via)
            return status, body
        except Abandoned:
            return 499, {"ok": False, "error_code": 499, "description": "Client Closed Request"}
        except Exception:
            log.exception("fake Telegram: %s failed", name)
            self._record(name, params, 500, at, None, "Internal Server Error", via)
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        body = {"ok": True}
        if isinstance(result, MethodResult):
            body["result"] = result.value
            body["description"] = result.description
            result = result.value
        else:
            body["result"] = result
        recorded = [u["update_id"] for u in result] if name == "getUpdates" else result
        self._record(name, params, 200, at, recorded, None, via)
        return 200, body

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        at: float,
        result: Any,
        description: str | None,
        via: str,
    ) -> None:
        call = ApiCall(method, params, status, at, result, description, via)
        self._calls.append(call)
        self._calls_by_method.setdefault(method, []).append(call)
        self.stats.calls_per_method[method] += 1
        self.stats.status_counts[status] += 1
        self._changed.notify()
