"""Who may see whose day: Bitrix24's structure decides.

- A bot admin (settings.bot.admin_ids, Telegram ids) sees every department.
- A linked employee who heads departments sees those and all their sub-departments.
- Anyone else sees nobody's day.

Refusing costs no Bitrix24 request: someone not linked is refused outright, and a linked
non-head is refused from the cached set of heads. Only when nothing is cached at all is the
structure read once from Bitrix24 (`TeamStructureService.current`), which then serves
everyone until it expires.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum

from bot.team.service import TeamStructureService
from bot.team.structure import OrgStructure


class Role(Enum):
    ADMIN = "admin"
    HEAD = "head"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class TeamScope:
    role: Role
    departments: tuple[int, ...]  # in tree order; empty for Role.NONE
    structure: OrgStructure | None = None  # what the decision read, for the caller to reuse

    @property
    def allowed(self) -> bool:
        return self.role is not Role.NONE and bool(self.departments)


REFUSED = TeamScope(Role.NONE, ())


def decide(telegram_id: int, bitrix_id: int | None, admin_ids: Collection[int],
           structure: OrgStructure) -> TeamScope:
    """The pure rule, on a structure already at hand."""
    if telegram_id in admin_ids:
        return TeamScope(Role.ADMIN, tuple(structure.tree_order), structure)
    if bitrix_id is None:
        return REFUSED
    headed = structure.headed_by(bitrix_id)
    return TeamScope(Role.HEAD, tuple(headed), structure) if headed else REFUSED


class TeamAccess:
    def __init__(self, structure: TeamStructureService, admin_ids: Collection[int]) -> None:
        self._structure = structure
        self._admin_ids = frozenset(admin_ids)

    async def scope_for(self, telegram_id: int, bitrix_id: int | None) -> TeamScope:
        """Which departments this Telegram user may see. `bitrix_id` is their link (None:
        not linked). Raises Bitrix24Error only when nothing is cached and Bitrix24 cannot
        be read, and never for someone it refuses from the cache."""
        if telegram_id not in self._admin_ids:
            if bitrix_id is None:
                return REFUSED
            check = await self._structure.store.check_head(bitrix_id)
            if check.cached and not check.is_head:
                return REFUSED
        return decide(telegram_id, bitrix_id, self._admin_ids, await self._structure.current())
