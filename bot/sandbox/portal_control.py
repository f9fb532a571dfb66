"""A small JSON control API under `/_emulator/` (not part of Bitrix24).

GET  /_emulator/state                     users (status object + raw record), notifications
GET  /_emulator/notifications?user_id=N   the notifications log, optionally for one user
POST /_emulator/clock {"advance_seconds"} move the clock (409 when it cannot move)
POST /_emulator/faults {"kind", ...}      inject a fault; DELETE /_emulator/faults clears
GET  /_emulator/requests                  HTTP request counts per method
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.sandbox.portal import PortalEmulator

PREFIX = "/_emulator"


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, default=str),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )


async def _body(request: web.Request) -> dict[str, Any] | None:
    try:
        data = json.loads(await request.text() or "{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def add_routes(app: web.Application, portal: PortalEmulator) -> None:
    async def state(request: web.Request) -> web.Response:
        return _json(portal.snapshot())

    async def notifications(request: web.Request) -> web.Response:
        raw = request.query.get("user_id")
        if raw is not None and not raw.lstrip("-").isdigit():
            return _json({"error": "user_id must be an integer"}, 400)
        notes = portal.notifications if raw is None else portal.notifications_for(int(raw))
        return _json({"notifications": [n.as_dict() for n in notes]})

    async def clock(request: web.Request) -> web.Response:
        data = await _body(request)
        if data is None or not isinstance(data.get("advance_seconds"), (int, float)):
            return _json({"error": "send {\"advance_seconds\": <number>}"}, 400)
        advance = getattr(portal.clock, "advance", None)
        if advance is None:
            return _json({"error": "this clock cannot be moved"}, 409)
        try:
            advance(timedelta(seconds=float(data["advance_seconds"])))
        except ValueError as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"now": portal.clock.now().isoformat()})

    async def add_fault(request: web.Request) -> web.Response:
        data = await _body(request)
        if data is None or not isinstance(data.get("kind"), str):
            return _json({"error": "send {\"kind\": ..., \"method\": ..., \"times\": ...}"}, 400)
        try:
            fault = portal.faults.inject(
                data["kind"],
                method=data.get("method"),
                times=data.get("times", 1),
                delay=float(data.get("delay") or 0.0),
                location=data.get("location"),
                inner=data.get("inner"),
            )
        except (TypeError, ValueError) as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"ok": True, "fault": {"kind": fault.kind, "method": fault.method,
                                            "times": fault.times, "delay": fault.delay}})

    async def clear_faults(request: web.Request) -> web.Response:
        portal.faults.clear()
        return _json({"ok": True})

    async def requests(request: web.Request) -> web.Response:
        counts = portal.request_counts
        return _json(
            {
                "total": portal.request_count(),
                "counts": {method: n for (method, inner), n in counts.items() if not inner},
                "inner_counts": {method: n for (method, inner), n in counts.items() if inner},
                "errors": dict(portal.error_counts),
                "token_requests": len(portal.token_requests),
            }
        )

    app.router.add_get(f"{PREFIX}/state", state)
    app.router.add_get(f"{PREFIX}/notifications", notifications)
    app.router.add_post(f"{PREFIX}/clock", clock)
    app.router.add_post(f"{PREFIX}/faults", add_fault)
    app.router.add_delete(f"{PREFIX}/faults", clear_faults)
    app.router.add_get(f"{PREFIX}/requests", requests)
