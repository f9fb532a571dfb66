"""The Bitrix24 workday (`timeman`) state machine and arithmetic, as the portal runs it.

Pure code: no aiohttp, no I/O, no global clock. Every function takes `now` (an aware
datetime) and returns new values; the portal emulator stores them. The references
(docs/bitrix24.md#…) point into `docs/bitrix24.md`.

Model
-----
A `WorkdayRecord` is the user's latest record (docs/bitrix24.md#stored-record). Its derived status (docs/bitrix24.md#derived-status) is one of
OPENED / PAUSED / CLOSED / EXPIRED; "no record" reads as CLOSED with no other fields.

Times are kept as UTC instants plus the offsets that the server uses to print them:
TIME_START is the start's wall clock with the start offset; TIME_FINISH is the wall clock
of the pause/close moment, always labelled with the start offset (docs/bitrix24.md#status-object, docs/bitrix24.md#time-zone-offset).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Final

DAY: Final = 86400

STATUS_OPENED: Final = "OPENED"
STATUS_PAUSED: Final = "PAUSED"
STATUS_CLOSED: Final = "CLOSED"
STATUS_EXPIRED: Final = "EXPIRED"
STATE_NONE: Final = "NONE"  # internal: the user has no record at all

EXPIRY_POLICIES: Final = ("docs", "source")
NEW_PERIOD_POLICIES: Final = ("next_day", "never")

TEXT_OPEN_DATE = "Day open date should correspond to the current date"
TEXT_CLOSE_DATE = "Day close date should correspond to the day open date"
TEXT_REPORT = "Reason for change is not specified"
TEXT_NOT_ELIGIBLE = "Cannot perform this action"
TEXT_FUTURE_START = "Cannot clock-in later than now"
TEXT_OVERLAP = "Work hours record for specified day already exists"
TEXT_TIME_ON_RESUME = "Unable to set time, work day is paused"


class _Absent:
    """Marks a parameter that was not sent (PHP `isset` false), as opposed to `""`."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Final = _Absent()


