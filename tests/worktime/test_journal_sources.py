"""The journal fills from what the bot sees: its own closes and repairs, and status reads."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24, Workday, WorkdayStatus
from bot.clock import ManualClock
from bot.services.workday import WorkdayService
from bot.storage.day_cache import DayCache
from bot.storage.journal import JournalRepository
from bot.storage.keys import KeySpace
from bot.worktime.sightings import DaySightings, journal_writer
from tests.bitrix24.fixtures import BOB, webhook_client
from workday_sandbox.portal.emulator import PortalEmulator

KEYS = KeySpace("t")
ANY_DATE = (date(2000, 1, 1), date(2100, 1, 1))


def service(b24: Bitrix24, redis: Redis, clock: ManualClock) -> tuple[WorkdayService, JournalRepository]:
    journal = JournalRepository(redis, KEYS)
    sightings = DaySightings()
    sightings.subscribe(journal_writer(journal))
    return WorkdayService(b24.workday, DayCache(redis, KEYS), clock, sightings=sightings), journal


async def test_the_bots_own_close_is_journaled(b24: Bitrix24, redis: Redis, clock: ManualClock) -> None:
    workday, journal = service(b24, redis, clock)
    await workday.start(BOB)
    assert await journal.days(BOB, *ANY_DATE) == []  # an open day is not a final figure
    clock.advance(timedelta(hours=8, minutes=30))
    report = await workday.close(BOB)
    assert report.day is not None and report.day.status is WorkdayStatus.CLOSED
    [entry] = await journal.days(BOB, *ANY_DATE)
    assert entry.worked == report.day.duration == timedelta(hours=8, minutes=30)
    assert entry.day == report.day.started_at.date()


async def test_a_repaired_day_is_journaled_under_the_day_it_started(
        b24: Bitrix24, redis: Redis, clock: ManualClock, portal: PortalEmulator) -> None:
    workday, journal = service(b24, redis, clock)
    friday = clock.now() - timedelta(days=3)
    portal.seed_day(BOB, friday)  # left open since Friday: EXPIRED now
    assert (await workday.status(BOB)).day.status is WorkdayStatus.EXPIRED  # type: ignore[union-attr]
    report = await workday.repair(BOB, friday + timedelta(hours=8), "forgot to close")
    assert report.day is not None and report.day.status is WorkdayStatus.CLOSED
    [entry] = await journal.days(BOB, *ANY_DATE)
    assert entry.day == report.day.started_at.date() == (clock.now() - timedelta(days=3)).date()
    assert entry.worked == timedelta(hours=8) and entry.approved is False


async def test_a_day_closed_in_bitrix24_itself_is_journaled_by_the_next_status_read(
        b24: Bitrix24, redis: Redis, clock: ManualClock, portal: PortalEmulator, http: httpx.AsyncClient) -> None:
    workday, journal = service(b24, redis, clock)
    await workday.start(BOB)
    clock.advance(timedelta(hours=7))
    elsewhere = Bitrix24.over(webhook_client(portal, http, user_id=BOB, code="bobsownhook1"))
    await elsewhere.workday.close()  # Bob closes in the web UI
    assert await journal.days(BOB, *ANY_DATE) == []
    await workday.status(BOB)
    [entry] = await journal.days(BOB, *ANY_DATE)
    assert entry.worked == timedelta(hours=7)


async def test_a_failing_listener_does_not_spoil_the_action(b24: Bitrix24, redis: Redis, clock: ManualClock) -> None:
    sightings = DaySightings()
    seen: list[int] = []

    async def broken(days: object) -> None:
        raise RuntimeError("redis went away")

    async def counting(days: dict[int, Workday]) -> None:
        seen.extend(days)

    sightings.subscribe(broken)
    sightings.subscribe(counting)
    workday = WorkdayService(b24.workday, DayCache(redis, KEYS), clock, sightings=sightings)
    report = await workday.start(BOB)
    assert report.ok and report.day is not None and report.day.status is WorkdayStatus.OPENED
    assert seen == [BOB]
