"""The cached company structure in Redis, and the set of department heads beside it.

    {prefix}:team:structure  JSON: departments (id, name, parent, head), each department's
                             members as [bitrix_id, name], and when it was read
    {prefix}:team:heads      SET of the Bitrix24 ids that head a department

Both are written in one MULTI, so a reader never sees one without the other. The heads set
lets anyone who heads nothing be refused from one SISMEMBER: no JSON, no Bitrix24.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from bot.bitrix24 import Department
from bot.storage.keys import KeySpace
from bot.team.structure import Member, OrgStructure

# The nightly refresh rewrites it; should it stop, the structure expires and the next
# question reads it afresh rather than trusting a week-old org chart.
STRUCTURE_TTL = timedelta(hours=50)


@dataclass(frozen=True, slots=True)
class HeadCheck:
    cached: bool  # False: nothing is stored, so the answer below means nothing
    is_head: bool


class StructureStore:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._structure = keys("team", "structure")
        self._heads = keys("team", "heads")

    async def save(self, structure: OrgStructure, *, at: datetime) -> None:
        body = json.dumps(_encode(structure, at), separators=(",", ":"), ensure_ascii=False)
        ttl = int(STRUCTURE_TTL.total_seconds())
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._structure, body, ex=ttl)
            pipe.delete(self._heads)
            heads = sorted(structure.heads)
            if heads:
                pipe.sadd(self._heads, *heads)
                pipe.expire(self._heads, ttl)
            await pipe.execute()

    async def load(self) -> OrgStructure | None:
        raw = await self._redis.get(self._structure)
        if not raw:
            return None
        try:
            return _decode(json.loads(raw))
        except (ValueError, TypeError, KeyError):
            return None  # unreadable: as good as absent, the next read replaces it

    async def check_head(self, bitrix_id: int) -> HeadCheck:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.exists(self._structure)
            pipe.sismember(self._heads, str(bitrix_id))
            exists, member = await pipe.execute()
        return HeadCheck(cached=bool(exists), is_head=bool(exists) and bool(member))

    async def clear(self) -> None:
        await self._redis.delete(self._structure, self._heads)


def _encode(structure: OrgStructure, at: datetime) -> dict[str, Any]:
    return {
        "read_at": at.isoformat(),
        "departments": [[d.id, d.name, d.parent, d.head] for d in structure.departments.values()],
        "members": {str(dept_id): [[m.bitrix_id, m.name] for m in found]
                    for dept_id, found in structure.all_members.items() if found},
    }


def _decode(data: dict[str, Any]) -> OrgStructure:
    departments = [Department(int(dept_id), str(name), parent, head)
                   for dept_id, name, parent, head in data["departments"]]
    members = {int(dept_id): [Member(int(bitrix_id), str(name)) for bitrix_id, name in found]
               for dept_id, found in data.get("members", {}).items()}
    return OrgStructure(departments, members)
