from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.sandbox.fixtures import ALL_SCOPES


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
def url(portal) -> str:
    """The URL of user 1's incoming webhook on the test's own `portal` fixture."""
    return portal.add_webhook(user_id=1, code="abc123", scopes=ALL_SCOPES)
