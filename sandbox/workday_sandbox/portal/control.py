"""A small JSON control API under `/_emulator/` (not part of Bitrix24).

GET  /_emulator/state                     users (status object + raw record), notifications
GET  /_emulator/notifications?user_id=N   the notifications log, optionally for one user
POST /_emulator/clock {"advance_seconds"} move the clock (409 when it cannot move)
POST /_emulator/users {"email", "name", ...} add an employee (201; 409 when the id or
                                          e-mail is taken; "departments": [ids] places them)
GET  /_emulator/flags                     the behaviour flags (sandbox/workday_sandbox/portal/flags.py)
POST /_emulator/flags {"flag": value}     change some of them, all or none
POST /_emulator/faults {"kind", ...}      inject a fault; DELETE /_emulator/faults clears
GET  /_emulator/requests                  HTTP request counts per method
GET  /_emulator/departments               every department as department.get prints it, with MEMBERS
POST /_emulator/departments {"id"?, "name", "parent"?, "head"?, "sort"?}
                                          add (201) or replace (200) a department
POST /_emulator/users/N/departments {"departments": [2, 3]}  move the user to these departments
GET  /_emulator/schedules                 every work schedule, as timeman.schedule.get prints it
POST /_emulator/schedules {"ID"?, "NAME", "SCHEDULE_TYPE", "SHIFTS", "SCHEDULE_VIOLATION_RULES", ...}
                                          add (201) or replace (200) a schedule
GET|POST /_emulator/users/N/settings      read or override max_start / min_finish / min_duration
POST /_emulator/users/N/schedule {"schedule_id": 2 | null}  put the user on a schedule or off it
GET  /_emulator/users/N/history           the user's closed days, oldest first
POST /_emulator/users/N/history {"days": [{"date", "start", "finish", "breaks"?, "active"?}]}
                                          seed past closed days (history only; 201)
POST /_emulator/close-expired {"report"?} the auto-close hook: close every expired day
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from workday_sandbox.portal.interfaces import ControlPortal

PREFIX = "/_emulator"
# What POST /_emulator/users accepts, with each field's JSON type.
USER_FIELDS: dict[str, type] = {
    "id": int, "email": str, "name": str, "last_name": str, "time_zone": str, "active": bool,
    "timeman_admin": bool, "portal_admin": bool, "flextime": bool, "work_position": str,
    "schedule_id": int, "departments": list,
}
DEPARTMENT_FIELDS: dict[str, type] = {"id": int, "name": str, "parent": int, "head": int, "sort": int}


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


def _user_fields(data: dict[str, Any], portal: ControlPortal) -> dict[str, Any]:
    """The keyword arguments for `portal.add_user`; ValueError says what is wrong."""
    unknown = sorted(set(data) - set(USER_FIELDS))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}; the fields are: {', '.join(USER_FIELDS)}")
    for name, value in data.items():
        kind = USER_FIELDS[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{name} must be {'true or false' if kind is bool else kind.__name__}")
    email = data.get("email", "").strip()
    if "@" not in email:
        raise ValueError("email is required, like \"new.person@example.com\"")
    if any(user.email.lower() == email.lower() for user in portal.users.values()):
        raise LookupError(f"a user with e-mail {email} exists already")
    user_id = data.get("id", max(portal.users, default=0) + 1)
    if user_id <= 0:
        raise ValueError("id must be a positive whole number")
    if user_id in portal.users:
        raise LookupError(f"user {user_id} exists already")
    if data.get("time_zone"):
        try:
            ZoneInfo(data["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {data['time_zone']!r} (an IANA name, e.g. Europe/Berlin)") from None
    if "schedule_id" in data and data["schedule_id"] not in portal.schedules:
        raise ValueError(f"no schedule {data['schedule_id']}; GET /_emulator/schedules lists them")
    if "departments" in data:
        _check_department_ids(data["departments"], portal)
    return {**data, "id": user_id, "email": email}


def _check_department_ids(value: Any, portal: ControlPortal) -> list[int]:
    if not isinstance(value, list) or not value or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValueError("departments must be a non-empty list of department ids, like [1, 2]")
    unknown = [v for v in value if v not in portal.departments]
    if unknown:
        raise ValueError(f"no department {unknown[0]}; GET /_emulator/departments lists them")
    return value


def _department_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments for `portal.define_department`; ValueError says what is wrong."""
    unknown = sorted(set(data) - set(DEPARTMENT_FIELDS))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}; the fields are: {', '.join(DEPARTMENT_FIELDS)}")
    for name, value in data.items():
        kind = DEPARTMENT_FIELDS[name]
        optional = name in ("parent", "head")
        if value is None and optional:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{name} must be {kind.__name__}" + (" or null" if optional else ""))
    if "name" not in data:
        raise ValueError('name is required, like "Engineering"')
    fields = {("dept_id" if key == "id" else key): value for key, value in data.items()}
    return fields


