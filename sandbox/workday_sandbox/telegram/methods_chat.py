"""Bot API methods on the bot and its chats: getMe, commands, chat actions, getChat, menu
buttons and profile texts (a `FakeTelegram` mixin)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from workday_sandbox.telegram.core import TelegramCore
from workday_sandbox.telegram.errors import bad
from workday_sandbox.telegram.models import SimUser
from workday_sandbox.telegram.params import CHAT_ID

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")


class ChatMethods(TelegramCore):
    def _m_get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def commands(
        self, language_code: str | None = None, scope: dict[str, Any] | None = None
    ) -> list[dict[str, str]]:
        """Commands registered for exactly this scope (default scope when None) and
        language ("" / None = no language), as getMyCommands returns them."""
        key = (self._scope_key(scope or {"type": "default"}), language_code or "")
        return [dict(command) for command in self._commands.get(key, ())]

    def visible_commands(self, user: SimUser | int) -> list[dict[str, str]]:
        """The command menu a user would see in their private chat (Telegram's fallback
        order: chat scope, all private chats, default; each with their language, then
        without)."""
        sim_user = self._as_user(user)
        languages = [sim_user.language_code or "", ""] if sim_user.language_code else [""]
        scopes = [
            ("chat", sim_user.id, None),
            ("all_private_chats", None, None),
            ("default", None, None),
        ]
        for scope in scopes:
            for language in languages:
                commands = self._commands.get((scope, language))
                if commands:
                    return [dict(command) for command in commands]
        return []

    def _scope_key(self, scope: Any) -> tuple[Any, ...]:
        if scope is None:
            return ("default", None, None)
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise bad("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        chat_id = scope.get("chat_id")
        user_id = scope.get("user_id")
        if kind in ("chat", "chat_administrators", "chat_member"):
            if chat_id is None:
                raise bad("chat_id is empty")
            if isinstance(chat_id, str):
                chat_id = (
                    int(chat_id)
                    if CHAT_ID.match(chat_id)
                    else self._chat_ids_by_username.get(chat_id.lstrip("@").lower(), chat_id)
                )
        else:
            chat_id = None
        if kind == "chat_member":
            if user_id is None:
                raise bad("user_id is empty")
            user_id = int(user_id)
        else:
            user_id = None
        return (kind, chat_id, user_id)

    @staticmethod
    def _language(params: dict[str, Any]) -> str:
        language = params.get("language_code") or ""
        if language and not _LANGUAGE_CODE.match(language):
            raise bad("invalid language code specified")
        return language

    def _m_set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if commands is None:
            raise bad('parameter "commands" is required')
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("too many commands specified")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME.match(name.lstrip("/")):
                raise bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name.lstrip("/"), "description": description})
        key = (self._scope_key(params.get("scope")), self._language(params))
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _m_get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        key = (self._scope_key(params.get("scope")), self._language(params))
        return [dict(command) for command in self._commands.get(key, ())]

    def _m_delete_my_commands(self, params: dict[str, Any]) -> bool:
        key = (self._scope_key(params.get("scope")), self._language(params))
        self._commands.pop(key, None)
        return True

    def _m_send_chat_action(self, params: dict[str, Any]) -> bool:
        state = self._resolve_chat(params.get("chat_id"))
        self._check_reachable(state)
        action = params.get("action")
        if action not in _CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self._emit("chat_action", state.chat.id, action=action)
        return True

    def _m_get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._resolve_chat(params.get("chat_id"))
        return {
            **state.chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _m_set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        button = params.get("menu_button")
        if button is not None and (
            not isinstance(button, dict)
            or button.get("type") not in ("commands", "web_app", "default")
        ):
            raise bad("can't parse menu button JSON object")
        if params.get("chat_id") is None:
            self._default_menu_button = button
        else:
            state = self._resolve_chat(params.get("chat_id"))
            state.menu_button = button
        return True

    def _m_get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        button = self._default_menu_button
        if params.get("chat_id") is not None:
            button = self._resolve_chat(params.get("chat_id")).menu_button or button
        return dict(button) if button else {"type": "default"}

    def _profile_setter(self, field: str) -> Callable[[dict[str, Any]], bool]:
        def handler(params: dict[str, Any]) -> bool:
            language = self._language(params)
            value = params.get(field) or ""
            if value:
                self._profile[field][language] = str(value)
            else:
                self._profile[field].pop(language, None)
            return True

        return handler

    def _profile_getter(self, field: str) -> Callable[[dict[str, Any]], dict[str, str]]:
        def handler(params: dict[str, Any]) -> dict[str, str]:
            language = self._language(params)
            values = self._profile[field]
            default = self.bot_first_name if field == "name" else ""
            return {field: values.get(language, values.get("", default))}

        return handler
