"""The control API under ``/_fake/…``: the browser page and other processes drive the fake
over HTTP with it (a `FakeTelegram` mixin)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from workday_sandbox.telegram.errors import ApiError
from workday_sandbox.telegram.http_api import json_response
from workday_sandbox.telegram.methods_chat import ChatMethods
from workday_sandbox.telegram.params import CHAT_ID
from workday_sandbox.telegram.scripted_users import ScriptedUsers
from workday_sandbox.telegram.webhook import WebhookDelivery


class ControlApi(ScriptedUsers, ChatMethods, WebhookDelivery):
    def _add_control_routes(self, app: web.Application) -> None:
        router = app.router
        router.add_get("/_fake", self._c_index)
        router.add_get("/_fake/", self._c_index)
        router.add_post("/_fake/send", self._c_send)
        router.add_post("/_fake/click", self._c_click)
        router.add_post("/_fake/block", self._c_block)
        router.add_post("/_fake/update", self._c_update)
        router.add_get("/_fake/chat/{chat_id}", self._c_chat)
        router.add_get("/_fake/chats", self._c_chats)
        router.add_get("/_fake/files/{file_id}", self._c_file)
        router.add_get("/_fake/events", self._c_events)
        router.add_get("/_fake/errors", self._c_errors_list)
        router.add_post("/_fake/errors", self._c_errors)
        router.add_delete("/_fake/errors", self._c_errors_clear)
        router.add_post("/_fake/rate_limits", self._c_rate_limits)
        router.add_get("/_fake/calls", self._c_calls)
        router.add_get("/_fake/stats", self._c_stats)
        router.add_get("/_fake/commands", self._c_commands)
        router.add_get("/_fake/webhook", self._c_webhook)
        router.add_route("OPTIONS", "/_fake/{tail:.*}", self._c_index)

    @staticmethod
    def _c_error(message: str, status: int = 400) -> web.Response:
        return json_response({"ok": False, "error": message}, status)

    @staticmethod
    async def _c_body(request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        if request.content_type == "application/json":
            data = await request.json()
        else:
            data = dict(await request.post())
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data

    @staticmethod
    def _int(data: dict[str, Any], key: str, default: int | None = None) -> int:
        value = data.get(key, default)
        if value is None or value == "":
            raise ValueError(f"{key} is required")
        return int(value)

    async def _c_index(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "ok": True,
                "bot": self.bot_user,
                "api": f"{self.base_url}/bot<token>/<method>",
                "endpoints": [
                    "POST /_fake/send {user_id, text, first_name?, last_name?, username?, "
                    "language_code?, chat_id?, chat_title?, reply_to?}",
                    "POST /_fake/click {user_id, message_id, data | button_text, chat_id?, raw?}",
                    "POST /_fake/block {user_id, blocked}",
                    "POST /_fake/update {<raw update>}",
                    "GET /_fake/chat/{chat_id}",
                    "GET /_fake/chats",
                    "GET /_fake/files/{file_id}  (a photo's bytes, any of its sizes)",
                    "GET /_fake/events?since=N&timeout=S&chat_id=C&limit=L",
                    "GET|POST|DELETE /_fake/errors {method, status, retry_after?, times?, "
                    "description?, chat_id?}",
                    "POST /_fake/rate_limits {global_per_second?, per_chat_per_second?, "
                    "per_group_per_minute?, global_burst?, per_chat_burst?}",
                    "GET /_fake/calls?method=M&since=N",
                    "GET /_fake/stats",
                    "GET /_fake/commands?language_code=xx&scope=<json>",
                    "GET /_fake/webhook",
                ],
            }
        )

    async def _c_send(self, request: web.Request) -> web.Response:
        try:
            data = await self._c_body(request)
            user_id = self._int(data, "user_id")
            text = data.get("text")
            if not isinstance(text, str) or not text:
                raise ValueError("text is required")
            user = self.user(
                user_id,
                data.get("first_name"),
                last_name=data.get("last_name"),
                username=data.get("username"),
                language_code=data.get("language_code"),
            )
            chat: int | None = None
            if data.get("chat_id") not in (None, "", user_id):
                chat = self._int(data, "chat_id")
                if chat < 0:
                    self.group_chat(chat, data.get("chat_title"))
            reply_to = data.get("reply_to")
            update_id, message = self._user_sends(
                user, text, chat, reply_to=int(reply_to) if reply_to else None
            )
        except (ValueError, KeyError, TypeError) as exc:
            return self._c_error(str(exc))
        return json_response(
            {
                "ok": True,
                "update_id": update_id,
                "chat_id": message.chat_id,
                "message_id": message.message_id,
            }
        )

    async def _c_click(self, request: web.Request) -> web.Response:
        try:
            data = await self._c_body(request)
            user_id = self._int(data, "user_id")
            message_id = self._int(data, "message_id")
            chat = self._int(data, "chat_id") if data.get("chat_id") not in (None, "") else None
            if data.get("raw"):
                query_id = self.click_raw(user_id, message_id, data.get("data"), chat=chat)
            elif data.get("button_text"):
                label = str(data["button_text"])
                query_id = self.click_button(user_id, message_id, label, chat=chat)
            else:
                callback = data.get("data")
                if not isinstance(callback, str):
                    raise ValueError("data is required")
                query_id = self.click(user_id, message_id, callback, chat=chat)
        except (LookupError, ValueError, TypeError) as exc:
            return self._c_error(str(exc.args[0]) if exc.args else str(exc))
        return json_response({"ok": True, "callback_query_id": query_id})

    async def _c_block(self, request: web.Request) -> web.Response:
        try:
            data = await self._c_body(request)
            user_id = self._int(data, "user_id")
            blocked = data.get("blocked", True)
            if isinstance(blocked, str):
                blocked = blocked.lower() in ("1", "true", "yes")
            if blocked:
                self.block(user_id)
            else:
                self.unblock(user_id)
        except (ValueError, KeyError, TypeError) as exc:
            return self._c_error(str(exc))
        return json_response({"ok": True, "blocked": bool(blocked)})

    async def _c_update(self, request: web.Request) -> web.Response:
        try:
            data = await self._c_body(request)
            update_id = self.queue_update(data)
        except (ValueError, TypeError) as exc:
            return self._c_error(str(exc))
        return json_response({"ok": True, "update_id": update_id})

    async def _c_chat(self, request: web.Request) -> web.Response:
        raw = request.match_info["chat_id"]
        try:
            key = int(raw) if CHAT_ID.match(raw) else self._chat_key(raw)
        except KeyError as exc:
            return self._c_error(str(exc.args[0]), 404)
        state = self._chats.get(key)
        if state is None:
            return self._c_error(f"unknown chat {key}", 404)
        return json_response(
            {
                "ok": True,
                "chat": {**state.chat.to_dict(), "blocked": state.chat.blocked},
                "messages": [message.to_dict() for message in state.messages.values()],
            }
        )

    async def _c_file(self, request: web.Request) -> web.Response:
        photo = self._photos.get(request.match_info["file_id"])
        if photo is None:
            return self._c_error("no photo with that file_id", 404)
        return web.Response(body=photo.data, content_type=photo.mime_type)

    async def _c_chats(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "ok": True,
                "chats": [
                    {
                        **state.chat.to_dict(),
                        "blocked": state.chat.blocked,
                        "messages": len(state.messages),
                    }
                    for state in self._chats.values()
                ],
            }
        )

    async def _c_events(self, request: web.Request) -> web.Response:
        try:
            since = int(request.query.get("since", 0))
            timeout = min(float(request.query.get("timeout", 0)), 60.0)
            limit = int(request.query["limit"]) if "limit" in request.query else None
            chat_id = int(request.query["chat_id"]) if "chat_id" in request.query else None
        except ValueError as exc:
            return self._c_error(str(exc))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            selected = self.events(since, chat_id=chat_id, limit=limit)
            remaining = deadline - loop.time()
            if selected or remaining <= 0 or self._closing:
                break
            self._event_pollers_waiting += 1
            self._changed.notify()
            try:
                await self._events_changed.wait(remaining)
            finally:
                self._event_pollers_waiting -= 1
        return json_response(
            {
                "ok": True,
                "events": [event.to_dict() for event in selected],
                "last_seq": selected[-1].seq if selected else max(since, 0),
            }
        )

    async def _c_errors_list(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "ok": True,
                "errors": [
                    {"method": method, **injection.__dict__}
                    for method, injections in self._injections.items()
                    for injection in injections
                ],
            }
        )

    async def _c_errors(self, request: web.Request) -> web.Response:
        try:
            data = await self._c_body(request)
            method = data.get("method")
            if not isinstance(method, str) or not method:
                raise ValueError("method is required")
            times = data.get("times", 1)
            self.inject_error(
                method,
                self._int(data, "status"),
                retry_after=int(data["retry_after"]) if data.get("retry_after") else None,
                times=None if times is None else int(times),
                description=data.get("description"),
                chat_id=data.get("chat_id"),
            )
        except (ValueError, TypeError) as exc:
            return self._c_error(str(exc))
        return json_response({"ok": True})

    async def _c_errors_clear(self, request: web.Request) -> web.Response:
        self.clear_errors(request.query.get("method"))
        return json_response({"ok": True})

    async def _c_rate_limits(self, request: web.Request) -> web.Response:
        try:
            data = await self._c_body(request)

            def number(key: str) -> float | None:
                value = data.get(key)
                return None if value in (None, "", 0) else float(value)

            def burst(key: str) -> int | None:
                value = number(key)
                return None if value is None else int(value)

            self.set_rate_limits(
                number("global_per_second"),
                number("per_chat_per_second"),
                number("per_group_per_minute"),
                global_burst=burst("global_burst"),
                per_chat_burst=burst("per_chat_burst"),
            )
        except (ValueError, TypeError) as exc:
            return self._c_error(str(exc))
        return json_response({"ok": True, **self._rate.settings})

    async def _c_calls(self, request: web.Request) -> web.Response:
        try:
            since = int(request.query.get("since", 0))
        except ValueError as exc:
            return self._c_error(str(exc))
        method = request.query.get("method")
        calls = self.calls_to(method) if method else self._calls
        return json_response(
            {
                "ok": True,
                "calls": [call.to_dict() for call in calls[since:]],
                "next": max(len(calls), since),
            }
        )

    async def _c_stats(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "ok": True,
                "stats": self.stats.as_dict(),
                "pending_update_count": self.pending_update_count,
            }
        )

    async def _c_commands(self, request: web.Request) -> web.Response:
        try:
            scope = json.loads(request.query["scope"]) if "scope" in request.query else None
            commands = self.commands(request.query.get("language_code") or None, scope)
        except (ValueError, ApiError) as exc:
            return self._c_error(str(exc))
        return json_response({"ok": True, "commands": commands})

    async def _c_webhook(self, request: web.Request) -> web.Response:
        return json_response({"ok": True, "webhook": self._webhook_info()})
