"""The reminder engine: claim due jobs, check the day, act, notify, reschedule.

One tick claims due jobs in chunks and works on a few chunks at once. For each chunk it
reads every user's day with one `batch` per 50 users, pauses (or resumes) those that need
it with another `batch`, hands the notices to the paced sender, and only then completes
each job. A job claimed by a replica that dies is re-queued by the reaper when its lease
runs out; step marks keep the re-run from pausing or notifying twice. Before a pause (or
resume) is sent, the decision is marked too: a replica that dies after Bitrix24 applied it
but before the answer came leaves a re-run that recognises the change as its own, and
still tells the user and schedules the end of the break.

A graceful stop (`drain`) claims nothing more, lets messages already on their way to
Telegram finish, holds back the rest, and hands every claim it did not finish back to the
queue at once, so another replica (or this one, restarted) carries on without waiting for
the lease to run out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from bot.bitrix24 import Bitrix24Error, Workday, WorkdayAPI, WorkdayStatus
from bot.clock import Clock
from bot.reminders.goal import GOAL, GOAL_SLACK, day_token, goal_moment, goal_target
from bot.reminders.models import Kind, Mode, Reminder
from bot.reminders.schedule import recurring_fire
from bot.reminders.progress import (
    STEP_ACTED,
    STEP_INTENT,
    STEP_TOLD,
    Earlier,
    began,
    changed_at,
    earlier_change,
    intent,
)
from bot.reminders.store import Job, ReminderStore, one_off_job
from bot.worktime.models import WorkTargets
from bot.worktime.sightings import DaySightings

if TYPE_CHECKING:
    from bot.metrics import ReminderMetrics

log = logging.getLogger(__name__)

SNOOZE = "sn"
BREAK_END = "be"
BREAK_NUDGE = "bn"  # once, if the day is still paused a while after "your break is over"
BREAK_NUDGE_AFTER = timedelta(minutes=10)
GOAL_RECHECK = timedelta(minutes=15)  # a goal that found the day paused looks again after this
BATCH_DEADLINE = 300.0  # a fan-out may queue behind the portal's rate limit for minutes


class NoticeKind(StrEnum):
    ASK = "ask"  # time for a break: [Pause now] [In 10 min] [Skip]
    AUTO_PAUSED = "auto_paused"
    AUTO_PAUSE_FAILED = "auto_pause_failed"
    BREAK_OVER = "break_over"  # [Resume] [5 more min]
    STILL_ON_BREAK = "still_on_break"  # the break-over message was ignored and the day is still paused
    AUTO_RESUMED = "auto_resumed"
    AUTO_RESUME_FAILED = "auto_resume_failed"
    CLOSE_NUDGE = "close_nudge"  # the day is still open in the evening
    MORNING_REPAIR = "morning_repair"  # an earlier day was never closed
    LATE_START = "late_start"  # a work day not started by the latest start: [Start day]
    GOAL_REACHED = "goal_reached"  # the minimum is worked: [Close] [Keep working]
    WEEKLY_SUMMARY = "weekly_summary"  # the last work day's evening: the week so far
    TEAM_DIGEST = "team_digest"  # a head's daily summary of their departments
    TEAM_EVENING = "team_evening"  # a head's evening list of who still works or left a day open


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    telegram_id: int
    reminder: Reminder
    scheduled: datetime
    day: Workday | None = None
    error: Bitrix24Error | None = None
    follow_up_at: datetime | None = None  # when the "come back" reminder will fire
    target: timedelta | None = None  # GOAL_REACHED: the day's minimum, now worked


_TEAM_NOTICES = {Kind.TEAM_DIGEST: NoticeKind.TEAM_DIGEST, Kind.TEAM_EVENING: NoticeKind.TEAM_EVENING}


class DeliveryHeld(Exception):
    """The notifier was told to hold: this notice did not leave, and may be sent later."""


class Notifier(Protocol):
    async def deliver(self, notice: Notice) -> bool:
        """Send the notice; False if the user cannot be reached (blocked, gone).
        Raises DeliveryHeld for a notice held back by `hold`."""
        ...

    def hold(self) -> None:
        """Stop sending: a message already on its way completes, the rest are held back."""
        ...


class KeptTargets(Protocol):
    """The employees' targets as kept in Redis: never a Bitrix24 call (TargetsService.kept)."""

    async def kept(self, bitrix_ids: Sequence[int]) -> dict[int, WorkTargets]: ...


