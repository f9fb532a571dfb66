"""Each employee's targets, from Bitrix24: `timeman.settings`, and the work schedule when
the deployment names one (docs/bitrix24.md#timeman-settings, docs/bitrix24.md#work-schedules).

No REST method says which schedule an employee is on, so the admin names it
(`BITRIX24_SCHEDULE_ID`); without one, the employee's own settings decide. Targets change
rarely and the portal's quota is scarce, so they are kept in Redis for a day and refreshed
in one `batch` per 50 employees by the nightly job. When Bitrix24 cannot be reached, a
copy up to a week old is still used.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta

from redis.asyncio import Redis

from bot.bitrix24 import Bitrix24Error, ScheduleType, WorkdayAPI, WorkdaySettings, WorkSchedule
from bot.clock import Clock
from bot.storage.keys import KeySpace
from bot.worktime.models import WEEKDAYS, WorkTargets

log = logging.getLogger(__name__)

FRESH_FOR = timedelta(hours=24)
USABLE_FOR = timedelta(days=7)
# A fixed schedule with no latest start of its own: a start this much after the shift's
# is late (Bitrix24's own default allowance, UF_TM_ALLOWED_DELTA, is 15 minutes).
START_GRACE = timedelta(minutes=15)
_DAY = timedelta(days=1)


def _clock_time(offset: timedelta | None) -> time | None:
    if offset is None or not timedelta(0) <= offset < _DAY:
        return None
    minutes = int(offset.total_seconds()) // 60
    return time(minutes // 60, minutes % 60)


def targets_from(settings: WorkdaySettings, schedule: WorkSchedule | None = None) -> WorkTargets:
    """The schedule's rules where it sets them, else the employee's settings."""
    flextime = settings.flextime or (schedule is not None and schedule.type is ScheduleType.FLEXTIME)
    shift = schedule.shifts[0] if schedule is not None and schedule.shifts else None
    min_duration = settings.min_duration
    latest_start = _clock_time(settings.max_start)
    earliest_finish = _clock_time(settings.min_finish)
    work_days = WEEKDAYS
    if schedule is not None:
        if shift is not None:
            work_days = shift.work_days or WEEKDAYS
            delay = schedule.start_delay if schedule.start_delay is not None else START_GRACE
            latest_start = _clock_time(shift.start + delay)
            earliest_finish = _clock_time(shift.end)
            length = (shift.end - shift.start) % _DAY - shift.break_length
            if length > timedelta(0):
                min_duration = length
        if schedule.latest_start is not None:
            latest_start = _clock_time(schedule.latest_start)
        if schedule.earliest_finish is not None:
            earliest_finish = _clock_time(schedule.earliest_finish)
        if schedule.min_duration is not None:
            min_duration = schedule.min_duration
    return WorkTargets(
        min_duration=min_duration,
        latest_start=None if flextime else latest_start,
        earliest_finish=None if flextime else earliest_finish,
        work_days=work_days,
        flextime=flextime,
        tracked=settings.enabled and min_duration > timedelta(0),
        from_schedule=schedule is not None,
    )


def _encode(targets: WorkTargets, fetched: datetime) -> str:
    def clock(value: time | None) -> str:
        return "-" if value is None else str(value.hour * 60 + value.minute)

    flags = "".join(flag for flag, on in (("f", targets.flextime), ("t", targets.tracked),
                                          ("s", targets.from_schedule)) if on)
    return ",".join((str(int(fetched.timestamp())), str(int(targets.min_duration.total_seconds())),
                     clock(targets.latest_start), clock(targets.earliest_finish),
                     "".join(str(day) for day in sorted(targets.work_days)) or "-", flags or "-"))


def _decode(raw: bytes | str) -> tuple[float, WorkTargets] | None:
    def clock(value: str) -> time | None:
        return None if value == "-" else time(int(value) // 60, int(value) % 60)

    try:
        fetched, duration, start, finish, days, flags = (
            raw.decode() if isinstance(raw, bytes) else raw).split(",")
        return float(fetched), WorkTargets(
            min_duration=timedelta(seconds=int(duration)), latest_start=clock(start),
            earliest_finish=clock(finish),
            work_days=frozenset(int(day) for day in days if day.isdigit()),
            flextime="f" in flags, tracked="t" in flags, from_schedule="s" in flags)
    except ValueError:
        return None


class TargetsService:
    def __init__(self, api: WorkdayAPI, redis: Redis, keys: KeySpace, clock: Clock, *,
                 schedule_id: int | None = None) -> None:
        self._api = api
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._schedule_id = schedule_id
        self._schedule_read: tuple[float, WorkSchedule | None] | None = None  # when, and what

    def _key(self, bitrix_id: int) -> str:
        return self._keys("targets", bitrix_id)

    async def for_user(self, bitrix_id: int) -> WorkTargets:
        """The employee's targets: the kept copy while fresh, else from Bitrix24. Raises
        Bitrix24Error only when Bitrix24 fails and no usable copy is kept."""
        kept = await self._kept([bitrix_id])
        now = self._clock.now().timestamp()
        if bitrix_id in kept and now - kept[bitrix_id][0] < FRESH_FOR.total_seconds():
            return kept[bitrix_id][1]
        try:
            return (await self.refresh([bitrix_id], raise_errors=True))[bitrix_id]
        except Bitrix24Error:
            if bitrix_id in kept:
                log.info("targets kept from an earlier read: Bitrix24 did not answer",
                         extra={"ctx_b24_user": bitrix_id})
                return kept[bitrix_id][1]
            raise

    async def kept(self, bitrix_ids: Sequence[int]) -> dict[int, WorkTargets]:
        """The kept targets of these employees, without asking Bitrix24 (fresh or not)."""
        return {bitrix_id: targets for bitrix_id, (_, targets) in (await self._kept(bitrix_ids)).items()}

    async def _kept(self, bitrix_ids: Sequence[int]) -> dict[int, tuple[float, WorkTargets]]:
        if not bitrix_ids:
            return {}
        values = await self._redis.mget([self._key(bitrix_id) for bitrix_id in bitrix_ids])
        # Redis expires the keys by its own clock; the injected one decides what is too old.
        oldest = self._clock.now().timestamp() - USABLE_FOR.total_seconds()
        return {bitrix_id: decoded for bitrix_id, raw in zip(bitrix_ids, values, strict=True)
                if raw is not None and (decoded := _decode(raw)) is not None and decoded[0] > oldest}

    async def refresh(self, bitrix_ids: Iterable[int], *, raise_errors: bool = False,
                      deadline: float | None = None) -> dict[int, WorkTargets]:
        """Read these employees' settings (one `batch` per 50) and keep them. An employee
        whose read failed is left out (or, with `raise_errors`, the first error is raised)."""
        ids = list(dict.fromkeys(bitrix_ids))
        schedule = await self._schedule()
        settings = await self._api.settings_many(ids, deadline=deadline)
        now = self._clock.now()
        found: dict[int, WorkTargets] = {}
        for bitrix_id, result in settings.items():
            if isinstance(result, Bitrix24Error):
                if raise_errors:
                    raise result
                continue
            found[bitrix_id] = targets_from(result, schedule)
        if found:
            ttl = int(USABLE_FOR.total_seconds())
            async with self._redis.pipeline(transaction=False) as pipe:
                for bitrix_id, targets in found.items():
                    pipe.set(self._key(bitrix_id), _encode(targets, now), ex=ttl)
                await pipe.execute()
        return found

    async def _schedule(self) -> WorkSchedule | None:
        """The named schedule, read at most once a day by each replica: it is the same for
        everyone, so it is not worth a place in every employee's batch."""
        if self._schedule_id is None:
            return None
        now = self._clock.now().timestamp()
        if self._schedule_read is not None and now - self._schedule_read[0] < FRESH_FOR.total_seconds():
            return self._schedule_read[1]
        schedule = await self._api.schedule(self._schedule_id)
        if schedule is None:
            log.warning("the work schedule named by BITRIX24_SCHEDULE_ID does not exist; "
                        "employees' own settings are used", extra={"ctx_schedule": self._schedule_id})
        self._schedule_read = (now, schedule)
        return schedule

    async def forget(self, bitrix_id: int) -> None:
        await self._redis.delete(self._key(bitrix_id))