def _user_of(request: web.Request, portal: ControlPortal) -> int | web.Response:
    """The {user_id} of the path, or a 404 answer naming it."""
    user_id = int(request.match_info["user_id"])
    if user_id not in portal.users:
        return _json({"error": f"no user {user_id}"}, 404)
    return user_id


def _user_listed(portal: ControlPortal, user_id: int) -> dict[str, Any]:
    return next(u for u in portal.snapshot()["users"] if u["id"] == user_id)


def add_routes(app: web.Application, portal: ControlPortal) -> None:
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

    async def add_user(request: web.Request) -> web.Response:
        data = await _body(request)
        if data is None:
            return _json({"error": "send a JSON object, e.g. {\"email\": \"new@example.com\", \"name\": \"New\"}"},
                         400)
        try:
            options = _user_fields(data, portal)
        except ValueError as exc:
            return _json({"error": str(exc)}, 400)
        except LookupError as exc:
            return _json({"error": str(exc.args[0])}, 409)
        user = portal.add_user(options.pop("id"), **options)
        return _json({"ok": True, "user": _user_listed(portal, user.id)}, 201)

    async def list_departments(request: web.Request) -> web.Response:
        return _json({"departments": portal.departments_listed()})

    async def put_department(request: web.Request) -> web.Response:
        data = await _body(request)
        if data is None:
            return _json({"error": "send a JSON object, e.g. {\"name\": \"Engineering\", \"parent\": 1, "
                                   "\"head\": 2}"}, 400)
        replacing = data.get("id") in portal.departments
        try:
            dept = portal.define_department(**_department_fields(data))
        except ValueError as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"ok": True, "department": dept.rest_fields()}, 200 if replacing else 201)

    async def move_user(request: web.Request) -> web.Response:
        user_id = _user_of(request, portal)
        if isinstance(user_id, web.Response):
            return user_id
        data = await _body(request)
        try:
            ids = _check_department_ids((data or {}).get("departments"), portal)
        except ValueError as exc:
            return _json({"error": str(exc)}, 400)
        user = portal.move_user(user_id, ids)
        return _json({"ok": True, "user": {"id": user.id, "departments": list(user.departments)}})

    async def get_flags(request: web.Request) -> web.Response:
        return _json({"flags": portal.flags.as_json()})

    async def set_flags(request: web.Request) -> web.Response:
        data = await _body(request)
        if not data:
            return _json({"error": "send {\"<flag>\": <value>, ...}; GET /_emulator/flags lists them"}, 400)
        try:
            portal.flags.apply(data)
        except ValueError as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"ok": True, "flags": portal.flags.as_json()})

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

    async def list_schedules(request: web.Request) -> web.Response:
        return _json({"schedules": [s.rest_shape() for s in portal.schedules.values()]})

    async def put_schedule(request: web.Request) -> web.Response:
        data = await _body(request)
        if data is None:
            return _json({"error": "send a JSON object, e.g. {\"NAME\": \"Early\", \"SHIFTS\": "
                                   "[{\"WORK_TIME_START\": \"08:00\", \"WORK_TIME_END\": \"17:00\"}]}"}, 400)
        replacing = data.get("ID") in portal.schedules
        try:
            schedule = portal.define_schedule_fields(data)
        except ValueError as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"ok": True, "schedule": schedule.rest_shape()}, 200 if replacing else 201)

    async def get_settings(request: web.Request) -> web.Response:
        user_id = _user_of(request, portal)
        if isinstance(user_id, web.Response):
            return user_id
        return _json({"settings": portal.timeman_settings_of(user_id)})

    async def set_settings(request: web.Request) -> web.Response:
        user_id = _user_of(request, portal)
        if isinstance(user_id, web.Response):
            return user_id
        data = await _body(request)
        if not data:
            return _json({"error": "send {\"max_start\": \"09:30\", \"min_finish\": 63000, "
                                   "\"min_duration\": \"07:00:00\"} (null: back to the default)"}, 400)
        try:
            settings = portal.set_timeman_settings(user_id, **data)
        except ValueError as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"ok": True, "settings": settings})

    async def set_schedule(request: web.Request) -> web.Response:
        user_id = _user_of(request, portal)
        if isinstance(user_id, web.Response):
            return user_id
        data = await _body(request)
        schedule_id = data.get("schedule_id", False) if data is not None else False
        if schedule_id is not None and (isinstance(schedule_id, bool) or not isinstance(schedule_id, int)):
            return _json({"error": "send {\"schedule_id\": <id>} or {\"schedule_id\": null}"}, 400)
        try:
            portal.assign_schedule(user_id, schedule_id)
        except ValueError as exc:
            return _json({"error": f"{exc}; GET /_emulator/schedules lists them"}, 400)
        return _json({"ok": True, "user": _user_listed(portal, user_id)})

    async def get_history(request: web.Request) -> web.Response:
        user_id = _user_of(request, portal)
        if isinstance(user_id, web.Response):
            return user_id
        days = portal.closed_days_of(user_id)
        return _json({"user_id": user_id, "days": [d.as_dict() for d in days]})

    async def seed_history(request: web.Request) -> web.Response:
        user_id = _user_of(request, portal)
        if isinstance(user_id, web.Response):
            return user_id
        data = await _body(request)
        if data is None or not isinstance(data.get("days"), list) or not data["days"]:
            return _json({"error": "send {\"days\": [{\"date\": \"2026-02-27\", \"start\": \"09:00\", "
                                   "\"finish\": \"17:30\", \"breaks\": \"00:30\"}]}"}, 400)
        try:
            added = portal.seed_closed_days(user_id, data["days"])
        except ValueError as exc:
            return _json({"error": str(exc)}, 400)
        days = portal.closed_days_of(user_id)
        return _json({"ok": True, "added": [d.as_dict() for d in added],
                      "days": [d.as_dict() for d in days]}, 201)

    async def close_expired(request: web.Request) -> web.Response:
        data = await _body(request)
        report = data.get("report", "Closed automatically") if data is not None else None
        if not isinstance(report, str) or not report.strip():
            return _json({"error": "send {} or {\"report\": \"<reason>\"}"}, 400)
        return _json({"ok": True, "closed": portal.close_expired_days(report)})

    app.router.add_get(f"{PREFIX}/state", state)
    app.router.add_get(f"{PREFIX}/notifications", notifications)
    app.router.add_post(f"{PREFIX}/clock", clock)
    app.router.add_post(f"{PREFIX}/users", add_user)
    app.router.add_get(f"{PREFIX}/departments", list_departments)
    app.router.add_post(f"{PREFIX}/departments", put_department)
    app.router.add_get(f"{PREFIX}/flags", get_flags)
    app.router.add_post(f"{PREFIX}/flags", set_flags)
    app.router.add_post(f"{PREFIX}/faults", add_fault)
    app.router.add_delete(f"{PREFIX}/faults", clear_faults)
    app.router.add_get(f"{PREFIX}/requests", requests)
    app.router.add_get(f"{PREFIX}/schedules", list_schedules)
    app.router.add_post(f"{PREFIX}/schedules", put_schedule)
    user = f"{PREFIX}/users/{{user_id:\\d+}}"
    app.router.add_get(f"{user}/settings", get_settings)
    app.router.add_post(f"{user}/settings", set_settings)
    app.router.add_post(f"{user}/schedule", set_schedule)
    app.router.add_post(f"{user}/departments", move_user)
    app.router.add_get(f"{user}/history", get_history)
    app.router.add_post(f"{user}/history", seed_history)
    app.router.add_post(f"{PREFIX}/close-expired", close_expired)
