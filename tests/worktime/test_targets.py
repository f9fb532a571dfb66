"""Targets come from Bitrix24: the employee's settings, or the named work schedule."""

from __future__ import annotations

from datetime import time, timedelta

import httpx
import pytest
from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24, UnavailableError, WorkdaySettings, WorkSchedule
from bot.clock import ManualClock
from bot.storage.keys import KeySpace
from bot.worktime.models import WEEKDAYS
from bot.worktime.targets import FRESH_FOR, USABLE_FOR, TargetsService, targets_from
from tests.bitrix24.fixtures import ADMIN, BOB, CARL
from workday_sandbox.portal.emulator import PortalEmulator

DEFAULT_SETTINGS = WorkdaySettings.from_api({
    "UF_TIMEMAN": True, "UF_TM_FREE": False, "UF_TM_MAX_START": "09:15:00",
    "UF_TM_MIN_FINISH": "17:45:00", "UF_TM_MIN_DURATION": "08:00:00", "UF_TM_ALLOWED_DELTA": "00:15:00"})

# The docs' example schedule (api-reference/timeman/schedule/timeman-schedule-get.md), trimmed.
DOCS_SCHEDULE = {
    "ID": 1, "NAME": "For all employees", "SCHEDULE_TYPE": "FIXED", "DELETED": "0",
    "SHIFTS": [{"ID": 1, "NAME": "", "BREAK_DURATION": 3600, "WORK_TIME_START": 28800,
                "WORK_TIME_END": 61200, "WORK_DAYS": "12345", "SCHEDULE_ID": 1, "DELETED": False}],
    "SCHEDULE_VIOLATION_RULES": {"MAX_EXACT_START": 28859, "MIN_EXACT_END": 61200, "MAX_OFFSET_START": -1,
                                 "MIN_DAY_DURATION": 28800, "MAX_SHIFT_START_DELAY": -1},
}


def test_settings_alone_set_the_targets() -> None:
    targets = targets_from(DEFAULT_SETTINGS)
    assert targets.min_duration == timedelta(hours=8)
    assert targets.latest_start == time(9, 15) and targets.earliest_finish == time(17, 45)
    assert targets.work_days == WEEKDAYS and targets.tracked and not targets.flextime


def test_the_docs_schedule_sets_the_targets() -> None:
    schedule = WorkSchedule.from_api(DOCS_SCHEDULE)
    assert schedule is not None
    targets = targets_from(DEFAULT_SETTINGS, schedule)
    assert targets.latest_start == time(8, 0)  # MAX_EXACT_START 28859 s = 08:00:59
    assert targets.earliest_finish == time(17, 0)
    assert targets.min_duration == timedelta(hours=8)  # MIN_DAY_DURATION
    assert targets.work_days == WEEKDAYS and targets.from_schedule


def test_a_shift_without_rules_gives_its_length_and_a_grace_for_the_start() -> None:
    data = {**DOCS_SCHEDULE, "SCHEDULE_VIOLATION_RULES": {"MAX_EXACT_START": -1, "MIN_DAY_DURATION": 0},
            "SHIFTS": [{**DOCS_SCHEDULE["SHIFTS"][0], "WORK_TIME_START": 36000, "WORK_TIME_END": 68400,
                        "WORK_DAYS": "2345", "BREAK_DURATION": 1800}]}
    schedule = WorkSchedule.from_api(data)
    assert schedule is not None
    targets = targets_from(DEFAULT_SETTINGS, schedule)
    assert targets.latest_start == time(10, 15)
    assert targets.min_duration == timedelta(hours=8, minutes=30)  # 10:00–19:00 less a 30 min break
    assert targets.work_days == frozenset({1, 2, 3, 4})  # Tuesday to Friday
    assert targets.earliest_finish == time(19, 0)


def test_flextime_has_no_latest_start_but_keeps_the_minimum() -> None:
    flex = WorkdaySettings.from_api({"UF_TIMEMAN": True, "UF_TM_FREE": True, "UF_TM_MAX_START": "09:15:00",
                                     "UF_TM_MIN_DURATION": "07:00:00"})
    targets = targets_from(flex)
    assert targets.flextime and targets.latest_start is None and targets.earliest_finish is None
    assert targets.min_duration == timedelta(hours=7) and targets.tracked
    schedule = WorkSchedule.from_api({**DOCS_SCHEDULE, "SCHEDULE_TYPE": "FLEXTIME"})
    assert targets_from(DEFAULT_SETTINGS, schedule).latest_start is None


def test_tracking_off_means_no_target() -> None:
    off = WorkdaySettings.from_api({"UF_TIMEMAN": False, "UF_TM_MIN_DURATION": "00:00:00"})
    assert not targets_from(off).tracked


def test_unknown_or_deleted_schedules_are_none() -> None:
    assert WorkSchedule.from_api([]) is None
    assert WorkSchedule.from_api({**DOCS_SCHEDULE, "DELETED": "1"}) is None


async def test_targets_are_read_once_and_kept(b24: Bitrix24, portal: PortalEmulator, redis: Redis,
                                             clock: ManualClock) -> None:
    service = TargetsService(b24.workday, redis, KeySpace("t"), clock)
    first = await service.for_user(BOB)
    assert first.min_duration == timedelta(hours=8) and first.latest_start == time(9, 15)
    assert await service.for_user(BOB) == first
    assert portal.request_count("timeman.settings", count_inner=True) == 1
    clock.advance(FRESH_FOR + timedelta(minutes=1))
    await service.for_user(BOB)
    assert portal.request_count("timeman.settings", count_inner=True) == 2


async def test_the_named_schedule_is_read_once_a_day(b24: Bitrix24, portal: PortalEmulator, redis: Redis,
                                                    clock: ManualClock) -> None:
    service = TargetsService(b24.workday, redis, KeySpace("t"), clock, schedule_id=1)
    bob = await service.for_user(BOB)
    await service.for_user(CARL)
    assert bob.from_schedule
    assert portal.request_count("timeman.schedule.get") == 1


async def test_a_refresh_reads_fifty_employees_per_request(b24: Bitrix24, portal: PortalEmulator, redis: Redis,
                                                          clock: ManualClock) -> None:
    for uid in range(100, 220):
        portal.add_user(uid, email=f"u{uid}@example.com", name=f"U{uid}")
    service = TargetsService(b24.workday, redis, KeySpace("t"), clock)
    found = await service.refresh(range(100, 220))
    assert len(found) == 120
    assert portal.request_count("batch") == 3  # ceil(120 / 50)
    assert set(await service.kept(list(range(100, 220)))) == set(range(100, 220))


async def test_a_kept_copy_stands_in_when_bitrix24_is_down(b24: Bitrix24, portal: PortalEmulator, redis: Redis,
                                                          clock: ManualClock, http: httpx.AsyncClient) -> None:
    service = TargetsService(b24.workday, redis, KeySpace("t"), clock)
    kept = await service.for_user(ADMIN)
    clock.advance(FRESH_FOR + timedelta(hours=1))
    await portal.stop()
    assert await service.for_user(ADMIN) == kept
    clock.advance(USABLE_FOR)
    with pytest.raises(UnavailableError):
        await service.for_user(ADMIN)
