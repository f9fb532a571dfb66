"""The company structure: departments with a parent and a head, and `department.get`.

`department.get` as api-reference/departments/department-get.md describes it:
- filters ID, NAME (the full name), SORT, PARENT, UF_HEAD as top-level keys (an array
  value matches any of its items);
- `sort` names the field to sort by (ID, NAME, SORT, PARENT, UF_HEAD) and `order` is ASC
  or DESC. Keys are case-blind here, so `SORT` is both the sort field and the filter on
  the SORT field: a field name sorts, a number filters;
- 50 a page from `start`, with `total` and `next`;
- each department as {"ID": "2", "NAME": "...", "SORT": 500, "PARENT": "1", "UF_HEAD": "5"}:
  ids are strings, SORT a number; the root has no PARENT, a department without a head no
  UF_HEAD (the docs' examples print none for such departments).

The docs do not say the default order; the emulator uses the tree's order (a parent before
its children, siblings by SORT then NAME), as the portal's own structure page shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workday_sandbox.portal.params import is_numeric, items, php_intval, php_string, upper_keys

ROOT_ID = 1
DEFAULT_SORT = 500
SORTABLE = ("ID", "NAME", "SORT", "PARENT", "UF_HEAD")
FIELDS = {
    "ID": "ID",
    "NAME": "Department Name",
    "SORT": "Sorting Order",
    "PARENT": "Parent Department",
    "UF_HEAD": "Manager",
}


@dataclass
class Department:
    id: int
    name: str
    parent: int | None = None
    head: int | None = None
    sort: int = DEFAULT_SORT

    def rest_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ID": str(self.id), "NAME": self.name, "SORT": self.sort}
        if self.parent:
            out["PARENT"] = str(self.parent)
        if self.head:
            out["UF_HEAD"] = str(self.head)
        return out

    def value_of(self, field: str) -> Any:
        return {"ID": self.id, "NAME": self.name, "SORT": self.sort,
                "PARENT": self.parent or 0, "UF_HEAD": self.head or 0}[field]


def tree_order(departments: dict[int, Department]) -> list[Department]:
    """Parents before children, siblings by SORT then NAME; orphans (a parent that is
    gone) count as roots so that nothing drops out of the list."""
    children: dict[int | None, list[Department]] = {}
    for dept in departments.values():
        parent = dept.parent if dept.parent in departments else None
        children.setdefault(parent, []).append(dept)
    for siblings in children.values():
        siblings.sort(key=lambda d: (d.sort, d.name.lower(), d.id))
    ordered: list[Department] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        dept = stack.pop()
        ordered.append(dept)
        stack.extend(reversed(children.get(dept.id, [])))
    return ordered


def descendants(departments: dict[int, Department], dept_id: int) -> set[int]:
    found: set[int] = set()
    frontier = [dept_id]
    while frontier:
        current = frontier.pop()
        for dept in departments.values():
            if dept.parent == current and dept.id not in found:
                found.add(dept.id)
                frontier.append(dept.id)
    return found


def _wanted(value: Any) -> list[Any]:
    return [v for _, v in items(value)] if isinstance(value, (list, dict)) else [value]


def _matches(dept: Department, field: str, value: Any) -> bool:
    if field == "NAME":
        return any(php_string(v) == dept.name for v in _wanted(value))
    return any(php_intval(v) == dept.value_of(field) for v in _wanted(value))


def select_departments(departments: dict[int, Department], params: dict[Any, Any]) -> list[Department]:
    query = upper_keys(params)
    sort_field: str | None = None
    raw_sort = query.get("SORT")
    if isinstance(raw_sort, str) and not is_numeric(raw_sort):
        named = raw_sort.strip().upper()
        sort_field = named if named in SORTABLE else None
        query.pop("SORT")
    chosen = [
        dept
        for dept in tree_order(departments)
        if all(_matches(dept, field, query[field]) for field in SORTABLE if field in query)
    ]
    descending = php_string(query.get("ORDER") or "ASC").strip().upper() == "DESC"
    if sort_field is None:
        return list(reversed(chosen)) if descending else chosen

    def key(dept: Department) -> Any:
        value = dept.value_of(sort_field)
        return (value.lower() if isinstance(value, str) else value, dept.id)

    return sorted(chosen, key=key, reverse=descending)


def check_department(
    departments: dict[int, Department],
    users: Iterable[int],
    dept_id: int,
    *,
    name: str,
    parent: int | None,
    head: int | None,
) -> None:
    """ValueError saying what is wrong with this department (new or replacing one)."""
    if isinstance(dept_id, bool) or not isinstance(dept_id, int) or dept_id <= 0:
        raise ValueError("id must be a positive whole number")
    if not isinstance(name, str) or not name.strip():
        raise ValueError('name is required, like "Engineering"')
    if parent is not None:
        if parent == dept_id or parent in descendants(departments, dept_id):
            raise ValueError(f"department {dept_id} cannot sit inside itself")
        if parent not in departments:
            raise ValueError(f"no department {parent} to be the parent")
    if head is not None and head not in set(users):
        raise ValueError(f"no user {head} to head the department")
