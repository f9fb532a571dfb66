"""The `timeman.*` REST methods over the pure engine in `workday_sandbox.portal.timeman_engine` (docs/bitrix24.md#timeman-methods, docs/bitrix24.md#other-timeman-methods)."""

from __future__ import annotations

import functools
import ipaddress
import json
from collections.abc import Callable
from typing import Any

from workday_sandbox.portal import timeman_engine as engine
from workday_sandbox.portal.errors import RestError
from workday_sandbox.portal.method_table import CallContext, MethodTable
from workday_sandbox.portal.params import (
    items,
    php_intval,
    php_loose_equals_int,
    php_string,
    php_truthy,
    upper_keys,
)
from workday_sandbox.portal.user_settings import settings_object
from workday_sandbox.portal.users import PortalUser

SCOPE = ("timeman",)
TEXT_ACCESS = "Access denied! User does not have access to managing other users work time"
TEXT_ACCESS_ERROR = "You don't have access to user this method"


def _param(query: dict[Any, Any], key: str) -> Any:
    """PHP `isset`: a missing key or null is ABSENT."""
    value = query.get(key)
    return engine.ABSENT if value is None else value


def target_user(ctx: CallContext, query: dict[Any, Any]) -> PortalUser:
    """`getUserInstance`: another user's day needs timeman admin rights, checked first."""
    caller = ctx.portal.users[ctx.auth.user_id]
    if "USER_ID" in query and not php_loose_equals_int(query["USER_ID"], caller.id):
        if not caller.is_timeman_admin:
            raise RestError("ACCESS_DENIED", TEXT_ACCESS, 403)
        user = ctx.portal.users.get(php_intval(query["USER_ID"]))
        if user is None:
            raise RestError(ctx.portal.flags.user_not_found_code, "User not found", 400)
        return user
    return caller


def _run(call: Any) -> Any:
    try:
        return call()
    except engine.TimemanError as exc:
        raise RestError(exc.code, exc.description, exc.status) from exc


def status(ctx: CallContext, params: dict[Any, Any]) -> Any:
    user = target_user(ctx, upper_keys(params))
    return ctx.portal.status_of(user.id)


def open_(ctx: CallContext, params: dict[Any, Any]) -> Any:
    return _change(ctx, params, engine.open_day)


def pause(ctx: CallContext, params: dict[Any, Any]) -> Any:
    user = target_user(ctx, upper_keys(params))
    portal = ctx.portal
    outcome = engine.pause_day(
        portal.record_of(user.id), portal.clock.now(), portal.user_context(user), portal.flags
    )
    portal.store_outcome(user.id, outcome)
    return portal.status_of(user.id)


def close(ctx: CallContext, params: dict[Any, Any]) -> Any:
    return _change(ctx, params, functools.partial(engine.close_day, ip=ctx.ip))


def _change(ctx: CallContext, params: dict[Any, Any], change: Callable[..., Any]) -> Any:
    """timeman.open and timeman.close: the same TIME/REPORT/LAT/LON parameters."""
    query = upper_keys(params)
    user = target_user(ctx, query)
    portal = ctx.portal
    outcome = _run(
        lambda: change(
            portal.record_of(user.id),
            portal.clock.now(),
            portal.user_context(user),
            portal.flags,
            time_param=_param(query, "TIME"),
            report=_param(query, "REPORT"),
            lat=_param(query, "LAT"),
            lon=_param(query, "LON"),
        )
    )
    portal.store_outcome(user.id, outcome)
    return portal.status_of(user.id)


def settings(ctx: CallContext, params: dict[Any, Any]) -> Any:
    user = target_user(ctx, upper_keys(params))
    return settings_object(
        user,
        flextime=ctx.portal.flextime_of(user),
        allowed_delta=int(ctx.portal.flags.allowed_delta_seconds),
        for_caller=user.id == ctx.auth.user_id,
    )


# ----------------------------------------------------------------------------- stubs


def _require_portal_admin(ctx: CallContext) -> None:
    if not ctx.portal.users[ctx.auth.user_id].portal_admin:
        raise RestError("ACCESS_ERROR", TEXT_ACCESS_ERROR, 400)


def schedule_get(ctx: CallContext, params: dict[Any, Any]) -> Any:
    """The docs name the parameter `id`; any case is read, like the other timeman methods."""
    schedule = ctx.portal.schedules.get(php_intval(upper_keys(params).get("ID")))
    return [] if schedule is None else schedule.rest_shape()


def _range_ok(text: str) -> bool:
    parts = [p.strip() for p in text.split("-")]
    if len(parts) not in (1, 2):
        return False
    try:
        addresses = [ipaddress.IPv4Address(p) for p in parts]
    except ValueError:
        return False
    return len(addresses) == 1 or addresses[0] <= addresses[1]


def _in_range(ip: str, text: str) -> bool:
    parts = [p.strip() for p in text.split("-")]
    try:
        value = ipaddress.IPv4Address(ip.strip())
        low = ipaddress.IPv4Address(parts[0])
        high = ipaddress.IPv4Address(parts[-1])
    except ValueError:
        return False
    return low <= value <= high


