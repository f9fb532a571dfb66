"""The fake Telegram's state and the internals every part of it shares.

`TelegramCore` holds the users and chats (the registry tests fill with `user` and
`group_chat`), the update queue, the event feed and the call log. The Bot API methods,
the scripted users, webhook delivery and the control API are mixins over it, put
together in `workday_sandbox.telegram.server.FakeTelegram`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import ClientSession, web

from workday_sandbox.telegram.errors import (
    BOT_BLOCKED,
    CANT_INITIATE,
    CHAT_NOT_FOUND,
    USER_DEACTIVATED,
    ApiError,
    bad,
)
from workday_sandbox.telegram.flood import TELEGRAM_FLOOD_LIMITS, Injection, RateLimiter
from workday_sandbox.telegram.models import (
    ApiCall,
    ChatMessage,
    FakeEvent,
    FakeStats,
    MessageVersion,
    SimChat,
    SimUser,
)
from workday_sandbox.telegram.photos import StoredPhoto
from workday_sandbox.telegram.state import (
    ALL_UPDATE_TYPES,
    DEFAULT_UPDATE_TYPES,
    CallbackQuery,
    ChatState,
    Notifier,
    QueuedUpdate,
    WebhookState,
)


class TelegramCore:
    """State and shared internals; the parameters are documented on `FakeTelegram`."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "test_bot",
        *,
        bot_first_name: str = "Test Bot",
        group_privacy: bool = True,
        callback_query_ttl: float = 15.0,
        auto_create_chats: bool = False,
        webhook_retry_delays: tuple[float, ...] = (0.1, 0.5, 1.0, 2.0),
        webhook_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        flood_control: bool = False,
    ) -> None:
        bot_id, sep, secret = token.partition(":")
        if not sep or not bot_id.isdigit() or not secret:
            raise ValueError("token must look like 123456:ABC-DEF")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_username = bot_username.lstrip("@")
        self.bot_first_name = bot_first_name
        self.group_privacy = group_privacy
        self.callback_query_ttl = callback_query_ttl
        self.auto_create_chats = auto_create_chats
        self.webhook_retry_delays = tuple(webhook_retry_delays)
        self.webhook_timeout = webhook_timeout
        self._clock = clock
        self._monotonic = monotonic

        self._users: dict[int, SimUser] = {}
        self._chats: dict[int, ChatState] = {}
        self._chat_ids_by_username: dict[str, int] = {}

        self._next_update_id = 1
        self._pending: deque[QueuedUpdate] = deque()
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._allowed_updates_set: list[str] | None = None  # as last given, for getWebhookInfo
        self._poll_generation = 0
        self._pollers_waiting = 0
        self._event_pollers_waiting = 0
        self._webhook: WebhookState | None = None

        self._queries: dict[str, CallbackQuery] = {}
        self._next_query = 1
        self._callback_answers: dict[str, tuple[str | None, bool]] = {}
        self._commands: dict[tuple[tuple[Any, ...], str], list[dict[str, str]]] = {}
        self._default_menu_button: dict[str, Any] | None = None
        self._profile: dict[str, dict[str, str]] = {
            "name": {},
            "description": {},
            "short_description": {},
        }

        # Uploaded photos, under the file_id of each of their sizes and by upload number.
        self._photos: dict[str, StoredPhoto] = {}
        self._photo_uploads: list[StoredPhoto] = []

        self._calls: list[ApiCall] = []
        self._calls_by_method: dict[str, list[ApiCall]] = {}
        self._events: list[FakeEvent] = []
        self._injections: dict[str, list[Injection]] = {}
        self._rate = RateLimiter(monotonic)
        if flood_control:
            self._rate.configure(**TELEGRAM_FLOOD_LIMITS)  # type: ignore[arg-type]
        self.stats = FakeStats()

        self._updates_changed = Notifier()
        self._events_changed = Notifier()
        self._changed = Notifier()

        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._closing = False
        self.host: str | None = None
        self.port: int | None = None

        self._handlers = self._method_table()
        self._method_names = {name.lower(): name for name in self._handlers}

    def _method_table(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        """Bot API method name -> handler (`FakeTelegram` lists them)."""
        return {}

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # --- simulated users and chats ------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_premium: bool | None = None,
        started: bool | None = None,
    ) -> SimUser:
        """The simulated user with this id (created on first use, with a private chat).

        Given fields update an existing user. ``started=False`` makes someone who has
        never pressed Start: the bot cannot write to them (403) until they write first.
        """
        user = self._users.get(user_id)
        if user is None:
            if user_id <= 0:
                raise ValueError("user ids are positive")
            user = SimUser(id=user_id, first_name=first_name or f"User {user_id}")
            self._users[user_id] = user
        elif first_name:
            user.first_name = first_name
        if last_name is not None:
            user.last_name = last_name or None
        if username is not None:
            user.username = username.lstrip("@") or None
        if language_code is not None:
            user.language_code = language_code or None
        if is_premium is not None:
            user.is_premium = is_premium
        state = self._chats.get(user_id)
        if state is None:
            state = ChatState(SimChat(id=user_id, type="private"))
            self._chats[user_id] = state
        if started is not None:
            state.chat.started = started
        state.chat.first_name = user.first_name
        state.chat.last_name = user.last_name
        if state.chat.username != user.username:
            if state.chat.username:
                self._chat_ids_by_username.pop(state.chat.username.lower(), None)
            state.chat.username = user.username
            if user.username:
                self._chat_ids_by_username[user.username.lower()] = user_id
        return user

    def group_chat(
        self,
        chat_id: int,
        title: str | None = None,
        *,
        type: str | None = None,  # noqa: A002 - Telegram's field name
        username: str | None = None,
    ) -> SimChat:
        """A group the bot is a member of (``-100…`` ids are supergroups by default)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        state = self._chats.get(chat_id)
        if state is None:
            kind = type or ("supergroup" if str(chat_id).startswith("-100") else "group")
            state = ChatState(SimChat(id=chat_id, type=kind, title=title or f"Group {chat_id}"))
            self._chats[chat_id] = state
        else:
            if title:
                state.chat.title = title
            if type:
                state.chat.type = type
        if username:
            state.chat.username = username.lstrip("@")
            self._chat_ids_by_username[state.chat.username.lower()] = chat_id
        return state.chat

    def chat(self, chat_id: int | SimChat | SimUser) -> SimChat:
        return self._state(chat_id).chat

    @property
    def users(self) -> list[SimUser]:
        return list(self._users.values())

    @property
    def chats(self) -> list[SimChat]:
        return [state.chat for state in self._chats.values()]


    # --- internals: chats, the update queue, the event feed -----------------------

    def _as_user(self, user: SimUser | int) -> SimUser:
        if isinstance(user, SimUser):
            if user.id not in self._users:
                self._users[user.id] = user
                self.user(user.id)
            return user
        return self._users.get(user) or self.user(user)

    def _chat_key(self, chat: int | str | SimChat | SimUser) -> int:
        if isinstance(chat, SimChat | SimUser):
            return chat.id
        if isinstance(chat, str):
            found = self._chat_ids_by_username.get(chat.lstrip("@").lower())
            if found is None:
                raise KeyError(f"no chat @{chat.lstrip('@')}")
            return found
        return int(chat)

    def _state(self, chat: int | str | SimChat | SimUser) -> ChatState:
        key = self._chat_key(chat)
        state = self._chats.get(key)
        if state is None:
            if isinstance(chat, SimUser) or (key > 0 and key in self._users):
                self._as_user(key)
                return self._chats[key]
            if key < 0:
                self.group_chat(key)
                return self._chats[key]
            raise KeyError(f"unknown chat {key}; create it with tg.user() or tg.group_chat()")
        return state

    def _add_message(
        self,
        state: ChatState,
        *,
        from_bot: bool,
        sender_id: int,
        text: str,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        reply_to: int | None,
        parse_mode: str | None = None,
        photo: StoredPhoto | None = None,
    ) -> ChatMessage:
        """A new message in the chat (the bot's or a user's), dated now; with ``photo``,
        ``text`` and ``entities`` are its caption."""
        date = int(self._clock())
        message = ChatMessage(
            chat_id=state.chat.id,
            message_id=state.next_message_id,
            from_bot=from_bot,
            sender_id=sender_id,
            text=text,
            entities=entities,
            reply_markup=markup,
            date=date,
            reply_to_message_id=reply_to,
            parse_mode=parse_mode,
            photo=photo,
        )
        message.versions.append(MessageVersion(text, entities, markup, date, photo))
        state.next_message_id += 1
        state.messages[message.message_id] = message
        return message

    def _enqueue(self, kind: str, payload: dict[str, Any], key: int) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self.stats.updates_queued += 1
        if kind not in self._allowed_updates:
            self.stats.updates_filtered += 1
            return update_id
        update = QueuedUpdate(update_id, kind, payload, key)
        if self._webhook is not None:
            self._webhook.push(update)
        else:
            self._pending.append(update)
            self._updates_changed.notify()
        self._changed.notify()
        return update_id

    @staticmethod
    def _update_json(update: QueuedUpdate) -> dict[str, Any]:
        return {"update_id": update.update_id, update.type: update.payload}

    def _emit(self, kind: str, chat_id: int | None, **data: Any) -> int:
        seq = len(self._events) + 1
        self._events.append(FakeEvent(seq, kind, self._clock(), chat_id, data))
        self._events_changed.notify()
        self._changed.notify()
        return seq

    def _telegram_message(
        self, state: ChatState, message: ChatMessage, *, with_reply: bool = True
    ) -> dict[str, Any]:
        sender = (
            self.bot_user
            if message.from_bot
            else (self._users[message.sender_id].to_dict() if message.sender_id in self._users
                  else {"id": message.sender_id, "is_bot": False, "first_name": "User"})
        )
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": sender,
            "chat": state.chat.to_dict(),
            "date": message.date,
        }
        if message.photo is not None:
            data["photo"] = message.photo.to_dicts()
            if message.text:
                data["caption"] = message.text
            if message.entities:
                data["caption_entities"] = message.entities
        else:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if with_reply and message.reply_to_message_id is not None:
            replied = state.messages.get(message.reply_to_message_id)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self._telegram_message(state, replied, with_reply=False)
        return data

    def _set_allowed_updates(self, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            raise bad("can't parse allowed_updates JSON object")
        known = [kind for kind in value if isinstance(kind, str) and kind in ALL_UPDATE_TYPES]
        self._allowed_updates_set = list(value)
        self._allowed_updates = frozenset(known) if known else DEFAULT_UPDATE_TYPES

    def _resolve_chat(self, chat_id: Any) -> ChatState:
        if chat_id is None or chat_id == "":
            raise bad("chat_id is empty")
        if isinstance(chat_id, str):
            key = self._chat_ids_by_username.get(chat_id.lstrip("@").lower())
            if key is None:
                raise ApiError(400, CHAT_NOT_FOUND)
            return self._chats[key]
        state = self._chats.get(chat_id)
        if state is None:
            if self.auto_create_chats and isinstance(chat_id, int) and chat_id > 0:
                self.user(chat_id)
                return self._chats[chat_id]
            raise ApiError(400, CHAT_NOT_FOUND)
        return state

    @staticmethod
    def _check_reachable(state: ChatState) -> None:
        if state.chat.type != "private":
            return
        if state.chat.deactivated:
            raise ApiError(403, USER_DEACTIVATED)
        if state.chat.blocked:
            raise ApiError(403, BOT_BLOCKED)
        if not state.chat.started:
            raise ApiError(403, CANT_INITIATE)
