"""Who sees which departments, against the emulator and a real Redis, and what each answer
costs in Bitrix24 requests."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24Error
from bot.team import REFUSED, Member, Role, StructureStore, TeamAccess, TeamStructureService
from workday_sandbox.portal.emulator import PortalEmulator
from tests.team.fixtures import (
    ADMIN_TG, ANNA, BACKEND, BORIS, CHLOE, COMPANY, DESIGN, DEV, EMMA, ENGINEERING, FARID, KEYS, SALES)


def access(service: TeamStructureService) -> TeamAccess:
    return TeamAccess(service, admin_ids={ADMIN_TG})


async def test_the_refresh_caches_departments_members_and_heads(service: TeamStructureService,
                                                                portal: PortalEmulator, redis: Redis) -> None:
    await service.refresh()
    # Two requests: one department.get page, one user.get page.
    assert portal.request_count() == 2
    cached = await StructureStore(redis, KEYS).load()
    assert cached is not None and cached.tree_order == [COMPANY, ENGINEERING, BACKEND, DESIGN, SALES]
    assert cached.members(ENGINEERING) == [Member(BORIS, "Boris Ivanov"), Member(CHLOE, "Chloe Martin")]
    assert [m.bitrix_id for m in cached.members(BACKEND)] == [DEV]  # the dismissed one is left out
    assert await redis.smembers(KEYS("team", "heads")) == {b"1", b"2", b"3"}
    assert 0 < await redis.ttl(KEYS("team", "structure")) <= 50 * 3600


async def test_a_head_sees_their_department_and_its_sub_departments(service: TeamStructureService) -> None:
    await service.refresh()
    scope = await access(service).scope_for(100, BORIS)
    assert (scope.role, scope.departments) == (Role.HEAD, (ENGINEERING, BACKEND, DESIGN))
    assert scope.structure is not None
    assert [m.bitrix_id for m in scope.structure.members_of(scope.departments)] == [BORIS, CHLOE, DEV, FARID]


async def test_several_headships_are_seen_together(service: TeamStructureService) -> None:
    await service.refresh()
    scope = await access(service).scope_for(101, CHLOE)
    assert (scope.role, scope.departments) == (Role.HEAD, (BACKEND, SALES))


async def test_an_admin_sees_every_department_linked_or_not(service: TeamStructureService) -> None:
    everything = (COMPANY, ENGINEERING, BACKEND, DESIGN, SALES)
    assert (await access(service).scope_for(ADMIN_TG, None)).departments == everything
    assert (await access(service).scope_for(ADMIN_TG, DEV)).role is Role.ADMIN


async def test_a_non_head_is_refused_without_a_bitrix24_request(service: TeamStructureService,
                                                                portal: PortalEmulator) -> None:
    await service.refresh()
    before = portal.request_count()
    assert await access(service).scope_for(102, DEV) == REFUSED
    assert await access(service).scope_for(103, EMMA) == REFUSED
    assert await access(service).scope_for(104, None) == REFUSED
    assert portal.request_count() == before


async def test_someone_not_linked_is_refused_even_with_nothing_cached(service: TeamStructureService,
                                                                      portal: PortalEmulator) -> None:
    assert await access(service).scope_for(104, None) == REFUSED
    assert portal.request_count() == 0


async def test_with_nothing_cached_the_structure_is_read_once(service: TeamStructureService,
                                                              portal: PortalEmulator) -> None:
    gate = access(service)
    assert await gate.scope_for(102, DEV) == REFUSED  # the one read there is (documented)
    assert portal.request_count() == 2
    assert await gate.scope_for(102, DEV) == REFUSED
    assert (await gate.scope_for(100, ANNA)).departments[0] == COMPANY
    assert portal.request_count() == 2


async def test_callers_arriving_together_share_one_read(service: TeamStructureService,
                                                        portal: PortalEmulator) -> None:
    gate = access(service)
    scopes = await asyncio.gather(*(gate.scope_for(200 + n, uid) for n, uid in enumerate([BORIS, DEV, ANNA] * 5)))
    assert [s.role for s in scopes[:3]] == [Role.HEAD, Role.NONE, Role.HEAD]
    assert portal.request_count() == 2


async def test_a_new_head_counts_after_the_next_refresh(service: TeamStructureService,
                                                        portal: PortalEmulator) -> None:
    await service.refresh()
    portal.define_department(DESIGN, name="Design", parent=ENGINEERING, head=DEV)
    assert await access(service).scope_for(102, DEV) == REFUSED  # the cache still says otherwise
    await service.refresh()
    assert (await access(service).scope_for(102, DEV)).departments == (DESIGN,)


async def test_an_unreadable_portal_keeps_what_is_cached(service: TeamStructureService,
                                                         portal: PortalEmulator) -> None:
    await service.refresh()
    portal.faults.inject("http_500", method="department.get", times=None)
    with pytest.raises(Bitrix24Error):
        await service.refresh()
    assert (await access(service).scope_for(100, BORIS)).departments == (ENGINEERING, BACKEND, DESIGN)


async def test_with_nothing_cached_and_bitrix24_away_a_linked_user_gets_an_error_not_a_view(
        service: TeamStructureService, portal: PortalEmulator) -> None:
    portal.faults.inject("http_500", method="department.get", times=None)
    with pytest.raises(Bitrix24Error):
        await access(service).scope_for(100, BORIS)


async def test_an_unreadable_cache_is_read_again_from_bitrix24(service: TeamStructureService,
                                                               portal: PortalEmulator, redis: Redis) -> None:
    await service.refresh()
    await redis.set(KEYS("team", "structure"), b"{not json")
    assert await StructureStore(redis, KEYS).load() is None
    assert (await access(service).scope_for(100, BORIS)).departments == (ENGINEERING, BACKEND, DESIGN)
    assert portal.request_count() == 4  # the first read, then one more
