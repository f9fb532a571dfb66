"""The company structure as Bitrix24 keeps it: departments in a tree, each with a head and
its own members. Pure: no I/O, so every decision built on it is a plain function."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.bitrix24 import Department


@dataclass(frozen=True, slots=True)
class Member:
    """An employee as the team view lists them (active ones only)."""

    bitrix_id: int
    name: str


class OrgStructure:
    """Departments by id, their children, subtrees and heads.

    Tree order is a parent before its children, siblings by name (then id). A portal whose
    PARENT links form a loop or point at a department that is gone still lists every
    department once: those count as roots.
    """

    def __init__(self, departments: Iterable[Department],
                 members: Mapping[int, Sequence[Member]] | None = None) -> None:
        self.departments: dict[int, Department] = {dept.id: dept for dept in departments}
        self._members = {dept_id: tuple(found) for dept_id, found in (members or {}).items()
                         if dept_id in self.departments}
        self._children: dict[int, list[int]] = {dept_id: [] for dept_id in self.departments}
        for dept in self.departments.values():
            if dept.parent in self.departments and dept.parent != dept.id:
                self._children[dept.parent].append(dept.id)
        for siblings in self._children.values():
            siblings.sort(key=self._sort_key)
        self._order = self._walk()
        self._position = {dept_id: index for index, dept_id in enumerate(self._order)}

    def _sort_key(self, dept_id: int) -> tuple[str, int]:
        return self.departments[dept_id].name.lower(), dept_id

    def _walk(self) -> list[int]:
        order: list[int] = []
        seen: set[int] = set()
        roots = sorted((dept.id for dept in self.departments.values() if dept.parent not in self.departments
                        or dept.parent == dept.id), key=self._sort_key)
        # Departments caught in a loop are reachable from no root: each loop starts where it
        # sorts first, once the real roots are done.
        for start in [*roots, *sorted(self.departments, key=self._sort_key)]:
            order += self._descend(start, seen)
        return order

    def _descend(self, start: int, seen: set[int]) -> list[int]:
        """`start` and everything under it not in `seen` (which grows), parents first."""
        found: list[int] = []
        stack = [start]
        while stack:
            dept_id = stack.pop()
            if dept_id in seen:
                continue
            seen.add(dept_id)
            found.append(dept_id)
            stack.extend(reversed(self._children[dept_id]))
        return found

    def __contains__(self, dept_id: object) -> bool:
        return dept_id in self.departments

    def __len__(self) -> int:
        return len(self.departments)

    @property
    def tree_order(self) -> list[int]:
        return list(self._order)

    def children(self, dept_id: int) -> list[int]:
        return list(self._children.get(dept_id, []))

    def subtree(self, dept_id: int) -> list[int]:
        """The department and everything under it, in tree order; [] for an unknown id."""
        if dept_id not in self.departments:
            return []
        return self._descend(dept_id, set())

    def headed_by(self, bitrix_id: int) -> list[int]:
        """Every department this employee heads, with all their sub-departments, each once,
        in tree order; [] when they head none."""
        found: set[int] = set()
        for dept in self.departments.values():
            if dept.head == bitrix_id:
                found.update(self.subtree(dept.id))
        return sorted(found, key=self._position.__getitem__)

    @property
    def heads(self) -> frozenset[int]:
        return frozenset(dept.head for dept in self.departments.values() if dept.head is not None)

    def members(self, dept_id: int) -> list[Member]:
        """The department's own members (not its sub-departments')."""
        return list(self._members.get(dept_id, ()))

    def members_of(self, dept_ids: Iterable[int]) -> list[Member]:
        """Everyone in these departments, each once, in the order the departments come."""
        found: dict[int, Member] = {}
        for dept_id in dept_ids:
            for member in self._members.get(dept_id, ()):
                found.setdefault(member.bitrix_id, member)
        return list(found.values())

    @property
    def all_members(self) -> dict[int, tuple[Member, ...]]:
        return dict(self._members)