class Directory(Protocol):
    """Who a Telegram user is in Bitrix24, and whether and where to reach them."""

    async def bitrix_ids(self, telegram_ids: Sequence[int]) -> dict[int, int]: ...

    async def unreachable(self, telegram_ids: Sequence[int]) -> set[int]: ...

    async def zone(self, telegram_id: int) -> str: ...


@dataclass(eq=False)
class _Work:
    job: Job
    reminder: Reminder
    bitrix_id: int
    steps: dict[str, str] = field(default_factory=dict)  # step → the value it was marked with
    day: Workday | None = None
    notice: Notice | None = None
    schedule_follow_up: datetime | None = None
    changed_at: datetime | None = None  # when an earlier run's pause took effect, if this run found it
    held: bool = False  # the notice was held back by a stop: the job goes back to the queue
    late: bool = False  # beyond the grace period: report what an earlier run did, start nothing
    zone: str = "UTC"  # the user's, for a nudge's "today"
    targets: WorkTargets = field(default_factory=WorkTargets)  # for a nudge
    reschedule_at: datetime | None = None  # the goal, not reached yet: its job comes back then


@dataclass
class TickReport:
    claimed: int = 0
    notified: int = 0
    paused: int = 0
    resumed: int = 0
    skipped: int = 0
    late: int = 0
    released: int = 0  # handed back unfinished by a stop


