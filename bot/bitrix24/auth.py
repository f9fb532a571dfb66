"""How a call proves who it is: an incoming webhook, or an OAuth token (docs/bitrix24.md#addresses-and-authentication, docs/bitrix24.md#oauth)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from bot.bitrix24.errors import AuthError, ServerError, TransportError
from bot.clock import Clock, SystemClock
from bot.redaction import REDACTED, redact, redact_urls

log = logging.getLogger(__name__)

_WEBHOOK_PATH = re.compile(r"^/rest/(?P<user_id>\d+)/(?P<code>[^/]+)/?$")


def _secret(value: str | SecretStr) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


class Auth(Protocol):
    portal_url: str

    def endpoint(self, method: str) -> str: ...

    async def credentials(self) -> tuple[dict[str, str], str | None]:
        """Parameters to add to the request, and the token they carry (None for webhooks)."""
        ...

    @property
    def can_refresh(self) -> bool: ...

    async def refresh(self, stale_token: str | None) -> None: ...

    def secrets(self) -> list[str]: ...


class WebhookAuth:
    """An incoming webhook: `https://{portal}/rest/{user_id}/{code}/`. It acts as its creator."""

    can_refresh = False

    def __init__(self, webhook_url: str | SecretStr) -> None:
        url = _secret(webhook_url)
        parts = urlsplit(url)
        match = _WEBHOOK_PATH.match(parts.path)
        if parts.scheme not in ("http", "https") or not parts.netloc or not match:
            raise ValueError("the webhook URL must look like https://<portal>/rest/<user id>/<code>/")
        self.portal_url = f"{parts.scheme}://{parts.netloc}"
        self.user_id = int(match["user_id"])
        self._code = match["code"]

    def endpoint(self, method: str) -> str:
        return f"{self.portal_url}/rest/{self.user_id}/{self._code}/{method}.json"

    async def credentials(self) -> tuple[dict[str, str], str | None]:
        return {}, None

    async def refresh(self, stale_token: str | None) -> None:
        raise AuthError("a webhook cannot be refreshed", code="expired_token")

    def secrets(self) -> list[str]:
        return [self._code]

    def __repr__(self) -> str:
        return f"WebhookAuth(portal_url={self.portal_url!r}, user_id={self.user_id}, code={REDACTED!r})"


@dataclass(frozen=True)
class TokenPair:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime | None = None

    def __repr__(self) -> str:
        return f"TokenPair(access_token={REDACTED!r}, refresh_token={REDACTED!r}, expires_at={self.expires_at!r})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenPair:
        expires = data.get("expires_at")
        return cls(
            access_token=str(data.get("access_token") or ""),
            refresh_token=str(data.get("refresh_token") or ""),
            expires_at=datetime.fromisoformat(expires) if expires else None,
        )


class TokenStore(Protocol):
    """Where rotated OAuth tokens live between restarts (and between replicas)."""

    async def load(self) -> TokenPair | None: ...

    async def save(self, pair: TokenPair) -> None: ...


class MemoryTokenStore:
    def __init__(self, pair: TokenPair | None = None) -> None:
        self.pair = pair

    async def load(self) -> TokenPair | None:
        return self.pair

    async def save(self, pair: TokenPair) -> None:
        self.pair = pair


class OAuthAuth:
    """An OAuth app's token, refreshed on `expired_token`.

    Refresh is single-flight: every call that met the same stale token waits for one
    refresh. Bitrix24 rotates the refresh token on each use, so the new pair is saved to
    the store before anyone uses it; the stored pair wins over the configured one.
    """

    can_refresh = True

    def __init__(
        self,
        *,
        portal_url: str,
        client_id: str,
        client_secret: str | SecretStr,
        access_token: str | SecretStr | None,
        refresh_token: str | SecretStr | None,
        http: httpx.AsyncClient,
        store: TokenStore | None = None,
        oauth_server_url: str = "https://oauth.bitrix.info",
        clock: Clock | None = None,
        timeout: float = 10.0,
        on_secret: Callable[[str], None] | None = None,
    ) -> None:
        self.portal_url = portal_url.rstrip("/")
        # Told every token this auth learns (stored or rotated), so that logs can scrub them
        # like the configured ones.
        self.on_secret = on_secret
        self.client_id = client_id
        self._client_secret = _secret(client_secret)
        self._pair = TokenPair(_secret(access_token or ""), _secret(refresh_token or ""))
        self._http = http
        self._store = store or MemoryTokenStore()
        self._token_url = f"{oauth_server_url.rstrip('/')}/oauth/token/"
        self._clock = clock or SystemClock()
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._loaded = False
        self.refresh_count = 0

    def endpoint(self, method: str) -> str:
        return f"{self.portal_url}/rest/{method}.json"

    async def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        async with self._lock:
            if self._loaded:
                return
            stored = await self._store.load()
            if stored and stored.refresh_token:
                self._adopt(stored)
            self._loaded = True

    def _adopt(self, pair: TokenPair) -> None:
        self._pair = pair
        if self.on_secret is not None:
            for token in (pair.access_token, pair.refresh_token):
                if token:
                    self.on_secret(token)

    async def credentials(self) -> tuple[dict[str, str], str | None]:
        await self._ensure_loaded()
        if not self._pair.access_token:
            await self.refresh(stale_token="")
        token = self._pair.access_token
        return {"auth": token}, token

    async def refresh(self, stale_token: str | None) -> None:
        await self._ensure_loaded()
        async with self._lock:
            if self._pair.access_token != (stale_token or ""):
                return  # another call refreshed while we waited
            stored = await self._store.load()
            if stored and stored.access_token and stored.access_token != stale_token:
                self._adopt(stored)  # another replica refreshed
                return
            try:
                pair = await self._request_new_pair(self._pair.refresh_token)
            except AuthError:
                # Another replica may have rotated the refresh token under us.
                stored = await self._store.load()
                if stored and stored.refresh_token != self._pair.refresh_token:
                    self._adopt(stored)
                    return
                raise
            await self._store.save(pair)
            self._adopt(pair)
            self.refresh_count += 1
            log.info("bitrix24 oauth token refreshed", extra={"ctx_client_id": self.client_id})

    async def _request_new_pair(self, refresh_token: str) -> TokenPair:
        if not refresh_token:
            raise AuthError("the access token expired and no refresh token is configured", code="expired_token")
        params = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "refresh_token": refresh_token,
        }
        try:
            response = await self._http.get(self._token_url, params=params, timeout=self._timeout)
        except httpx.TimeoutException:
            raise TransportError("timed out refreshing the OAuth token", method="oauth.token") from None
        except httpx.HTTPError as exc:
            raise TransportError(
                f"could not reach the OAuth server ({type(exc).__name__})", method="oauth.token"
            ) from None
        try:
            body = response.json()
        except ValueError:
            raise ServerError(
                f"the OAuth server answered HTTP {response.status_code} without JSON",
                method="oauth.token",
                http_status=response.status_code,
            ) from None
        if not isinstance(body, dict) or body.get("error") or not body.get("access_token"):
            code = str(body.get("error", "")) if isinstance(body, dict) else ""
            description = str(body.get("error_description", "")) if isinstance(body, dict) else ""
            # Some servers echo the request, query string and all: never keep that raw.
            description = redact(redact_urls(description), [self._client_secret, refresh_token])
            if response.status_code >= 500:
                raise ServerError(description, code=code, method="oauth.token", http_status=response.status_code)
            raise AuthError(
                description or "the OAuth server refused to refresh the token",
                code=code or "invalid_grant",
                method="oauth.token",
                http_status=response.status_code,
            )
        expires_at = None
        if body.get("expires"):
            expires_at = datetime.fromtimestamp(int(body["expires"]), UTC)
        elif body.get("expires_in"):
            expires_at = self._clock.now() + timedelta(seconds=int(body["expires_in"]))
        return TokenPair(str(body["access_token"]), str(body.get("refresh_token") or refresh_token), expires_at)

    def secrets(self) -> list[str]:
        return [self._client_secret, self._pair.access_token, self._pair.refresh_token]

    def __repr__(self) -> str:
        return (
            f"OAuthAuth(portal_url={self.portal_url!r}, client_id={self.client_id!r}, "
            f"client_secret={REDACTED!r}, tokens={self._pair!r})"
        )
