"""How a fake Bot API call fails: Telegram's wording and the exceptions the methods raise."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# --- Telegram's wording -------------------------------------------------------------

MESSAGE_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = "Bad Request: message to edit not found"
MESSAGE_TO_DELETE_NOT_FOUND = "Bad Request: message to delete not found"
# Editing the wrong kind of message (TDLib's wording, which the Bot API passes on).
NO_TEXT_TO_EDIT = "Bad Request: there is no text in the message to edit"
NO_CAPTION_TO_EDIT = "Bad Request: there is no caption in the message to edit"
NO_MEDIA_TO_EDIT = "Bad Request: there is no media in the message to edit"
NO_PHOTO_IN_REQUEST = "Bad Request: there is no photo in the request"
WRONG_FILE_ID = "Bad Request: wrong file identifier/HTTP URL specified"
MESSAGE_CAPTION_TOO_LONG = "Bad Request: message caption is too long"
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


class ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class Abandoned(Exception):
    """The client of a long poll went away; nothing is answered or recorded."""


# Whether the HTTP client of the request being handled is still connected.
client_connected: contextvars.ContextVar[Callable[[], bool]] = contextvars.ContextVar(
    "client_connected", default=lambda: True
)


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def too_many(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass
class MethodResult:
    """A handler result that also carries Telegram's ``description`` (setWebhook does)."""

    value: Any
    description: str
