"""The team view's foundation: the company structure from Bitrix24 (`structure`), its
Redis cache (`store`), the nightly refresh (`service`) and who may see which departments
(`access`)."""

from bot.team.access import REFUSED, Role, TeamAccess, TeamScope, decide
from bot.team.service import JOB_NAME, REFRESH_AT, EmptyStructureError, TeamStructureService
from bot.team.store import STRUCTURE_TTL, HeadCheck, StructureStore
from bot.team.structure import Member, OrgStructure

__all__ = [
    "JOB_NAME",
    "REFRESH_AT",
    "REFUSED",
    "STRUCTURE_TTL",
    "EmptyStructureError",
    "HeadCheck",
    "Member",
    "OrgStructure",
    "Role",
    "StructureStore",
    "TeamAccess",
    "TeamScope",
    "TeamStructureService",
    "decide",
]
