"""The general REST methods (user.*, department.*, im.notify.*, event.*, misc.) and `build_table`, which
registers them and the timeman.* ones.

Each handler is `handler(ctx, params) -> result` and raises `RestError`. A handler that
returns `ListResult` gets `total`/`next` lifted into the envelope (docs/bitrix24.md#success-envelope).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from workday_sandbox.portal import timeman_methods
from workday_sandbox.portal.departments import FIELDS as DEPARTMENT_FIELDS
from workday_sandbox.portal.departments import select_departments
from workday_sandbox.portal.errors import RestError
from workday_sandbox.portal.interfaces import SentNotification
from workday_sandbox.portal.method_table import CallContext, ListResult, MethodTable
from workday_sandbox.portal.params import php_intval, php_string, upper_keys
from workday_sandbox.portal.users import page, select_users

USER_SCOPES = ("user", "user_basic", "user_brief")
DEPARTMENT_SCOPES = ("department",)
ATTACH_MAX = 60000
_PHP_TRIM = " \t\n\r\0\x0b"
KNOWN_EVENTS = frozenset(
    {"ONAPPINSTALL", "ONAPPUNINSTALL", "ONAPPUPDATE", "ONAPPPAYMENT", "ONAPPTEST",
     "ONUSERADD", "ONIMBOTMESSAGEADD", "ONIMNOTIFYADD"}
)


# ----------------------------------------------------------------------------- user.*


def user_current(ctx: CallContext, params: dict[Any, Any]) -> Any:
    user = ctx.portal.users[ctx.auth.user_id]
    return user.rest_fields(ctx.auth.scopes)


def user_get(ctx: CallContext, params: dict[Any, Any]) -> ListResult:
    found = select_users(list(ctx.portal.users.values()), params)
    chunk, total, following = page(found, params)
    return ListResult([u.rest_fields(ctx.auth.scopes) for u in chunk], total, following)


# ----------------------------------------------------------------------------- department.*


def department_get(ctx: CallContext, params: dict[Any, Any]) -> ListResult:
    found = select_departments(ctx.portal.departments, params)
    chunk, total, following = page(found, params)
    return ListResult([dept.rest_fields() for dept in chunk], total, following)


def department_fields(ctx: CallContext, params: dict[Any, Any]) -> Any:
    return dict(DEPARTMENT_FIELDS)


# ----------------------------------------------------------------------------- im.notify.*


def _attach_size(attach: Any) -> int:
    return len(json.dumps(attach, ensure_ascii=False, separators=(",", ":")))


def _check_attach(value: Any) -> Any:
    """`CIMMessageParamAttach::GetAttachByJson`: arrays, or a JSON string of one."""
    if value is None or value == "" or value is False:
        return None
    attach = value
    if isinstance(value, str):
        try:
            attach = json.loads(value)
        except ValueError:
            attach = None
    if not isinstance(attach, (list, dict)) or not attach:
        raise RestError("ATTACH_ERROR", "Incorrect attach params")
    if _attach_size(attach) > ATTACH_MAX:
        raise RestError(
            "ATTACH_OVERSIZE", "You have exceeded the maximum allowable size of attach"
        )
    return attach


def _notify(ctx: CallContext, params: dict[Any, Any], kind: str) -> Any:
    query = upper_keys(params)
    if query.get("TO") is not None:
        query["USER_ID"] = query["TO"]
    user_id = php_intval(query.get("USER_ID"))
    if user_id <= 0:
        raise RestError("USER_ID_EMPTY", "User ID can't be empty")
    message = php_string(query.get("MESSAGE")).strip(_PHP_TRIM)
    if not message:
        raise RestError("MESSAGE_EMPTY", "Message can't be empty")
    message_out = php_string(query.get("MESSAGE_OUT")).strip(_PHP_TRIM) or None
    portal = ctx.portal
    client_id = ctx.auth.client_id
    from_user_id = ctx.auth.user_id
    if kind == "system":
        from_user_id = 0
        if client_id is not None:
            app = portal.auth.apps.get(client_id)
            name = app.name if app is not None else client_id
            message = f"{name}#BR#{message}"
            if message_out:
                message_out = f"{name}#BR#{message_out}"
    tag = sub_tag = None
    if client_id is not None:
        key = hashlib.md5(client_id.encode()).hexdigest()[:5]
        if query.get("TAG"):
            tag = f"MP|{key}|{php_string(query['TAG'])}"
        if query.get("SUB_TAG"):
            sub_tag = f"MP|{key}|{php_string(query['SUB_TAG'])}"
    attach = _check_attach(query.get("ATTACH"))
    if user_id not in portal.users:
        return False  # CIMNotify::Add finds no recipient
    note = SentNotification(
        id=portal.next_notification_id(),
        user_id=user_id,
        from_user_id=from_user_id,
        message=message,
        kind=kind,
        tag=tag,
        sent_at=portal.clock.now(),
        sub_tag=sub_tag,
        message_out=message_out,
        attach=attach,
        client_id=client_id,
    )
    portal.notifications.append(note)
    return note.id


def notify_personal(ctx: CallContext, params: dict[Any, Any]) -> Any:
    return _notify(ctx, params, "personal")


def notify_system(ctx: CallContext, params: dict[Any, Any]) -> Any:
    return _notify(ctx, params, "system")


# ----------------------------------------------------------------------------- event.*

_WRONG_AUTH = ("WRONG_AUTH_TYPE", "Current authorization type is denied for this method", 403)


def _app_only(ctx: CallContext) -> str:
    if ctx.auth.client_id is None:
        raise RestError(*_WRONG_AUTH)
    return ctx.auth.client_id


def event_bind(ctx: CallContext, params: dict[Any, Any]) -> Any:
    client_id = _app_only(ctx)
    query = upper_keys(params)
    event = php_string(query.get("EVENT")).upper()
    if event not in KNOWN_EVENTS:
        # There are no timeman events at all (docs/bitrix24.md#events): OnAfterTMDayStart etc. land here.
        raise RestError("ERROR_EVENT_NOT_FOUND", "Event not found")
    handler = php_string(query.get("HANDLER"))
    ctx.portal.event_bindings.append(
        {"event": event, "handler": handler, "client_id": client_id,
         "auth_type": php_intval(query.get("AUTH_TYPE")), "offline": 0}
    )
    return True


def event_get(ctx: CallContext, params: dict[Any, Any]) -> Any:
    client_id = _app_only(ctx)
    return [
        {k: v for k, v in binding.items() if k != "client_id"}
        for binding in ctx.portal.event_bindings
        if binding["client_id"] == client_id
    ]


def event_unbind(ctx: CallContext, params: dict[Any, Any]) -> Any:
    client_id = _app_only(ctx)
    query = upper_keys(params)
    event = php_string(query.get("EVENT")).upper()
    handler = php_string(query.get("HANDLER"))
    keep, dropped = [], 0
    for binding in ctx.portal.event_bindings:
        if (
            binding["client_id"] == client_id
            and binding["event"] == event
            and (not handler or binding["handler"] == handler)
        ):
            dropped += 1
        else:
            keep.append(binding)
    ctx.portal.event_bindings[:] = keep
    return {"count": dropped}


# ----------------------------------------------------------------------------- misc


def server_time(ctx: CallContext, params: dict[Any, Any]) -> Any:
    return ctx.portal.clock.now().astimezone(ctx.portal.zone).isoformat(timespec="seconds")


def scope_list(ctx: CallContext, params: dict[Any, Any]) -> Any:
    return sorted(ctx.auth.scopes)


def profile(ctx: CallContext, params: dict[Any, Any]) -> Any:
    user = ctx.portal.users[ctx.auth.user_id]
    return {
        "ID": str(user.id),
        "ADMIN": user.portal_admin,
        "NAME": user.name,
        "LAST_NAME": user.last_name,
        "PERSONAL_GENDER": user.personal_gender,
        "TIME_ZONE": user.time_zone,
    }


def build_table() -> MethodTable:
    table = MethodTable()
    table.add("batch", None, None)
    table.add("server.time", server_time, None)
    table.add("scope", scope_list, None)
    table.add("profile", profile, None)
    table.add("event.bind", event_bind, None)
    table.add("event.get", event_get, None)
    table.add("event.unbind", event_unbind, None)
    table.add("user.current", user_current, USER_SCOPES)
    table.add("user.get", user_get, USER_SCOPES)
    table.add("department.get", department_get, DEPARTMENT_SCOPES)
    table.add("department.fields", department_fields, DEPARTMENT_SCOPES)
    table.add("im.notify.personal.add", notify_personal, ("im",))
    table.add("im.notify.system.add", notify_system, ("im",))
    timeman_methods.register(table)
    return table
