"""The HTTP answers of injected faults (the failure kinds are in `portal_faults`)."""

from __future__ import annotations

import json

from aiohttp import web
from yarl import URL

from workday_sandbox.portal.errors import TEXT_PORTAL_DELETED, TEXT_QUERY_LIMIT
from workday_sandbox.portal.faults import Fault

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
MAINTENANCE_200 = (
    "<!DOCTYPE html><html><head><title>Bitrix24</title></head><body>"
    "<h1>The portal is being updated</h1><p>Please try again in a few minutes.</p>"
    "</body></html>"
)


def _json(body: dict[str, str], status: int) -> web.Response:
    return web.Response(
        text=json.dumps(body),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )


def other_base(request: web.Request) -> str:
    """The same server under its other loopback name: a different "portal domain"."""
    host = request.url.host or "127.0.0.1"
    port = request.url.port
    other = "localhost" if host != "localhost" else "127.0.0.1"
    return f"{request.url.scheme}://{other}:{port}"


def fault_response(fault: Fault, request: web.Request, deleted_status: int) -> web.StreamResponse:
    """The response for every fault kind except "slow" (which only delays)."""
    kind = fault.kind
    if kind == "http_500":
        return _json(
            {
                "error": "INTERNAL_SERVER_ERROR",
                "error_description": "Internal server error! Please contact the server "
                "administrator or Bitrix24 technical support",
            },
            500,
        )
    if kind == "http_502":
        return _json(
            {
                "error": "ERROR_UNEXPECTED_ANSWER",
                "error_description": "Server returned an unexpected response",
            },
            502,
        )
    if kind == "http_503":
        return _json(
            {
                "error": "SERVICE_UNAVAILABLE",
                "error_description": "Service temporarily unavailable",
            },
            503,
        )
    if kind == "html":
        return web.Response(text=NGINX_502, status=502, content_type="text/html")
    if kind == "html_200":
        return web.Response(text=MAINTENANCE_200, status=200, content_type="text/html")
    if kind == "redirect":
        base = URL(fault.location or other_base(request))
        target = base.with_path(request.url.path).with_query(request.url.query)
        return web.Response(status=302, headers={"Location": str(target)})
    if kind == "portal_deleted":
        return _json(
            {"error": "PORTAL_DELETED", "error_description": TEXT_PORTAL_DELETED}, deleted_status
        )
    if kind == "query_limit":
        return _json({"error": "QUERY_LIMIT_EXCEEDED", "error_description": TEXT_QUERY_LIMIT}, 503)
    if kind == "reset":
        # Abort the TCP connection: the client sees it drop without any response. aiohttp
        # then has nowhere to write the placeholder below and discards it quietly.
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response(status=500)
    raise ValueError(f"fault kind {kind!r} has no response")


def fault_status(kind: str, deleted_status: int) -> int:
    return {
        "http_500": 500,
        "http_502": 502,
        "http_503": 503,
        "html": 502,
        "html_200": 200,
        "redirect": 302,
        "portal_deleted": deleted_status,
        "query_limit": 503,
        "reset": 0,
    }.get(kind, 0)


def fault_error(kind: str) -> str | None:
    return {
        "http_500": "INTERNAL_SERVER_ERROR",
        "http_502": "ERROR_UNEXPECTED_ANSWER",
        "http_503": "SERVICE_UNAVAILABLE",
        "portal_deleted": "PORTAL_DELETED",
        "query_limit": "QUERY_LIMIT_EXCEEDED",
    }.get(kind)
