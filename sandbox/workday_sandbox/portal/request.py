"""Reading one HTTP request's parameters the way `CRestUtil::getRequestData` does (docs/bitrix24.md#request-parameters)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from workday_sandbox.portal.params import merge, parse_json_object, parse_pairs, parse_php_query


async def read_body(request: web.Request) -> dict[Any, Any]:
    if not request.body_exists:
        return {}
    content_type = request.content_type
    if content_type == "application/json":
        return parse_json_object(await request.text()) or {}  # invalid JSON: ignored
    if content_type == "multipart/form-data":
        form = await request.post()
        return parse_pairs((key, value) for key, value in form.items() if isinstance(value, str))
    return parse_php_query(await request.text())


async def read_params(request: web.Request) -> dict[Any, Any]:
    """Query-string parameters overlaid by the body's (the body wins)."""
    query = parse_php_query(request.rel_url.raw_query_string)
    return merge(query, await read_body(request))


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None
