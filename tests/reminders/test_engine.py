"""The engine against a real Redis and the portal emulator, with an injected clock."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from datetime import UTC, datetime, time, timedelta

from bot.bitrix24 import WorkdayStatus
from bot.reminders.engine import BREAK_END, STEP_ACTED, NoticeKind
from bot.reminders.models import Kind, Mode, ReminderDraft
from bot.reminders.store import Job, recurring_job
from tests.reminders.fixtures import World

LUNCH = time(13, 0)


async def break_reminder(world: World, telegram_id: int, mode: Mode = Mode.ASK, minutes: int = 0,
                         auto_resume: bool = False, at: time = LUNCH):
    [scheduled] = await world.service.create(
        telegram_id, ReminderDraft(kind=Kind.BREAK, at=at, mode=mode, break_minutes=minutes, auto_resume=auto_resume))
    return scheduled


def to_lunch(world: World) -> None:
    world.clock.set(datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC))  # 13:00:05 in Berlin


async def test_next_time_is_in_the_users_zone(world: World) -> None:
    await world.employee(100, 10, zone="Asia/Kolkata")
    scheduled = await break_reminder(world, 100)
    assert scheduled.next_at == datetime(2026, 3, 2, 7, 30, tzinfo=UTC) + timedelta(days=1)  # 13:00 IST tomorrow


async def test_ask_reminder_fires_only_on_an_open_day(world: World) -> None:
    for telegram_id, bitrix_id in ((100, 10), (101, 11), (102, 12)):
        await world.employee(telegram_id, bitrix_id)
        await break_reminder(world, telegram_id)
    await world.bitrix.workday.open(10)  # working
    await world.bitrix.workday.open(11)
    await world.bitrix.workday.pause(11)  # already on a break; 12 never started
    to_lunch(world)
    report = await world.engine().tick()
    assert report.claimed == 3 and report.notified == 1
    assert world.notifier.kinds_for(100) == ["ask"]
    assert world.notifier.kinds_for(101) == [] and world.notifier.kinds_for(102) == []
    # Every reminder is back in the queue for tomorrow.
    tomorrow = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    for reminder in await world.store.for_user(100) + await world.store.for_user(101):
        assert await world.store.due_at(recurring_job(reminder.id)) == tomorrow


async def test_auto_mode_pauses_and_reminds_to_come_back(world: World) -> None:
    await world.employee(100, 10)
    await break_reminder(world, 100, Mode.AUTO, minutes=45)
    await world.bitrix.workday.open(10)
    to_lunch(world)
    await world.engine().tick()
    [notice] = world.notifier.notices
    assert notice.kind is NoticeKind.AUTO_PAUSED and notice.day.status is WorkdayStatus.PAUSED
    assert notice.follow_up_at == world.clock.now() + timedelta(minutes=45)
    assert world.portal.status_of(10)["STATUS"] == "PAUSED"
    world.advance(minutes=46)
    await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["auto_paused", "break_over"]
    assert world.portal.status_of(10)["STATUS"] == "PAUSED"  # reminding only, as chosen


async def test_auto_resume_after_the_break(world: World) -> None:
    await world.employee(100, 10)
    await break_reminder(world, 100, Mode.AUTO, minutes=30, auto_resume=True)
    await world.bitrix.workday.open(10)
    to_lunch(world)
    engine = world.engine()
    await engine.tick()
    world.advance(minutes=31)
    await engine.tick()
    assert world.notifier.kinds_for(100) == ["auto_paused", "auto_resumed"]
    status = world.portal.status_of(10)
    assert status["STATUS"] == "OPENED" and status["TIME_LEAKS"] == "00:31:00"


async def test_no_break_over_if_already_back(world: World) -> None:
    await world.employee(100, 10)
    await break_reminder(world, 100, Mode.AUTO, minutes=30)
    await world.bitrix.workday.open(10)
    to_lunch(world)
    await world.engine().tick()
    world.advance(minutes=10)
    await world.bitrix.workday.open(10)  # resumed by hand
    world.advance(minutes=25)
    await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["auto_paused"]


async def test_ask_then_snooze_fires_again_in_ten_minutes(world: World) -> None:
    await world.employee(100, 10)
    scheduled = await break_reminder(world, 100)
    await world.bitrix.workday.open(10)
    to_lunch(world)
    await world.engine().tick()
    again = await world.service.snooze(100, scheduled.reminder.id)
    assert again == world.clock.now() + timedelta(minutes=10)
    world.advance(minutes=11)
    await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["ask", "ask"]


async def test_forgot_to_close_and_the_morning_repair(world: World) -> None:
    await world.employee(100, 10)
    created = await world.service.create(100, ReminderDraft(kind=Kind.CLOSE, at=time(18, 30)))
    assert [s.reminder.kind for s in created] == [Kind.CLOSE, Kind.MORNING]
    await world.bitrix.workday.open(10)
    world.clock.set(datetime(2026, 3, 2, 17, 30, 1, tzinfo=UTC))  # 18:30 in Berlin
    await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["close_nudge"]
    # Still not closed next morning: the day is EXPIRED, and the morning check offers the fix.
    world.clock.set(datetime(2026, 3, 3, 7, 30, 1, tzinfo=UTC))  # 08:30 in Berlin
    await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["close_nudge", "morning_repair"]
    assert world.notifier.notices[-1].day.status is WorkdayStatus.EXPIRED


async def test_closed_days_get_no_evening_nudge(world: World) -> None:
    await world.employee(100, 10)
    await world.service.create(100, ReminderDraft(kind=Kind.CLOSE, at=time(18, 30)))
    await world.bitrix.workday.open(10)
    world.clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    await world.bitrix.workday.close(10)
    world.clock.set(datetime(2026, 3, 2, 17, 30, 1, tzinfo=UTC))
    await world.engine().tick()
    assert world.notifier.notices == []


async def test_auto_reminder_never_reopens_a_closed_day_even_under_the_docs_behaviour(world: World) -> None:
    world.portal.flags.pause_on_closed_resumes = True
    await world.employee(100, 10)
    await break_reminder(world, 100, Mode.AUTO)
    await world.bitrix.workday.open(10)
    world.clock.set(datetime(2026, 3, 2, 11, 0, tzinfo=UTC))
    await world.bitrix.workday.close(10)
    to_lunch(world)
    await world.engine().tick()
    assert world.portal.status_of(10)["STATUS"] == "CLOSED"
    assert world.portal.request_count("timeman.pause", count_inner=True) == 0


async def test_late_within_grace_is_delivered_beyond_is_skipped(world: World) -> None:
    await world.employee(100, 10)
    await world.employee(101, 11)
    await break_reminder(world, 100)
    await break_reminder(world, 101, at=time(12, 0))
    await world.bitrix.workday.open(10)
    await world.bitrix.workday.open(11)
    world.clock.set(datetime(2026, 3, 2, 12, 9, tzinfo=UTC))  # down since 11:55 UTC; back at 13:09 Berlin
    report = await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["ask"]  # 9 minutes late: delivered
    assert world.notifier.kinds_for(101) == []  # 69 minutes late: skipped
    assert report.late == 1
    [late] = await world.store.for_user(101)
    assert await world.store.due_at(recurring_job(late.id)) == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)


async def test_a_crash_between_claim_and_completion_is_recovered_once(world: World) -> None:
    await world.employee(100, 10)
    await break_reminder(world, 100, Mode.AUTO, minutes=30)
    await world.bitrix.workday.open(10)
    to_lunch(world)
    # A replica claims the job, pauses the day, and dies before telling anyone.
    [job] = await world.store.claim(world.clock.now(), limit=10, lease_seconds=120)
    await world.bitrix.workday.pause(10)
    await world.store.mark_step([job], STEP_ACTED)
    engine = world.engine()
    assert (await engine.tick()).claimed == 0  # still leased
    world.advance(seconds=121)
    assert await engine.reap() == 1
    pauses_before = world.portal.request_count("timeman.pause", count_inner=True)
    await engine.tick()
    assert world.portal.request_count("timeman.pause", count_inner=True) == pauses_before  # not paused twice
    assert world.notifier.kinds_for(100) == ["auto_paused"]
    # The follow-up was scheduled once, from the original occurrence.
    due, _ = await world.store.counts()
    assert due == 2  # tomorrow's reminder and today's break end


async def test_blocked_users_are_skipped_but_keep_their_schedule(world: World) -> None:
    await world.employee(100, 10)
    await break_reminder(world, 100)
    await world.bitrix.workday.open(10)
    await world.profiles.set_blocked(100, True)
    to_lunch(world)
    await world.engine().tick()
    assert world.notifier.notices == []
    assert world.portal.request_count("batch") == 0  # not even the day was read


async def test_portal_down_tells_auto_users_their_day_was_not_paused(world: World) -> None:
    await world.employee(100, 10)
    await world.employee(101, 11)
    await break_reminder(world, 100, Mode.AUTO)
    await break_reminder(world, 101, Mode.ASK)
    await world.bitrix.workday.open(10)
    await world.bitrix.workday.open(11)
    world.portal.faults.inject("http_503", times=100)
    to_lunch(world)
    await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["auto_pause_failed"]
    assert world.notifier.kinds_for(101) == []  # cannot check the day: stay quiet
    assert world.portal.status_of(10)["STATUS"] == "OPENED"


async def test_one_batch_per_fifty_users(world: World) -> None:
    users = 120
    for index in range(users):
        await world.employee(1000 + index, 2000 + index)
        await break_reminder(world, 1000 + index, Mode.AUTO)
        await world.bitrix.workday.open(2000 + index)
    before = world.portal.request_count("batch")
    to_lunch(world)
    report = await world.engine(chunk_size=users).tick()
    assert report.paused == users and report.notified == users
    assert world.portal.request_count("batch") - before == 2 * math.ceil(users / 50)  # status + pause


async def test_two_engines_fire_each_occurrence_exactly_once(world: World) -> None:
    users = 300
    for index in range(users):
        await world.employee(1000 + index, 2000 + index)
        await break_reminder(world, 1000 + index, Mode.AUTO)
        await world.bitrix.workday.open(2000 + index)
    to_lunch(world)
    first, second = world.engine(chunk_size=40), world.engine(chunk_size=40)
    reports = await asyncio.gather(first.tick(), second.tick())
    assert all(report.claimed > 0 for report in reports)
    told = Counter(notice.telegram_id for notice in world.notifier.notices)
    assert len(told) == users and set(told.values()) == {1}
    pauses = [r for r in world.portal.requests if r.method == "timeman.pause" and r.batch]
    assert len(pauses) == users
    assert all(world.portal.status_of(2000 + index)["STATUS"] == "PAUSED" for index in range(users))


async def test_deleted_reminder_stops_and_unlinked_user_is_skipped(world: World) -> None:
    await world.employee(100, 10)
    scheduled = await break_reminder(world, 100)
    await world.bitrix.workday.open(10)
    assert await world.service.delete(100, scheduled.reminder.id)
    assert not await world.service.delete(999, scheduled.reminder.id)  # not yours
    to_lunch(world)
    assert (await world.engine().tick()).claimed == 0
    assert await world.store.counts() == (0, 0)


async def test_switched_off_reminder_does_not_fire(world: World) -> None:
    await world.employee(100, 10)
    scheduled = await break_reminder(world, 100)
    await world.bitrix.workday.open(10)
    off = await world.service.set_enabled(100, scheduled.reminder.id, False)
    assert off is not None and off.next_at is None
    to_lunch(world)
    await world.engine().tick()
    assert world.notifier.notices == []
    on = await world.service.set_enabled(100, scheduled.reminder.id, True)
    assert on.next_at == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


async def test_break_end_job_key_is_stable(world: World) -> None:
    job = Job(f"o:{BREAK_END}:7:1772452805", datetime(2026, 3, 2, 12, 45, tzinfo=UTC))
    assert job.reminder_id == 7 and job.one_off_kind == BREAK_END


async def test_forgetting_a_user_leaves_no_job_and_no_step_marks(world: World) -> None:
    """What /unlink relies on: after a fired auto break (step marks written, a break-end
    job queued) and a snooze, nothing about the reminder is left in Redis."""
    await world.employee(100, 10)
    await break_reminder(world, 100, Mode.AUTO, minutes=45)
    asked = await break_reminder(world, 100, at=time(13, 0))
    await world.bitrix.workday.open(10)
    to_lunch(world)
    await world.engine().tick()
    assert await world.service.snooze(100, asked.reminder.id)
    before = {key.decode() for key in await world.redis.keys("t:rem:*")}
    assert any(":occ:" in key for key in before)
    await world.links.unlink(100)
    await world.profiles.forget(100)
    await world.service.forget(100)
    left = {key.decode() for key in await world.redis.keys("t:*")}
    assert left <= {"t:rem:seq"}, left


async def test_reminders_a_deliberate_jump_passes_over_all_fire_in_order(world: World) -> None:
    # The sandbox's "+1 h" (and bigger jumps) moves the clock on purpose: every reminder
    # it passes is due now, however far past it the jump lands; only downtime is "late".
    await world.employee(100, 10)
    await break_reminder(world, 100, at=time(12, 30))
    await break_reminder(world, 100, at=time(13, 0))
    await world.service.create(100, ReminderDraft(kind=Kind.CLOSE, at=time(14, 0)))
    await world.bitrix.workday.open(10)
    world.clock.set(datetime(2026, 3, 2, 11, 20, tzinfo=UTC))  # 12:20 in Berlin
    world.clock.jump(timedelta(hours=3))  # to 15:20: 50, 140 and 80 minutes past them
    report = await world.engine().tick()
    assert report.late == 0
    assert [n.kind.value for n in world.notifier.notices] == ["ask", "ask", "close_nudge"]
    assert [n.scheduled for n in world.notifier.notices] == sorted(n.scheduled for n in world.notifier.notices)


async def test_downtime_after_a_jump_still_counts_as_late(world: World) -> None:
    await world.employee(100, 10)
    await break_reminder(world, 100)
    await world.bitrix.workday.open(10)
    world.clock.set(datetime(2026, 3, 2, 11, 30, tzinfo=UTC))  # 12:30 in Berlin
    world.clock.jump(timedelta(hours=1))  # 13:30, past the 13:00 reminder on purpose
    world.advance(minutes=11)  # ...and then the bot was down for 11 minutes
    report = await world.engine().tick()
    assert report.late == 1 and world.notifier.notices == []


async def test_a_snooze_fires_once_across_two_engines(world: World) -> None:
    await world.employee(100, 10)
    scheduled = await break_reminder(world, 100)
    await world.bitrix.workday.open(10)
    to_lunch(world)
    await world.engine().tick()
    assert await world.service.snooze(100, scheduled.reminder.id, 5) == world.clock.now() + timedelta(minutes=5)
    world.advance(minutes=6)
    first, second = world.engine(), world.engine()
    await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    assert world.notifier.kinds_for(100) == ["ask", "ask"]


async def break_is_over(world: World):
    """Anna's auto-paused 30-minute break has just been told to be over."""
    await world.employee(100, 10)
    scheduled = await break_reminder(world, 100, Mode.AUTO, minutes=30)
    await world.bitrix.workday.open(10)
    to_lunch(world)
    await world.engine().tick()
    world.advance(minutes=31)
    await world.engine().tick()
    return scheduled


