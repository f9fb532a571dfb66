"""Plain data objects of the fake Telegram Bot API (see `workday_sandbox.telegram.server`)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from workday_sandbox.telegram.html import render_html
from workday_sandbox.telegram.photos import PhotoSize, StoredPhoto

__all__ = [
    "ApiCall",
    "BotMessage",
    "Button",
    "ChatMessage",
    "FakeEvent",
    "FakeStats",
    "MessageVersion",
    "SimChat",
    "SimUser",
]


@dataclass
class SimUser:
    """A simulated Telegram user. Their private chat with the bot has ``id == user id``."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool | None = None

    @property
    def chat_id(self) -> int:
        return self.id

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        if self.is_premium:
            data["is_premium"] = True
        return data


@dataclass
class SimChat:
    """A chat the bot is in: a private chat with a `SimUser`, or a group."""

    id: int
    type: str  # "private", "group", "supergroup" or "channel"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    blocked: bool = False  # private chats: the user blocked the bot
    deactivated: bool = False  # private chats: the user deleted their account
    # Private chats: the user has pressed Start (written to the bot) at some point; until
    # then Telegram refuses to let the bot write first.
    started: bool = True

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        if self.username:
            data["username"] = self.username
        if self.first_name:
            data["first_name"] = self.first_name
        if self.last_name:
            data["last_name"] = self.last_name
        return data


