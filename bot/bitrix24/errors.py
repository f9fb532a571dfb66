"""The Bitrix24 error hierarchy.

The class is decided by the `error` code, not by the HTTP status: the same condition comes
with different statuses in the server code and in the docs (docs/bitrix24.md#auth-error-statuses), so statuses
are only a tie-breaker for codes we do not know.

    Bitrix24Error
    ├── AuthError               credentials or configuration: an admin must act
    │   └── PortalMovedError    the portal answered with a redirect to another address
    ├── AccessDeniedError       the webhook's user or the scope lacks a right
    ├── NotFoundError           unknown method, user or object
    ├── InvalidArgumentError    Bitrix24 refused the request as given (keeps code + text)
    └── UnavailableError        the request did not go through: nothing was recorded,
        ├── RateLimitedError        unless `maybe_applied` says the outcome is unknown
        ├── OperationTimeLimitError
        ├── ServerError
        └── TransportError
            └── DeadlineExceededError
"""

from __future__ import annotations

from datetime import datetime


class Bitrix24Error(Exception):
    """An error reported by Bitrix24 or met on the way to it.

    `code` and `description` are Bitrix24's own `error` and `error_description`
    (empty for errors that never reached the portal).
    """

    # Only an UnavailableError can leave it uncertain whether the portal did the work.
    maybe_applied: bool = False

    def __init__(
        self,
        description: str = "",
        *,
        code: str = "",
        method: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.code = code
        self.description = description
        self.method = method
        self.http_status = http_status
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.method:
            parts.append(self.method)
        if self.code:
            parts.append(self.code)
        if self.description:
            parts.append(self.description)
        return ": ".join(parts) or type(self).__name__

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, description={self.description!r}, "
            f"method={self.method!r}, http_status={self.http_status!r})"
        )


class AuthError(Bitrix24Error):
    """The credentials are missing, wrong, expired beyond refresh, or blocked."""


class PortalMovedError(AuthError):
    """Bitrix24 redirected the call to another address.

    The client does not follow it: that would send the webhook code or token to a host
    nobody configured. The admin has to update the portal URL.
    """

    def __init__(self, location: str, *, method: str | None = None, http_status: int | None = None):
        self.location = location
        super().__init__(
            f"the portal answered with a redirect to {location}; update the configured portal URL",
            code="PORTAL_MOVED",
            method=method,
            http_status=http_status,
        )


class AccessDeniedError(Bitrix24Error):
    """The acting user or the webhook's scope lacks a permission."""

    @property
    def missing_scope(self) -> bool:
        return self.code == "insufficient_scope"


class NotFoundError(Bitrix24Error):
    """An unknown method, or an unknown user or object."""


class InvalidArgumentError(Bitrix24Error):
    """Bitrix24 refused the request as given, e.g. WRONG_DATETIME or WD_EXPIRED."""


class UnavailableError(Bitrix24Error):
    """Bitrix24 could not be reached or did not do the work.

    `maybe_applied` is True only when a request may have been processed even though no
    answer came back (a read timeout after the request was sent).
    """


class RateLimitedError(UnavailableError):
    """QUERY_LIMIT_EXCEEDED, still after the retries."""


class OperationTimeLimitError(UnavailableError):
    """OPERATION_TIME_LIMIT: this method is blocked until `reset_at` (if known)."""

    def __init__(self, *args: object, reset_at: datetime | None = None, **kwargs: object) -> None:
        self.reset_at = reset_at
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class ServerError(UnavailableError):
    """A 5xx, or a body that is not Bitrix24's JSON (an HTML error page, for example)."""


class TransportError(UnavailableError):
    """A connection error or a timeout."""

    def __init__(self, *args: object, maybe_applied: bool = False, **kwargs: object) -> None:
        self.maybe_applied = maybe_applied
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class DeadlineExceededError(TransportError):
    """The call's overall deadline passed (waiting, retrying and requesting included)."""


_AUTH_CODES = frozenset(
    {
        "NO_AUTH_FOUND",
        "INVALID_CREDENTIALS",
        "INVALID_REQUEST",
        "OVERLOAD_LIMIT",
        "expired_token",
        "invalid_token",
        "invalid_grant",
        "invalid_client",
        "invalid_request",
        "user_access_error",
        "authorization_error",
        "APPLICATION_NOT_FOUND",
        "CONNECTION_ERROR",
        "PAYMENT_REQUIRED",
        "PORTAL_DELETED",
        "WRONG_AUTH_TYPE",
        "WRONG_CLIENT",
        "NOT_INSTALLED",
    }
)
_ACCESS_CODES = frozenset(
    {
        "ACCESS_DENIED",
        "insufficient_scope",
        "ACCESS_ERROR",
        "USER_ACCESS_ERROR",
        "METHOD_CONFIRM_WAITING",
        "METHOD_CONFIRM_DENIED",
        "WRONG_LICENSE",
    }
)
_NOT_FOUND_CODES = frozenset({"ERROR_METHOD_NOT_FOUND", "NOT_FOUND", "ERROR_NOT_FOUND"})
_SERVER_CODES = frozenset({"INTERNAL_SERVER_ERROR", "ERROR_UNEXPECTED_ANSWER"})
# "User not found" comes with "" (docs) or "510" (ObjectNotFoundException in the code).
_NOT_FOUND_DESCRIPTIONS = frozenset({"user not found"})


def error_from_response(
    code: str,
    description: str,
    *,
    method: str | None = None,
    http_status: int | None = None,
) -> Bitrix24Error:
    """Map Bitrix24's `error` code to the hierarchy."""
    kwargs = {"code": code, "method": method, "http_status": http_status}
    if code == "QUERY_LIMIT_EXCEEDED":
        return RateLimitedError(description, **kwargs)
    if code == "OPERATION_TIME_LIMIT":
        return OperationTimeLimitError(description, **kwargs)
    if code in _AUTH_CODES:
        return AuthError(description, **kwargs)
    if code in _ACCESS_CODES:
        return AccessDeniedError(description, **kwargs)
    if code in _NOT_FOUND_CODES or description.strip().lower() in _NOT_FOUND_DESCRIPTIONS:
        return NotFoundError(description, **kwargs)
    if code in _SERVER_CODES or (http_status is not None and http_status >= 500):
        return ServerError(description, **kwargs)
    return InvalidArgumentError(description, **kwargs)
