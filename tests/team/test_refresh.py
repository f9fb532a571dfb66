"""The nightly refresh through the jobs home: once across replicas, at 02:45 in the default
zone, and harmless when Bitrix24 cannot answer."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24
from bot.clock import ManualClock
from bot.jobs import JobRegistry
from bot.team import JOB_NAME, StructureStore, TeamStructureService
from workday_sandbox.portal.emulator import PortalEmulator
from tests.team.fixtures import DEV, DESIGN, ENGINEERING, KEYS


def replica(b24: Bitrix24, redis: Redis, clock: ManualClock) -> tuple[TeamStructureService, JobRegistry]:
    service = TeamStructureService(departments=b24.departments, users=b24.users,
                                   store=StructureStore(redis, KEYS), clock=clock, default_zone="Europe/Berlin")
    jobs = JobRegistry(redis, KEYS, clock)
    service.register_jobs(jobs)
    return service, jobs


async def test_the_nightly_refresh_runs_once_across_replicas(b24: Bitrix24, portal: PortalEmulator,
                                                            redis: Redis, clock: ManualClock) -> None:
    replicas = [replica(b24, redis, clock) for _ in range(2)]
    assert replicas[0][1].names == [JOB_NAME] == ["team.structure"]
    clock.set(datetime(2026, 3, 3, 1, 40, tzinfo=UTC))  # 02:40 in Berlin: not yet
    assert [await jobs.run_due() for _, jobs in replicas] == [[], []]
    assert await StructureStore(redis, KEYS).load() is None
    portal.define_department(DESIGN, name="Design", parent=ENGINEERING, head=DEV)
    clock.set(datetime(2026, 3, 3, 1, 46, tzinfo=UTC))  # 02:46 in Berlin
    ran = [await jobs.run_due() for _, jobs in replicas]
    assert sorted(ran, key=len) == [[], [JOB_NAME]]
    assert portal.request_count() == 2  # one structure read, by one replica
    cached = await StructureStore(redis, KEYS).load()
    assert cached is not None and cached.headed_by(DEV) == [DESIGN]
    assert [await jobs.run_due() for _, jobs in replicas] == [[], []]  # the same night: done


async def test_a_failed_night_keeps_yesterdays_structure_and_says_so(
        b24: Bitrix24, portal: PortalEmulator, redis: Redis, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    service, jobs = replica(b24, redis, clock)
    await service.refresh()
    portal.faults.inject("http_500", method="user.get", times=None)
    caplog.set_level(logging.WARNING, logger="bot.team")
    caplog.clear()
    clock.set(datetime(2026, 3, 3, 1, 46, tzinfo=UTC))
    assert await jobs.run_due() == [JOB_NAME]
    assert [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "bot.team.service"] == [
        (logging.WARNING, "could not refresh the company structure")]
    cached = await StructureStore(redis, KEYS).load()
    assert cached is not None and len(cached) == 5


async def test_a_portal_that_lists_no_department_does_not_wipe_the_cache(
        b24: Bitrix24, portal: PortalEmulator, redis: Redis, clock: ManualClock) -> None:
    service, _ = replica(b24, redis, clock)
    await service.refresh()
    portal.departments.clear()
    with pytest.raises(Exception, match="listed no department"):
        await service.refresh()
    cached = await StructureStore(redis, KEYS).load()
    assert cached is not None and len(cached) == 5
