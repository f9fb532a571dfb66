"""Reading the company structure from Bitrix24 into the cache: nightly through the jobs
home, and on demand when nothing is cached.

A read costs `department.get` page by page and one `user.get` over every department, so
about 1 + ceil(pages / 50) requests each: for 10,000 employees, six or so.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import time

from bot.bitrix24 import Bitrix24Error, DepartmentsAPI, UsersAPI
from bot.clock import Clock
from bot.jobs import JobRegistry
from bot.jobs.schedule import Slot
from bot.team.store import StructureStore
from bot.team.structure import Member, OrgStructure

log = logging.getLogger(__name__)

JOB_NAME = "team.structure"
REFRESH_AT = time(2, 45)  # in the deployment's default zone: after the worktime sweep at 02:30


class EmptyStructureError(Bitrix24Error):
    """Bitrix24 listed no department at all: a portal always has its root, so this is a
    fault, and the cached structure is kept rather than replaced by nothing."""


class TeamStructureService:
    def __init__(self, *, departments: DepartmentsAPI, users: UsersAPI, store: StructureStore, clock: Clock,
                 default_zone: str) -> None:
        self._departments = departments
        self._users = users
        self._store = store
        self._clock = clock
        self._default_zone = default_zone
        self._loading: asyncio.Lock = asyncio.Lock()

    @property
    def store(self) -> StructureStore:
        return self._store

    def register_jobs(self, jobs: JobRegistry) -> None:
        jobs.daily(JOB_NAME, self._nightly, at=REFRESH_AT, zone=self._default_zone)

    async def _nightly(self, _slot: Slot) -> None:
        try:
            await self.refresh()
        except Bitrix24Error as error:
            # Yesterday's structure stays until it expires; tomorrow's run tries again.
            log.warning("could not refresh the company structure", extra={"ctx_error": repr(error)})

    async def refresh(self) -> OrgStructure:
        """Read the structure from Bitrix24 and cache it. Raises Bitrix24Error (and keeps
        what was cached) when Bitrix24 cannot say."""
        departments = await self._departments.all()
        if not departments:
            raise EmptyStructureError("listed no department", method="department.get")
        found = await self._users.in_departments([dept.id for dept in departments])
        members = {dept_id: [Member(user.id, user.full_name) for user in users]
                   for dept_id, users in found.items()}
        structure = OrgStructure(departments, members)
        await self._store.save(structure, at=self._clock.now())
        log.info("company structure refreshed",
                 extra={"ctx_departments": len(structure), "ctx_heads": len(structure.heads)})
        return structure

    async def current(self) -> OrgStructure:
        """The cached structure; when nothing is cached, read from Bitrix24 once (callers
        arriving meanwhile on this replica wait for that read instead of making their own)."""
        cached = await self._store.load()
        if cached is not None:
            return cached
        async with self._loading:
            cached = await self._store.load()
            if cached is not None:
                return cached
            return await self.refresh()