async def test_an_ignored_break_over_is_followed_up_once(world: World) -> None:
    await break_is_over(world)
    assert world.notifier.kinds_for(100) == ["auto_paused", "break_over"]
    world.advance(minutes=11)
    first, second = world.engine(), world.engine()
    await asyncio.gather(first.tick(), second.tick())
    assert world.notifier.kinds_for(100) == ["auto_paused", "break_over", "still_on_break"]
    world.advance(minutes=30)
    await world.engine().tick()  # one follow-up only
    assert world.notifier.kinds_for(100) == ["auto_paused", "break_over", "still_on_break"]


async def test_no_follow_up_once_back_and_five_more_minutes_come_once(world: World) -> None:
    scheduled = await break_is_over(world)
    # "5 more minutes": the break-over message comes again then (once, across two
    # engines), and the follow-up counts from that one.
    await world.service.more_break(100, scheduled.reminder.id)
    world.advance(minutes=6)
    first, second = world.engine(), world.engine()
    await asyncio.gather(first.tick(), second.tick())
    assert world.notifier.kinds_for(100) == ["auto_paused", "break_over", "break_over"]
    await world.bitrix.workday.open(10)  # back at work: the follow-up checks its premise
    world.advance(minutes=11)
    await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["auto_paused", "break_over", "break_over"]


async def test_the_close_check_comes_again_later_only_if_still_open(world: World) -> None:
    await world.employee(100, 10)
    [evening, _] = await world.service.create(100, ReminderDraft(kind=Kind.CLOSE, at=time(18, 30)))
    await world.bitrix.workday.open(10)
    world.clock.set(datetime(2026, 3, 2, 17, 30, 1, tzinfo=UTC))  # 18:30 in Berlin
    await world.engine().tick()
    assert await world.service.close_later(100, evening.reminder.id, 1)
    world.advance(minutes=61)
    await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["close_nudge", "close_nudge"]
    assert await world.service.close_later(100, evening.reminder.id, 1)
    await world.bitrix.workday.close(10)
    world.advance(minutes=61)
    await world.engine().tick()
    assert world.notifier.kinds_for(100) == ["close_nudge", "close_nudge"]
