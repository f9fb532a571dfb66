"""Workday actions, reported truthfully: what Bitrix24 now says, and whether it was recorded.

Bitrix24 answers a pause on a closed day, or an open on a running one, with HTTP 200
and the unchanged day (docs/bitrix24.md#silent-no-ops). So the outcome of an action is never assumed
from the request: it is read from the status that comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.bitrix24 import (
    AccessDeniedError,
    AuthError,
    Bitrix24Error,
    InvalidArgumentError,
    NotFoundError,
    UnavailableError,
    Workday,
    WorkdayAPI,
    WorkdayStatus,
)
from bot.clock import Clock
from bot.storage.day_cache import DayCache, SeenDay
from bot.wall_time import parse_wall_time
from bot.worktime.models import WorkTargets
from bot.worktime.sightings import DaySightings

log = logging.getLogger(__name__)

# An answer whose start or pause moment is this close to "now" was caused by our request.
_JUST_NOW = timedelta(minutes=2)
_STATUS_CHECK_DEADLINE = 8.0
# A remembered day older than this may have been closed elsewhere and a new one begun.
_CACHE_TRUSTED_FOR = timedelta(hours=16)
# How long after a close its card offers Undo: long enough to catch a mistaken tap, short
# enough that "undo" still means the close, not a day continued hours later.
UNDO_WINDOW = timedelta(minutes=5)


class Action(StrEnum):
    STATUS = "status"
    START = "start"
    RESUME = "resume"
    PAUSE = "pause"
    CLOSE = "close"
    UNDO = "undo"  # reopen a day just closed
    REPAIR = "repair"


class Change(StrEnum):
    STARTED = "started"
    RESUMED = "resumed"
    REOPENED = "reopened"
    RUNNING = "running"  # open on a running day, or resumed: Bitrix24 doesn't say which
    ALREADY_RUNNING = "already_running"
    PAUSED = "paused"
    ALREADY_PAUSED = "already_paused"
    CLOSED = "closed"
    CLOSED_WITH_REPORT = "closed_with_report"
    UNDONE = "undone"  # a close undone within UNDO_WINDOW
    UNDO_TOO_LATE = "undo_too_late"
    ALREADY_CLOSED = "already_closed"
    REPAIRED = "repaired"
    NOTHING_TO_PAUSE = "nothing_to_pause"
    NOT_PAUSED = "not_paused"
    RESUMED_INSTEAD = "resumed_instead"  # the docs' "pause on a closed day resumes it"
    NEEDS_REPAIR = "needs_repair"
    STALE = "stale"  # a button from a card of another day: nothing was sent
    UNCHANGED = "unchanged"  # Bitrix24 answered, but the day did not move as asked


class Failure(StrEnum):
    UNAVAILABLE = "unavailable"  # nothing was recorded
    UNKNOWN_OUTCOME = "unknown_outcome"  # sent, no answer, and no way to check
    ACCESS_DENIED = "access_denied"
    AUTH = "auth"
    USER_NOT_FOUND = "user_not_found"
    WRONG_TIME = "wrong_time"
    REPORT_NEEDED = "report_needed"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class DayReport:
    action: Action
    day: Workday | None = None
    change: Change | None = None
    failure: Failure | None = None
    error: Bitrix24Error | None = None
    # On a failure with no day to show: the day (its key) the bot last knew, so that a
    # "Try again" button cannot act on a later day.
    known_day: int = 0
    # What Bitrix24 expects of the employee, for the card's "done at" line (None: unknown,
    # or a day that has none: not started, or left open from an earlier date).
    targets: WorkTargets | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def classify_failure(error: Bitrix24Error) -> Failure:
    if isinstance(error, UnavailableError):
        return Failure.UNKNOWN_OUTCOME if error.maybe_applied else Failure.UNAVAILABLE
    if isinstance(error, AccessDeniedError):
        return Failure.ACCESS_DENIED
    if isinstance(error, AuthError):
        return Failure.AUTH
    if isinstance(error, NotFoundError):
        return Failure.USER_NOT_FOUND
    if error.code == "WRONG_DATETIME" or error.code == "WRONG_DATETIME_FORMAT":
        return Failure.WRONG_TIME
    if error.code == "REPORT_NEEDED":
        return Failure.REPORT_NEEDED
    return Failure.REFUSED


def day_key(started_at: datetime | None) -> int:
    """A day's identity on a button: its start in unix minutes, 0 when there is none."""
    return int(started_at.timestamp()) // 60 if started_at else 0


