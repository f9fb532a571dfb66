"""The mock OAuth server: grants, rotation, expiry on the clock, the authorize redirect."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator
from tests.sandbox.fixtures import START


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None) as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna", timeman_admin=True)
        emulator.add_user(2, email="boris@example.com", name="Boris")
        emulator.add_app("local.app", "s3cret", scopes=("timeman", "user", "im"), name="Workday bot",
                         redirect_uri="https://bot.example/callback")
        yield emulator


async def refresh(http, portal, refresh_token, secret="s3cret", *, method="GET") -> httpx.Response:
    params = {"grant_type": "refresh_token", "client_id": "local.app",
              "client_secret": secret, "refresh_token": refresh_token}
    if method == "GET":
        return await http.get(f"{portal.oauth_url}/oauth/token/", params=params)
    return await http.post(f"{portal.oauth_url}/oauth/token/", data=params)


async def whoami(http, portal, token) -> httpx.Response:
    return await http.post(f"{portal.base_url}/rest/user.current", json={"auth": token})


def test_issue_tokens_looks_like_the_token_endpoint(portal):
    grant = portal.issue_tokens("local.app", 1)
    assert set(grant) == {
        "access_token", "expires", "expires_in", "scope", "domain", "server_endpoint",
        "status", "client_endpoint", "member_id", "user_id", "refresh_token",
    }
    assert grant["expires_in"] == 3600
    assert grant["expires"] == int((START + timedelta(hours=1)).timestamp())
    assert grant["client_endpoint"] == f"{portal.base_url}/rest/"
    assert grant["server_endpoint"] == f"{portal.oauth_url}/rest/"
    assert grant["domain"] == portal.base_url.removeprefix("http://")
    assert grant["member_id"] == portal.member_id and grant["user_id"] == 1
    assert grant["scope"] == "im,timeman,user"
    assert grant["access_token"] != grant["refresh_token"]


async def test_access_token_expires_on_the_clock(portal, http):
    grant = portal.issue_tokens("local.app", 2)
    portal.clock.advance(timedelta(seconds=3599))
    assert (await whoami(http, portal, grant["access_token"])).json()["result"]["ID"] == "2"
    portal.clock.advance(timedelta(seconds=1))
    expired = await whoami(http, portal, grant["access_token"])
    assert (expired.status_code, expired.json()["error"]) == (401, "expired_token")


async def test_refresh_rotates_the_refresh_token(portal, http):
    first = portal.issue_tokens("local.app", 2)
    portal.clock.advance(timedelta(hours=2))
    response = await refresh(http, portal, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["expires"] == int((START + timedelta(hours=3)).timestamp())
    assert (await whoami(http, portal, second["access_token"])).json()["result"]["ID"] == "2"
    stale = await refresh(http, portal, first["refresh_token"], method="POST")
    assert stale.status_code == 400
    assert stale.json()["error"] == "invalid_grant"
    third = await refresh(http, portal, second["refresh_token"], method="POST")
    assert third.status_code == 200
    assert [(r.grant_type, r.ok) for r in portal.token_requests] == [
        ("refresh_token", True), ("refresh_token", False), ("refresh_token", True)
    ]


async def test_token_endpoint_rejects_bad_clients_and_grants(portal, http):
    grant = portal.issue_tokens("local.app", 1)
    bad_secret = await refresh(http, portal, grant["refresh_token"], secret="nope")
    assert (bad_secret.status_code, bad_secret.json()["error"]) == (401, "invalid_client")
    unknown = await refresh(http, portal, "not-a-token")
    assert (unknown.status_code, unknown.json()["error"]) == (400, "invalid_grant")
    no_grant = await http.get(f"{portal.oauth_url}/oauth/token/", params={"client_id": "local.app"})
    assert (no_grant.status_code, no_grant.json()["error"]) == (400, "invalid_request")
    # The refresh token survived the failed attempts.
    assert (await refresh(http, portal, grant["refresh_token"])).status_code == 200


async def test_refresh_tokens_live_180_days(portal, http):
    grant = portal.issue_tokens("local.app", 1)
    portal.clock.advance(timedelta(days=180))
    late = await refresh(http, portal, grant["refresh_token"])
    assert (late.status_code, late.json()["error"]) == (400, "invalid_grant")


async def test_expire_access_tokens(portal, http):
    grant = portal.issue_tokens("local.app", 1)
    portal.expire_access_tokens()
    assert (await whoami(http, portal, grant["access_token"])).json()["error"] == "expired_token"
    fresh = (await refresh(http, portal, grant["refresh_token"])).json()
    assert (await whoami(http, portal, fresh["access_token"])).status_code == 200


async def test_authorization_code_flow(portal, http):
    response = await http.get(
        f"{portal.base_url}/oauth/authorize/",
        params={"client_id": "local.app", "state": "chat-42", "user_id": 2},
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://bot.example/callback"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["state"] == "chat-42"
    assert query["member_id"] == portal.member_id and query["domain"] == portal.domain
    exchange = await http.get(
        f"{portal.oauth_url}/oauth/token/",
        params={"grant_type": "authorization_code", "client_id": "local.app",
                "client_secret": "s3cret", "code": query["code"]},
    )
    grant = exchange.json()
    assert exchange.status_code == 200 and grant["user_id"] == 2
    assert (await whoami(http, portal, grant["access_token"])).json()["result"]["ID"] == "2"
    again = await http.get(
        f"{portal.oauth_url}/oauth/token/",
        params={"grant_type": "authorization_code", "client_id": "local.app",
                "client_secret": "s3cret", "code": query["code"]},
    )
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


async def test_authorization_codes_live_30_seconds_on_the_clock(portal, http):
    code = portal.authorization_code("local.app", 1)
    portal.clock.advance(timedelta(seconds=30))
    late = await http.post(
        f"{portal.oauth_url}/oauth/token/",
        data={"grant_type": "authorization_code", "client_id": "local.app",
              "client_secret": "s3cret", "code": code},
    )
    assert (late.status_code, late.json()["error"]) == (400, "invalid_grant")
    fresh = portal.authorization_code("local.app", 1)
    portal.clock.advance(timedelta(seconds=29))
    ok = await http.post(
        f"{portal.oauth_url}/oauth/token/",
        data={"grant_type": "authorization_code", "client_id": "local.app",
              "client_secret": "s3cret", "code": fresh},
    )
    assert ok.status_code == 200 and ok.json()["user_id"] == 1


async def test_authorize_rejects_unknown_clients_and_defaults_to_the_first_user(portal, http):
    unknown = await http.get(f"{portal.base_url}/oauth/authorize/", params={"client_id": "nope"})
    assert unknown.status_code == 400
    portal.add_app("local.noredirect", "x", scopes=("user",))
    answer = await http.get(f"{portal.base_url}/oauth/authorize/", params={"client_id": "local.noredirect", "state": "s"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["state"] == "s" and body["scope"] == "user"
    assert portal.auth.codes[body["code"]].user_id == 1


async def test_a_token_acts_as_its_user_for_timeman(portal, http):
    token = portal.issue_tokens("local.app", 2)["access_token"]
    opened = await http.post(f"{portal.base_url}/rest/timeman.open", json={"auth": token})
    assert opened.json()["result"]["STATUS"] == "OPENED"
    assert portal.status_of(2)["STATUS"] == "OPENED" and portal.status_of(1) == {"STATUS": "CLOSED"}
    assert portal.requests[-1].auth == "oauth" and portal.requests[-1].user_id == 2
