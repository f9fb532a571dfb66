"""The webhook code and OAuth secrets never reach logs, errors or reprs."""

from __future__ import annotations

import logging

import httpx
import pytest

from bot.bitrix24 import Bitrix24Client, Bitrix24Error, OAuthAuth, RetryPolicy, WebhookAuth
from bot.logging_setup import setup_logging
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.fixtures import ADMIN, WEBHOOK_CODE, webhook_client


async def test_failures_and_logs_never_show_the_webhook_code(
    portal: PortalEmulator, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = webhook_client(portal, http)
    seen: list[str] = [repr(client), repr(client.auth)]
    for kind in ("http_500", "html", "reset", "redirect", "portal_deleted", "query_limit"):
        portal.faults.inject(kind, times=10)
        with pytest.raises(Bitrix24Error) as caught:
            await client.call("timeman.status")
        seen += [str(caught.value), repr(caught.value)]
        portal.faults.clear()
    wrong = Bitrix24Client(WebhookAuth(f"{portal.base_url}/rest/{ADMIN}/anothersecret77/"), http=http,
                           retry=RetryPolicy(attempts=1))
    with pytest.raises(Bitrix24Error) as caught:
        await wrong.call("timeman.status")
    seen.append(str(caught.value))
    seen += [record.getMessage() for record in caught_records(caplog)]
    seen += [str(vars(record)) for record in caplog.records]
    text = "\n".join(seen)
    assert WEBHOOK_CODE not in text
    assert "anothersecret77" not in text
    assert "timeman.status" in text  # the logs did capture the calls


def caught_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    assert caplog.records, "expected the retries to be logged"
    return caplog.records


async def test_oauth_refresh_failure_hides_secrets(portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    portal.add_app(client_id="local.x", client_secret="the-client-secret", scopes=("timeman",))
    auth = OAuthAuth(portal_url=portal.base_url, client_id="local.x", client_secret="the-client-secret",
                     access_token="made-up-access", refresh_token="made-up-refresh", http=http,
                     oauth_server_url=portal.oauth_url)
    client = Bitrix24Client(auth, http=http)
    with pytest.raises(Bitrix24Error) as caught:
        await client.call("timeman.status")
    for secret in ("the-client-secret", "made-up-access", "made-up-refresh"):
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)
        assert secret not in repr(auth)


def test_setup_logging_scrubs_registered_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    secrets_filter = setup_logging("DEBUG", "json", secrets=["registered-secret-1"])
    secrets_filter.add("added-later-secret")
    logging.getLogger("bot.test").info("url=%s and %s", "x/registered-secret-1/y", "added-later-secret")
    logging.getLogger("httpx").info("HTTP Request: POST https://p/rest/1/registered-secret-1/m")
    err = capsys.readouterr().err
    assert "registered-secret-1" not in err and "added-later-secret" not in err
    assert "x/***/y" in err
    assert "HTTP Request" not in err  # httpx request lines are silenced outright
    logging.getLogger().handlers.clear()
