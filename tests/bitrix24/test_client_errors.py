"""Every error class, produced by the emulator over HTTP and mapped by the client."""

from __future__ import annotations

import httpx
import pytest

from bot.bitrix24 import (
    AccessDeniedError,
    AuthError,
    Bitrix24,
    Bitrix24Client,
    DeadlineExceededError,
    InvalidArgumentError,
    NotFoundError,
    OperationTimeLimitError,
    PortalMovedError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
    UnavailableError,
    WebhookAuth,
)
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.fixtures import ADMIN, BOB, CARL, WEBHOOK_CODE, webhook_client
from workday_sandbox.redis_server import free_port

NO_RETRY = RetryPolicy(attempts=1)


async def test_wrong_webhook_code_is_an_auth_error(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.add_webhook(user_id=ADMIN, code=WEBHOOK_CODE)
    client = Bitrix24Client(WebhookAuth(f"{portal.base_url}/rest/{ADMIN}/wrongcode999/"), http=http)
    with pytest.raises(AuthError) as caught:
        await client.call("timeman.status")
    assert caught.value.code == "INVALID_CREDENTIALS"


async def test_auth_errors_keep_their_class_under_docs_statuses(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.flags.auth_error_status = "docs"
    portal.add_webhook(user_id=ADMIN, code=WEBHOOK_CODE)
    client = Bitrix24Client(WebhookAuth(f"{portal.base_url}/rest/{ADMIN}/wrongcode999/"), http=http)
    with pytest.raises(AuthError) as caught:
        await client.call("timeman.status")
    assert caught.value.code == "INVALID_CREDENTIALS"


async def test_foreign_user_without_admin_right_is_access_denied(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    bob = Bitrix24.over(webhook_client(portal, http, user_id=BOB, code="bobshook1"))
    with pytest.raises(AccessDeniedError) as caught:
        await bob.workday.status(CARL)
    assert caught.value.code == "ACCESS_DENIED"
    assert caught.value.http_status == 403
    assert not caught.value.missing_scope
    assert (await bob.workday.status()).has_record is False  # his own day is fine


async def test_missing_scope_is_access_denied(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    client = Bitrix24.over(webhook_client(portal, http, scopes=("user",)))
    with pytest.raises(AccessDeniedError) as caught:
        await client.workday.status(BOB)
    assert caught.value.missing_scope


async def test_unknown_method_is_not_found(b24: Bitrix24) -> None:
    with pytest.raises(NotFoundError) as caught:
        await b24.client.call("timeman.teleport")
    assert caught.value.code == "ERROR_METHOD_NOT_FOUND"


async def test_unknown_user_is_not_found(b24: Bitrix24) -> None:
    with pytest.raises(NotFoundError) as caught:
        await b24.workday.status(999)
    assert caught.value.description == "User not found"


async def test_invalid_argument_keeps_code_and_description(b24: Bitrix24) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        await b24.workday.close(BOB)
    assert (caught.value.code, caught.value.description) == ("ALERT_WARNING", "Cannot perform this action")


async def test_rate_limited_after_retries(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("query_limit", times=10)
    client = webhook_client(portal, http, retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01))
    with pytest.raises(RateLimitedError) as caught:
        await client.call("timeman.status")
    assert isinstance(caught.value, UnavailableError) and not caught.value.maybe_applied
    assert portal.request_count("timeman.status") == 2


async def test_operation_time_limit_fails_fast_when_reset_is_beyond_the_deadline(
    portal: PortalEmulator, http: httpx.AsyncClient
) -> None:
    portal.set_method_runtime("timeman.status", 500.0)
    client = webhook_client(portal, http, deadline=3.0)
    await client.call("timeman.status")  # this one runs; it pushes the method over the limit
    with pytest.raises(OperationTimeLimitError) as caught:
        await client.call("timeman.status")
    assert caught.value.reset_at is not None
    assert portal.request_count("timeman.status") == 2


async def test_operation_time_limit_waits_for_the_reset(http: httpx.AsyncClient) -> None:
    emulator = PortalEmulator(rate_limit=None, operating_limit=1.0, operating_bucket_seconds=0.1)
    emulator.add_user(ADMIN, email="ada@example.com", timeman_admin=True)
    async with emulator:
        emulator.set_method_runtime("timeman.status", 2.0)
        client = webhook_client(emulator, http, deadline=10.0)
        await client.call("timeman.status")
        emulator.set_method_runtime("timeman.status", 0.0)
        result = await client.call("timeman.status")  # blocked once, then waits out the window
        assert result == {"STATUS": "CLOSED"}
        errors = [r.error for r in emulator.requests if r.method == "timeman.status"]
        assert "OPERATION_TIME_LIMIT" in errors


@pytest.mark.parametrize("kind", ["http_500", "http_502", "http_503", "html", "html_200"])
async def test_server_errors_after_retries(portal: PortalEmulator, http: httpx.AsyncClient, kind: str) -> None:
    portal.faults.inject(kind, times=5)
    client = webhook_client(portal, http, retry=NO_RETRY)
    with pytest.raises(ServerError):
        await client.call("timeman.status")


async def test_connection_reset_is_a_transport_error(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("reset", times=5)
    client = webhook_client(portal, http, retry=NO_RETRY)
    with pytest.raises(TransportError):
        await client.call("timeman.status")


async def test_nobody_listening_is_a_transport_error_and_surely_not_applied(http: httpx.AsyncClient) -> None:
    client = Bitrix24Client(WebhookAuth(f"http://127.0.0.1:{free_port()}/rest/1/{WEBHOOK_CODE}/"),
                            http=http, retry=NO_RETRY)
    with pytest.raises(TransportError) as caught:
        await client.call("timeman.pause")
    assert caught.value.maybe_applied is False


async def test_read_timeout_may_have_been_applied(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("slow", delay=1.0, times=1)
    client = webhook_client(portal, http, retry=NO_RETRY, request_timeout=0.2)
    with pytest.raises(TransportError) as caught:
        await client.call("timeman.pause", {"USER_ID": BOB})
    assert caught.value.maybe_applied is True


async def test_overall_deadline(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("slow", delay=3.0, times=5)
    client = webhook_client(portal, http, request_timeout=10.0, deadline=0.5)
    with pytest.raises(DeadlineExceededError) as caught:
        await client.call("timeman.status")
    assert "0.5 s deadline" in str(caught.value)


async def test_portal_moved_is_not_followed(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("redirect", times=1)
    client = webhook_client(portal, http)
    with pytest.raises(PortalMovedError) as caught:
        await client.call("timeman.status")
    assert WEBHOOK_CODE not in str(caught.value)
    assert caught.value.location.startswith("http")


async def test_portal_deleted_is_an_auth_error(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.faults.inject("portal_deleted", times=1)
    client = webhook_client(portal, http)
    with pytest.raises(AuthError) as caught:
        await client.call("timeman.status")
    assert caught.value.code == "PORTAL_DELETED"