def can_undo(day: Workday, now: datetime) -> bool:
    """Whether a closed day was closed recently enough to offer undoing it."""
    return (day.status is WorkdayStatus.CLOSED and day.has_record and day.finished_at is not None
            and timedelta(0) <= now - day.finished_at <= UNDO_WINDOW)


def _near(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and abs(now - moment) <= _JUST_NOW


def _same_day(seen: SeenDay | None, day: Workday) -> bool:
    return seen is not None and day.started_at is not None and seen.started == _start_of(day)


def _known(seen: SeenDay | None, status: WorkdayStatus | None, card_day: int | None, now: datetime) -> bool:
    """Whether the last answer we saw is enough to act without reading the status: it
    was in `status` (any, if None), for a tap on a card it was the card's day, and that
    day is recent enough to be still the current one. Otherwise one status read costs
    less than acting on the wrong day: `timeman.open` would start a new day."""
    if seen is None or not seen.started:
        return False
    if status is not None and seen.status is not status:
        return False
    if now.timestamp() - seen.started > _CACHE_TRUSTED_FOR.total_seconds():
        return False
    return card_day is None or seen.started // 60 == card_day


# Per action: the state the last answer must show to act without reading the status
# (None: any), and what to say instead of acting when the status read finds another state.
_GUARDS: dict[Action, tuple[WorkdayStatus | None, dict[WorkdayStatus, Change]]] = {
    Action.PAUSE: (WorkdayStatus.OPENED, {WorkdayStatus.PAUSED: Change.ALREADY_PAUSED,
                                          WorkdayStatus.CLOSED: Change.NOTHING_TO_PAUSE,
                                          WorkdayStatus.EXPIRED: Change.NEEDS_REPAIR}),
    Action.RESUME: (WorkdayStatus.PAUSED, {WorkdayStatus.OPENED: Change.ALREADY_RUNNING,
                                           WorkdayStatus.CLOSED: Change.NOT_PAUSED,
                                           WorkdayStatus.EXPIRED: Change.NEEDS_REPAIR}),
    Action.CLOSE: (None, {WorkdayStatus.CLOSED: Change.ALREADY_CLOSED,
                          WorkdayStatus.EXPIRED: Change.NEEDS_REPAIR}),
}


def _start_of(day: Workday) -> int:
    return int(day.started_at.timestamp()) if day.started_at else 0


def _other_day(day: Workday, card_day: int | None) -> bool:
    """A tap on a card whose day is no longer the current one."""
    return card_day is not None and day_key(day.started_at) != card_day


class TargetsSource(Protocol):
    async def kept(self, bitrix_ids: Sequence[int]) -> dict[int, WorkTargets]:
        """Targets already known, without a call to Bitrix24."""
        ...


class WorkdayService:
    def __init__(self, workday: WorkdayAPI, cache: DayCache, clock: Clock, *,
                 sightings: DaySightings | None = None, targets: TargetsSource | None = None) -> None:
        self._api = workday
        self._cache = cache
        self._clock = clock
        self._sightings = sightings
        self._targets = targets

    async def last_seen(self, bitrix_id: int) -> SeenDay | None:
        """The day as the bot last saw it, without asking Bitrix24 (for wording only)."""
        return await self._cache.get(bitrix_id)

    async def status(self, bitrix_id: int) -> DayReport:
        async def call() -> DayReport:
            day = await self._api.status(bitrix_id)
            change = Change.NEEDS_REPAIR if day.status is WorkdayStatus.EXPIRED else None
            return DayReport(Action.STATUS, day, change)

        return await self._run(Action.STATUS, bitrix_id, call, verify=None)

    async def start(self, bitrix_id: int) -> DayReport:
        """Start the day, or resume or reopen it: `timeman.open`."""
        seen = await self._cache.get(bitrix_id)

        async def call() -> DayReport:
            return DayReport(Action.START, *self._after_open(seen, await self._api.open(bitrix_id)))

        return await self._run(Action.START, bitrix_id, call,
                               verify=lambda day: DayReport(Action.START, *self._after_open(seen, day)))

    async def resume(self, bitrix_id: int, *, card_day: int | None = None) -> DayReport:
        """Resume a paused day. `timeman.open` would also start a new day or reopen a
        closed one, so unless this day is known to be paused, the status is read first."""
        seen = await self._cache.get(bitrix_id)

        async def call() -> DayReport:
            paused_start = await self._may_act(Action.RESUME, bitrix_id, seen, card_day)
            if isinstance(paused_start, DayReport):
                return paused_start
            day = await self._api.open(bitrix_id)
            return DayReport(Action.RESUME, *self._after_open(seen, day, resuming=True, paused_start=paused_start))

        return await self._run(
            Action.RESUME, bitrix_id, call,
            verify=lambda day: DayReport(Action.RESUME, *self._after_open(seen, day, resuming=True)),
        )

    def _after_open(self, seen: SeenDay | None, day: Workday, *, resuming: bool = False,
                    paused_start: int = 0) -> tuple[Workday, Change]:
        now = self._clock.now()
        if day.status is WorkdayStatus.EXPIRED:
            return day, Change.NEEDS_REPAIR
        if day.status is not WorkdayStatus.OPENED:
            return day, Change.UNCHANGED
        if paused_start and _start_of(day) == paused_start:  # the day we knew to be paused runs again
            return day, Change.RESUMED
        if seen is not None and _same_day(seen, day):
            resumed_now = int(day.breaks.total_seconds()) > seen.breaks
            if seen.status is WorkdayStatus.CLOSED:
                return day, Change.REOPENED
            if resumed_now or seen.status is WorkdayStatus.PAUSED:
                return day, Change.RESUMED
            return day, Change.ALREADY_RUNNING
        if _near(day.started_at, now) and day.breaks == timedelta(0):
            return day, Change.STARTED
        return day, Change.RESUMED if resuming else Change.RUNNING

    async def pause(self, bitrix_id: int, *, card_day: int | None = None) -> DayReport:
        """Pause a running day. A portal that follows the docs reopens a closed day on
        `timeman.pause`, so unless this day is known to be running, the status is read first."""
        seen = await self._cache.get(bitrix_id)

        def judge(day: Workday) -> DayReport:
            if day.status is WorkdayStatus.PAUSED:
                # The pause was sent because the day was known to run (a fresh read, or an
                # answer trusted for this day), so a paused day is this request's doing, unless
                # Bitrix24 shows the break began well before it.
                already = day.paused_at is not None and not _near(day.paused_at, self._clock.now())
                return DayReport(Action.PAUSE, day, Change.ALREADY_PAUSED if already else Change.PAUSED)
            if day.status is WorkdayStatus.EXPIRED:
                return DayReport(Action.PAUSE, day, Change.NEEDS_REPAIR)
            if day.status is WorkdayStatus.CLOSED:
                return DayReport(Action.PAUSE, day, Change.NOTHING_TO_PAUSE)
            # A pause leaves no day OPENED, except a closed one that a portal following
            # the docs reopened: it was closed elsewhere since we last saw it.
            return DayReport(Action.PAUSE, day, Change.RESUMED_INSTEAD)

        async def call() -> DayReport:
            refusal = await self._may_act(Action.PAUSE, bitrix_id, seen, card_day)
            if isinstance(refusal, DayReport):
                return refusal
            return judge(await self._api.pause(bitrix_id))

        def verify(day: Workday) -> DayReport:
            # The answer was lost and the day still runs: the pause did not happen.
            if day.status is WorkdayStatus.OPENED:
                return DayReport(Action.PAUSE, day, Change.UNCHANGED)
            return judge(day)

        return await self._run(Action.PAUSE, bitrix_id, call, verify=verify)

    async def close(self, bitrix_id: int, report: str | None = None, *, card_day: int | None = None,
                    at: datetime | None = None) -> DayReport:
        """Close the day, now or `at` an earlier time (which Bitrix24 takes only with a
        `report` on most schedules). From a card, only the card's own day: a card from an
        earlier day must not close today's."""
        seen = await self._cache.get(bitrix_id) if card_day is not None else None

        def judge(day: Workday) -> DayReport:
            if day.status is WorkdayStatus.CLOSED:
                # With `at`, the text is the reason for the changed time, not a report of the day.
                with_report = bool(report) and at is None
                return DayReport(Action.CLOSE, day, Change.CLOSED_WITH_REPORT if with_report else Change.CLOSED)
            if day.status is WorkdayStatus.EXPIRED:
                return DayReport(Action.CLOSE, day, Change.NEEDS_REPAIR)
            return DayReport(Action.CLOSE, day, Change.UNCHANGED)

        async def call() -> DayReport:
            if card_day is not None:  # a typed /close means today's day, whichever it is
                refusal = await self._may_act(Action.CLOSE, bitrix_id, seen, card_day)
                if isinstance(refusal, DayReport):
                    return refusal
            try:
                return judge(await self._api.close(bitrix_id, at=at, report=report or None))
            except InvalidArgumentError as error:
                if error.code == "WD_EXPIRED":
                    return DayReport(Action.CLOSE, await self._api.status(bitrix_id), Change.NEEDS_REPAIR)
                if error.code == "ALERT_WARNING":
                    day = await self._api.status(bitrix_id)
                    if day.status is WorkdayStatus.CLOSED:
                        return DayReport(Action.CLOSE, day, Change.ALREADY_CLOSED)
                raise

        return await self._run(Action.CLOSE, bitrix_id, call, verify=judge)

    async def undo_close(self, bitrix_id: int, *, card_day: int | None = None) -> DayReport:
        """Reopen the card's day if it was closed within UNDO_WINDOW: `timeman.open` on a
        closed day reopens it, the gap counting as a break (docs/bitrix24.md#reopen-or-a-new-day).
        The close moment is read fresh, so a late tap is refused with the day as it is."""

        def judge(day: Workday) -> DayReport:
            if day.status is WorkdayStatus.OPENED:
                # Where Bitrix24 may not reopen, open starts a new day instead: say so.
                return DayReport(Action.UNDO, day, Change.STARTED if _other_day(day, card_day) else Change.UNDONE)
            return DayReport(Action.UNDO, day, Change.UNCHANGED)

        async def call() -> DayReport:
            try:
                day = await self._api.status(bitrix_id)
            except Bitrix24Error as error:
                error.maybe_applied = False  # only the read was lost: nothing was sent
                raise
            if _other_day(day, card_day):
                return DayReport(Action.UNDO, day, Change.STALE)
            if day.status is not WorkdayStatus.CLOSED:
                return DayReport(Action.UNDO, day, Change.UNCHANGED)
            if not can_undo(day, self._clock.now()):
                return DayReport(Action.UNDO, day, Change.UNDO_TOO_LATE)
            return judge(await self._api.open(bitrix_id))

        return await self._run(Action.UNDO, bitrix_id, call, verify=judge)

    async def repair(self, bitrix_id: int, finished_at: datetime, reason: str) -> DayReport:
        """Close a day left open from an earlier date, at the given time, with the reason
        Bitrix24 requires."""

        def judge(day: Workday) -> DayReport:
            if day.status is WorkdayStatus.CLOSED:
                return DayReport(Action.REPAIR, day, Change.REPAIRED)
            return DayReport(Action.REPAIR, day, Change.UNCHANGED)

        async def call() -> DayReport:
            try:
                return judge(await self._api.close(bitrix_id, at=finished_at, report=reason))
            except InvalidArgumentError as error:
                if error.code == "ALERT_WARNING":
                    day = await self._api.status(bitrix_id)
                    if day.status is not WorkdayStatus.EXPIRED:
                        return DayReport(Action.REPAIR, day, Change.ALREADY_CLOSED)
                raise

        return await self._run(Action.REPAIR, bitrix_id, call, verify=judge)

    async def _may_act(self, action: Action, bitrix_id: int, seen: SeenDay | None,
                       card_day: int | None) -> DayReport | int:
        """Whether to send `action`: a report when it must not be sent (the tap came from
        another day's card, or the day is in a state the action cannot change), else the
        start (unix seconds) of the day it will act on. The last answer seen decides when
        it is enough (`_known`); otherwise the status is read."""
        expected, refuse = _GUARDS[action]
        if _known(seen, expected, card_day, self._clock.now()):
            assert seen is not None
            return seen.started
        try:
            day = await self._api.status(bitrix_id)
        except Bitrix24Error as error:
            # Only a read was lost, and the action was never sent: it was not recorded.
            error.maybe_applied = False
            raise
        if _other_day(day, card_day):
            return DayReport(action, day, Change.STALE)
        change = refuse.get(day.status)
        return DayReport(action, day, change) if change is not None else _start_of(day)

    async def _run(
        self,
        action: Action,
        bitrix_id: int,
        call: Callable[[], Awaitable[DayReport]],
        verify: Callable[[Workday], DayReport] | None,
    ) -> DayReport:
        try:
            report = await call()
        except Bitrix24Error as error:
            report = await self._failed(action, bitrix_id, error, verify)
        if report.day is not None:
            report = await self._with_pause_moment(bitrix_id, report)
            await self._cache.put(bitrix_id, report.day)
            if self._sightings is not None:
                await self._sightings.saw(bitrix_id, report.day)
            report = await self._with_targets(bitrix_id, report)
        log.info(
            "workday action",
            extra={
                "ctx_action": action.value,
                "ctx_b24_user": bitrix_id,
                "ctx_outcome": (report.change or report.failure or "-"),
                "ctx_b24_status": report.day.status.value if report.day else "-",
                "ctx_error": report.error.code if report.error and report.error.code else (
                    type(report.error).__name__ if report.error else "-"),
            },
        )
        return report

    async def _with_targets(self, bitrix_id: int, report: DayReport) -> DayReport:
        """The targets as kept (read at link time and every night): an action costs one
        request, so the card's "done at" line never adds a second."""
        day = report.day
        if self._targets is None or day is None or not day.has_record or day.status is WorkdayStatus.EXPIRED:
            return report
        kept = await self._targets.kept([bitrix_id])
        return replace(report, targets=kept.get(bitrix_id))

    async def _with_pause_moment(self, bitrix_id: int, report: DayReport) -> DayReport:
        """A paused day whose portal does not say when the break began (TIME_FINISH null, as
        the docs describe it) gets the moment the bot paused it, if the bot did."""
        day = report.day
        if day is None or day.status is not WorkdayStatus.PAUSED or day.paused_at is not None \
                or day.started_at is None:
            return report
        if report.action is Action.PAUSE and report.change is Change.PAUSED:
            moment = self._clock.now()
        else:
            seen = await self._cache.get(bitrix_id)
            if seen is None or not seen.paused_at or seen.status is not WorkdayStatus.PAUSED \
                    or not _same_day(seen, day) or seen.breaks != int(day.breaks.total_seconds()):
                return report  # paused elsewhere, or another break since: the moment is unknown
            moment = datetime.fromtimestamp(seen.paused_at, UTC)
        # While paused, Bitrix24's own server keeps the break's start in TIME_FINISH.
        filled = replace(day, finished_at=moment.astimezone(day.started_at.tzinfo))
        return replace(report, day=filled)

    async def _failed(
        self,
        action: Action,
        bitrix_id: int,
        error: Bitrix24Error,
        verify: Callable[[Workday], DayReport] | None,
    ) -> DayReport:
        failure = classify_failure(error)
        if failure is Failure.ACCESS_DENIED:
            # An admin needs to know which right is missing; the user only that one is.
            log.error(
                "bitrix24 refused access: the webhook's user needs the timeman admin right "
                "(or the webhook lacks a scope)",
                extra={"ctx_b24_user": bitrix_id, "ctx_code": error.code,
                       "ctx_description": error.description, "ctx_method": error.method or "-"},
            )
        elif failure is Failure.AUTH:
            log.error("bitrix24 rejected the bot's credentials",
                      extra={"ctx_code": error.code, "ctx_description": error.description})
        if failure is Failure.UNKNOWN_OUTCOME and verify is not None:
            # The request went out and no answer came back: ask what the day looks like now.
            try:
                day = await self._api.status(bitrix_id, deadline=_STATUS_CHECK_DEADLINE)
            except Bitrix24Error:
                return DayReport(action, failure=failure, error=error, known_day=await self._known_day(bitrix_id))
            verified = verify(day)
            if verified.change is Change.UNCHANGED:
                # The day does not show it yet, but the request may still land: Bitrix24 has
                # no way to call it back. Say that we can't tell, and show the day as it is.
                return DayReport(action, day, failure=failure, error=error)
            return verified
        return DayReport(action, failure=failure, error=error, known_day=await self._known_day(bitrix_id))

    async def _known_day(self, bitrix_id: int) -> int:
        seen = await self._cache.get(bitrix_id)
        return seen.started // 60 if seen else 0




class FinishTimeError(StrEnum):
    FORMAT = "format"
    BEFORE_START = "before_start"
    IN_FUTURE = "in_future"


def parse_finish_time(text: str, started_at: datetime, now: datetime) -> datetime | FinishTimeError:
    """`18:30` → that wall-clock time on the start's date, in `started_at`'s time zone."""
    parsed = parse_wall_time(text)
    if parsed is None:
        return FinishTimeError.FORMAT
    hour, minute = parsed.hour, parsed.minute
    finished = started_at.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if finished <= started_at:
        return FinishTimeError.BEFORE_START
    if finished > now:
        return FinishTimeError.IN_FUTURE
    return finished