class TimemanError(Exception):
    """A REST error raised by a timeman method: `error` code, text and HTTP status."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(f"{code or '<empty>'}: {description}")
        self.code = code
        self.description = description
        self.status = status


@dataclass
class TimemanPolicy:
    """Portal options and emulator switches that change the state machine (docs/bitrix24.md#emulator-switches)."""

    reopen_allowed: bool = True
    pause_on_closed_resumes: bool = False
    expiry_policy: str = "docs"
    new_period_after: str = "next_day"
    workday_finish: time = time(18, 0)
    allowed_delta_seconds: int = 900
    # Source: a paused day shows the pause moment as TIME_FINISH; the docs' example shows
    # null (docs/bitrix24.md#time-finish-while-paused). False gives the docs' reading.
    time_finish_while_paused: bool = True

    def validate(self) -> None:
        if self.expiry_policy not in EXPIRY_POLICIES:
            raise ValueError(f"expiry_policy must be one of {EXPIRY_POLICIES}")
        if self.new_period_after not in NEW_PERIOD_POLICIES:
            raise ValueError(f"new_period_after must be one of {NEW_PERIOD_POLICIES}")


@dataclass(frozen=True)
class UserContext:
    """What the engine needs to know about the user whose day it is."""

    zone: tzinfo
    flextime: bool = False
    schedule_shift: tuple[time, time] | None = None


@dataclass
class WorkdayRecord:
    start: datetime  # S, aware UTC
    start_offset: int  # TZ_OFFSET: seconds east of UTC at start
    status: str = STATUS_OPENED  # stored CURRENT_STATUS: OPENED | PAUSED | CLOSED
    time_leaks: int = 0  # L
    recorded_duration: int = 0  # RD
    duration: int = 0  # DURATION (set on close)
    finish: datetime | None = None  # the pause or close instant shown as TIME_FINISH
    finish_offset: int | None = None  # offset that gives TIME_FINISH its wall clock
    paused_at: datetime | None = None
    approved: bool = True
    ip_open: str = ""
    ip_close: str = ""
    lat_open: float = 0.0
    lon_open: float = 0.0
    lat_close: float = 0.0
    lon_close: float = 0.0
    report: str = ""
    shift: tuple[time, time] | None = None
    flextime: bool = False
    id: int = 0

    @property
    def stopped(self) -> bool:
        return self.status == STATUS_CLOSED

    @property
    def start_local(self) -> datetime:
        """The start's wall clock in the start offset (naive)."""
        return (self.start + timedelta(seconds=self.start_offset)).replace(tzinfo=None)

    @property
    def start_date(self) -> date:
        return self.start_local.date()

    @property
    def start_clock(self) -> int:
        return _clock_seconds(self.start_local)

    def as_dict(self) -> dict[str, Any]:
        """The raw record as JSON-friendly values (for inspection, not a REST shape)."""
        out: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif item.name == "shift" and value is not None:
                value = [value[0].isoformat(), value[1].isoformat()]
            out[item.name.upper()] = value
        out["START_DATE"] = self.start_date.isoformat()
        out["START_CLOCK"] = self.start_clock
        return out


@dataclass(frozen=True)
class Outcome:
    """The record after an action and what the action did.

    `action` is one of: "open" (a new record), "continue", "reopen", "resume" (docs-flag
    pause on a closed day), "pause", "close", "noop".
    """

    record: WorkdayRecord | None
    action: str
    new_record: bool = False


@dataclass(frozen=True)
class TimeInfo:
    """A parsed ATOM `TIME`: its own calendar date, seconds since its midnight, offset."""

    date: date
    seconds: int
    offset: int


# --------------------------------------------------------------------------- formatting


def clamp_day(seconds: float) -> int:
    return max(0, min(DAY, int(seconds)))


def format_duration(seconds: float) -> str:
    """`HH:MM:SS` of a seconds count clamped to 0..86400 (so at most `24:00:00`)."""
    value = clamp_day(seconds)
    return f"{value // 3600:02d}:{value % 3600 // 60:02d}:{value % 60:02d}"


def format_offset(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    value = abs(int(offset))
    return f"{sign}{value // 3600:02d}:{value % 3600 // 60:02d}"


def format_local(day: date, clock: int, offset: int) -> str:
    """`Y-m-dTH:i:s±HH:MM` from a date, a clock (seconds since midnight) and an offset."""
    return f"{day.isoformat()}T{format_duration(clock)}{format_offset(offset)}"


def _clock_seconds(moment: datetime) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def offset_in(zone: tzinfo, instant: datetime) -> int:
    delta = instant.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def local_today(zone: tzinfo, now: datetime) -> date:
    return now.astimezone(zone).date()


# --------------------------------------------------------------------------- parsing

_ATOM = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$"
)


def parse_atom(value: Any) -> TimeInfo:
    """Parse `TIME` like PHP `DateTime::createFromFormat(DATE_ATOM, ...)`.

    The shape must be exactly `Y-m-d\\TH:i:sP` (no fractions, no `Z`); out-of-range
    fields overflow the way PHP does (`2025-02-30` is March 2nd, `24:00:00` is the next
    midnight). Anything else, including `""`, is WRONG_DATETIME_FORMAT.
    """
    match = _ATOM.match(value) if isinstance(value, str) else None
    if not match:
        raise TimemanError("WRONG_DATETIME_FORMAT", "Wrong datetime format")
    year, month, day_, hour, minute, second = (int(match[i]) for i in range(1, 7))
    off_hours, off_minutes = int(match[8]), int(match[9])
    if year < 1 or off_hours > 23 or off_minutes > 59:
        raise TimemanError("WRONG_DATETIME_FORMAT", "Wrong datetime format")
    offset = (off_hours * 3600 + off_minutes * 60) * (1 if match[7] == "+" else -1)
    # PHP overflow: month 0 is December of the previous year, month 13 January of the next.
    months = year * 12 + (month - 1)
    try:
        base = date(months // 12, months % 12 + 1, 1)
        moment = datetime.combine(base, time()) + timedelta(
            days=day_ - 1, hours=hour, minutes=minute, seconds=second
        )
    except (ValueError, OverflowError) as exc:
        raise TimemanError("WRONG_DATETIME_FORMAT", "Wrong datetime format") from exc
    return TimeInfo(date=moment.date(), seconds=_clock_seconds(moment), offset=offset)


def shift_time_info(info: TimeInfo, offset_to: int) -> TimeInfo:
    """`correctTimeOffset`: move the clock to another offset, rolling the date over."""
    seconds = info.seconds - info.offset + offset_to
    day = info.date
    if seconds < 0:
        seconds += DAY
        day -= timedelta(days=1)
    if seconds >= DAY:
        seconds -= DAY
        day += timedelta(days=1)
    return TimeInfo(date=day, seconds=seconds, offset=offset_to)


_PHP_FLOAT = re.compile(r"^[ \t\n\r\v\f]*([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)")


def php_floatval(value: Any) -> float:
    """PHP `doubleval`: the numeric prefix of a string, 0 when there is none."""
    if value is ABSENT or value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _PHP_FLOAT.match(value)
        if not match:
            return 0.0
        try:
            return float(match[1])
        except (ValueError, OverflowError):
            return 0.0
    if isinstance(value, (list, dict)):
        return 1.0 if value else 0.0
    return 0.0


def report_text(value: Any) -> str:
    """REPORT as the engine sees it: only a string counts, and it is trimmed."""
    return value.strip() if isinstance(value, str) else ""


# --------------------------------------------------------------------------- status


def is_expired(
    record: WorkdayRecord | None, now: datetime, ctx: UserContext, policy: TimemanPolicy
) -> bool:
    """docs/bitrix24.md#expiry-rule. Only records that are not stopped can expire."""
    if record is None or record.stopped:
        return False
    if policy.expiry_policy == "docs":
        # Legacy/docs: opened before the start of the current calendar day (user's zone).
        return record.start_date < local_today(ctx.zone, now)
    moment, inclusive = source_expiry_moment(record, ctx)
    return now >= moment if inclusive else now > moment


def source_expiry_moment(record: WorkdayRecord, ctx: UserContext) -> tuple[datetime, bool]:
    """When the current server code (`isRecordExpired`) calls the record expired.

    Returns the moment and whether reaching it exactly already counts (`>=` vs `>`).
    """
    zone = ctx.zone
    if record.flextime or ctx.flextime:
        # No schedule or flextime: now >= 00:00 (user's zone) of the start date + 2 days.
        midnight = datetime.combine(record.start_date, time(), tzinfo=zone)
        return (midnight + timedelta(days=2)).astimezone(UTC), True
    if record.shift is not None:
        # A shift on a fixed schedule: now >= end + min((next start - end) / 2, length).
        shift_start, shift_end = _shift_bounds(record)
        next_start = shift_start + timedelta(days=1)
        length = shift_end - shift_start
        grace = min((next_start - shift_end) / 2, length)
        return (shift_end + grace).astimezone(UTC), True
    # A fixed schedule whose shift is unknown (no next shift within 24 h): now > S + 18 h.
    return record.start + timedelta(hours=18), False


def _shift_bounds(record: WorkdayRecord) -> tuple[datetime, datetime]:
    assert record.shift is not None
    begin, end = record.shift
    tz = _fixed(record.start_offset)
    start = datetime.combine(record.start_date, begin, tzinfo=tz)
    finish = datetime.combine(record.start_date, end, tzinfo=tz)
    if finish <= start:  # a night shift ends on the next day
        finish += timedelta(days=1)
    return start, finish


def _fixed(offset: int) -> tzinfo:
    return timezone(timedelta(seconds=offset))


def state_of(
    record: WorkdayRecord | None, now: datetime, ctx: UserContext, policy: TimemanPolicy
) -> str:
    """docs/bitrix24.md#derived-status in order: no record, expired, opened, paused, closed."""
    if record is None:
        return STATE_NONE
    if is_expired(record, now, ctx, policy):
        return STATUS_EXPIRED
    if record.status == STATUS_OPENED:
        return STATUS_OPENED
    if record.status == STATUS_PAUSED:
        return STATUS_PAUSED
    return STATUS_CLOSED


def same_period(
    record: WorkdayRecord, now: datetime, ctx: UserContext, policy: TimemanPolicy
) -> bool:
    """Whether a closed record still belongs to the current working period (docs/bitrix24.md#reopen-or-a-new-day)."""
    if policy.new_period_after == "never":
        return True
    return record.start_date >= local_today(ctx.zone, now)


def reopen_eligible(
    record: WorkdayRecord | None, now: datetime, ctx: UserContext, policy: TimemanPolicy
) -> bool:
    """REOPEN (docs/bitrix24.md#reopen-or-a-new-day): stopped, reopen allowed, not flextime, same working period."""
    return (
        record is not None
        and record.stopped
        and policy.reopen_allowed
        and not ctx.flextime
        and not record.flextime
        and same_period(record, now, ctx, policy)
    )


def time_finish_default(
    record: WorkdayRecord, ctx: UserContext, policy: TimemanPolicy
) -> str:
    """docs/bitrix24.md#suggested-finish-time, shown as a clock on the start date with the start offset.

    Policy "source": the shift end when the record has a shift, else S + 9 h.
    Policy "docs" (the legacy engine): the `workday_finish` option; when the day started
    later than that, start + TIME_LEAKS + 300 s.
    """
    start_clock = record.start_clock
    if policy.expiry_policy == "source":
        if record.shift is not None:
            end = record.shift[1]
            clock = end.hour * 3600 + end.minute * 60 + end.second
        else:
            clock = start_clock + 9 * 3600
    else:
        finish = policy.workday_finish
        clock = finish.hour * 3600 + finish.minute * 60 + finish.second
        if start_clock > clock:
            clock = start_clock + record.time_leaks + 300
    return format_local(record.start_date, min(clock, DAY - 1), record.start_offset)


def status_object(
    record: WorkdayRecord | None, now: datetime, ctx: UserContext, policy: TimemanPolicy
) -> dict[str, Any]:
    """Exactly what `timeman.status` returns (docs/bitrix24.md#status-object)."""
    state = state_of(record, now, ctx, policy)
    if record is None:
        return {"STATUS": STATUS_CLOSED}
    offset = record.start_offset
    result: dict[str, Any] = {
        "STATUS": state,
        "TIME_START": format_local(record.start_date, record.start_clock, offset),
        "TIME_FINISH": _time_finish(record)
        if record.status != STATUS_PAUSED or policy.time_finish_while_paused
        else None,
        "DURATION": format_duration(record.duration),
        "TIME_LEAKS": format_duration(record.time_leaks),
        "ACTIVE": bool(record.approved),
        "IP_OPEN": record.ip_open,
        "IP_CLOSE": record.ip_close,
        "LAT_OPEN": float(record.lat_open),
        "LON_OPEN": float(record.lon_open),
        "LAT_CLOSE": float(record.lat_close),
        "LON_CLOSE": float(record.lon_close),
        "TZ_OFFSET": offset,
    }
    if state == STATUS_EXPIRED:
        result["TIME_FINISH_DEFAULT"] = time_finish_default(record, ctx, policy)
    return result


def _finish_local(record: WorkdayRecord) -> datetime | None:
    if record.finish is None:
        return None
    offset = record.finish_offset if record.finish_offset is not None else record.start_offset
    return (record.finish + timedelta(seconds=offset)).replace(tzinfo=None)


def _time_finish(record: WorkdayRecord) -> str | None:
    local = _finish_local(record)
    if local is None:
        return None
    clock = _clock_seconds(local)
    if clock <= 0:  # PHP: `TIME_FINISH > 0 ? ... : null`, so exactly midnight reads as null
        return None
    return format_local(local.date(), clock, record.start_offset)


# --------------------------------------------------------------------------- actions


def _seconds(delta: timedelta) -> int:
    return int(delta.total_seconds())


def _resume(record: WorkdayRecord, at: datetime, *, gap_is_break: bool) -> WorkdayRecord:
    """continue/reopen at R: L += max(0, R - S - RD - L); TIME_FINISH=null, DURATION=0."""
    leaks = record.time_leaks
    if gap_is_break:
        gap = _seconds(at - record.start) - record.recorded_duration - record.time_leaks
        leaks = clamp_day(leaks + max(0, gap))
    return dataclasses.replace(
        record,
        status=STATUS_OPENED,
        time_leaks=leaks,
        duration=0,
        finish=None,
        finish_offset=None,
        paused_at=None,
    )


def _new_record(
    start: datetime,
    ctx: UserContext,
    *,
    approved: bool,
    lat: Any,
    lon: Any,
) -> WorkdayRecord:
    start = start.astimezone(UTC).replace(microsecond=0)
    return WorkdayRecord(
        start=start,
        start_offset=offset_in(ctx.zone, start),
        status=STATUS_OPENED,
        approved=approved,
        lat_open=php_floatval(lat),
        lon_open=php_floatval(lon),
        shift=ctx.schedule_shift,
        flextime=ctx.flextime,
    )


def open_day(
    record: WorkdayRecord | None,
    now: datetime,
    ctx: UserContext,
    policy: TimemanPolicy,
    *,
    time_param: Any = ABSENT,
    report: Any = ABSENT,
    lat: Any = ABSENT,
    lon: Any = ABSENT,
) -> Outcome:
    """`timeman.open` (docs/bitrix24.md#opening-a-day, docs/bitrix24.md#eligible-actions, docs/bitrix24.md#transition-table)."""
    now = now.astimezone(UTC)
    state = state_of(record, now, ctx, policy)
    if state in (STATUS_OPENED, STATUS_EXPIRED):
        return Outcome(record, "noop")  # OpenAction() is false: silent no-op, TIME ignored
    if state == STATUS_PAUSED or (
        state == STATUS_CLOSED and reopen_eligible(record, now, ctx, policy)
    ):
        assert record is not None
        if time_param is not ABSENT:
            raise TimemanError("TIME", TEXT_TIME_ON_RESUME)
        action = "continue" if state == STATUS_PAUSED else "reopen"
        return Outcome(_resume(record, now, gap_is_break=True), action)

    # START: no record, or a closed record from an earlier period / reopen not allowed.
    now = now.replace(microsecond=0)
    approved = True
    if time_param is not ABSENT:
        info = parse_atom(time_param)
        if info.date != (now + timedelta(seconds=info.offset)).date():
            raise TimemanError("WRONG_DATETIME", TEXT_OPEN_DATE)
        if not ctx.flextime and not report_text(report):
            # An application exception without an id: REST reports it as ERROR_CORE.
            raise TimemanError("ERROR_CORE", TEXT_REPORT)
        today = local_today(ctx.zone, now)
        wall = datetime.combine(today, time()) + timedelta(seconds=info.seconds)
        start = wall.replace(tzinfo=ctx.zone).astimezone(UTC)
        approved = abs(_seconds(now - start)) <= policy.allowed_delta_seconds
    else:
        start = now
    if record is not None and record.finish is not None and start < record.finish:
        raise TimemanError("ALERT_WARNING", TEXT_OVERLAP)
    if start > now:
        raise TimemanError("ALERT_WARNING", TEXT_FUTURE_START)
    fresh = _new_record(start, ctx, approved=approved, lat=lat, lon=lon)
    if report_text(report):
        fresh.report = report_text(report)
    return Outcome(fresh, "open", new_record=True)


def pause_day(
    record: WorkdayRecord | None,
    now: datetime,
    ctx: UserContext,
    policy: TimemanPolicy,
) -> Outcome:
    """`timeman.pause` (docs/bitrix24.md#pausing-a-day): acts only on an OPENED day; elsewhere a silent no-op.

    With `policy.pause_on_closed_resumes` (the docs' claim), pausing a closed day that
    could be reopened resumes it and counts the gap as work, not as a break.
    """
    now = now.astimezone(UTC).replace(microsecond=0)
    state = state_of(record, now, ctx, policy)
    if state == STATUS_OPENED:
        assert record is not None
        worked = _seconds(now - record.start) - record.time_leaks
        paused = dataclasses.replace(
            record,
            status=STATUS_PAUSED,
            recorded_duration=clamp_day(worked),
            duration=0,
            finish=now,
            finish_offset=offset_in(ctx.zone, now),
            paused_at=now,
        )
        return Outcome(paused, "pause")
    if (
        state == STATUS_CLOSED
        and policy.pause_on_closed_resumes
        and reopen_eligible(record, now, ctx, policy)
    ):
        assert record is not None
        return Outcome(_resume(record, now, gap_is_break=False), "resume")
    return Outcome(record, "noop")


def close_day(
    record: WorkdayRecord | None,
    now: datetime,
    ctx: UserContext,
    policy: TimemanPolicy,
    *,
    time_param: Any = ABSENT,
    report: Any = ABSENT,
    lat: Any = ABSENT,
    lon: Any = ABSENT,
    ip: str = "",
) -> Outcome:
    """`timeman.close` (docs/bitrix24.md#closing-a-day, docs/bitrix24.md#transition-table, docs/bitrix24.md#arithmetic)."""
    now = now.astimezone(UTC).replace(microsecond=0)
    has_time = time_param is not ABSENT
    converted: TimeInfo | None = None
    if has_time:
        info = parse_atom(time_param)
        if record is None:
            raise TimemanError("WRONG_DATETIME", TEXT_CLOSE_DATE)
        converted = shift_time_info(info, record.start_offset)
        if converted.date != record.start_date:
            raise TimemanError("WRONG_DATETIME", TEXT_CLOSE_DATE)

    state = state_of(record, now, ctx, policy)
    if state in (STATE_NONE, STATUS_CLOSED):
        raise TimemanError("ALERT_WARNING", TEXT_NOT_ELIGIBLE)
    assert record is not None
    flextime = ctx.flextime or record.flextime
    expired = state == STATUS_EXPIRED
    text = report_text(report)
    if expired:
        if not has_time:
            raise TimemanError("WD_EXPIRED", "Workday is expired")
        if not flextime and not text:
            raise TimemanError("REPORT_NEEDED", "")
    elif has_time and not flextime and not text:
        raise TimemanError("REPORT_NEEDED", TEXT_REPORT)

    if converted is not None:
        stop_date = record.start_date
        if converted.seconds <= record.start_clock:
            stop_date += timedelta(days=1)  # buildStopTimestampBySecondsAndDate quirk
        wall = datetime.combine(stop_date, time()) + timedelta(seconds=converted.seconds)
        stop = (wall - timedelta(seconds=record.start_offset)).replace(tzinfo=UTC)
        finish_offset = record.start_offset
    else:
        stop = now
        finish_offset = offset_in(ctx.zone, now)

    leaks = record.time_leaks
    recorded = record.recorded_duration
    elapsed = _seconds(stop - record.start)
    if record.status == STATUS_PAUSED:
        leaks = clamp_day(leaks + max(0, elapsed - leaks - recorded))
    else:
        recorded = clamp_day(elapsed - leaks)

    approved = record.approved
    if expired and not flextime:
        approved = False
    if has_time and abs(_seconds(now - stop)) > policy.allowed_delta_seconds:
        approved = False

    closed = dataclasses.replace(
        record,
        status=STATUS_CLOSED,
        time_leaks=leaks,
        recorded_duration=recorded,
        finish=stop,
        finish_offset=finish_offset,
        paused_at=None,
        approved=approved,
        ip_close=ip,
        lat_close=php_floatval(lat),
        lon_close=php_floatval(lon),
        report=text or record.report,
    )
    finish_local = _finish_local(closed)
    assert finish_local is not None
    duration = _clock_seconds(finish_local) - record.start_clock - leaks
    if duration < 0:
        duration += DAY
    closed.duration = clamp_day(duration)
    return Outcome(closed, "close")


def seed_record(
    start: datetime,
    ctx: UserContext,
    *,
    status: str = STATUS_OPENED,
    breaks: timedelta = timedelta(0),
    paused_at: datetime | None = None,
    closed_at: datetime | None = None,
    now: datetime,
    approved: bool = True,
) -> WorkdayRecord:
    """Build a record as if the day had been started at `start` (for fixtures)."""
    if start.tzinfo is None:
        raise ValueError("seed_record needs an aware start")
    now = now.astimezone(UTC)
    record = _new_record(start, ctx, approved=approved, lat=ABSENT, lon=ABSENT)
    record.time_leaks = clamp_day(breaks.total_seconds())
    if status == STATUS_OPENED:
        return record
    if status == STATUS_PAUSED:
        moment = (paused_at or now).astimezone(UTC).replace(microsecond=0)
        record.status = STATUS_PAUSED
        record.recorded_duration = clamp_day(_seconds(moment - record.start) - record.time_leaks)
        record.finish = moment
        record.finish_offset = offset_in(ctx.zone, moment)
        record.paused_at = moment
        return record
    if status == STATUS_CLOSED:
        moment = (closed_at or now).astimezone(UTC).replace(microsecond=0)
        record.status = STATUS_CLOSED
        record.recorded_duration = clamp_day(_seconds(moment - record.start) - record.time_leaks)
        record.finish = moment
        record.finish_offset = offset_in(ctx.zone, moment)
        finish_local = _finish_local(record)
        assert finish_local is not None
        duration = _clock_seconds(finish_local) - record.start_clock - record.time_leaks
        record.duration = clamp_day(duration + DAY if duration < 0 else duration)
        return record
    raise ValueError("status must be OPENED, PAUSED or CLOSED")


__all__ = [
    "ABSENT",
    "DAY",
    "Outcome",
    "STATUS_CLOSED",
    "STATUS_EXPIRED",
    "STATUS_OPENED",
    "STATUS_PAUSED",
    "TimeInfo",
    "TimemanError",
    "TimemanPolicy",
    "UserContext",
    "WorkdayRecord",
    "close_day",
    "clamp_day",
    "format_duration",
    "format_local",
    "format_offset",
    "is_expired",
    "open_day",
    "parse_atom",
    "pause_day",
    "php_floatval",
    "reopen_eligible",
    "same_period",
    "seed_record",
    "shift_time_info",
    "state_of",
    "status_object",
    "time_finish_default",
]
