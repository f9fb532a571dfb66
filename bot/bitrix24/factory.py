"""Build the client stack from settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.bitrix24.auth import Auth, OAuthAuth, TokenStore, WebhookAuth
from bot.bitrix24.client import Bitrix24Client
from bot.bitrix24.departments import DepartmentsAPI
from bot.bitrix24.ratelimit import LeakyBucket, RateLimiter
from bot.bitrix24.users import UsersAPI
from bot.bitrix24.workday import WorkdayAPI
from bot.clock import Clock
from bot.config import Bitrix24Settings


@dataclass(frozen=True)
class Bitrix24:
    """The typed APIs over one client."""

    client: Bitrix24Client
    workday: WorkdayAPI
    users: UsersAPI
    departments: DepartmentsAPI

    @classmethod
    def over(cls, client: Bitrix24Client) -> Bitrix24:
        return cls(client=client, workday=WorkdayAPI(client), users=UsersAPI(client),
                   departments=DepartmentsAPI(client))


def create_bitrix24(
    settings: Bitrix24Settings,
    *,
    http: httpx.AsyncClient,
    token_store: TokenStore | None = None,
    limiter: RateLimiter | None = None,
    clock: Clock | None = None,
    on_secret: Callable[[str], None] | None = None,
    on_request: Callable[[str, str], None] | None = None,
) -> Bitrix24:
    """`on_secret` learns every OAuth token as it is loaded or rotated (the log filter);
    `on_request` hears of every HTTP request and its outcome (metrics)."""
    auth: Auth
    if settings.webhook_url is not None:
        auth = WebhookAuth(settings.webhook_url)
    else:
        auth = OAuthAuth(
            portal_url=settings.portal_url or "",
            client_id=settings.client_id or "",
            client_secret=settings.client_secret or "",
            access_token=settings.access_token,
            refresh_token=settings.refresh_token,
            http=http,
            store=token_store,
            oauth_server_url=settings.oauth_server_url,
            clock=clock,
            timeout=settings.request_timeout,
            on_secret=on_secret,
        )
    client = Bitrix24Client(
        auth,
        http=http,
        limiter=limiter or LeakyBucket(settings.rate_limit, settings.rate_burst),
        deadline=settings.call_deadline,
        request_timeout=settings.request_timeout,
        coalesce=settings.coalesce,
        on_request=on_request,
    )
    return Bitrix24.over(client)
