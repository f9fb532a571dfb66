"""The company structure (`department.get`, scope `department`)."""

from __future__ import annotations

from bot.bitrix24.client import Bitrix24Client
from bot.bitrix24.models import Department
from bot.bitrix24.paging import all_pages


class DepartmentsAPI:
    def __init__(self, client: Bitrix24Client) -> None:
        self._client = client

    async def all(self, *, deadline: float | None = None) -> list[Department]:
        """Every department, by id. One request per 50 pages past the first: 120
        departments cost two (page one, then pages two and three in one batch)."""
        found = await all_pages(self._client, "department.get", {"sort": "ID", "order": "ASC"},
                                deadline=deadline)
        departments = {dept.id: dept for item in found if (dept := Department.from_api(item)) is not None}
        return sorted(departments.values(), key=lambda dept: dept.id)
