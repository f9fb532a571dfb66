"""REST errors and the texts the portal uses for them (docs/bitrix24.md#error-envelope, docs/bitrix24.md#error-catalog)."""

from __future__ import annotations

from typing import Any

AUTH_SOURCE = "source"
AUTH_DOCS = "docs"

# error code -> (source status, docs status) for auth-phase errors (docs/bitrix24.md#auth-error-statuses)
_AUTH_STATUS: dict[str, tuple[int, int]] = {
    "insufficient_scope": (401, 403),
    "INVALID_CREDENTIALS": (401, 403),
    "INVALID_REQUEST": (401, 400),
    "OVERLOAD_LIMIT": (401, 503),
    "user_access_error": (401, 403),
    "PORTAL_DELETED": (403, 500),
}

TEXT_METHOD_NOT_FOUND = "Method not found!"
TEXT_NO_AUTH = "Wrong authorization data"
TEXT_EXPIRED_TOKEN = "The access token provided has expired"
TEXT_INVALID_TOKEN = "The access token provided is invalid"
TEXT_SCOPE_OAUTH = "The request requires higher privileges than provided by the access token"
TEXT_SCOPE_WEBHOOK = "The request requires higher privileges than provided by the webhook token"
TEXT_INVALID_CREDENTIALS = "Invalid request credentials"
TEXT_HTTPS_REQUIRED = "Https required."
TEXT_AUTHORIZATION_ERROR = "Unable to authorize user"
TEXT_QUERY_LIMIT = "Too many requests"
TEXT_OPERATION_LIMIT = "Method is blocked due to operation time limit."
TEXT_PORTAL_DELETED = "Portal was deleted"
TEXT_BATCH_LENGTH = "Max batch length exceeded"
TEXT_BATCH_METHOD = "Method is not allowed for batch usage"


class RestError(Exception):
    """An error envelope `{"error": code, "error_description": text, **extra}`."""

    def __init__(
        self, code: str, description: str, status: int = 400, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code or '<empty>'}: {description}")
        self.code = code
        self.description = description
        self.status = status
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "error_description": self.description}
        out.update(self.extra)
        return out


def auth_status(code: str, mode: str) -> int:
    """The HTTP status of an auth-phase error under "source" (401) or "docs" statuses."""
    source, docs = _AUTH_STATUS.get(code, (401, 401))
    return docs if mode == AUTH_DOCS else source


def auth_error(code: str, description: str, mode: str) -> RestError:
    return RestError(code, description, auth_status(code, mode))