def networkrange_get(ctx: CallContext, params: dict[Any, Any]) -> Any:
    _require_portal_admin(ctx)
    return [dict(r) for r in ctx.portal.network_ranges]


def networkrange_set(ctx: CallContext, params: dict[Any, Any]) -> Any:
    _require_portal_admin(ctx)
    ranges = upper_keys(params).get("RANGES")
    if isinstance(ranges, str):
        try:
            ranges = json.loads(ranges)
        except ValueError:
            ranges = None
    if not isinstance(ranges, (list, dict)):
        raise RestError("INVALID_FORMAT", "A wrong format for the RANGES field is passed", 400)
    correct, errors = [], []
    for _, entry in items(ranges):
        if not isinstance(entry, dict):
            raise RestError("INVALID_FORMAT", "A wrong format for the RANGES field is passed", 400)
        ip_range = php_string(entry.get("ip_range"))
        item = {"ip_range": ip_range, "name": php_string(entry.get("name"))}
        (correct if _range_ok(ip_range) else errors).append(item)
    if errors:
        return {"result": False, "error_ranges": errors}
    ctx.portal.network_ranges[:] = correct
    return {"result": True}


def networkrange_check(ctx: CallContext, params: dict[Any, Any]) -> Any:
    _require_portal_admin(ctx)
    ip = php_string(upper_keys(params).get("IP"))
    for entry in ctx.portal.network_ranges:
        if _in_range(ip, entry["ip_range"]):
            return {"ip": ip, "range": entry["ip_range"], "name": entry["name"]}
    return False


def timecontrol_settings_get(ctx: CallContext, params: dict[Any, Any]) -> Any:
    _require_portal_admin(ctx)
    return dict(ctx.portal.timecontrol_settings)


def timecontrol_settings_set(ctx: CallContext, params: dict[Any, Any]) -> Any:
    _require_portal_admin(ctx)
    query = upper_keys(params)
    current = ctx.portal.timecontrol_settings
    for key in ("ACTIVE", "REGISTER_OFFLINE", "REGISTER_IDLE", "REGISTER_DESKTOP"):
        if key in query:
            current[key.lower()] = php_truthy(query[key])
    if "MINIMUM_IDLE_FOR_REPORT" in query:
        current["minimum_idle_for_report"] = php_intval(query["MINIMUM_IDLE_FOR_REPORT"])
    return True


def timecontrol_report_add(ctx: CallContext, params: dict[Any, Any]) -> Any:
    text = php_string(upper_keys(params).get("TEXT")).strip()
    if not text:
        raise RestError("TEXT_EMPTY", "Text can't be empty", 400)
    return True


def timecontrol_reports_get(ctx: CallContext, params: dict[Any, Any]) -> Any:
    caller = ctx.portal.users[ctx.auth.user_id]
    if not caller.portal_admin:
        raise RestError("ACCESS_ERROR", "You don't have access to this method", 400)
    query = upper_keys(params)
    if php_intval(query.get("USER_ID")) not in ctx.portal.users:
        raise RestError("USER_ACCESS_ERROR", "You don't have access to report for this user", 400)
    return {"report": {"days": []}}


def timecontrol_reports_settings_get(ctx: CallContext, params: dict[Any, Any]) -> Any:
    caller = ctx.portal.users[ctx.auth.user_id]
    return {
        "active": bool(ctx.portal.timecontrol_settings.get("active")),
        "user_id": caller.id,
        "user_admin": caller.portal_admin,
        "user_head": False,
        "departments": [],
        "minimum_idle_for_report": ctx.portal.timecontrol_settings["minimum_idle_for_report"],
        "report_view_type": "full" if caller.portal_admin else "none",
    }


def timecontrol_reports_users_get(ctx: CallContext, params: dict[Any, Any]) -> Any:
    return []


def register(table: MethodTable) -> None:
    table.add("timeman.status", status, SCOPE)
    table.add("timeman.open", open_, SCOPE)
    table.add("timeman.pause", pause, SCOPE)
    table.add("timeman.close", close, SCOPE)
    table.add("timeman.settings", settings, SCOPE)
    table.add("timeman.schedule.get", schedule_get, SCOPE)
    table.add("timeman.networkrange.get", networkrange_get, SCOPE)
    table.add("timeman.networkrange.set", networkrange_set, SCOPE)
    table.add("timeman.networkrange.check", networkrange_check, SCOPE)
    table.add("timeman.timecontrol.settings.get", timecontrol_settings_get, SCOPE)
    table.add("timeman.timecontrol.settings.set", timecontrol_settings_set, SCOPE)
    table.add("timeman.timecontrol.report.add", timecontrol_report_add, SCOPE)
    table.add("timeman.timecontrol.reports.get", timecontrol_reports_get, SCOPE)
    table.add("timeman.timecontrol.reports.settings.get", timecontrol_reports_settings_get, SCOPE)
    table.add("timeman.timecontrol.reports.users.get", timecontrol_reports_users_get, SCOPE)
