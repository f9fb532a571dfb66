"""Wire tests: department.get as the docs describe it (shape, filters, sort, 50 a page, the
`department` scope), user.get's UF_DEPARTMENT, and the control API that shapes the structure."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from workday_sandbox.portal.emulator import PortalEmulator, build_demo_portal
from tests.sandbox.fixtures import START

SCOPES = ("timeman", "user", "im", "department")


@pytest.fixture
async def portal() -> AsyncIterator[PortalEmulator]:
    async with PortalEmulator(clock=ManualClock(START), rate_limit=None) as emulator:
        emulator.add_user(1, email="anna@example.com", name="Anna", last_name="Berg")
        emulator.add_user(2, email="boris@example.com", name="Boris", last_name="Ivanov")
        emulator.add_user(3, email="chloe@example.com", name="Chloe", last_name="Martin")
        emulator.add_user(4, email="frank@example.com", name="Frank", active=False)
        emulator.define_department(1, name="Company", head=1)
        emulator.define_department(15, name="R&D", parent=1, head=2)
        emulator.define_department(2, name="Accounting", parent=1)
        emulator.define_department(16, name="Backend", parent=15, head=3, sort=100)
        emulator.move_user(2, [15])
        emulator.move_user(3, [16, 2])
        emulator.move_user(4, [16])
        yield emulator


@pytest.fixture
def url(portal: PortalEmulator) -> str:
    return portal.add_webhook(user_id=1, code="abc123", scopes=SCOPES)


async def departments(http, url, params=None) -> dict:
    response = await http.post(url + "department.get", json=params or {})
    assert response.status_code == 200, response.text
    return response.json()


async def ids(http, url, params=None) -> list[str]:
    return [d["ID"] for d in (await departments(http, url, params))["result"]]


async def test_department_get_shape_follows_the_docs(http, url):
    body = await departments(http, url, {"ID": 15})
    assert body["result"] == [{"ID": "15", "NAME": "R&D", "SORT": 500, "PARENT": "1", "UF_HEAD": "2"}]
    assert body["total"] == 1 and "next" not in body and "time" in body
    root, accounting = (await departments(http, url, {"ID": [1, 2]}))["result"]
    assert "PARENT" not in root and root["UF_HEAD"] == "1"  # the root has no parent
    assert "UF_HEAD" not in accounting  # nobody heads it


async def test_default_order_is_the_tree_and_filters_narrow_it(http, url):
    assert await ids(http, url) == ["1", "2", "15", "16"]  # parents first, siblings by SORT, NAME
    assert await ids(http, url, {"PARENT": 1}) == ["2", "15"]
    assert await ids(http, url, {"PARENT": "15"}) == ["16"]
    assert await ids(http, url, {"UF_HEAD": 3}) == ["16"]
    assert await ids(http, url, {"NAME": "R&D"}) == ["15"]
    assert await ids(http, url, {"NAME": "R&"}) == []  # the full name only
    assert await ids(http, url, {"SORT": 100}) == ["16"]
    assert await ids(http, url, {"PARENT": 1, "UF_HEAD": 2}) == ["15"]


async def test_sort_and_order(http, url):
    assert await ids(http, url, {"sort": "NAME", "order": "DESC"}) == ["15", "1", "16", "2"]
    assert await ids(http, url, {"sort": "ID", "order": "ASC"}) == ["1", "2", "15", "16"]
    assert await ids(http, url, {"SORT": "ID", "ORDER": "DESC"}) == ["16", "15", "2", "1"]
    assert await ids(http, url, {"sort": "NAME", "order": "DESC", "PARENT": 1}) == ["15", "2"]


async def test_pages_of_fifty_with_start(portal, http, url):
    for number in range(100, 220):
        portal.define_department(number, name=f"Team {number}", parent=1)
    first = await departments(http, url, {"sort": "ID"})
    assert len(first["result"]) == 50 and first["total"] == 124 and first["next"] == 50
    third = await departments(http, url, {"sort": "ID", "start": 100})
    assert len(third["result"]) == 24 and "next" not in third
    assert third["result"][-1]["ID"] == "219"
    seen = [d["ID"] for start in (0, 50, 100)
            for d in (await departments(http, url, {"sort": "ID", "START": start}))["result"]]
    assert len(set(seen)) == 124


async def test_department_methods_need_the_department_scope(portal, http):
    narrow = portal.add_webhook(user_id=1, code="narrow", scopes=("timeman", "user", "im"))
    response = await http.post(narrow + "department.get")
    assert response.json()["error"] == "insufficient_scope"
    assert (await http.post(narrow + "department.fields")).json()["error"] == "insufficient_scope"
    wide = portal.add_webhook(user_id=1, code="wide", scopes=SCOPES)
    assert set((await http.post(wide + "department.fields")).json()["result"]) == {
        "ID", "NAME", "SORT", "PARENT", "UF_HEAD"}


async def test_user_get_gives_uf_department_and_filters_by_it(http, url):
    async def users(params) -> list[tuple[str, list[int]]]:
        body = (await http.post(url + "user.get", json=params)).json()
        return [(u["ID"], u["UF_DEPARTMENT"]) for u in body["result"]]

    assert await users({"ID": 3}) == [("3", [16, 2])]
    assert await users({"FILTER": {"UF_DEPARTMENT": 16}}) == [("3", [16, 2]), ("4", [16])]
    assert await users({"FILTER": {"UF_DEPARTMENT": "16", "ACTIVE": True}}) == [("3", [16, 2])]
    assert await users({"UF_DEPARTMENT": 1}) == [("1", [1])]  # a department's own members only
    assert await users({"FILTER": {"UF_DEPARTMENT": [15, 2]}}) == [("2", [15]), ("3", [16, 2])]
    assert await users({"FILTER": {"@UF_DEPARTMENT": [15, 16], "ACTIVE": True}}) == [("2", [15]), ("3", [16, 2])]


async def test_the_control_api_defines_departments_and_moves_users(portal, http, url):
    base = f"{portal.base_url}/_emulator"
    added = await http.post(f"{base}/departments", json={"name": "Support", "parent": 1, "head": 2})
    assert added.status_code == 201, added.text
    assert added.json()["department"] == {"ID": "17", "NAME": "Support", "SORT": 500, "PARENT": "1",
                                          "UF_HEAD": "2"}
    replaced = await http.post(f"{base}/departments", json={"id": 17, "name": "Help desk", "parent": 15,
                                                            "head": None})
    assert replaced.status_code == 200 and "UF_HEAD" not in replaced.json()["department"]
    moved = await http.post(f"{base}/users/1/departments", json={"departments": [17]})
    assert moved.status_code == 200 and moved.json()["user"]["departments"] == [17]
    assert await ids(http, url, {"PARENT": 15}) == ["16", "17"]
    listed = (await http.get(f"{base}/departments")).json()["departments"]
    assert next(d for d in listed if d["ID"] == "17")["MEMBERS"] == [1]
    person = await http.post(f"{base}/users", json={"email": "new@example.com", "departments": [16]})
    assert person.status_code == 201 and person.json()["user"]["departments"] == [16]


@pytest.mark.parametrize(
    ("path", "body", "needle"),
    [
        ("departments", {"name": "Loop", "id": 15, "parent": 16}, "inside itself"),
        ("departments", {"name": "Lost", "parent": 99}, "no department 99"),
        ("departments", {"name": "Headless", "head": 42}, "no user 42"),
        ("departments", {"name": " "}, "name is required"),
        ("departments", {"parent": 1}, "name is required"),
        ("departments", {"name": "X", "colour": "red"}, "unknown field"),
        ("departments", {"name": "X", "head": "2"}, "head must be int"),
        ("users/2/departments", {"departments": []}, "non-empty list"),
        ("users/2/departments", {"departments": [99]}, "no department 99"),
        ("users", {"email": "x@example.com", "departments": [99]}, "no department 99"),
    ],
)
async def test_bad_structure_changes_are_refused_and_change_nothing(portal, http, path, body, needle):
    before = portal.departments_listed()
    response = await http.post(f"{portal.base_url}/_emulator/{path}", json=body)
    assert response.status_code == 400 and needle in response.json()["error"], response.text
    assert portal.departments_listed() == before


async def test_the_demo_portal_has_a_company_with_heads():
    portal = build_demo_portal(rate_limit=None)
    heads = {dept.name: dept.head for dept in portal.departments.values()}
    assert heads == {"Sandbox Company": 1, "Engineering": 2, "Design": None}
    assert portal.departments[3].parent == 2 and portal.departments[2].parent == 1
    assert [u.id for u in portal.members_of(2)] == [2, 3] and [u.id for u in portal.members_of(3)] == [4]
    assert "department" in next(iter(portal.auth.webhooks.values())).scopes
    assert portal.users[1].portal_admin and portal.users[4].flextime  # the users are as they were
