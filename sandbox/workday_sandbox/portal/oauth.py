"""HTTP endpoints of the mock OAuth server: `/oauth/authorize/` and `/oauth/token/` (docs/bitrix24.md#oauth-flow)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web
from yarl import URL

from workday_sandbox.portal.auth import OAuthError, TokenRequestRecord
from workday_sandbox.portal.faults import TOKEN_ENDPOINT
from workday_sandbox.portal.faults_http import fault_response
from workday_sandbox.portal.interfaces import OAuthPortal
from workday_sandbox.portal.params import php_intval
from workday_sandbox.portal.request import read_params


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body), status=status, content_type="application/json", charset="utf-8"
    )


async def token(portal: OAuthPortal, request: web.Request) -> web.StreamResponse:
    fault = portal.faults.take(TOKEN_ENDPOINT)
    if fault is not None:
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        else:
            portal.token_requests.append(
                TokenRequestRecord(grant_type="", ok=False, error=fault.kind, at=time.time())
            )
            return fault_response(fault, request, portal.deleted_status)
    params = await read_params(request)
    grant_type = str(params.get("grant_type") or "")
    client_id = str(params.get("client_id") or "") or None
    try:
        body = portal.auth.token_endpoint(params)
    except OAuthError as exc:
        portal.token_requests.append(
            TokenRequestRecord(grant_type, False, exc.error, client_id, time.time())
        )
        return _json(exc.body(), exc.status)
    portal.token_requests.append(TokenRequestRecord(grant_type, True, None, client_id, time.time()))
    return _json(body)


async def authorize(portal: OAuthPortal, request: web.Request) -> web.StreamResponse:
    """Pretend the browser user consented. The user is `user_id` (an emulator extension)
    or `portal.login_user_id`."""
    params = await read_params(request)
    app = portal.auth.apps.get(str(params.get("client_id") or ""))
    if app is None:
        return _json({"error": "invalid_client", "error_description": "Unknown client_id"}, 400)
    user_id = php_intval(params.get("user_id")) or portal.login_user_id
    if not user_id or user_id not in portal.users:
        return _json(
            {"error": "invalid_request", "error_description": "No logged-in user: pass user_id"},
            400,
        )
    code = portal.auth.create_code(app.client_id, user_id)
    answer = {
        "code": code.code,
        "state": str(params.get("state") or ""),
        "domain": portal.domain,
        "member_id": portal.member_id,
        "scope": ",".join(sorted(app.scopes)),
        "server_domain": portal.domain,
    }
    redirect_uri = app.redirect_uri or (str(params.get("redirect_uri") or "") or None)
    if redirect_uri is None:
        return _json(answer)
    target = URL(redirect_uri).update_query(answer)
    return web.Response(status=302, headers={"Location": str(target)})
