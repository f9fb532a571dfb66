"""Who is calling: incoming webhooks and OAuth 2.0 apps and tokens (docs/bitrix24.md#addresses-and-authentication, docs/bitrix24.md#oauth-flow).

Token and code lifetimes run on the portal clock, so a test can expire a token by
advancing a `ManualClock`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from workday_sandbox.portal.errors import (
    TEXT_AUTHORIZATION_ERROR,
    TEXT_EXPIRED_TOKEN,
    TEXT_HTTPS_REQUIRED,
    TEXT_INVALID_CREDENTIALS,
    TEXT_INVALID_TOKEN,
    RestError,
    auth_error,
)

ACCESS_LIFETIME = timedelta(seconds=3600)
REFRESH_LIFETIME = timedelta(days=180)
CODE_LIFETIME = timedelta(seconds=30)


@dataclass
class Webhook:
    id: int
    user_id: int
    code: str
    scopes: frozenset[str]


@dataclass
class OAuthApp:
    client_id: str
    client_secret: str
    scopes: frozenset[str]
    name: str
    redirect_uri: str | None = None


@dataclass
class AccessToken:
    token: str
    client_id: str
    user_id: int
    scopes: frozenset[str]
    expires_at: datetime


@dataclass
class RefreshToken:
    token: str
    client_id: str
    user_id: int
    scopes: frozenset[str]
    expires_at: datetime
    used: bool = False


@dataclass
class AuthCode:
    code: str
    client_id: str
    user_id: int
    expires_at: datetime
    used: bool = False


@dataclass(frozen=True)
class AuthContext:
    """The authenticated caller of one REST call."""

    kind: str  # "webhook" | "oauth"
    user_id: int
    scopes: frozenset[str]
    entity: str  # the operating-limit key: webhook:<id> or app:<client_id>
    client_id: str | None = None
    webhook_id: int | None = None
    token: str | None = None

    def allows(self, required: tuple[str, ...] | None) -> bool:
        return required is None or any(scope in self.scopes for scope in required)


@dataclass(frozen=True)
class TokenRequestRecord:
    grant_type: str
    ok: bool
    error: str | None = None
    client_id: str | None = None
    at: float = 0.0


@dataclass
class OAuthError(Exception):
    status: int
    error: str
    description: str

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _token() -> str:
    return secrets.token_hex(16)


@dataclass
class AuthRegistry:
    clock: Clock
    member_id: str
    base_url: Callable[[], str]
    oauth_url: Callable[[], str]
    domain: Callable[[], str]
    webhooks: dict[tuple[int, str], Webhook] = field(default_factory=dict)
    apps: dict[str, OAuthApp] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)

    # ----------------------------------------------------------------- fixtures

    def add_webhook(self, user_id: int, code: str | None, scopes: Iterable[str]) -> Webhook:
        code = code or secrets.token_hex(8)
        hook = Webhook(
            id=len(self.webhooks) + 1, user_id=user_id, code=code, scopes=frozenset(scopes)
        )
        self.webhooks[(user_id, code)] = hook
        return hook

    def add_app(
        self,
        client_id: str,
        client_secret: str,
        scopes: Iterable[str],
        name: str,
        redirect_uri: str | None = None,
    ) -> OAuthApp:
        app = OAuthApp(client_id, client_secret, frozenset(scopes), name, redirect_uri)
        self.apps[client_id] = app
        return app

    def issue_tokens(self, client_id: str, user_id: int) -> dict[str, Any]:
        app = self.apps.get(client_id)
        if app is None:
            raise KeyError(f"no app with client_id {client_id!r}")
        return self._grant(app, user_id)

    def create_code(self, client_id: str, user_id: int) -> AuthCode:
        code = AuthCode(_token(), client_id, user_id, self.clock.now() + CODE_LIFETIME)
        self.codes[code.code] = code
        return code

    def expire_access_tokens(self) -> None:
        now = self.clock.now()
        for token in self.access_tokens.values():
            if token.expires_at > now:
                token.expires_at = now

    # ----------------------------------------------------------------- grants

    def _grant(self, app: OAuthApp, user_id: int) -> dict[str, Any]:
        now = self.clock.now()
        access = AccessToken(_token(), app.client_id, user_id, app.scopes, now + ACCESS_LIFETIME)
        refresh = RefreshToken(_token(), app.client_id, user_id, app.scopes, now + REFRESH_LIFETIME)
        self.access_tokens[access.token] = access
        self.refresh_tokens[refresh.token] = refresh
        return {
            "access_token": access.token,
            "expires": int(access.expires_at.timestamp()),
            "expires_in": int(ACCESS_LIFETIME.total_seconds()),
            "scope": ",".join(sorted(app.scopes)),
            "domain": self.domain(),
            "server_endpoint": f"{self.oauth_url()}/rest/",
            "status": "L",
            "client_endpoint": f"{self.base_url()}/rest/",
            "member_id": self.member_id,
            "user_id": user_id,
            "refresh_token": refresh.token,
        }

    def token_endpoint(self, params: dict[Any, Any]) -> dict[str, Any]:
        """`/oauth/token/`: authorization_code and refresh_token grants (rotating refresh)."""
        grant_type = params.get("grant_type")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError(400, "invalid_request", "Unsupported or missing grant_type")
        app = self.apps.get(str(params.get("client_id") or ""))
        if app is None or str(params.get("client_secret") or "") != app.client_secret:
            raise OAuthError(401, "invalid_client", "Invalid client credentials")
        now = self.clock.now()
        if grant_type == "authorization_code":
            code = self.codes.get(str(params.get("code") or ""))
            if code is None or code.used or code.client_id != app.client_id:
                raise OAuthError(400, "invalid_grant", "Invalid authorization code")
            if code.expires_at <= now:
                raise OAuthError(400, "invalid_grant", "Authorization code has expired")
            code.used = True
            return self._grant(app, code.user_id)
        refresh = self.refresh_tokens.get(str(params.get("refresh_token") or ""))
        if refresh is None or refresh.used or refresh.client_id != app.client_id:
            raise OAuthError(400, "invalid_grant", "Invalid refresh token")
        if refresh.expires_at <= now:
            raise OAuthError(400, "invalid_grant", "Refresh token has expired")
        refresh.used = True  # rotation: the old refresh token is spent
        return self._grant(app, refresh.user_id)

    # ----------------------------------------------------------------- checks

    def webhook_context(
        self,
        uid: str,
        code: str,
        *,
        scheme: str,
        require_https: bool,
        user_active: Callable[[int], bool | None],
        mode: str,
    ) -> AuthContext:
        try:
            user_id = int(uid)
        except ValueError:
            user_id = -1
        hook = self.webhooks.get((user_id, code))
        if require_https and scheme != "https":
            raise auth_error("INVALID_REQUEST", TEXT_HTTPS_REQUIRED, mode)
        if hook is None:
            raise auth_error("INVALID_CREDENTIALS", TEXT_INVALID_CREDENTIALS, mode)
        if not user_active(hook.user_id):
            raise RestError("authorization_error", TEXT_AUTHORIZATION_ERROR, 401)
        return AuthContext(
            kind="webhook",
            user_id=hook.user_id,
            scopes=hook.scopes,
            entity=f"webhook:{hook.id}",
            webhook_id=hook.id,
        )

    def token_context(
        self, token: str, *, user_active: Callable[[int], bool | None]
    ) -> AuthContext:
        access = self.access_tokens.get(token)
        if access is None:
            raise RestError("invalid_token", TEXT_INVALID_TOKEN, 401)
        if access.expires_at <= self.clock.now():
            raise RestError("expired_token", TEXT_EXPIRED_TOKEN, 401)
        if not user_active(access.user_id):
            raise RestError("authorization_error", TEXT_AUTHORIZATION_ERROR, 401)
        return AuthContext(
            kind="oauth",
            user_id=access.user_id,
            scopes=access.scopes,
            entity=f"app:{access.client_id}",
            client_id=access.client_id,
            token=token,
        )