class ReminderEngine:
    def __init__(
        self,
        *,
        store: ReminderStore,
        workday: WorkdayAPI,
        directory: Directory,
        notifier: Notifier,
        clock: Clock,
        grace: timedelta = timedelta(minutes=10),
        chunk_size: int = 50,
        parallel_chunks: int = 4,
        lease_seconds: float = 120.0,
        concurrent_deliveries: int = 64,
        metrics: ReminderMetrics | None = None,
        sightings: DaySightings | None = None,
        targets: KeptTargets | None = None,
    ) -> None:
        self._metrics = metrics
        self._targets = targets
        self._sightings = sightings
        self._store = store
        self._workday = workday
        self._directory = directory
        self._notifier = notifier
        self._clock = clock
        self.grace = grace
        self._chunk_size = chunk_size
        self._parallel = parallel_chunks
        self._lease = lease_seconds
        # The sender paces messages anyway; more deliveries in flight would only pile up
        # Redis connections and stall the event loop, bunching the sends.
        self._deliveries = asyncio.Semaphore(concurrent_deliveries)
        self._stopping = False
        self._chunks: set[asyncio.Task[None]] = set()
        self._ticks = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def tick(self) -> TickReport:
        """Work through everything due now; returns what happened."""
        report = TickReport()
        started = self._clock.now()
        running: set[asyncio.Task[None]] = set()
        self._ticks += 1
        self._idle.clear()
        try:
            while not self._stopping:
                while len(running) >= self._parallel:
                    done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    _raise_failures(done)
                if self._stopping:
                    break
                jobs = await self._store.claim(self._clock.now(), limit=self._chunk_size,
                                               lease_seconds=self._lease)
                if not jobs:
                    break
                report.claimed += len(jobs)
                if self._stopping:  # the stop came while claiming
                    report.released += await self._store.release(jobs)
                    break
                task = asyncio.create_task(self._process(jobs, report))
                running.add(task)
                self._chunks.add(task)
                task.add_done_callback(self._chunks.discard)
            if running:
                # Not gather: were this tick cancelled, the chunks must still finish or
                # hand their claims back themselves.
                done, _ = await asyncio.wait(running)
                _raise_failures(done)
        finally:
            self._ticks -= 1
            if not self._ticks:
                self._idle.set()
        if report.claimed and self._metrics is not None:
            self._metrics.fan_out((self._clock.now() - started).total_seconds())
        return report

    async def drain(self, grace: float = 5.0) -> None:
        """Stop for good: claim nothing more, hold back notices not yet on their way, and
        hand every unfinished claim back to the queue. Work still busy after `grace`
        seconds (e.g. queued behind the portal's rate limit) is cut short and handed back
        too; a pause it may have sent is recognised by the re-run (STEP_INTENT)."""
        self._stopping = True
        self._notifier.hold()
        chunks = set(self._chunks)
        if chunks:
            _, late = await asyncio.wait(chunks, timeout=grace)
            for task in late:
                task.cancel()
            if late:
                log.warning("reminder work cut short by the stop; its claims were handed back",
                            extra={"ctx_chunks": len(late)})
                await asyncio.wait(late)
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=grace)
        except TimeoutError:
            log.warning("a reminder tick was still claiming when the bot stopped")

    async def reap(self) -> int:
        """Re-queue jobs whose replica died while holding them."""
        count = await self._store.reap(self._clock.now())
        if count:
            log.warning("re-queued reminders from an expired lease", extra={"ctx_count": count})
        return count

    async def _process(self, jobs: list[Job], report: TickReport) -> None:
        unfinished = {job.key: job for job in jobs}
        keeper = asyncio.create_task(self._keep_leases(jobs))
        try:
            await self._process_chunk(jobs, report, unfinished)
        finally:
            keeper.cancel()
            if unfinished:
                await self._hand_back(list(unfinished.values()), report)

    async def _hand_back(self, jobs: list[Job], report: TickReport) -> None:
        # Due again at once, at their own due time: their step marks keep the next run
        # from pausing or telling anyone twice.
        try:
            released = await self._store.release(jobs)
        except Exception:  # noqa: BLE001 - Redis gone too: the leases run out instead
            log.warning("could not hand reminder claims back; they return when their lease runs out",
                        extra={"ctx_count": len(jobs)})
            return
        report.released += released
        log.info("reminder claims handed back", extra={"ctx_count": released})

    async def _keep_leases(self, jobs: list[Job]) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            await self._store.renew(jobs, self._clock.now(), self._lease)

    async def _process_chunk(self, jobs: list[Job], report: TickReport, unfinished: dict[str, Job]) -> None:
        if self._stopping:
            return
        reminders = await self._store.get_many(job.reminder_id for job in jobs)
        finished: list[tuple[Job, Reminder | None]] = []
        candidates: list[tuple[Job, Reminder]] = []
        for job in jobs:
            reminder = reminders.get(job.reminder_id)
            # A follow-up (snooze, end of a break) still fires after its reminder was
            # switched off: the break it belongs to has already begun. The goal's job is
            # the nudge itself: switched off, it is silent.
            if reminder is None or (not reminder.enabled
                                    and (job.one_off_kind is None or reminder.kind is Kind.GOAL)):
                finished.append((job, reminder))
            else:
                candidates.append((job, reminder))
        telegram_ids = list({reminder.telegram_id for _, reminder in candidates})
        bitrix_ids = await self._directory.bitrix_ids(telegram_ids)
        unreachable = await self._directory.unreachable(telegram_ids)
        work: list[_Work] = []
        for job, reminder in candidates:
            if reminder.telegram_id not in bitrix_ids or reminder.telegram_id in unreachable:
                finished.append((job, reminder))
            else:
                work.append(_Work(job, reminder, bitrix_ids[reminder.telegram_id]))
        steps = await self._store.steps_done([item.job for item in work])
        on_time: list[_Work] = []
        for item in work:
            item.steps = steps.get(item.job.key, {})
            # Time the clock was moved over on purpose (the sandbox's fast-forward) is not late.
            item.late = self._clock.running_since(item.job.due) > self.grace
            if item.late and not began(item.steps):
                # Missed while no replica ran: a late reminder is worse than none. But a
                # change an earlier run already made is still reported (and no new one made).
                log.info("reminder skipped: too late", extra={"ctx_job": item.job.key,
                                                              "ctx_late_s": int(self._clock.running_since(item.job.due).total_seconds())})
                report.late += 1
                finished.append((item.job, item.reminder))
            else:
                on_time.append(item)
        work = await self._prepare_nudges(on_time, finished)

        await self._read_days(work)
        if self._stopping:
            return  # not a change started now that the stop might cut off
        await self._act(work, report)
        await self._notify(work, report)
        await self._settle_goals(work)
        for item in work:
            if item.schedule_follow_up is not None:
                follow_up = one_off_job(BREAK_END, item.reminder.id, int(item.job.due.timestamp()))
                await self._store.schedule(follow_up, item.schedule_follow_up, only_if_new=True)
            if item.notice is not None and item.notice.kind is NoticeKind.BREAK_OVER:
                # One key per reminder: "5 more minutes" takes it back (see ReminderService).
                nudge = one_off_job(BREAK_NUDGE, item.reminder.id, 0)
                await self._store.schedule(nudge, self._clock.now() + BREAK_NUDGE_AFTER, only_if_new=True)
        report.skipped += len(finished) + sum(1 for item in work if item.notice is None)
        for job, reminder in finished:
            await self._complete(job, reminder)
            unfinished.pop(job.key, None)
        for item in work:
            if not item.held:
                await self._complete(item.job, item.reminder)
                unfinished.pop(item.job.key, None)

    async def _prepare_nudges(self, work: list[_Work],
                              finished: list[tuple[Job, Reminder | None]]) -> list[_Work]:
        """Give each nudge its user's zone and kept targets (no Bitrix24 call), and drop a
        goal job whose day has had its notice already (a later sighting queued it again)."""
        nudges = [item for item in work if item.reminder.kind.is_nudge]
        if not nudges:
            return work
        kept = await self._targets.kept(list({item.bitrix_id for item in nudges})) if self._targets else {}
        for item in nudges:
            item.zone = await self._directory.zone(item.reminder.telegram_id)
            item.targets = kept.get(item.bitrix_id, WorkTargets())
        goals: list[tuple[int, int | str]] = [(item.reminder.id, item.job.token or "") for item in nudges
                                              if item.job.one_off_kind == GOAL]
        done = await self._store.happened(goals)
        remaining: list[_Work] = []
        for item in work:
            if item.job.one_off_kind == GOAL and (item.reminder.id, item.job.token or "") in done:
                finished.append((item.job, item.reminder))
            else:
                remaining.append(item)
        return remaining

    async def _settle_goals(self, work: list[_Work]) -> None:
        for item in work:
            if item.job.one_off_kind != GOAL:
                continue
            if item.notice is not None and not item.held:
                # Once a day: a sighting that queued the job again meanwhile finds it done.
                await self._store.mark_once(item.reminder.id, item.job.token or "")
                await self._store.unschedule(item.job.key)
            elif item.reschedule_at is not None:
                await self._store.schedule(item.job.key, item.reschedule_at)

    def _nudge(self, item: _Work, day: Workday) -> None:
        """The nudges' decisions, on the day as the batched read found it."""
        now = self._clock.now()
        zone = ZoneInfo(item.zone)
        today = now.astimezone(zone).date()
        started_today = day.started_at is not None and day.started_at.astimezone(zone).date() == today
        targets = item.targets
        kind = item.reminder.kind
        if kind is Kind.LATE_START:
            if (targets.latest_start is None or not targets.tracked or today.weekday() not in targets.work_days
                    or started_today or day.status in (WorkdayStatus.OPENED, WorkdayStatus.PAUSED)):
                return  # flextime, a day off, started meanwhile, or a night's day still running
            item.notice = self._notice(item, NoticeKind.LATE_START)
        elif kind is Kind.GOAL:
            # The token names the day: one begun in the evening reaches its minimum tomorrow.
            if str(day_token(day)) != item.job.token or goal_target(day, targets) <= timedelta(0):
                return  # another day, or a day without a minimum
            if day.status is WorkdayStatus.PAUSED:
                # On a break at the moment (perhaps in Bitrix24's own widget, unseen): look again.
                item.reschedule_at = now + GOAL_RECHECK
                return
            if day.status is not WorkdayStatus.OPENED:
                return  # closed, or left open into another day
            worked = day.worked(now) or timedelta(0)
            if worked + GOAL_SLACK >= goal_target(day, targets):
                item.notice = replace(self._notice(item, NoticeKind.GOAL_REACHED), target=goal_target(day, targets))
            else:
                item.reschedule_at = goal_moment(day, targets)  # breaks since moved it
        elif kind is Kind.WEEKLY:
            monday = today - timedelta(days=today.weekday())
            if day.started_at is not None and day.started_at.astimezone(zone).date() >= monday:
                item.notice = self._notice(item, NoticeKind.WEEKLY_SUMMARY)

    async def _read_days(self, work: list[_Work]) -> None:
        if not work:
            return
        try:
            days = await self._workday.status_many([item.bitrix_id for item in work], deadline=BATCH_DEADLINE)
        except Bitrix24Error as error:
            log.warning("reminders could not read the days", extra={"ctx_error": repr(error)})
            days = {item.bitrix_id: error for item in work}
        for item in work:
            result = days.get(item.bitrix_id)
            if isinstance(result, Workday):
                item.day = result
            elif self._wants_auto_pause(item) and isinstance(result, Bitrix24Error) and not item.late:
                item.notice = self._notice(item, NoticeKind.AUTO_PAUSE_FAILED, error=result)
            # Ask-mode and evening checks stay silent when the day cannot be read: the
            # user would only be able to act on it in Bitrix24 anyway.
        await self._saw(work)

    async def _saw(self, work: list[_Work]) -> None:
        if self._sightings is not None:
            await self._sightings.saw_many({item.bitrix_id: item.day for item in work if item.day is not None})

    @staticmethod
    def _wants_auto_pause(item: _Work) -> bool:
        return item.reminder.kind is Kind.BREAK and item.job.one_off_kind is None and item.reminder.mode is Mode.AUTO

    async def _act(self, work: list[_Work], report: TickReport) -> None:
        to_pause: list[_Work] = []
        to_resume: list[_Work] = []
        for item in work:
            day = item.day
            if day is None or item.notice is not None:
                continue
            kind, one_off = item.reminder.kind, item.job.one_off_kind
            earlier = began(item.steps)
            if kind in _TEAM_NOTICES:  # the digest reads the team itself; the head's own day is no premise
                item.notice = self._notice(item, _TEAM_NOTICES[kind])
            elif kind.is_nudge:
                self._nudge(item, day)
            elif one_off == BREAK_END:
                if item.reminder.auto_resume and (day.status is WorkdayStatus.PAUSED or earlier):
                    to_resume.append(item)
                elif day.status is WorkdayStatus.PAUSED:
                    item.notice = self._notice(item, NoticeKind.BREAK_OVER)
            elif one_off == BREAK_NUDGE:
                if day.status is WorkdayStatus.PAUSED:  # not resumed or closed meanwhile
                    item.notice = self._notice(item, NoticeKind.STILL_ON_BREAK)
            elif kind is Kind.BREAK:
                if day.status is not WorkdayStatus.OPENED and not earlier:
                    continue  # a day off, or already on a break: no nagging
                if self._wants_auto_pause(item):
                    to_pause.append(item)
                else:
                    item.notice = self._notice(item, NoticeKind.ASK)
            elif kind is Kind.CLOSE:
                if day.is_unfinished:
                    item.notice = self._notice(item, NoticeKind.CLOSE_NUDGE)
            elif kind is Kind.MORNING:
                if day.status is WorkdayStatus.EXPIRED:
                    item.notice = self._notice(item, NoticeKind.MORNING_REPAIR)
        await self._change(to_pause, self._workday.pause_many, WorkdayStatus.OPENED, WorkdayStatus.PAUSED,
                           NoticeKind.AUTO_PAUSED, NoticeKind.AUTO_PAUSE_FAILED)
        report.paused += sum(1 for item in to_pause if item.notice and item.notice.kind is NoticeKind.AUTO_PAUSED)
        await self._change(to_resume, self._workday.open_many, WorkdayStatus.PAUSED, WorkdayStatus.OPENED,
                           NoticeKind.AUTO_RESUMED, NoticeKind.AUTO_RESUME_FAILED)
        report.resumed += sum(1 for item in to_resume if item.notice and item.notice.kind is NoticeKind.AUTO_RESUMED)
        await self._saw([*to_pause, *to_resume])  # the days as the changes left them

    async def _change(
        self,
        items: list[_Work],
        call: Callable[..., Awaitable[dict[int, Workday | Bitrix24Error]]],
        source: WorkdayStatus,
        expected: WorkdayStatus,
        done: NoticeKind,
        failed: NoticeKind,
    ) -> None:
        pending: list[_Work] = []
        settled: list[_Work] = []  # an earlier run of the occurrence changed the day
        quiet: set[_Work] = set()  # nothing to do and nothing to say
        for item in items:
            assert item.day is not None
            if STEP_ACTED in item.steps:
                continue
            verdict = earlier_change(item.steps, item.day, expected, timedelta(seconds=BATCH_DEADLINE))
            if verdict is not None:
                settled.append(item)
                if verdict is Earlier.IN_EFFECT:
                    item.changed_at = changed_at(item.steps, item.day)
                else:
                    quiet.add(item)  # ...and the user already undid it
            elif item.day.status is source and not item.late:
                pending.append(item)
            else:
                quiet.add(item)  # the day moved on by itself since then, or it is too late to start
        if settled:
            log.info("reminders found their own earlier change applied", extra={"ctx_count": len(settled)})
            await self._store.mark_step([item.job for item in settled], STEP_ACTED)
        results: dict[int, Workday | Bitrix24Error] = {}
        if pending:
            decided = self._clock.now()
            await self._store.mark_step([item.job for item in pending], STEP_INTENT,
                                        [intent(decided, item.day) for item in pending])
            try:
                results = await call([item.bitrix_id for item in pending], deadline=BATCH_DEADLINE)
            except Bitrix24Error as error:
                results = {item.bitrix_id: error for item in pending}
            await self._store.mark_step([item.job for item in pending
                                         if isinstance(results.get(item.bitrix_id), Workday)], STEP_ACTED)
        for item in items:
            if item in quiet:
                continue
            result = results.get(item.bitrix_id, item.day)  # an earlier run already acted
            if isinstance(result, Workday):
                item.day = result
                if result.status is expected:
                    item.notice = self._notice(item, done)
                    if done is NoticeKind.AUTO_PAUSED and item.reminder.break_minutes:
                        item.schedule_follow_up = item.notice.follow_up_at
            elif isinstance(result, Bitrix24Error):
                item.notice = self._notice(item, failed, error=result)

    def _notice(self, item: _Work, kind: NoticeKind, *, error: Bitrix24Error | None = None) -> Notice:
        follow_up = None
        if kind is NoticeKind.AUTO_PAUSED and item.reminder.break_minutes:
            start = item.changed_at or self._clock.now()
            follow_up = start + timedelta(minutes=item.reminder.break_minutes)
        return Notice(kind=kind, telegram_id=item.reminder.telegram_id, reminder=item.reminder,
                      scheduled=item.job.due, day=item.day, error=error, follow_up_at=follow_up)

    async def _notify(self, work: list[_Work], report: TickReport) -> None:
        to_send = [item for item in work if item.notice is not None and STEP_TOLD not in item.steps]

        async def deliver(item: _Work) -> None:
            assert item.notice is not None
            try:
                async with self._deliveries:
                    if self._stopping:
                        raise DeliveryHeld
                    delivered = await self._notifier.deliver(item.notice)
            except DeliveryHeld:
                item.held = True
                return
            except Exception:  # noqa: BLE001 - one user's failure must not stop the others
                log.exception("reminder delivery failed", extra={"ctx_job": item.job.key})
                return
            if delivered:
                report.notified += 1
                if self._metrics is not None:
                    self._metrics.delivered((self._clock.now() - item.job.due).total_seconds())
                await self._store.mark_step([item.job], STEP_TOLD)

        await asyncio.gather(*(deliver(item) for item in to_send))

    async def _complete(self, job: Job, reminder: Reminder | None) -> None:
        next_at = None
        if reminder is not None and reminder.enabled and job.one_off_kind is None:
            zone = await self._directory.zone(reminder.telegram_id)
            next_at = recurring_fire(reminder, zone, max(self._clock.now(), job.due))
        await self._store.complete(job, next_at)


def _raise_failures(done: set[asyncio.Task[None]]) -> None:
    for task in done:
        if not task.cancelled():
            task.result()
