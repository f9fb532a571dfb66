"""OAuth: refresh on expired_token, single-flight, rotation persisted in a real Redis."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from aiohttp import web
from redis.asyncio import Redis

from bot.bitrix24 import AuthError, Bitrix24Client, OAuthAuth, RetryPolicy, TokenPair
from bot.clock import ManualClock
from bot.redaction import SecretsFilter
from workday_sandbox.portal.emulator import PortalEmulator
from bot.storage.tokens import RedisTokenStore
from tests.bitrix24.fixtures import ADMIN

CLIENT_ID, CLIENT_SECRET = "local.workday", "app-client-secret-1"


def oauth(portal: PortalEmulator, http: httpx.AsyncClient, grant: dict, store: RedisTokenStore,
          clock: ManualClock) -> OAuthAuth:
    return OAuthAuth(
        portal_url=portal.base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        access_token=grant["access_token"], refresh_token=grant["refresh_token"],
        http=http, store=store, oauth_server_url=portal.oauth_url, clock=clock,
    )


@pytest.fixture
def grant(portal: PortalEmulator) -> dict:
    portal.add_app(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, scopes=("timeman", "user", "im"))
    return portal.issue_tokens(client_id=CLIENT_ID, user_id=ADMIN)


def refreshes(portal: PortalEmulator) -> int:
    return sum(1 for r in portal.token_requests if r.grant_type == "refresh_token")


async def test_valid_token_works_without_refresh(portal, http, grant, redis: Redis, clock) -> None:
    client = Bitrix24Client(oauth(portal, http, grant, RedisTokenStore(redis), clock), http=http)
    assert (await client.call("user.current"))["ID"] == str(ADMIN)
    assert refreshes(portal) == 0


async def test_fifty_concurrent_calls_on_an_expired_token_refresh_once(portal, http, grant, redis: Redis, clock) -> None:
    store = RedisTokenStore(redis)
    auth = oauth(portal, http, grant, store, clock)
    client = Bitrix24Client(auth, http=http, retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02))
    await client.call("timeman.status")
    portal.expire_access_tokens()
    results = await asyncio.gather(*(client.call("timeman.status") for _ in range(50)))
    assert len(results) == 50 and all(r["STATUS"] == "CLOSED" for r in results)
    assert refreshes(portal) == 1
    assert auth.refresh_count == 1
    expired = [r for r in portal.requests if r.error == "expired_token"]
    assert len(expired) == 50
    stored = await store.load()
    assert stored is not None and stored.refresh_token != grant["refresh_token"]


async def test_rotated_tokens_win_over_configured_ones_after_a_restart(portal, http, grant, redis: Redis, clock) -> None:
    store = RedisTokenStore(redis)
    first = Bitrix24Client(oauth(portal, http, grant, store, clock), http=http)
    portal.expire_access_tokens()
    await first.call("timeman.status")
    assert refreshes(portal) == 1
    # A restart: the environment still holds the original (now rotated-out) pair.
    second = Bitrix24Client(oauth(portal, http, grant, store, clock), http=http)
    assert (await second.call("user.current"))["ID"] == str(ADMIN)
    assert refreshes(portal) == 1
    portal.expire_access_tokens()
    await second.call("timeman.status")
    assert refreshes(portal) == 2
    assert [r.ok for r in portal.token_requests if r.grant_type == "refresh_token"] == [True, True]


async def test_a_stale_refresh_token_is_an_auth_error(portal, http, grant, redis: Redis, clock) -> None:
    store = RedisTokenStore(redis)
    client = Bitrix24Client(oauth(portal, http, grant, store, clock), http=http)
    portal.expire_access_tokens()
    await client.call("timeman.status")  # rotates the refresh token
    await redis.delete("b24bot:oauth:tokens")  # lose the rotated pair
    stale = Bitrix24Client(oauth(portal, http, grant, RedisTokenStore(redis), clock), http=http)
    portal.expire_access_tokens()
    with pytest.raises(AuthError) as caught:
        await stale.call("timeman.status")
    assert caught.value.code == "invalid_grant"
    assert CLIENT_SECRET not in str(caught.value) and grant["refresh_token"] not in str(caught.value)


async def test_only_a_refresh_token_configured(portal, http, grant, redis: Redis, clock) -> None:
    auth = OAuthAuth(portal_url=portal.base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                     access_token=None, refresh_token=grant["refresh_token"], http=http,
                     store=RedisTokenStore(redis), oauth_server_url=portal.oauth_url, clock=clock)
    client = Bitrix24Client(auth, http=http)
    assert (await client.call("user.current"))["ID"] == str(ADMIN)
    assert refreshes(portal) == 1


async def test_token_store_round_trip(redis: Redis) -> None:
    store = RedisTokenStore(redis, key="test:tokens")
    assert await store.load() is None
    await store.save(TokenPair("access-1", "refresh-1"))
    assert await store.load() == TokenPair("access-1", "refresh-1")
    await redis.set("test:tokens", "not json")
    assert await store.load() is None


async def test_a_revoked_token_is_refreshed_once(portal, http, grant, redis: Redis, clock) -> None:
    # invalid_token: the portal no longer knows the token (revoked, or rotated by another
    # install). One refresh recovers it when a refresh token exists.
    auth = oauth(portal, http, grant, RedisTokenStore(redis), clock)
    client = Bitrix24Client(auth, http=http, retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02))
    portal.auth.access_tokens.clear()
    assert (await client.call("user.current"))["ID"] == str(ADMIN)
    assert refreshes(portal) == 1
    assert [r.error for r in portal.requests if r.method == "user.current"] == ["invalid_token", None]


async def test_a_revoked_token_that_cannot_be_refreshed_is_an_auth_error(portal, http, grant, redis: Redis,
                                                                         clock) -> None:
    auth = oauth(portal, http, grant, RedisTokenStore(redis), clock)
    client = Bitrix24Client(auth, http=http, retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02))
    portal.auth.access_tokens.clear()
    portal.auth.refresh_tokens.clear()
    with pytest.raises(AuthError):
        await client.call("user.current")
    assert refreshes(portal) == 1


async def test_rotated_tokens_join_the_log_filter(portal, http, grant, redis: Redis, clock) -> None:
    secrets_filter = SecretsFilter()
    auth = oauth(portal, http, grant, RedisTokenStore(redis), clock)
    auth.on_secret = secrets_filter.add
    client = Bitrix24Client(auth, http=http)
    portal.expire_access_tokens()
    await client.call("user.current")
    rotated = await RedisTokenStore(redis).load()
    assert rotated is not None and rotated.refresh_token != grant["refresh_token"]
    record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "leak %s / %s",
                               (rotated.access_token, rotated.refresh_token), None)
    secrets_filter.filter(record)
    assert rotated.access_token not in record.getMessage()
    assert rotated.refresh_token not in record.getMessage()


async def test_an_oauth_server_error_that_echoes_its_request_url_is_scrubbed(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"error": "invalid_grant",
                                  "error_description": f"cannot handle GET {request.path_qs}"}, status=400)

    app = web.Application()
    app.router.add_get("/oauth/token/", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        auth = OAuthAuth(portal_url="http://127.0.0.1:1", client_id="local.echo", client_secret="echoed-client-secret",
                         access_token=None, refresh_token="echoed-refresh-token", http=http,
                         oauth_server_url=f"http://127.0.0.1:{port}")
        client = Bitrix24Client(auth, http=http)
        with caplog.at_level(logging.DEBUG):
            with pytest.raises(AuthError) as caught:
                await client.call("user.current")
    finally:
        await runner.cleanup()
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("aiohttp"))  # not the echo server's
    seen = str(caught.value) + repr(caught.value) + ours
    assert "cannot handle GET" in str(caught.value)
    assert "echoed-client-secret" not in seen and "echoed-refresh-token" not in seen
