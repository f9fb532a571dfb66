"""A fake Telegram Bot API server on loopback, for end-to-end tests and benchmarks.

The real bot process talks to it exactly as it talks to Telegram::

    Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))

and the test (or a browser page, through ``/_fake/…``) plays the users::

    async with FakeTelegram(token="123456:TEST-token", bot_username="workday_bot") as tg:
        anna = tg.user(1001, first_name="Anna", language_code="en")
        tg.send_text(anna, "/start")
        msg = await tg.wait_for_message(anna.id, contains="Welcome")
        tg.click(anna, msg.message_id, "day:start")

What it models:

* ``POST|GET /bot<token>/<method>`` with form-urlencoded, multipart or JSON bodies;
  method names match case-insensitively; a wrong token is a 401, an unknown method a 404.
* getMe; getUpdates (offset confirmation, negative offsets, limit, long polling that
  returns as soon as an update arrives, remembered ``allowed_updates``, 409 when another
  getUpdates takes over or a webhook is set); sendMessage and editMessageText with
  Telegram's HTML parsing, text length and inline keyboard checks;
  editMessageReplyMarkup; deleteMessage; answerCallbackQuery (once, within a TTL);
  set/get/deleteMyCommands per scope and language; set/delete/getWebhookInfo with real
  HTTP delivery (secret header, bounded retries, per-chat ordering, webhook replies);
  sendChatAction; getChat; setChatMenuButton; a few bot-profile setters.
* Users who block the bot (403), users who never pressed Start (403 "bot can't initiate
  conversation with a user"), injected failures (any status, with ``retry_after``), and
  optional flood control that answers 429 like Telegram's: about 1 message a second
  per chat with short bursts, 20 a minute per group, 30 a second overall
  (`TELEGRAM_FLOOD_LIMITS`, or ``FakeTelegram(flood_control=True)``).

Deliberate simplifications: Markdown/MarkdownV2 texts are stored verbatim (only HTML is
parsed), inline-mode messages, media and files are not modelled, any http(s) webhook
URL is accepted, and in groups the bot sees only what privacy mode lets through
(commands, @mentions, replies to it) unless ``group_privacy=False``.

State lives in plain Python objects indexed by chat and message id, so thousands of
updates and messages stay cheap. Everything runs on the event loop that called
`FakeTelegram.start`; the user-side methods (`send_text`, `click`, …) are synchronous and
must be called from that loop's thread.

Run it standalone (for a browser page or a manual bot run)::

    python -m workday_sandbox.telegram.server --port 8081 --token 123456:TEST-token
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import inspect
import json
import logging
import math
import re
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import ClientError, ClientSession, ClientTimeout, MultipartReader, web

from workday_sandbox.telegram.html import (
    EntityParseError,
    command_entities,
    parse_html,
    strip_text,
)
from workday_sandbox.telegram.models import (
    ApiCall,
    BotMessage,
    Button,
    ChatMessage,
    FakeEvent,
    FakeStats,
    MessageVersion,
    SimChat,
    SimUser,
)

if TYPE_CHECKING:
    from aiogram import Bot

__all__ = [
    "ApiCall",
    "BotMessage",
    "Button",
    "ChatMessage",
    "FakeEvent",
    "FakeStats",
    "FakeTelegram",
    "MessageVersion",
    "SimChat",
    "SimUser",
    "TELEGRAM_FLOOD_LIMITS",
]

log = logging.getLogger(__name__)

# --- Telegram's wording -------------------------------------------------------------

MESSAGE_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = "Bad Request: message to edit not found"
MESSAGE_TO_DELETE_NOT_FOUND = "Bad Request: message to delete not found"
QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
BOT_BLOCKED = "Forbidden: bot was blocked by the user"
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
USER_DEACTIVATED = "Forbidden: user is deactivated"
CHAT_NOT_FOUND = "Bad Request: chat not found"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLLING_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)

# allowed_updates: an empty list (or never set) means "all but these three".
ALL_UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
DEFAULT_UPDATE_TYPES = frozenset(ALL_UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

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
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
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
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_MAX_TEXT = 4096
_MAX_CALLBACK_ANSWER = 200

# Methods counted by the rate limiter ("messages sent/edited").
_RATE_LIMITED_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})

# Telegram's flood control as its Bot FAQ describes it: about one message a second in a
# chat (a short burst passes, then 429), at most 20 a minute in a group, about 30 a
# second overall. The exact figures are not published; these are the documented ones.
TELEGRAM_FLOOD_LIMITS: dict[str, float] = {
    "global_per_second": 30,
    "global_burst": 30,
    "per_chat_per_second": 1,
    "per_chat_burst": 3,
    "per_group_per_minute": 20,
}

# How form values are decoded. Everything else stays a string.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
        "suggested_post_parameters",
        "ephemeral_message_parameters",
    }
)
_INT_FIELDS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "max_connections",
        "message_thread_id",
        "reply_to_message_id",
        "user_id",
        "direct_messages_topic_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "allow_paid_broadcast",
    }
)
_CHAT_ID = re.compile(r"^-?\d+$")

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected error",
    401: "Unauthorized",
    403: BOT_BLOCKED,
    404: "Not Found",
    409: POLLING_CONFLICT,
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class _ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class _Abandoned(Exception):
    """The client of a long poll went away; nothing is answered or recorded."""


# Whether the HTTP client of the request being handled is still connected.
_client_connected: contextvars.ContextVar[Callable[[], bool]] = contextvars.ContextVar(
    "_client_connected", default=lambda: True
)


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


def _too_many(retry_after: int) -> _ApiError:
    return _ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass
class _Result:
    """A handler result that also carries Telegram's ``description`` (setWebhook does)."""

    value: Any
    description: str


# --- parameter decoding -------------------------------------------------------------


def _drop_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _drop_nones(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_nones(item) for item in value if item is not None]
    return value


