"""Decoding and checking Bot API parameters: form values, reply markup, message texts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from workday_sandbox.telegram.errors import bad
from workday_sandbox.telegram.html import EntityParseError, parse_html, strip_text

BUTTON_ACTIONS = (
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
MAX_TEXT = 4096
MAX_CAPTION = 1024


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart request (``name`` is the form field; a Bot API
    parameter refers to it as ``attach://<name>`` or by the same name)."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"<file {self.filename or self.name!r}, {len(self.data)} bytes>"


# How form values are decoded. Everything else stays a string.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
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
INT_FIELDS = frozenset(
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
BOOL_FIELDS = frozenset(
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
CHAT_ID = re.compile(r"^-?\d+$")


def drop_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: drop_nones(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [drop_nones(item) for item in value if item is not None]
    return value


def normalize_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode form strings (JSON objects, ints, booleans) into Python values.

    Values that already have a type (a JSON request body) are kept as they are.
    """
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_FIELDS:
            if isinstance(value, str):
                has_nulls = "null" in value
                try:
                    value = json.loads(value)
                except ValueError:
                    if key == "reply_markup":
                        raise bad("can't parse reply keyboard markup JSON object") from None
                    if key in ("entities", "caption_entities"):
                        raise bad("can't parse entities JSON object") from None
                    if key == "media":
                        raise bad("can't parse input media JSON object") from None
                    raise bad(f"can't parse {key} JSON object") from None
            else:
                has_nulls = True
            if has_nulls:
                value = drop_nones(value)
        elif key in INT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                try:
                    value = int(str(value).strip())
                except ValueError:
                    raise bad(f"invalid {key} specified") from None
        elif key in BOOL_FIELDS:
            if isinstance(value, str):
                value = value.strip().lower() in ("true", "1", "yes")
            else:
                value = bool(value)
        elif key == "chat_id":
            if isinstance(value, str) and CHAT_ID.match(value.strip()):
                value = int(value.strip())
        elif value is not None and not isinstance(
            value, str | int | float | bool | dict | list | UploadedFile
        ):
            value = str(value)
        params[key] = value
    return params


def validate_markup(value: Any, *, inline_only: bool) -> dict[str, Any] | None:
    """Check a reply_markup like Telegram; an empty inline keyboard means "none"."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad(
                'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        count = 0
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise bad(
                        "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                    )
                if not isinstance(button.get("text"), str):
                    raise bad(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not any(action in button for action in BUTTON_ACTIONS):
                    raise bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise bad("BUTTON_DATA_INVALID")
                if "url" in button:
                    url = button["url"]
                    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
                        raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
                count += 1
        if count > 100:
            raise bad("reply markup is too long")
        if count == 0:
            return None
        return value
    if inline_only:
        raise bad("inline keyboard expected")
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad('Field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (
                    button.get("text") if isinstance(button, dict) else None
                )
                if not isinstance(text, str) or not text:
                    raise bad('can\'t parse keyboard button: Field "text" must be of type String')
        return value
    if value.get("remove_keyboard") or value.get("force_reply"):
        return value
    raise bad("can't parse reply keyboard markup JSON object")


def formatted_text(
    raw: Any, parse_mode: Any, given_entities: Any
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities from a Bot API text or caption, parsed like Telegram
    (``parse_mode`` HTML, or the given entities), surrounding whitespace trimmed."""
    raw = "" if raw is None else str(raw)
    entities: list[dict[str, Any]]
    if parse_mode:
        mode = str(parse_mode).lower()
        if mode == "html":
            try:
                text, entities = parse_html(raw)
            except EntityParseError as error:
                raise bad(f"can't parse entities: {error}") from None
        elif mode in ("markdown", "markdownv2"):
            text, entities = raw, []  # not parsed by the fake; the text is kept verbatim
        else:
            raise bad("unsupported parse_mode")
    else:
        text = raw
        given = given_entities or []
        if not isinstance(given, list) or not all(
            isinstance(e, dict)
            and isinstance(e.get("type"), str)
            and isinstance(e.get("offset"), int)
            and isinstance(e.get("length"), int)
            for e in given
        ):
            raise bad("can't parse entities JSON object")
        entities = sorted(given, key=lambda e: (e["offset"], -e["length"]))
    return strip_text(text, entities)


def message_text(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]], str | None]:
    raw = params.get("text")
    if raw is None or raw == "":
        raise bad("message text is empty")
    parse_mode = params.get("parse_mode") or None
    text, entities = formatted_text(raw, parse_mode, params.get("entities"))
    if not text:
        raise bad("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad("message is too long")
    return text, entities, parse_mode


def caption_text(
    raw: Any, parse_mode: Any, given_entities: Any
) -> tuple[str, list[dict[str, Any]]]:
    """A media caption (may be empty: no caption), at most 1024 characters once parsed."""
    text, entities = formatted_text(raw, parse_mode or None, given_entities)
    if len(text) > MAX_CAPTION:
        raise bad("message caption is too long")
    return text, entities
