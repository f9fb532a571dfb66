from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs

import pytest

from bot.bitrix24.auth import OAuthAuth, TokenPair, WebhookAuth
from bot.bitrix24.encoding import batch_command, php_query
from bot.bitrix24.errors import (
    AccessDeniedError,
    AuthError,
    InvalidArgumentError,
    NotFoundError,
    OperationTimeLimitError,
    RateLimitedError,
    ServerError,
    error_from_response,
)
from bot.bitrix24.ratelimit import LeakyBucket
from bot.redaction import SecretsFilter, redact


class FakeTimer:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_leaky_bucket_allows_the_burst_then_spaces_requests() -> None:
    timer = FakeTimer()
    bucket = LeakyBucket(rate=2.0, burst=50, margin_seconds=0.5, timer=timer)
    for _ in range(49):
        assert bucket.delay() == 0
        bucket._level += 1  # what acquire() does once delay() is 0
    assert bucket.delay() == pytest.approx(0.5)
    timer.now += 0.5
    assert bucket.delay() == 0
    timer.now += 100
    assert bucket.level == 0


async def test_leaky_bucket_on_limited_fills_the_bucket() -> None:
    timer = FakeTimer()
    bucket = LeakyBucket(rate=2.0, burst=50, timer=timer)
    await bucket.on_limited()
    assert bucket.delay() == pytest.approx(0.5)


async def test_leaky_bucket_acquire_waits_in_order() -> None:
    bucket = LeakyBucket(rate=50.0, burst=3, margin_seconds=0.0)
    order: list[int] = []

    async def take(index: int) -> None:
        await bucket.acquire()
        order.append(index)

    await asyncio.gather(*(take(i) for i in range(8)))
    assert order == list(range(8))


def test_leaky_bucket_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        LeakyBucket(rate=0, burst=5)


def test_php_query_encodes_nested_values_like_http_build_query() -> None:
    query = php_query({"USER_ID": 5, "FILTER": {"EMAIL": "a+b@c.de", "ACTIVE": True}, "SELECT": ["ID", "NAME"], "X": None})
    parsed = parse_qs(query)
    assert parsed == {
        "USER_ID": ["5"], "FILTER[EMAIL]": ["a+b@c.de"], "FILTER[ACTIVE]": ["1"],
        "SELECT[0]": ["ID"], "SELECT[1]": ["NAME"],
    }
    assert batch_command("timeman.status") == "timeman.status"
    assert batch_command("timeman.pause", {"USER_ID": 7}) == "timeman.pause?USER_ID=7"


@pytest.mark.parametrize(
    ("code", "description", "status", "expected"),
    [
        ("QUERY_LIMIT_EXCEEDED", "Too many requests", 503, RateLimitedError),
        ("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.", 429, OperationTimeLimitError),
        ("expired_token", "The access token provided has expired", 401, AuthError),
        ("INVALID_CREDENTIALS", "Invalid request credentials", 401, AuthError),
        ("INVALID_CREDENTIALS", "Invalid request credentials", 403, AuthError),
        ("NO_AUTH_FOUND", "Wrong authorization data", 401, AuthError),
        ("PORTAL_DELETED", "Portal was deleted", 403, AuthError),
        ("ACCESS_DENIED", "Access denied!", 403, AccessDeniedError),
        ("insufficient_scope", "", 401, AccessDeniedError),
        ("ERROR_METHOD_NOT_FOUND", "Method not found!", 404, NotFoundError),
        ("", "User not found", 400, NotFoundError),
        ("510", "User not found", 400, NotFoundError),
        ("WD_EXPIRED", "Workday is expired", 400, InvalidArgumentError),
        ("ALERT_WARNING", "Cannot perform this action", 400, InvalidArgumentError),
        ("ERROR_CORE", "SQL query error!", 500, ServerError),
        ("ERROR_CORE", "Reason for change is not specified", 400, InvalidArgumentError),
        ("INTERNAL_SERVER_ERROR", "", 500, ServerError),
    ],
)
def test_errors_are_classified_by_code(code: str, description: str, status: int, expected: type) -> None:
    error = error_from_response(code, description, method="timeman.open", http_status=status)
    assert type(error) is expected
    assert error.code == code and error.description == description


def test_webhook_auth_never_shows_its_code() -> None:
    auth = WebhookAuth("https://example.bitrix24.com/rest/7/s3cr3tc0de/")
    assert auth.endpoint("timeman.status") == "https://example.bitrix24.com/rest/7/s3cr3tc0de/timeman.status.json"
    assert "s3cr3tc0de" not in repr(auth)
    assert "s3cr3tc0de" not in str(auth)
    assert auth.secrets() == ["s3cr3tc0de"]


async def test_oauth_auth_repr_hides_secrets() -> None:
    import httpx

    async with httpx.AsyncClient() as http:
        auth = OAuthAuth(portal_url="https://p.example.com", client_id="local.1", client_secret="client-secret-x",
                         access_token="access-token-x", refresh_token="refresh-token-x", http=http)
        text = repr(auth)
    for secret in ("client-secret-x", "access-token-x", "refresh-token-x"):
        assert secret not in text
    assert "access-token" not in repr(TokenPair("access-token-y", "refresh-token-y"))


def test_redact_and_logging_filter() -> None:
    assert redact("url /rest/1/abcdefgh/x", ["abcdefgh"]) == "url /rest/1/***/x"
    assert redact("short ab", ["ab"]) == "short ab"  # too short to be a secret of ours

    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Collect()
    handler.addFilter(SecretsFilter(["topsecret99"]))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling %s", "https://x/rest/1/topsecret99/m")
        try:
            raise RuntimeError("boom topsecret99")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert records and all("topsecret99" not in line for line in records)
    assert "https://x/rest/1/***/m" in records[0]
    assert "RuntimeError: boom ***" in records[1]