def _normalize_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode form strings (JSON objects, ints, booleans) into Python values.

    Values that already have a type (a JSON request body) are kept as they are.
    """
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _JSON_FIELDS:
            if isinstance(value, str):
                has_nulls = "null" in value
                try:
                    value = json.loads(value)
                except ValueError:
                    if key == "reply_markup":
                        raise _bad("can't parse reply keyboard markup JSON object") from None
                    if key in ("entities", "caption_entities"):
                        raise _bad("can't parse entities JSON object") from None
                    raise _bad(f"can't parse {key} JSON object") from None
            else:
                has_nulls = True
            if has_nulls:
                value = _drop_nones(value)
        elif key in _INT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                try:
                    value = int(str(value).strip())
                except ValueError:
                    raise _bad(f"invalid {key} specified") from None
        elif key in _BOOL_FIELDS:
            if isinstance(value, str):
                value = value.strip().lower() in ("true", "1", "yes")
            else:
                value = bool(value)
        elif key == "chat_id":
            if isinstance(value, str) and _CHAT_ID.match(value.strip()):
                value = int(value.strip())
        elif value is not None and not isinstance(value, str | int | float | bool | dict | list):
            value = str(value)
        params[key] = value
    return params


def _validate_markup(value: Any, *, inline_only: bool) -> dict[str, Any] | None:
    """Check a reply_markup like Telegram; an empty inline keyboard means "none"."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        count = 0
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise _bad(
                        "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                    )
                if not isinstance(button.get("text"), str):
                    raise _bad(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not any(action in button for action in _BUTTON_ACTIONS):
                    raise _bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button:
                    url = button["url"]
                    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
                        raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
                count += 1
        if count > 100:
            raise _bad("reply markup is too long")
        if count == 0:
            return None
        return value
    if inline_only:
        raise _bad("inline keyboard expected")
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('Field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (
                    button.get("text") if isinstance(button, dict) else None
                )
                if not isinstance(text, str) or not text:
                    raise _bad('can\'t parse keyboard button: Field "text" must be of type String')
        return value
    if value.get("remove_keyboard") or value.get("force_reply"):
        return value
    raise _bad("can't parse reply keyboard markup JSON object")


# --- small machinery ----------------------------------------------------------------


class _Notifier:
    """Wake every coroutine waiting in `wait` when `notify` is called."""

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[bool]] = set()

    def notify(self) -> None:
        if not self._waiters:
            return
        waiters, self._waiters = self._waiters, set()
        for future in waiters:
            if not future.done():
                future.set_result(True)

    async def wait(self, timeout: float) -> bool:
        """True when notified, False when ``timeout`` seconds passed first."""
        if timeout <= 0:
            return False
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._waiters.add(future)
        handle = loop.call_later(timeout, _resolve_false, future)
        try:
            return await future
        finally:
            handle.cancel()
            self._waiters.discard(future)


def _resolve_false(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(False)


class _QueuedUpdate:
    __slots__ = ("key", "payload", "type", "update_id")

    def __init__(self, update_id: int, kind: str, payload: dict[str, Any], key: int) -> None:
        self.update_id = update_id
        self.type = kind
        self.payload = payload
        self.key = key  # chat (or user) id: webhook deliveries keep order per key


class _ChatState:
    __slots__ = ("chat", "last_user_seq", "menu_button", "messages", "next_message_id")

    def __init__(self, chat: SimChat) -> None:
        self.chat = chat
        self.messages: dict[int, ChatMessage] = {}
        self.next_message_id = 1
        self.last_user_seq = 0  # event seq of the latest user action in this chat
        self.menu_button: dict[str, Any] | None = None


@dataclass
class _CallbackQuery:
    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    created: float  # monotonic
    answered: bool = False


@dataclass
class _Injection:
    status: int
    description: str
    retry_after: int | None
    migrate_to_chat_id: int | None
    remaining: int | None  # None: until cleared
    chat_id: int | str | None


class _RateLimiter:
    """Sliding-window limits: global, per chat, and per group per minute."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._rules: list[tuple[str, int, float]] = []  # (scope, limit, window seconds)
        self._windows: dict[tuple[Any, ...], deque[float]] = {}
        self.settings: dict[str, float | None] = {
            "global_per_second": None,
            "per_chat_per_second": None,
            "per_group_per_minute": None,
            "global_burst": None,
            "per_chat_burst": None,
        }

    @property
    def enabled(self) -> bool:
        return bool(self._rules)

    def configure(
        self,
        global_per_second: float | None,
        per_chat_per_second: float | None,
        per_group_per_minute: float | None,
        *,
        global_burst: int | None = None,
        per_chat_burst: int | None = None,
    ) -> None:
        self.settings = {
            "global_per_second": global_per_second,
            "per_chat_per_second": per_chat_per_second,
            "per_group_per_minute": per_group_per_minute,
            "global_burst": global_burst,
            "per_chat_burst": per_chat_burst,
        }
        rules: list[tuple[str, int, float]] = []
        for scope, rate, burst in (("global", global_per_second, global_burst),
                                   ("chat", per_chat_per_second, per_chat_burst)):
            if rate:
                if rate <= 0:
                    raise ValueError("rates must be positive")
                if burst:
                    # `burst` messages at once, then `rate` a second on average: a window
                    # of `burst` messages per burst/rate seconds.
                    if burst < 1:
                        raise ValueError("bursts are at least 1")
                    rules.append((scope, int(burst), burst / rate))
                    continue
                window = 1.0 if rate >= 1 else 1.0 / rate
                rules.append((scope, max(1, int(rate * window)), window))
        if per_group_per_minute:
            rules.append(("group", max(1, int(per_group_per_minute)), 60.0))
        self._rules = rules
        self._windows.clear()

    def _keys(self, chat_key: Any) -> list[tuple[tuple[Any, ...], int, float]]:
        keys = []
        for scope, limit, window in self._rules:
            if scope == "global":
                keys.append((("global",), limit, window))
            elif scope == "chat":
                keys.append((("chat", chat_key), limit, window))
            elif isinstance(chat_key, int) and chat_key < 0:
                keys.append((("group", chat_key), limit, window))
        return keys

    def retry_after(self, chat_key: Any) -> int | None:
        now = self._monotonic()
        worst = 0.0
        for key, limit, window in self._keys(chat_key):
            stamps = self._windows.get(key)
            if not stamps:
                continue
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if len(stamps) >= limit:
                worst = max(worst, stamps[len(stamps) - limit] + window - now)
        if worst <= 0:
            return None
        return max(1, math.ceil(worst))

    def record(self, chat_key: Any) -> None:
        now = self._monotonic()
        for key, _limit, _window in self._keys(chat_key):
            self._windows.setdefault(key, deque()).append(now)


class _WebhookState:
    def __init__(
        self,
        url: str,
        secret_token: str | None,
        max_connections: int,
        ip_address: str | None,
    ) -> None:
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.ip_address = ip_address
        self.shards: list[deque[_QueuedUpdate]] = [deque() for _ in range(max_connections)]
        self.notifiers = [_Notifier() for _ in range(max_connections)]
        self.tasks: list[asyncio.Task[None]] = []
        self.active = True
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None

    def push(self, update: _QueuedUpdate) -> None:
        index = abs(update.key) % len(self.shards)
        self.shards[index].append(update)
        self.notifiers[index].notify()

    def pending(self) -> list[_QueuedUpdate]:
        return sorted(
            (update for shard in self.shards for update in shard), key=lambda u: u.update_id
        )

    @property
    def pending_count(self) -> int:
        return sum(len(shard) for shard in self.shards)


def _describe(predicate: Callable[..., Any]) -> str:
    try:
        source = inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)
    return source if len(source) <= 300 else source[:300] + "…"


# --- the fake -----------------------------------------------------------------------


class FakeTelegram:
    """An in-process fake Telegram Bot API server (see the module docstring).

    :param token: the one bot token the server accepts; the bot id is the number before
        ``:``.
    :param bot_username: the bot's @username (without ``@``).
    :param bot_first_name: the bot's display name.
    :param group_privacy: Telegram's privacy mode: in groups the bot only receives
        commands, mentions of it and replies to its messages (getMe reports
        ``can_read_all_group_messages = not group_privacy``).
    :param callback_query_ttl: seconds after which answerCallbackQuery fails with
        "query is too old…".
    :param auto_create_chats: sending to an unknown positive chat id creates a user and
        a private chat instead of answering 400 "chat not found".
    :param webhook_retry_delays: pauses between webhook delivery attempts; after the
        last one the update is dropped (recorded in getWebhookInfo's last_error_*).
    :param webhook_timeout: seconds to wait for the webhook's answer.
    :param clock: unix time for ``date`` fields.
    :param monotonic: the clock for rate limits and callback query ages (tests can pass
        a manual clock).
    :param flood_control: start with Telegram's flood limits (`TELEGRAM_FLOOD_LIMITS`)
        switched on.
    """

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
        self._chats: dict[int, _ChatState] = {}
        self._chat_ids_by_username: dict[str, int] = {}

        self._next_update_id = 1
        self._pending: deque[_QueuedUpdate] = deque()
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._allowed_updates_set: list[str] | None = None  # as last given, for getWebhookInfo
        self._poll_generation = 0
        self._pollers_waiting = 0
        self._event_pollers_waiting = 0
        self._webhook: _WebhookState | None = None

        self._queries: dict[str, _CallbackQuery] = {}
        self._next_query = 1
        self._callback_answers: dict[str, tuple[str | None, bool]] = {}
        self._commands: dict[tuple[tuple[Any, ...], str], list[dict[str, str]]] = {}
        self._default_menu_button: dict[str, Any] | None = None
        self._profile: dict[str, dict[str, str]] = {
            "name": {},
            "description": {},
            "short_description": {},
        }

        self._calls: list[ApiCall] = []
        self._calls_by_method: dict[str, list[ApiCall]] = {}
        self._events: list[FakeEvent] = []
        self._injections: dict[str, list[_Injection]] = {}
        self._rate = _RateLimiter(monotonic)
        if flood_control:
            self.set_rate_limits(**TELEGRAM_FLOOD_LIMITS)  # type: ignore[arg-type]
        self.stats = FakeStats()

        self._updates_changed = _Notifier()
        self._events_changed = _Notifier()
        self._changed = _Notifier()

        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._closing = False
        self.host: str | None = None
        self.port: int | None = None

        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": self._m_get_me,
            "getUpdates": self._m_get_updates,
            "sendMessage": self._m_send_message,
            "editMessageText": self._m_edit_message_text,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "deleteMessage": self._m_delete_message,
            "answerCallbackQuery": self._m_answer_callback_query,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "setWebhook": self._m_set_webhook,
            "deleteWebhook": self._m_delete_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "sendChatAction": self._m_send_chat_action,
            "getChat": self._m_get_chat,
            "setChatMenuButton": self._m_set_chat_menu_button,
            "getChatMenuButton": self._m_get_chat_menu_button,
            "setMyName": self._profile_setter("name"),
            "getMyName": self._profile_getter("name"),
            "setMyDescription": self._profile_setter("description"),
            "getMyDescription": self._profile_getter("description"),
            "setMyShortDescription": self._profile_setter("short_description"),
            "getMyShortDescription": self._profile_getter("short_description"),
            "logOut": lambda params: True,
            "close": lambda params: True,
        }
        self._method_names = {name.lower(): name for name in self._handlers}

    # --- lifecycle ------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeTelegram:
        """Start serving on ``host:port`` (0 picks a free port); see `base_url`."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already running")
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._cors])
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        self._add_control_routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self.host, self.port = address[0], address[1]
        self._client = ClientSession()
        log.info("fake Telegram Bot API listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        """Stop serving. Long polls return at once; webhook workers are cancelled."""
        self._closing = True
        self._updates_changed.notify()
        self._events_changed.notify()
        self._changed.notify()
        if self._webhook is not None:
            await self._stop_webhook_workers(self._webhook)
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://host:port``: give it to ``TelegramAPIServer.from_base``."""
        if self.port is None:
            raise RuntimeError("FakeTelegram is not started")
        host = f"[{self.host}]" if self.host and ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """``base_url/bot<token>``: append ``/<method>`` for raw HTTP calls."""
        return f"{self.base_url}/bot{self.token}"

    def create_bot(self, **kwargs: Any) -> Bot:
        """An aiogram `Bot` pointed at this server (close it: ``await bot.session.close()``)."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        session = AiohttpSession(api=TelegramAPIServer.from_base(self.base_url))
        return Bot(self.token, session=session, **kwargs)

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # --- simulated users and chats ---------------------------------------------------

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
            state = _ChatState(SimChat(id=user_id, type="private"))
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
            state = _ChatState(SimChat(id=chat_id, type=kind, title=title or f"Group {chat_id}"))
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

    def send_text(
        self,
        user: SimUser | int,
        text: str,
        chat: SimChat | int | None = None,
        *,
        reply_to: int | None = None,
    ) -> int | None:
        """Queue a ``message`` update: ``user`` writes ``text`` (in their private chat by
        default). ``/commands`` get ``bot_command`` entities like Telegram adds.

        Returns the update_id, or None when Telegram would not deliver it (a plain
        message in a group while `group_privacy` is on). A blocked bot is unblocked
        first, as when a user presses "Restart".
        """
        update_id, _message = self._user_sends(user, text, chat, reply_to=reply_to)
        return update_id

    def click(
        self,
        user: SimUser | int,
        message_id: int | ChatMessage,
        callback_data: str,
        chat: SimChat | int | None = None,
    ) -> str:
        """Queue a ``callback_query``: ``user`` presses the button with ``callback_data``
        on the bot's message. Raises LookupError when the message (as it is now) has no
        such button. Returns the callback query id (see `callback_answers`).
        """
        sim_user = self._as_user(user)
        state = self._state(chat if chat is not None else sim_user.id)
        msg_id = message_id.message_id if isinstance(message_id, ChatMessage) else message_id
        message = state.messages.get(msg_id)
        if message is None or message.deleted or not message.from_bot:
            raise LookupError(
                f"chat {state.chat.id} has no bot message {msg_id} to click "
                f"(bot messages: {[m.message_id for m in self.messages(state.chat.id)]})"
            )
        if callback_data not in message.callback_data:
            raise LookupError(
                f"message {msg_id} in chat {state.chat.id} has no button with callback_data "
                f"{callback_data!r}; its buttons: "
                f"{[(b.text, b.callback_data) for row in message.inline_keyboard for b in row]}"
            )
        return self._queue_callback(sim_user, state, msg_id, callback_data)

    def click_button(
        self,
        user: SimUser | int,
        message_id: int | ChatMessage,
        text: str,
        chat: SimChat | int | None = None,
    ) -> str:
        """Like `click`, choosing the callback button by its label (exact, else the only
        label containing ``text``)."""
        sim_user = self._as_user(user)
        state = self._state(chat if chat is not None else sim_user.id)
        msg_id = message_id.message_id if isinstance(message_id, ChatMessage) else message_id
        message = state.messages.get(msg_id)
        if message is None or message.deleted or not message.from_bot:
            raise LookupError(f"chat {state.chat.id} has no bot message {msg_id} to click")
        buttons = [b for row in message.inline_keyboard for b in row if b.callback_data]
        exact = [b for b in buttons if b.text == text]
        partial = [b for b in buttons if text in b.text]
        chosen = exact or (partial if len(partial) == 1 else [])
        if not chosen:
            raise LookupError(
                f"message {msg_id} has no single callback button labelled {text!r}; "
                f"labels: {[b.text for b in buttons]}"
            )
        return self.click(sim_user, msg_id, chosen[0].callback_data or "", chat=state.chat.id)

    def click_raw(
        self,
        user: SimUser | int,
        message_id: int,
        data: str | None,
        chat: SimChat | int | None = None,
    ) -> str:
        """Queue a ``callback_query`` with arbitrary (possibly forged) data, without
        checking the message or its buttons. Returns the callback query id."""
        sim_user = self._as_user(user)
        state = self._state(chat if chat is not None else sim_user.id)
        return self._queue_callback(sim_user, state, message_id, data)

    def block(self, user: SimUser | int) -> None:
        """The user blocks the bot: sends to their chat answer 403, and a
        ``my_chat_member`` update (status ``kicked``) is queued."""
        sim_user = self._as_user(user)
        state = self._chats[sim_user.id]
        if state.chat.blocked:
            return
        state.chat.blocked = True
        self._queue_my_chat_member(sim_user, state, "member", "kicked")
        seq = self._emit("user_blocked", state.chat.id, user_id=sim_user.id)
        state.last_user_seq = seq

    def unblock(self, user: SimUser | int) -> None:
        """The user unblocks (restarts) the bot; a ``my_chat_member`` ``member`` update is
        queued."""
        sim_user = self._as_user(user)
        state = self._chats[sim_user.id]
        if not state.chat.blocked:
            return
        state.chat.blocked = False
        state.chat.started = True
        self._queue_my_chat_member(sim_user, state, "kicked", "member")
        seq = self._emit("user_unblocked", state.chat.id, user_id=sim_user.id)
        state.last_user_seq = seq

    def deactivate(self, user: SimUser | int) -> None:
        """The user deletes their account: sends answer 403 "user is deactivated"."""
        sim_user = self._as_user(user)
        self._chats[sim_user.id].chat.deactivated = True

    def queue_update(self, update: dict[str, Any]) -> int:
        """Queue any raw update object (``{"message": {...}}``); returns its update_id."""
        kinds = [key for key in update if key != "update_id"]
        if len(kinds) != 1:
            raise ValueError("an update has exactly one field besides update_id")
        kind = kinds[0]
        body = update[kind]
        key = 0
        if isinstance(body, dict):
            chat = body.get("chat") or (body.get("message") or {}).get("chat") or {}
            key = chat.get("id") or (body.get("from") or {}).get("id") or 0
        return self._enqueue(kind, body, int(key))

    # --- failure injection -------------------------------------------------------------

    def inject_error(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        times: int | None = 1,
        description: str | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (``times=None``:
        until `clear_errors`). ``method="*"`` matches every method but getUpdates.
        ``chat_id`` restricts it to calls for that chat. A 429 gets
        ``parameters.retry_after`` (default 1)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif migrate_to_chat_id is not None:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        key = "*" if method == "*" else method.lower()
        self._injections.setdefault(key, []).append(
            _Injection(status, description, retry_after, migrate_to_chat_id, times, chat_id)
        )

    def clear_errors(self, method: str | None = None) -> None:
        if method is None:
            self._injections.clear()
        else:
            self._injections.pop("*" if method == "*" else method.lower(), None)

    def set_rate_limits(
        self,
        global_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        per_group_per_minute: float | None = None,
        *,
        global_burst: int | None = None,
        per_chat_burst: int | None = None,
    ) -> None:
        """Flood control for messages sent or edited: calls beyond a limit get 429 with
        ``retry_after`` = seconds until the window frees up. All None: off (default).
        A burst lets that many messages through at once, then the rate on average.
        Telegram's own figures are in `TELEGRAM_FLOOD_LIMITS`."""
        self._rate.configure(global_per_second, per_chat_per_second, per_group_per_minute,
                             global_burst=global_burst, per_chat_burst=per_chat_burst)

    # --- reading the state -----------------------------------------------------------

    def messages(
        self, chat_id: int | SimChat | SimUser, *, include_deleted: bool = False
    ) -> list[BotMessage]:
        """The bot's messages in the chat, oldest first, as they are now."""
        state = self._chats.get(self._chat_key(chat_id))
        if state is None:
            return []
        return [
            message
            for message in state.messages.values()
            if message.from_bot and (include_deleted or not message.deleted)
        ]

    def last_message(self, chat_id: int | SimChat | SimUser) -> BotMessage | None:
        """The bot's most recent (not deleted) message in the chat."""
        state = self._chats.get(self._chat_key(chat_id))
        if state is None:
            return None
        for message in reversed(state.messages.values()):
            if message.from_bot and not message.deleted:
                return message
        return None

    def message(self, chat_id: int | SimChat | SimUser, message_id: int) -> ChatMessage | None:
        state = self._chats.get(self._chat_key(chat_id))
        return None if state is None else state.messages.get(message_id)

    def transcript(self, chat_id: int | SimChat | SimUser) -> list[ChatMessage]:
        """Every message in the chat, the users' included, oldest first."""
        state = self._chats.get(self._chat_key(chat_id))
        return [] if state is None else list(state.messages.values())

    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API call made so far, in the order they were answered."""
        return self._calls

    def calls_to(self, method: str) -> list[ApiCall]:
        name = self._method_names.get(method.lower(), method)
        return list(self._calls_by_method.get(name, ()))

    @property
    def callback_answers(self) -> dict[str, tuple[str | None, bool]]:
        """``{callback_query_id: (text, show_alert)}`` for every accepted answer."""
        return self._callback_answers

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

    def events(
        self, since: int = 0, *, chat_id: int | None = None, limit: int | None = None
    ) -> list[FakeEvent]:
        """Feed entries with ``seq > since`` (optionally for one chat)."""
        selected = self._events[max(since, 0) :]
        if chat_id is not None:
            selected = [event for event in selected if event.chat_id == chat_id]
        return selected[:limit] if limit is not None else selected

    @property
    def last_event_seq(self) -> int:
        return len(self._events)

    @property
    def pending_update_count(self) -> int:
        if self._webhook is not None:
            return self._webhook.pending_count
        return len(self._pending)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        queued = self._webhook.pending() if self._webhook is not None else self._pending
        return [self._update_json(update) for update in queued]

    @property
    def pollers_waiting(self) -> int:
        """How many getUpdates calls are currently long-polling."""
        return self._pollers_waiting

    @property
    def event_pollers_waiting(self) -> int:
        """How many ``GET /_fake/events`` requests are currently long-polling."""
        return self._event_pollers_waiting

    @property
    def allowed_updates(self) -> frozenset[str]:
        return self._allowed_updates

    @property
    def webhook_info(self) -> dict[str, Any]:
        return self._webhook_info()

    # --- waiting ---------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,
        *,
        message: str | None = None,
        interval: float = 0.05,
    ) -> Any:
        """Re-check ``predicate`` (sync or async) whenever the fake's state changes (and at
        least every ``interval`` seconds) until it returns something truthy, which is
        returned. Raises TimeoutError describing the predicate and the recent API calls."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = message or f"condition {_describe(predicate)}"
                raise TimeoutError(f"{what} not met within {timeout}s\n{self.describe_recent()}")
            await self._changed.wait(min(remaining, interval))

    async def wait_for_message(
        self,
        chat_id: int | SimChat | SimUser,
        contains: str | re.Pattern[str] | None = None,
        *,
        timeout: float = 5.0,
        since: int | None = None,
        predicate: Callable[[BotMessage], bool] | None = None,
    ) -> BotMessage:
        """Wait until the bot sends or edits a message in the chat whose text contains
        ``contains`` (a substring or a regex) and satisfies ``predicate``; return that
        message as it is now.

        Only bot actions after ``since`` (an event seq, see `last_event_seq`) count. By
        default that is the latest user action in this chat (send_text, click, block),
        so the wait is for the bot's reaction to it; pass ``since=0`` to also accept
        older messages.
        """
        key = self._chat_key(chat_id)
        if since is None:
            state = self._chats.get(key)
            since = state.last_user_seq if state is not None else 0
        cursor = since

        def matches(text: str) -> bool:
            if contains is None:
                return True
            if isinstance(contains, re.Pattern):
                return contains.search(text) is not None
            return contains in text

        def check() -> BotMessage | None:
            nonlocal cursor
            events = self._events
            while cursor < len(events):
                event = events[cursor]
                cursor += 1
                if event.chat_id != key or event.type not in ("message_sent", "message_edited"):
                    continue
                if not matches(event.data["message"]["text"]):
                    continue
                message = self._chats[key].messages[event.data["message_id"]]
                if predicate is None or predicate(message):
                    return message
            return None

        try:
            return await self.wait_for(check, timeout)
        except TimeoutError:
            recent = [
                f"  #{m.message_id}{' (edited)' if m.edited else ''}: {m.text[:120]!r}"
                for m in self.messages(key)[-5:]
            ]
            wanted = f"containing {contains!r}" if contains is not None else "any message"
            raise TimeoutError(
                f"no bot message {wanted} in chat {key} after event #{since} within "
                f"{timeout}s\nbot messages now:\n" + ("\n".join(recent) or "  (none)")
                + f"\n{self.describe_recent()}"
            ) from None

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,
        since: int = 0,
    ) -> ApiCall:
        """Wait for a call of ``method`` (the n-th onwards, ``since`` = how many calls of
        that method to skip) satisfying ``predicate``."""
        name = self._method_names.get(method.lower(), method)

        def check() -> ApiCall | None:
            for call in self._calls_by_method.get(name, ())[since:]:
                if predicate is None or predicate(call):
                    return call
            return None

        return await self.wait_for(check, timeout, message=f"a {name} call")

    def describe_recent(self, count: int = 12) -> str:
        """A few lines about the latest API calls and events, for failure messages."""
        calls = "\n".join(f"  {call}" for call in self._calls[-count:]) or "  (none)"
        events = "\n".join(
            f"  #{event.seq} {event.type} chat={event.chat_id}" for event in self._events[-count:]
        ) or "  (none)"
        return f"recent API calls:\n{calls}\nrecent events:\n{events}"

    # --- internals: users' side ----------------------------------------------------------

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

    def _state(self, chat: int | str | SimChat | SimUser) -> _ChatState:
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

    def _user_sends(
        self,
        user: SimUser | int,
        text: str,
        chat: SimChat | int | None,
        *,
        reply_to: int | None = None,
    ) -> tuple[int | None, ChatMessage]:
        sim_user = self._as_user(user)
        state = self._state(chat if chat is not None else sim_user.id)
        if state.chat.type == "private" and state.chat.blocked:
            self.unblock(sim_user)
        if state.chat.type == "private":
            state.chat.started = True
        date = int(self._clock())
        message = ChatMessage(
            chat_id=state.chat.id,
            message_id=state.next_message_id,
            from_bot=False,
            sender_id=sim_user.id,
            text=text,
            entities=command_entities(text),
            reply_markup=None,
            date=date,
            reply_to_message_id=reply_to,
        )
        message.versions.append(MessageVersion(text, message.entities, None, date))
        state.next_message_id += 1
        state.messages[message.message_id] = message
        state.last_user_seq = self._emit(
            "user_message",
            state.chat.id,
            message_id=message.message_id,
            user_id=sim_user.id,
            message=message.to_dict(versions=False),
        )
        if state.chat.type != "private" and self.group_privacy and not self._bot_can_see(
            state, message
        ):
            return None, message
        payload = self._telegram_message(state, message)
        return self._enqueue("message", payload, state.chat.id), message

    def _bot_can_see(self, state: _ChatState, message: ChatMessage) -> bool:
        text = message.text
        if text.startswith("/") or f"@{self.bot_username}".lower() in text.lower():
            return True
        if message.reply_to_message_id is not None:
            replied = state.messages.get(message.reply_to_message_id)
            return replied is not None and replied.from_bot
        return False

    def _queue_callback(
        self, user: SimUser, state: _ChatState, message_id: int, data: str | None
    ) -> str:
        query_id = str(self.bot_id * 1_000_000_000 + self._next_query)
        self._next_query += 1
        message = state.messages.get(message_id)
        if message is not None and not message.deleted:
            message_json = self._telegram_message(state, message)
        else:  # Telegram sends an InaccessibleMessage
            message_json = {"chat": state.chat.to_dict(), "message_id": message_id, "date": 0}
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.to_dict(),
            "message": message_json,
            "chat_instance": str((state.chat.id * 6364136223846793005 + self.bot_id) % 2**63),
        }
        if data is not None:
            payload["data"] = data
        self._queries[query_id] = _CallbackQuery(
            id=query_id,
            user_id=user.id,
            chat_id=state.chat.id,
            message_id=message_id,
            data=data,
            created=self._monotonic(),
        )
        state.last_user_seq = self._emit(
            "user_click",
            state.chat.id,
            message_id=message_id,
            user_id=user.id,
            callback_query_id=query_id,
            data=data,
        )
        self._enqueue("callback_query", payload, state.chat.id)
        return query_id

    def _queue_my_chat_member(
        self, user: SimUser, state: _ChatState, old: str, new: str
    ) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.bot_user}
            if status == "kicked":
                data["until_date"] = 0
            return data

        payload = {
            "chat": state.chat.to_dict(),
            "from": user.to_dict(),
            "date": int(self._clock()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self._enqueue("my_chat_member", payload, state.chat.id)

    def _enqueue(self, kind: str, payload: dict[str, Any], key: int) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self.stats.updates_queued += 1
        if kind not in self._allowed_updates:
            self.stats.updates_filtered += 1
            return update_id
        update = _QueuedUpdate(update_id, kind, payload, key)
        if self._webhook is not None:
            self._webhook.push(update)
        else:
            self._pending.append(update)
            self._updates_changed.notify()
        self._changed.notify()
        return update_id

    @staticmethod
    def _update_json(update: _QueuedUpdate) -> dict[str, Any]:
        return {"update_id": update.update_id, update.type: update.payload}

    def _emit(self, kind: str, chat_id: int | None, **data: Any) -> int:
        seq = len(self._events) + 1
        self._events.append(FakeEvent(seq, kind, self._clock(), chat_id, data))
        self._events_changed.notify()
        self._changed.notify()
        return seq

    def _telegram_message(
        self, state: _ChatState, message: ChatMessage, *, with_reply: bool = True
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
            "text": message.text,
        }
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

    # --- internals: the HTTP API --------------------------------------------------------

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

    @staticmethod
    def _json_response(body: Any, status: int = 200) -> web.Response:
        return web.Response(
            body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            status=status,
            content_type="application/json",
        )

    async def _handle_file(self, request: web.Request) -> web.Response:
        return self._json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, 404
        )

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            raw = await self._read_params(request)
        except _ApiError as error:
            raw = {}
            status, body = self._error_body(error)
            self._record(method, raw, status, self._clock(), None, error.description, "http")
            return self._json_response(body, status)
        if request.match_info["token"] != self.token:
            self._record(method, raw, 401, self._clock(), None, "Unauthorized", "http")
            return self._json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )

        def connected() -> bool:
            transport = request.transport
            return transport is not None and not transport.is_closing()

        _client_connected.set(connected)
        status, body = await self._call(method, raw, via="http")
        return self._json_response(body, status)

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
                raise _bad("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise _bad("JSON request body must be an object")
            params.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"file": value.filename, "content_type": value.content_type}
                else:
                    params[key] = value
        return params

    def _error_body(self, error: _ApiError) -> tuple[int, dict[str, Any]]:
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
            params = _normalize_params(raw)
            self._apply_injection(name, params)
            rate_key: Any = None
            if name in _RATE_LIMITED_METHODS and self._rate.enabled:
                rate_key = self._rate_key(params)
                retry_after = self._rate.retry_after(rate_key)
                if retry_after is not None:
                    self.stats.rate_limited += 1
                    raise _too_many(retry_after)
            result = self._handlers[name](params)
            if inspect.isawaitable(result):
                result = await result
            if rate_key is not None:
                self._rate.record(rate_key)
        except _ApiError as error:
            status, body = self._error_body(error)
            self._record(name, params, status, at, None, error.description, via)
            return status, body
        except _Abandoned:
            return 499, {"ok": False, "error_code": 499, "description": "Client Closed Request"}
        except Exception:
            log.exception("fake Telegram: %s failed", name)
            self._record(name, params, 500, at, None, "Internal Server Error", via)
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        body = {"ok": True}
        if isinstance(result, _Result):
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

    def _apply_injection(self, name: str, params: dict[str, Any]) -> None:
        for key in (name.lower(), "*"):
            if key == "*" and name == "getUpdates":
                continue
            injections = self._injections.get(key)
            if not injections:
                continue
            for index, injection in enumerate(injections):
                if injection.chat_id is not None and params.get("chat_id") != injection.chat_id:
                    continue
                if injection.remaining is not None:
                    injection.remaining -= 1
                    if injection.remaining <= 0:
                        del injections[index]
                self.stats.injected_errors += 1
                parameters: dict[str, Any] = {}
                if injection.retry_after is not None:
                    parameters["retry_after"] = injection.retry_after
                if injection.migrate_to_chat_id is not None:
                    parameters["migrate_to_chat_id"] = injection.migrate_to_chat_id
                raise _ApiError(injection.status, injection.description, parameters or None)

    def _rate_key(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str):
            return self._chat_ids_by_username.get(chat_id.lstrip("@").lower(), chat_id)
        return chat_id

    # --- internals: chats for API calls -------------------------------------------------

    def _resolve_chat(self, chat_id: Any) -> _ChatState:
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if isinstance(chat_id, str):
            key = self._chat_ids_by_username.get(chat_id.lstrip("@").lower())
            if key is None:
                raise _ApiError(400, CHAT_NOT_FOUND)
            return self._chats[key]
        state = self._chats.get(chat_id)
        if state is None:
            if self.auto_create_chats and isinstance(chat_id, int) and chat_id > 0:
                self.user(chat_id)
                return self._chats[chat_id]
            raise _ApiError(400, CHAT_NOT_FOUND)
        return state

    @staticmethod
    def _check_reachable(state: _ChatState) -> None:
        if state.chat.type != "private":
            return
        if state.chat.deactivated:
            raise _ApiError(403, USER_DEACTIVATED)
        if state.chat.blocked:
            raise _ApiError(403, BOT_BLOCKED)
        if not state.chat.started:
            raise _ApiError(403, CANT_INITIATE)

    @staticmethod
    def _message_text(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]], str | None]:
        raw = params.get("text")
        if raw is None or raw == "":
            raise _bad("message text is empty")
        raw = str(raw)
        parse_mode = params.get("parse_mode") or None
        entities: list[dict[str, Any]]
        if parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    text, entities = parse_html(raw)
                except EntityParseError as error:
                    raise _bad(f"can't parse entities: {error}") from None
            elif mode in ("markdown", "markdownv2"):
                text, entities = raw, []  # not parsed by the fake; the text is kept verbatim
            else:
                raise _bad("unsupported parse_mode")
        else:
            text = raw
            given = params.get("entities") or []
            if not isinstance(given, list) or not all(
                isinstance(e, dict)
                and isinstance(e.get("type"), str)
                and isinstance(e.get("offset"), int)
                and isinstance(e.get("length"), int)
                for e in given
            ):
                raise _bad("can't parse entities JSON object")
            entities = sorted(given, key=lambda e: (e["offset"], -e["length"]))
        text, entities = strip_text(text, entities)
        if not text:
            raise _bad("message text is empty")
        if len(text) > _MAX_TEXT:
            raise _bad("message is too long")
        return text, entities, parse_mode

    # --- Bot API methods --------------------------------------------------------------

    def _m_get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_allowed_updates(self, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            raise _bad("can't parse allowed_updates JSON object")
        known = [kind for kind in value if isinstance(kind, str) and kind in ALL_UPDATE_TYPES]
        self._allowed_updates_set = list(value)
        self._allowed_updates = frozenset(known) if known else DEFAULT_UPDATE_TYPES

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        pending = self._pending
        if offset > 0:
            while pending and pending[0].update_id < offset:
                pending.popleft()
        else:
            while len(pending) > -offset:
                pending.popleft()

    def _take_updates(self, limit: int) -> list[dict[str, Any]]:
        allowed = self._allowed_updates
        out: list[dict[str, Any]] = []
        dropped = False
        for update in self._pending:
            if update.type not in allowed:
                dropped = True
                continue
            out.append(self._update_json(update))
            if len(out) >= limit:
                break
        if dropped:
            kept = deque(update for update in self._pending if update.type in allowed)
            self.stats.updates_filtered += len(self._pending) - len(kept)
            self._pending = kept
        return out

    async def _m_get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise _ApiError(409, WEBHOOK_CONFLICT)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(int(params.get("timeout") or 0), 0)
        if "allowed_updates" in params:
            self._set_allowed_updates(params["allowed_updates"])
        self._confirm(params.get("offset"))
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.notify()  # a waiting getUpdates is terminated by this one
        connected = _client_connected.get()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._webhook is not None:
                raise _ApiError(409, WEBHOOK_CONFLICT)
            batch = self._take_updates(limit)
            if batch or self._closing:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._pollers_waiting += 1
            self._changed.notify()
            try:
                # Wake up now and then to notice a client that gave up (aiogram cancels
                # its request on stop_polling): such a poll just ends, unrecorded.
                await self._updates_changed.wait(min(remaining, 0.5))
            finally:
                self._pollers_waiting -= 1
                self._changed.notify()
            if not connected():
                raise _Abandoned
            if generation != self._poll_generation:
                raise _ApiError(409, POLLING_CONFLICT)
        if batch and not connected():
            raise _Abandoned  # the updates stay pending: nobody confirmed them
        self.stats.updates_returned += len(batch)
        return batch

    def _m_send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._resolve_chat(params.get("chat_id"))
        self._check_reachable(state)
        text, entities, parse_mode = self._message_text(params)
        markup = _validate_markup(params.get("reply_markup"), inline_only=False)
        reply_to = params.get("reply_to_message_id")
        reply_parameters = params.get("reply_parameters")
        allow_without = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id", reply_to)
            allow_without = bool(reply_parameters.get("allow_sending_without_reply", allow_without))
        if reply_to is not None:
            replied = state.messages.get(reply_to)
            if replied is None or replied.deleted:
                if not allow_without:
                    raise _bad("message to be replied not found")
                reply_to = None
        date = int(self._clock())
        message = ChatMessage(
            chat_id=state.chat.id,
            message_id=state.next_message_id,
            from_bot=True,
            sender_id=self.bot_id,
            text=text,
            entities=entities,
            reply_markup=markup,
            date=date,
            reply_to_message_id=reply_to,
            parse_mode=parse_mode,
        )
        message.versions.append(MessageVersion(text, entities, markup, date))
        state.next_message_id += 1
        state.messages[message.message_id] = message
        self.stats.messages_sent += 1
        self.stats.messages_per_chat[state.chat.id] += 1
        self._emit(
            "message_sent",
            state.chat.id,
            message_id=message.message_id,
            message=message.to_dict(versions=False),
        )
        return self._telegram_message(state, message)

    def _editable(self, params: dict[str, Any]) -> tuple[_ChatState, ChatMessage]:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")  # inline messages are not modelled
        state = self._resolve_chat(params.get("chat_id"))
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise _ApiError(400, MESSAGE_TO_EDIT_NOT_FOUND)
        if not message.from_bot:
            raise _bad("message can't be edited")
        self._check_reachable(state)
        return state, message

    def _apply_edit(
        self,
        state: _ChatState,
        message: ChatMessage,
        text: str,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        *,
        text_changed: bool,
    ) -> dict[str, Any]:
        date = int(self._clock())
        message.text = text
        message.entities = entities
        message.reply_markup = markup
        if text_changed:
            message.edit_date = date
        message.versions.append(MessageVersion(text, entities, markup, date))
        self.stats.messages_edited += 1
        self.stats.edits_per_chat[state.chat.id] += 1
        self._emit(
            "message_edited",
            state.chat.id,
            message_id=message.message_id,
            message=message.to_dict(versions=False),
        )
        return self._telegram_message(state, message)

    def _m_edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        state, message = self._editable(params)
        text, entities, _parse_mode = self._message_text(params)
        # Telegram drops the inline keyboard when an edit does not pass one.
        markup = _validate_markup(params.get("reply_markup"), inline_only=True)
        if text == message.text and entities == message.entities and markup == message.reply_markup:
            raise _ApiError(400, MESSAGE_NOT_MODIFIED)
        text_changed = text != message.text or entities != message.entities
        return self._apply_edit(state, message, text, entities, markup, text_changed=text_changed)

    def _m_edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        state, message = self._editable(params)
        markup = _validate_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.reply_markup:
            raise _ApiError(400, MESSAGE_NOT_MODIFIED)
        return self._apply_edit(
            state, message, message.text, message.entities, markup, text_changed=False
        )

    def _m_delete_message(self, params: dict[str, Any]) -> bool:
        state = self._resolve_chat(params.get("chat_id"))
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise _ApiError(400, MESSAGE_TO_DELETE_NOT_FOUND)
        if not message.from_bot and state.chat.type != "private":
            raise _bad("message can't be deleted")
        message.deleted = True
        self.stats.messages_deleted += 1
        self._emit("message_deleted", state.chat.id, message_id=message_id)
        return True

    def _m_answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._queries.get(query_id)
        if (
            query is None
            or query.answered
            or self._monotonic() - query.created > self.callback_query_ttl
        ):
            raise _ApiError(400, QUERY_TOO_OLD)
        text = params.get("text") or None
        if text is not None and len(str(text)) > _MAX_CALLBACK_ANSWER:
            raise _bad("MESSAGE_TOO_LONG")
        show_alert = bool(params.get("show_alert"))
        query.answered = True
        self._callback_answers[query_id] = (text, show_alert)
        self.stats.callback_answers += 1
        self._emit(
            "callback_answered",
            query.chat_id,
            callback_query_id=query_id,
            message_id=query.message_id,
            user_id=query.user_id,
            text=text,
            show_alert=show_alert,
            url=params.get("url"),
        )
        return True

    def _scope_key(self, scope: Any) -> tuple[Any, ...]:
        if scope is None:
            return ("default", None, None)
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise _bad("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        chat_id = scope.get("chat_id")
        user_id = scope.get("user_id")
        if kind in ("chat", "chat_administrators", "chat_member"):
            if chat_id is None:
                raise _bad("chat_id is empty")
            if isinstance(chat_id, str):
                chat_id = (
                    int(chat_id)
                    if _CHAT_ID.match(chat_id)
                    else self._chat_ids_by_username.get(chat_id.lstrip("@").lower(), chat_id)
                )
        else:
            chat_id = None
        if kind == "chat_member":
            if user_id is None:
                raise _bad("user_id is empty")
            user_id = int(user_id)
        else:
            user_id = None
        return (kind, chat_id, user_id)

    @staticmethod
    def _language(params: dict[str, Any]) -> str:
        language = params.get("language_code") or ""
        if language and not _LANGUAGE_CODE.match(language):
            raise _bad("invalid language code specified")
        return language

    def _m_set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if commands is None:
            raise _bad('parameter "commands" is required')
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME.match(name.lstrip("/")):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
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
            raise _bad("wrong parameter action in request")
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
            raise _bad("can't parse menu button JSON object")
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

    # --- webhook ---------------------------------------------------------------------

    def _webhook_info(self) -> dict[str, Any]:
        webhook = self._webhook
        if webhook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }
        info: dict[str, Any] = {
            "url": webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": webhook.pending_count,
            "max_connections": webhook.max_connections,
        }
        if webhook.ip_address:
            info["ip_address"] = webhook.ip_address
        if webhook.last_error_date is not None:
            info["last_error_date"] = webhook.last_error_date
            info["last_error_message"] = webhook.last_error_message
        if self._allowed_updates_set is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _m_get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._webhook_info()

    def _m_set_webhook(self, params: dict[str, Any]) -> _Result:
        url = params.get("url") or ""
        if not url:
            return self._m_delete_webhook(params)
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token") or None
        if secret is not None and not _SECRET_TOKEN.match(str(secret)):
            raise _bad("bad webhook: secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        if "allowed_updates" in params:
            self._set_allowed_updates(params["allowed_updates"])
        pending = self._take_all_pending()
        if params.get("drop_pending_updates"):
            pending = []
        unchanged = (
            self._webhook is not None
            and self._webhook.url == url
            and self._webhook.secret_token == secret
        )
        webhook = _WebhookState(url, secret, max_connections, params.get("ip_address") or None)
        self._webhook = webhook
        loop = asyncio.get_running_loop()
        webhook.tasks = [
            loop.create_task(self._webhook_worker(webhook, index), name=f"fake-webhook-{index}")
            for index in range(max_connections)
        ]
        for update in pending:
            if update.type in self._allowed_updates:
                webhook.push(update)
        self._updates_changed.notify()  # waiting getUpdates calls now get 409
        return _Result(True, "Webhook is already set" if unchanged else "Webhook was set")

    def _take_all_pending(self) -> list[_QueuedUpdate]:
        """Detach every undelivered update (from the polling queue or the webhook)."""
        if self._webhook is not None:
            old = self._webhook
            self._webhook = None
            old.active = False
            for task in old.tasks:
                task.cancel()
            pending = old.pending()
        else:
            pending = list(self._pending)
        self._pending = deque()
        return pending

    def _m_delete_webhook(self, params: dict[str, Any]) -> _Result:
        had_webhook = self._webhook is not None
        pending = self._take_all_pending()
        if not params.get("drop_pending_updates"):
            self._pending = deque(pending)
        self._updates_changed.notify()
        return _Result(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")

    async def _stop_webhook_workers(self, webhook: _WebhookState) -> None:
        webhook.active = False
        for task in webhook.tasks:
            task.cancel()
        await asyncio.gather(*webhook.tasks, return_exceptions=True)

    async def _webhook_worker(self, webhook: _WebhookState, index: int) -> None:
        shard = webhook.shards[index]
        notifier = webhook.notifiers[index]
        while webhook.active and not self._closing:
            if not shard:
                await notifier.wait(30.0)
                continue
            update = shard[0]
            if update.type in self._allowed_updates:
                await self._deliver(webhook, update)
            else:
                self.stats.updates_filtered += 1
            if shard and shard[0] is update:
                shard.popleft()
            self._changed.notify()

    async def _deliver(self, webhook: _WebhookState, update: _QueuedUpdate) -> bool:
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        body = json.dumps(self._update_json(update), ensure_ascii=False).encode("utf-8")
        attempts = len(self.webhook_retry_delays) + 1
        for attempt in range(attempts):
            if not webhook.active or self._client is None:
                return False
            try:
                async with self._client.post(
                    webhook.url,
                    data=body,
                    headers=headers,
                    timeout=ClientTimeout(total=self.webhook_timeout),
                ) as response:
                    if 200 <= response.status < 300:
                        self.stats.webhook_deliveries += 1
                        await self._webhook_reply(response)
                        return True
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (ClientError, TimeoutError, OSError) as exc:
                error = f"Connection failed: {type(exc).__name__}: {exc}".rstrip(": ")
            webhook.last_error_date = int(self._clock())
            webhook.last_error_message = error
            self.stats.webhook_failures += 1
            if attempt < attempts - 1:
                await asyncio.sleep(self.webhook_retry_delays[attempt])
        self.stats.webhook_dropped += 1
        log.warning(
            "fake Telegram: dropped update %s after %d attempts", update.update_id, attempts
        )
        return False

    async def _webhook_reply(self, response: Any) -> None:
        """Telegram runs a method the webhook returns in its response body."""
        content_type = response.headers.get("Content-Type", "")
        params: dict[str, Any] = {}
        try:
            if content_type.startswith("multipart/"):
                reader = MultipartReader(response.headers, response.content)
                while True:
                    part = await reader.next()
                    if part is None:
                        break
                    raw = await part.read(decode=True)  # type: ignore[union-attr]
                    params[part.name or ""] = raw.decode("utf-8")
            elif content_type.startswith("application/json"):
                data = await response.json(content_type=None)
                if isinstance(data, dict):
                    params = data
            else:
                return
        except (ValueError, ClientError) as exc:
            log.warning("fake Telegram: unreadable webhook reply: %s", exc)
            return
        method = params.pop("method", None)
        if isinstance(method, str) and method:
            await self._call(method, params, via="webhook_reply")

    # --- the control API (/_fake/…) -----------------------------------------------------

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
        return FakeTelegram._json_response({"ok": False, "error": message}, status)

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
        return self._json_response(
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
        return self._json_response(
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
        return self._json_response({"ok": True, "callback_query_id": query_id})

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
        return self._json_response({"ok": True, "blocked": bool(blocked)})

    async def _c_update(self, request: web.Request) -> web.Response:
        try:
            data = await self._c_body(request)
            update_id = self.queue_update(data)
        except (ValueError, TypeError) as exc:
            return self._c_error(str(exc))
        return self._json_response({"ok": True, "update_id": update_id})

    async def _c_chat(self, request: web.Request) -> web.Response:
        raw = request.match_info["chat_id"]
        try:
            key = int(raw) if _CHAT_ID.match(raw) else self._chat_key(raw)
        except KeyError as exc:
            return self._c_error(str(exc.args[0]), 404)
        state = self._chats.get(key)
        if state is None:
            return self._c_error(f"unknown chat {key}", 404)
        return self._json_response(
            {
                "ok": True,
                "chat": {**state.chat.to_dict(), "blocked": state.chat.blocked},
                "messages": [message.to_dict() for message in state.messages.values()],
            }
        )

    async def _c_chats(self, request: web.Request) -> web.Response:
        return self._json_response(
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
        return self._json_response(
            {
                "ok": True,
                "events": [event.to_dict() for event in selected],
                "last_seq": selected[-1].seq if selected else max(since, 0),
            }
        )

    async def _c_errors_list(self, request: web.Request) -> web.Response:
        return self._json_response(
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
        return self._json_response({"ok": True})

    async def _c_errors_clear(self, request: web.Request) -> web.Response:
        self.clear_errors(request.query.get("method"))
        return self._json_response({"ok": True})

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
        return self._json_response({"ok": True, **self._rate.settings})

    async def _c_calls(self, request: web.Request) -> web.Response:
        try:
            since = int(request.query.get("since", 0))
        except ValueError as exc:
            return self._c_error(str(exc))
        method = request.query.get("method")
        calls = self.calls_to(method) if method else self._calls
        return self._json_response(
            {
                "ok": True,
                "calls": [call.to_dict() for call in calls[since:]],
                "next": max(len(calls), since),
            }
        )

    async def _c_stats(self, request: web.Request) -> web.Response:
        return self._json_response(
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
        except (ValueError, _ApiError) as exc:
            return self._c_error(str(exc))
        return self._json_response({"ok": True, "commands": commands})

    async def _c_webhook(self, request: web.Request) -> web.Response:
        return self._json_response({"ok": True, "webhook": self._webhook_info()})


# --- command line ---------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Serve a fake Bot API until interrupted (for a browser page or a manual bot run)."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--bot-username", default="workday_bot")
    parser.add_argument("--callback-query-ttl", type=float, default=15.0)
    parser.add_argument(
        "--auto-create-chats",
        action="store_true",
        help="sending to an unknown positive chat id creates that user",
    )
    parser.add_argument(
        "--flood-control",
        action="store_true",
        help="answer 429 beyond Telegram's flood limits (1/s per chat with bursts, 20/min per group, 30/s)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    async def serve() -> None:
        fake = FakeTelegram(
            token=args.token,
            bot_username=args.bot_username,
            callback_query_ttl=args.callback_query_ttl,
            auto_create_chats=args.auto_create_chats,
            flood_control=args.flood_control,
        )
        await fake.start(args.host, args.port)
        print(
            f"fake Telegram Bot API: {fake.base_url}  (control API: {fake.base_url}/_fake/)",
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await fake.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
