"""The company structure through the client: every department page, the members of a set of
departments, and what each costs in requests."""

from __future__ import annotations

import httpx
import pytest

from bot.bitrix24 import Bitrix24, Department, LeakyBucket, PortalUser
from bot.bitrix24.errors import Bitrix24Error
from workday_sandbox.portal.emulator import PortalEmulator
from tests.bitrix24.fixtures import ADMIN, BOB, CARL, GONE, webhook_client

SCOPES = ("timeman", "user", "im", "department")


@pytest.fixture
def b24(portal: PortalEmulator, http: httpx.AsyncClient) -> Bitrix24:
    return Bitrix24.over(webhook_client(portal, http, scopes=SCOPES))


def requests(portal: PortalEmulator) -> int:
    return portal.request_count()


async def test_all_reads_the_root_and_its_tree(b24: Bitrix24, portal: PortalEmulator) -> None:
    portal.define_department(1, name="Company", head=ADMIN)
    portal.define_department(7, name="Sales", parent=1, head=BOB)
    portal.define_department(3, name="Inside sales", parent=7)
    found = await b24.departments.all()
    assert found == [Department(1, "Company", None, ADMIN), Department(3, "Inside sales", 7, None),
                     Department(7, "Sales", 1, BOB)]
    assert requests(portal) == 1


async def test_all_reads_every_page_with_the_extra_pages_in_one_batch(b24: Bitrix24,
                                                                      portal: PortalEmulator) -> None:
    for number in range(2, 121):  # 120 with the root
        portal.define_department(number, name=f"Team {number}", parent=1, head=BOB if number % 2 else None)
    found = await b24.departments.all()
    assert [dept.id for dept in found] == list(range(1, 121))
    assert found[2] == Department(3, "Team 3", 1, BOB) and found[3].head is None
    # ceil(120 / 50) = 3 pages: the first alone, then pages two and three in one batch.
    assert (requests(portal), portal.request_count("batch")) == (2, 1)
    assert portal.request_count("department.get", count_inner=True) == 3


async def test_many_pages_still_cost_one_request_per_fifty_pages(b24: Bitrix24, portal: PortalEmulator) -> None:
    for number in range(2, 2_601):  # 2,600 departments: 52 pages
        portal.define_department(number, name=f"Team {number}", parent=1)
    assert len(await b24.departments.all()) == 2_600
    assert (requests(portal), portal.request_count("batch")) == (3, 2)  # page 1; 50 pages; 1 page


async def test_a_missing_page_fails_the_whole_read(b24: Bitrix24, portal: PortalEmulator) -> None:
    for number in range(2, 60):
        portal.define_department(number, name=f"Team {number}", parent=1)
    portal.faults.inject("http_500", method="batch", times=None)  # page one arrives, page two never
    with pytest.raises(Bitrix24Error):
        await b24.departments.all()
    assert portal.request_count("department.get") == 1


async def test_without_the_department_scope_the_call_fails(portal: PortalEmulator,
                                                           http: httpx.AsyncClient) -> None:
    narrow = Bitrix24.over(webhook_client(portal, http, code="narrowhook", scopes=("timeman", "user", "im")))
    with pytest.raises(Bitrix24Error) as raised:
        await narrow.departments.all()
    assert raised.value.code == "insufficient_scope"


async def test_members_of_departments(b24: Bitrix24, portal: PortalEmulator) -> None:
    portal.define_department(2, name="Sales", parent=1, head=BOB)
    portal.define_department(3, name="Support", parent=1)
    portal.move_user(BOB, [2])
    portal.move_user(CARL, [2, 3])
    portal.move_user(GONE, [3])  # dismissed: never listed
    members = await b24.users.in_departments([2, 3, 99])
    assert {dept: [user.id for user in users] for dept, users in members.items()} == {
        2: [BOB, CARL], 3: [CARL], 99: []}
    assert members[2][1].departments == (2, 3) and members[2][1].name == "Carl"
    assert requests(portal) == 1
    assert [user.id for user in (await b24.users.in_departments([1]))[1]] == [ADMIN]  # its own members only
    assert await b24.users.in_departments([]) == {}
    assert requests(portal) == 2  # nothing asked, nothing sent


async def test_members_of_a_big_department_come_in_pages(b24: Bitrix24, portal: PortalEmulator) -> None:
    portal.define_department(2, name="Floor", parent=1)
    for uid in range(100, 220):
        portal.add_user(uid, email=f"u{uid}@example.com", name=f"U{uid}", departments=[2])
    members = await b24.users.in_departments([2])
    assert [user.id for user in members[2]] == list(range(100, 220))
    assert (requests(portal), portal.request_count("batch")) == (2, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [([1, 5], (1, 5)), (["3", "4"], (3, 4)), (7, (7,)), ("8", (8,)), ({"0": "2", "1": 9}, (2, 9)),
     (None, ()), ("", ()), ([0, "x", 4, 4], (4,)), (False, ())],
)
def test_portal_user_reads_uf_department_in_any_shape(raw: object, expected: tuple[int, ...]) -> None:
    assert PortalUser.from_api({"ID": "5", "UF_DEPARTMENT": raw}).departments == expected


def test_department_reads_the_docs_shape() -> None:
    assert Department.from_api({"ID": "15", "NAME": "R&D", "SORT": 500, "PARENT": "1", "UF_HEAD": "5"}) == \
        Department(15, "R&D", 1, 5)
    assert Department.from_api({"ID": "1", "NAME": "Company", "SORT": 500}) == Department(1, "Company")
    assert Department.from_api({"ID": 4, "NAME": "X", "PARENT": 0, "UF_HEAD": ""}) == Department(4, "X")
    assert Department.from_api({"ID": "4", "NAME": "X", "PARENT": "4"}) == Department(4, "X")  # no self-loop
    assert Department.from_api({"NAME": "no id"}) is None


async def test_through_the_rate_limited_queue_the_extra_pages_still_travel_together(
        portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    for number in range(2, 121):
        portal.define_department(number, name=f"Team {number}", parent=1)
    queued = Bitrix24.over(webhook_client(portal, http, scopes=SCOPES, limiter=LeakyBucket(50.0, 50)))
    assert queued.client.coalescer is not None
    assert len(await queued.departments.all()) == 120
    assert portal.request_count() == 2
