"""Reading every page of a list method: the first page says how many there are, and the
rest travel together through `batch` (50 pages to a request).

Bitrix24 list methods give 50 items a page from `start`, with `total` on every page. So
120 items cost two requests: page one, then one batch with pages two and three.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.bitrix24.client import Bitrix24Client

PAGE_SIZE = 50


async def all_pages(
    client: Bitrix24Client, method: str, params: Mapping[str, Any], *, deadline: float | None = None
) -> list[Any]:
    """Every item of every page, in page order. Raises the first page's error or, when any
    later page fails, that page's error: a list with a hole in it must not pass for whole.
    `params` should sort on something stable (an id) so that pages do not overlap."""
    first = await client.request(method, {**params, "start": 0}, deadline=deadline)
    found = _items(first.result)
    total = first.total or 0
    if total <= PAGE_SIZE or len(found) < PAGE_SIZE:
        return found
    starts = range(PAGE_SIZE, total, PAGE_SIZE)
    outcome = await client.batch(
        {str(start): (method, {**params, "start": start}) for start in starts}, deadline=deadline
    )
    for start in starts:
        found.extend(_items(outcome.get(str(start))))
    return found


def _items(result: Any) -> list[Any]:
    if isinstance(result, Mapping):  # a PHP array that lost its list shape
        result = list(result.values())
    return [item for item in result or [] if isinstance(item, Mapping)]
