"""PHP-style query strings, as `batch` commands need them (docs/bitrix24.md#batch-request)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote


def _scalar(value: Any) -> str:
    if value is True:
        return "1"
    if value is False:
        return "0"
    return str(value)


def _pairs(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _pairs(f"{prefix}[{key}]", item)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _pairs(f"{prefix}[{index}]", item)
    else:
        yield prefix, _scalar(value)


def php_query(params: Mapping[str, Any]) -> str:
    """Like PHP's http_build_query: nested keys as `a[b][0]=c`, booleans as 1/0, None dropped."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        pairs.extend(_pairs(str(key), value))
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def batch_command(method: str, params: Mapping[str, Any] | None = None) -> str:
    query = php_query(params or {})
    return f"{method}?{query}" if query else method