@dataclass(frozen=True)
class Button:
    """One inline keyboard button (or a reply keyboard button, which only has text)."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw) if self.raw else {"text": self.text}


@dataclass(frozen=True)
class MessageVersion:
    """The content of a message at one point in time (the original or an edit)."""

    text: str  # a photo message's caption
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    date: int
    photo: StoredPhoto | None = None

    @property
    def html(self) -> str:
        return render_html(self.text, self.entities)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "entities": self.entities,
            "html": self.html,
            "reply_markup": self.reply_markup,
            "date": self.date,
        }
        if self.photo is not None:
            data["photo"] = self.photo.to_dicts()
        return data


def _buttons(markup: dict[str, Any] | None) -> list[list[Button]]:
    if not markup:
        return []
    rows = markup.get("inline_keyboard")
    if rows is None:
        rows = markup.get("keyboard") or []
    result = []
    for row in rows:
        buttons = []
        for raw in row:
            if isinstance(raw, str):
                buttons.append(Button(text=raw, raw={"text": raw}))
            else:
                buttons.append(
                    Button(
                        text=str(raw.get("text", "")),
                        callback_data=raw.get("callback_data"),
                        url=raw.get("url"),
                        raw=raw,
                    )
                )
        result.append(buttons)
    return result


@dataclass
class ChatMessage:
    """A message in a chat: sent by the bot (``from_bot``) or by a simulated user.

    ``text``/``entities``/``reply_markup`` are the current content; ``versions`` holds
    every content the message had, the original first. A photo message has ``photo``
    set, and its ``text``/``entities`` are the caption (empty when it has none), as
    `caption` and `caption_entities` also say.
    """

    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    text: str
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    date: int
    versions: list[MessageVersion] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    reply_to_message_id: int | None = None
    parse_mode: str | None = None
    photo: StoredPhoto | None = None

    @property
    def edited(self) -> bool:
        return len(self.versions) > 1

    @property
    def is_photo(self) -> bool:
        return self.photo is not None

    @property
    def caption(self) -> str | None:
        """A photo message's caption ("" when it has none); None for a text message."""
        return self.text if self.photo is not None else None

    @property
    def caption_entities(self) -> list[dict[str, Any]] | None:
        return self.entities if self.photo is not None else None

    @property
    def photo_sizes(self) -> list[PhotoSize]:
        """The PhotoSizes the Bot API returned for the current photo, smallest first."""
        return list(self.photo.sizes) if self.photo is not None else []

    @property
    def photo_file_id(self) -> str | None:
        """The file_id of the current photo's largest size (what a bot keeps to resend)."""
        return self.photo.sizes[-1].file_id if self.photo is not None else None

    @property
    def photo_bytes(self) -> bytes | None:
        """The uploaded image of the current photo."""
        return self.photo.data if self.photo is not None else None

    @property
    def html(self) -> str:
        return render_html(self.text, self.entities)

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows (or reply keyboard rows for a ReplyKeyboardMarkup)."""
        return _buttons(self.reply_markup)

    @property
    def inline_keyboard(self) -> list[list[Button]]:
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return self.buttons

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [
            button.callback_data
            for row in self.inline_keyboard
            for button in row
            if button.callback_data is not None
        ]

    def find_button(self, text: str | None = None, data: str | None = None) -> Button | None:
        """The first button with exactly this text and/or callback data."""
        for row in self.buttons:
            for button in row:
                if text is not None and button.text != text:
                    continue
                if data is not None and button.callback_data != data:
                    continue
                return button
        return None

    def to_dict(self, *, versions: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "from_bot": self.from_bot,
            "sender_id": self.sender_id,
            "text": self.text,
            "entities": self.entities,
            "html": self.html,
            "reply_markup": self.reply_markup,
            "buttons": [[button.to_dict() for button in row] for row in self.buttons],
            "date": self.date,
            "edit_date": self.edit_date,
            "edited": self.edited,
            "deleted": self.deleted,
            "reply_to_message_id": self.reply_to_message_id,
        }
        if self.photo is not None:
            data["photo"] = self.photo.to_dicts()
            data["caption"] = self.text
            data["caption_entities"] = self.entities
            data["photo_mime_type"] = self.photo.mime_type
        if versions:
            data["versions"] = [version.to_dict() for version in self.versions]
        return data


BotMessage = ChatMessage
"""The name the tests use for messages the bot sent (``ChatMessage.from_bot`` is True)."""


@dataclass
class ApiCall:
    """One Bot API request: decoded parameters, the HTTP status answered, and when."""

    method: str  # canonical spelling, e.g. "sendMessage"
    params: dict[str, Any]
    status: int
    at: float  # unix time when the request arrived
    result: Any = None
    description: str | None = None  # the error description when status != 200
    via: str = "http"  # "http" or "webhook_reply"

    @property
    def ok(self) -> bool:
        return self.status == 200

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "params": _jsonable(self.params),
            "status": self.status,
            "at": self.at,
            "description": self.description,
            "via": self.via,
        }

    def __str__(self) -> str:
        shown = ", ".join(
            f"{key}={value!r}"
            for key, value in self.params.items()
            if key in ("chat_id", "message_id", "text", "callback_query_id", "offset")
        )
        outcome = "ok" if self.ok else f"{self.status} {self.description}"
        return f"{self.method}({shown}) -> {outcome}"


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        if isinstance(value, dict):
            return {key: _jsonable(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [_jsonable(item) for item in value]
        return repr(value)
    return value


@dataclass
class FakeEvent:
    """One entry of the bot-action feed (`FakeTelegram.events`, ``GET /_fake/events``).

    Types: ``message_sent``, ``message_edited``, ``message_deleted``, ``callback_answered``,
    ``chat_action``, ``user_message``, ``user_click``, ``user_blocked``, ``user_unblocked``.
    """

    seq: int
    type: str
    at: float
    chat_id: int | None
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "at": self.at,
            "chat_id": self.chat_id,
            **self.data,
        }


@dataclass
class FakeStats:
    """Live counters. ``status_counts`` counts every HTTP status the API answered."""

    calls_per_method: Counter[str] = field(default_factory=Counter)
    status_counts: Counter[int] = field(default_factory=Counter)
    messages_per_chat: Counter[int] = field(default_factory=Counter)
    edits_per_chat: Counter[int] = field(default_factory=Counter)
    messages_sent: int = 0
    messages_edited: int = 0
    messages_deleted: int = 0
    photos_uploaded: int = 0  # photo files stored (sendPhoto / editMessageMedia uploads)
    callback_answers: int = 0
    injected_errors: int = 0
    rate_limited: int = 0  # 429s produced by set_rate_limits (injected ones not included)
    updates_queued: int = 0
    updates_filtered: int = 0  # dropped because allowed_updates excluded their type
    updates_returned: int = 0  # returned by getUpdates (a redelivery counts again)
    webhook_deliveries: int = 0  # 2xx answers from the webhook
    webhook_failures: int = 0  # failed attempts (each retry counts)
    webhook_dropped: int = 0  # updates given up on after the last retry

    @property
    def too_many_requests(self) -> int:
        """How many 429s the API answered (injected and rate limited)."""
        return self.status_counts[429]

    @property
    def forbidden(self) -> int:
        """How many 403s the API answered."""
        return self.status_counts[403]

    @property
    def bad_requests(self) -> int:
        return self.status_counts[400]

    @property
    def total_calls(self) -> int:
        return sum(self.calls_per_method.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_calls": self.total_calls,
            "calls_per_method": dict(self.calls_per_method),
            "status_counts": {str(key): value for key, value in self.status_counts.items()},
            "too_many_requests": self.too_many_requests,
            "forbidden": self.forbidden,
            "bad_requests": self.bad_requests,
            "messages_per_chat": {str(key): value for key, value in self.messages_per_chat.items()},
            "edits_per_chat": {str(key): value for key, value in self.edits_per_chat.items()},
            "messages_sent": self.messages_sent,
            "messages_edited": self.messages_edited,
            "messages_deleted": self.messages_deleted,
            "photos_uploaded": self.photos_uploaded,
            "callback_answers": self.callback_answers,
            "injected_errors": self.injected_errors,
            "rate_limited": self.rate_limited,
            "updates_queued": self.updates_queued,
            "updates_filtered": self.updates_filtered,
            "updates_returned": self.updates_returned,
            "webhook_deliveries": self.webhook_deliveries,
            "webhook_failures": self.webhook_failures,
            "webhook_dropped": self.webhook_dropped,
        }
