"""Async Bitrix24 REST client (no aiogram imports).

Layers, outermost first: `WorkdayAPI`/`UsersAPI`/`DepartmentsAPI` (typed methods) → `Bitrix24Client`
(call, batch, retries, deadline) → `Auth` (webhook or OAuth) and `LeakyBucket` (rate) →
a shared `httpx.AsyncClient`.
"""

from bot.bitrix24.auth import MemoryTokenStore, OAuthAuth, TokenPair, TokenStore, WebhookAuth
from bot.bitrix24.client import BatchResult, Bitrix24Client, Envelope, RetryPolicy
from bot.bitrix24.departments import DepartmentsAPI
from bot.bitrix24.errors import (
    AccessDeniedError,
    AuthError,
    Bitrix24Error,
    DeadlineExceededError,
    InvalidArgumentError,
    NotFoundError,
    OperationTimeLimitError,
    PortalMovedError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnavailableError,
)
from bot.bitrix24.factory import Bitrix24, create_bitrix24
from bot.bitrix24.models import (
    Department,
    PortalUser,
    ScheduleType,
    Shift,
    Workday,
    WorkdaySettings,
    WorkdayStatus,
    WorkSchedule,
)
from bot.bitrix24.ratelimit import LeakyBucket, RateLimiter
from bot.bitrix24.text import plain_text
from bot.bitrix24.users import UsersAPI
from bot.bitrix24.workday import WorkdayAPI

__all__ = [
    "AccessDeniedError",
    "AuthError",
    "BatchResult",
    "Bitrix24",
    "Bitrix24Client",
    "Bitrix24Error",
    "DeadlineExceededError",
    "Department",
    "DepartmentsAPI",
    "Envelope",
    "InvalidArgumentError",
    "LeakyBucket",
    "MemoryTokenStore",
    "NotFoundError",
    "OAuthAuth",
    "OperationTimeLimitError",
    "PortalMovedError",
    "PortalUser",
    "RateLimitedError",
    "RateLimiter",
    "RetryPolicy",
    "ScheduleType",
    "ServerError",
    "Shift",
    "TokenPair",
    "TokenStore",
    "TransportError",
    "UnavailableError",
    "UsersAPI",
    "WebhookAuth",
    "Workday",
    "WorkdayAPI",
    "WorkdaySettings",
    "WorkdayStatus",
    "WorkSchedule",
    "plain_text",
    "create_bitrix24",
]
