"""The pure structure: tree order, subtrees, headships, members; and the access rule on it."""

from __future__ import annotations

from bot.bitrix24 import Department
from bot.team import REFUSED, Member, OrgStructure, Role, decide

# 1 Company (head 1) > 2 Engineering (head 2) > 4 Backend (head 3), 5 Design; 1 > 3 Sales (head 3)
DEPARTMENTS = [Department(3, "Sales", 1, 3), Department(5, "Design", 2, None), Department(1, "Company", None, 1),
               Department(4, "Backend", 2, 3), Department(2, "Engineering", 1, 2)]
MEMBERS = {1: [Member(1, "Anna Berg")], 2: [Member(2, "Boris Ivanov"), Member(3, "Chloe Martin")],
           4: [Member(4, "Dev Patel"), Member(3, "Chloe Martin")], 3: [Member(8, "Hana Sato")],
           99: [Member(9, "Nobody")]}


def structure() -> OrgStructure:
    return OrgStructure(DEPARTMENTS, MEMBERS)


def test_tree_order_children_and_subtrees() -> None:
    org = structure()
    assert org.tree_order == [1, 2, 4, 5, 3]  # parent first, siblings by name
    assert org.children(1) == [2, 3] and org.children(2) == [4, 5] and org.children(5) == []
    assert org.subtree(2) == [2, 4, 5]
    assert org.subtree(1) == [1, 2, 4, 5, 3]
    assert org.subtree(5) == [5]
    assert org.subtree(42) == []
    assert 4 in org and 42 not in org and len(org) == 5


def test_headed_by_joins_every_headship_with_its_sub_departments_once() -> None:
    org = structure()
    assert org.headed_by(1) == [1, 2, 4, 5, 3]
    assert org.headed_by(2) == [2, 4, 5]
    assert org.headed_by(3) == [4, 3]  # Backend and Sales, in tree order
    assert org.headed_by(4) == []
    assert org.heads == frozenset({1, 2, 3})
    # Heading a department and one inside it lists the inner one once.
    nested = OrgStructure([Department(1, "A", None, 7), Department(2, "B", 1, 7), Department(3, "C", 2, None)])
    assert nested.headed_by(7) == [1, 2, 3]


def test_members_are_each_departments_own_and_listed_once_across_several() -> None:
    org = structure()
    assert [m.bitrix_id for m in org.members(2)] == [2, 3]
    assert org.members(5) == [] and org.members(42) == []
    assert [m.bitrix_id for m in org.members_of(org.headed_by(2))] == [2, 3, 4]
    assert 99 not in org.all_members  # members of a department Bitrix24 did not list are dropped


def test_a_broken_tree_still_lists_every_department_once() -> None:
    looped = OrgStructure([Department(1, "Root", None, None), Department(2, "X", 3, 5), Department(3, "Y", 2, None),
                           Department(4, "Orphan", 77, None), Department(6, "Self", 6, None)])
    assert sorted(looped.tree_order) == [1, 2, 3, 4, 6] and len(set(looped.tree_order)) == 5
    assert looped.subtree(2) == [2, 3]
    assert looped.headed_by(5) == [2, 3]
    assert looped.subtree(6) == [6]


def test_the_access_rule() -> None:
    org = structure()
    admin = decide(555, None, {555}, org)
    assert (admin.role, admin.departments, admin.allowed) == (Role.ADMIN, (1, 2, 4, 5, 3), True)
    head = decide(10, 2, {555}, org)
    assert (head.role, head.departments) == (Role.HEAD, (2, 4, 5)) and head.structure is org
    assert decide(10, 3, {555}, org).departments == (4, 3)
    assert decide(10, 4, {555}, org) == REFUSED and not REFUSED.allowed  # a member, not a head
    assert decide(10, None, {555}, org) == REFUSED  # not linked
    # An admin who also heads something still sees everything.
    assert decide(555, 2, {555}, org).role is Role.ADMIN
