"""The nightly sweep reads every linked employee's day, 50 to a batch, and journals the
days closed in Bitrix24 itself; it refreshes their targets the same way."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24
from bot.clock import ManualClock
from bot.jobs import JobRegistry
from bot.reminders.directory import UserDirectory
from bot.reminders.models import Kind
from bot.reminders.store import ReminderStore
from bot.services.nudges import NudgeService
from bot.services.workday import WorkdayService
from bot.services.worktime import WorktimeService
from bot.storage.day_cache import DayCache
from bot.storage.journal import JournalRepository
from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from bot.storage.profiles import ProfileRepository
from bot.worktime.models import WorkTargets
from bot.worktime.sightings import DaySightings, journal_writer
from bot.worktime.targets import TargetsService
from workday_sandbox.portal.emulator import PortalEmulator

KEYS = KeySpace("t")
ANY = (date(2000, 1, 1), date(2100, 1, 1))


def worktime(b24: Bitrix24, redis: Redis, clock: ManualClock,
             nudges: NudgeService | None = None) -> tuple[WorktimeService, JournalRepository]:
    journal = JournalRepository(redis, KEYS)
    sightings = DaySightings()
    sightings.subscribe(journal_writer(journal))
    targets = TargetsService(b24.workday, redis, KEYS, clock)
    workday = WorkdayService(b24.workday, DayCache(redis, KEYS), clock, sightings=sightings, targets=targets)
    service = WorktimeService(workday=workday, api=b24.workday, journal=journal, targets=targets,
                              links=LinkRepository(redis, KEYS), sightings=sightings, clock=clock,
                              default_zone="Europe/Berlin", nudges=nudges)
    return service, journal


async def link_employees(redis: Redis, portal: PortalEmulator, ids: range) -> None:
    links = LinkRepository(redis, KEYS)
    for uid in ids:
        if uid not in portal.users:
            portal.add_user(uid, email=f"u{uid}@example.com", name=f"U{uid}", time_zone="Europe/Berlin")
        await links.link(90_000 + uid, uid, name=f"U{uid}", at=datetime.now(UTC))


async def test_days_closed_in_bitrix24_itself_reach_the_journal(b24: Bitrix24, portal: PortalEmulator,
                                                                redis: Redis, clock: ManualClock) -> None:
    await link_employees(redis, portal, range(100, 220))
    morning = clock.now()
    for uid in range(100, 160):  # half of them closed a day the bot never saw
        portal.seed_day(uid, morning, status="CLOSED", closed_at=morning + timedelta(hours=8))
    for uid in range(160, 170):  # some still work
        portal.seed_day(uid, morning)
    clock.advance(timedelta(hours=10))
    service, journal = worktime(b24, redis, clock)
    report = await service.sweep()
    assert (report.employees, report.days_seen, report.unreadable, report.targets_refreshed) == (120, 120, 0, 120)
    assert portal.request_count("batch") == 2 * 3  # ceil(120 / 50) for the days, again for the targets
    assert [day.worked for day in await journal.days(100, *ANY)] == [timedelta(hours=8)]
    assert await journal.days(165, *ANY) == []  # still open: nothing final to keep
    assert await journal.days(200, *ANY) == []  # never had a day


async def test_an_unreadable_part_is_counted_and_the_rest_still_recorded(
        b24: Bitrix24, portal: PortalEmulator, redis: Redis, clock: ManualClock) -> None:
    await link_employees(redis, portal, range(100, 103))
    portal.seed_day(101, clock.now(), status="CLOSED", closed_at=clock.now() + timedelta(hours=7))
    del portal.users[102]  # dismissed and removed: its command fails, the others don't
    clock.advance(timedelta(hours=8))
    service, journal = worktime(b24, redis, clock)
    report = await service.sweep()
    assert report.days_seen == 2 and report.unreadable == 1
    assert len(await journal.days(101, *ANY)) == 1


async def test_the_sweep_runs_nightly_once_across_replicas(b24: Bitrix24, portal: PortalEmulator,
                                                          redis: Redis, clock: ManualClock) -> None:
    await link_employees(redis, portal, range(100, 105))
    first, _ = worktime(b24, redis, clock)
    second, _ = worktime(b24, redis, clock)
    replicas = [JobRegistry(redis, KEYS, clock), JobRegistry(redis, KEYS, clock)]
    first.register_jobs(replicas[0])
    second.register_jobs(replicas[1])
    clock.set(datetime(2026, 3, 3, 1, 31, tzinfo=UTC))  # 02:31 in Berlin
    ran = [await replica.run_due() for replica in replicas]
    assert sorted(ran, key=len) == [[], ["worktime.sweep"]]
    assert portal.request_count("batch") == 2


async def test_the_sweep_moves_the_nudges_with_changed_targets(b24: Bitrix24, portal: PortalEmulator,
                                                              redis: Redis, clock: ManualClock) -> None:
    await link_employees(redis, portal, range(100, 102))
    links, store = LinkRepository(redis, KEYS), ReminderStore(redis, KEYS)
    directory = UserDirectory(links, ProfileRepository(redis, KEYS), "Europe/Berlin")
    nudges = NudgeService(store, directory, links, TargetsService(b24.workday, redis, KEYS, clock), clock)
    service, _ = worktime(b24, redis, clock, nudges)
    await nudges.ensure(90_100, WorkTargets())  # linked when the latest start was 09:15
    portal.set_timeman_settings(100, max_start="10:30")
    await service.sweep()
    [late] = [r for r in await store.for_user(90_100) if r.kind is Kind.LATE_START]
    assert late.at.strftime("%H:%M") == "10:30"


async def test_each_employee_is_swept_in_their_own_night(b24: Bitrix24, portal: PortalEmulator,
                                                        redis: Redis, clock: ManualClock) -> None:
    await link_employees(redis, portal, range(100, 104))
    profiles = ProfileRepository(redis, KEYS)
    await profiles.set_time_zone(90_102, "Asia/Vladivostok", "bitrix24")  # UTC+10
    await profiles.set_time_zone(90_103, "Asia/Kolkata", "user")  # UTC+5:30
    journal = JournalRepository(redis, KEYS)
    sightings = DaySightings()
    sightings.subscribe(journal_writer(journal))
    targets = TargetsService(b24.workday, redis, KEYS, clock)
    workday = WorkdayService(b24.workday, DayCache(redis, KEYS), clock, sightings=sightings, targets=targets)
    service = WorktimeService(workday=workday, api=b24.workday, journal=journal, targets=targets,
                              links=LinkRepository(redis, KEYS), sightings=sightings, clock=clock,
                              default_zone="Europe/Berlin", profiles=profiles)

    async def swept_at(hour: int, minute: int = 0) -> int:
        clock.set(datetime(2026, 3, 3, hour, minute, tzinfo=UTC))
        return (await service.sweep_night()).employees

    assert await swept_at(16) == 1  # 02:00 in Vladivostok
    assert await swept_at(20) == 0  # 01:30 in Kolkata: the hourly run comes before its night
    assert await swept_at(21) == 1  # 02:30 in Kolkata
    assert await swept_at(1) == 2  # 02:00 in Berlin: the two without a zone of their own
    assert await swept_at(8) == 0
