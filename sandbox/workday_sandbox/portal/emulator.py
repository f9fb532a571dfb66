"""A faithful local emulator of a Bitrix24 portal: REST, OAuth and the workday (timeman).

    async with PortalEmulator(clock=ManualClock(...)) as portal:
        portal.add_user(1, email="anna@example.com", time_zone="Europe/Berlin", timeman_admin=True)
        url = portal.add_webhook(user_id=1, code="abc123")

Run standalone:  python -m workday_sandbox.portal.emulator --host 127.0.0.1 --port 8090 --demo

The whole state lives in plain Python objects in this process. `portal.clock` is the only
source of business time (timeman, token and code lifetimes, notification timestamps); the
leaky bucket and the operating-time limit run on real time.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import signal
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.clock import Clock, OffsetClock, SystemClock
from workday_sandbox.portal import control, oauth
from workday_sandbox.portal import timeman_engine as engine
from workday_sandbox.portal.auth import AuthRegistry, TokenRequestRecord
from workday_sandbox.portal.closed_days import ClosedDay, ClosedDayLog, closed_day_of, seeded_day
from workday_sandbox.portal.departments import DEFAULT_SORT, ROOT_ID, Department, check_department
from workday_sandbox.portal.durations import DAY, seconds_of
from workday_sandbox.portal.errors import auth_status
from workday_sandbox.portal.faults import FaultInjector
from workday_sandbox.portal.flags import PortalFlags
from workday_sandbox.portal.interfaces import RequestRecord, SentNotification
from workday_sandbox.portal.limits import LeakyBucket, OperatingLimiter
from workday_sandbox.portal.methods import build_table
from workday_sandbox.portal.rest import RestDispatcher
from workday_sandbox.portal.schedules import WorkSchedule, default_schedule, schedule_from_fields
from workday_sandbox.portal.user_settings import parse_overrides, settings_object
from workday_sandbox.portal.users import PortalUser

__all__ = [
    "PortalEmulator",
    "PortalFlags",
    "PortalUser",
    "RequestRecord",
    "SentNotification",
    "TokenRequestRecord",
    "build_demo_portal",
    "main",
]

DEFAULT_SCOPES = ("timeman", "user", "im", "department")


# A standalone emulator may serve for days; it keeps this many request records.
LONG_RUN_REQUEST_LOG = 10_000


class PortalEmulator:
    def __init__(
        self,
        clock: Clock | None = None,
        *,
        rate_limit: float | None = 2.0,
        rate_burst: int = 50,
        operating_limit: float = 420.0,
        operating_bucket_seconds: float = 60.0,
        portal_time_zone: str = "UTC",
        flags: PortalFlags | None = None,
        member_id: str | None = None,
        request_log_limit: int | None = None,
    ) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.flags = flags if flags is not None else PortalFlags()
        self.flags.validate()
        self.portal_time_zone = portal_time_zone
        self.zone = ZoneInfo(portal_time_zone)
        self.member_id = member_id or secrets.token_hex(16)
        self.bucket = LeakyBucket(rate_limit, rate_burst) if rate_limit else None
        self.operating = OperatingLimiter(operating_limit, operating_bucket_seconds)
        self.method_runtimes: dict[str, float] = {}
        self.users: dict[int, PortalUser] = {}
        # Every portal has its company's root department; users start in it.
        self.departments: dict[int, Department] = {ROOT_ID: Department(ROOT_ID, "Company")}
        self.notifications: list[SentNotification] = []
        # The newest requests, for inspection; the counters below stay exact when a
        # long-running emulator (`request_log_limit`) drops the oldest records.
        self.requests: list[RequestRecord] = []
        self.request_log_limit = request_log_limit
        self.request_counts: Counter[tuple[str, bool]] = Counter()  # (method, inner of a batch)
        self.error_counts: Counter[str] = Counter()  # outer requests only
        self.token_requests: list[TokenRequestRecord] = []
        self.event_bindings: list[dict[str, Any]] = []
        self.network_ranges: list[dict[str, str]] = []
        self.timecontrol_settings: dict[str, Any] = {
            "active": False,
            "minimum_idle_for_report": 15,
            "register_offline": False,
            "register_idle": False,
            "register_desktop": False,
            "report_request_type": "none",
            "report_request_users": [],
            "report_simple_type": "all",
            "report_simple_users": [],
            "report_full_type": "none",
            "report_full_users": [],
        }
        self.faults = FaultInjector()
        self.methods = build_table()
        self.login_user_id: int | None = None  # who "is logged in" for /oauth/authorize/
        self._history: dict[int, list[engine.WorkdayRecord]] = {}
        self._record_ids = 0
        self.closed_days = ClosedDayLog()
        self.schedules: dict[int, WorkSchedule] = {1: default_schedule(self._atom_now())}
        self._shift_ids = max(s.id for s in self.schedules[1].shifts)
        self._notification_ids = 0
        self._base_url: str | None = None
        self._runner: web.AppRunner | None = None
        self.auth = AuthRegistry(
            clock=self.clock,
            member_id=self.member_id,
            base_url=lambda: self._base_url or "http://localhost",
            oauth_url=lambda: self._base_url or "http://localhost",
            domain=lambda: self.domain,
        )
        self._rest = RestDispatcher(self, self.methods)

    # ------------------------------------------------------------------ addresses

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the portal emulator is not started")
        return self._base_url

    @property
    def oauth_url(self) -> str:
        """The base URL of the OAuth server (it serves /oauth/token/ and /oauth/authorize/)."""
        return self.base_url

    @property
    def domain(self) -> str:
        if self._base_url is None:
            return "localhost"
        return self._base_url.split("://", 1)[1]

    @property
    def started(self) -> bool:
        return self._base_url is not None

    @property
    def deleted_status(self) -> int:
        return auth_status("PORTAL_DELETED", self.flags.auth_error_status)

    # ------------------------------------------------------------------ fixtures

    def add_user(
        self,
        user_id: int,
        *,
        email: str = "",
        name: str = "",
        last_name: str = "",
        time_zone: str = "",
        active: bool = True,
        timeman_admin: bool = False,
        portal_admin: bool = False,
        flextime: bool = False,
        schedule_shift: tuple[time, time] | None = None,
        schedule_id: int | None = None,
        departments: Iterable[int] = (ROOT_ID,),
        **extra: Any,
    ) -> PortalUser:
        if time_zone:
            ZoneInfo(time_zone)  # fail early on an unknown zone
        if schedule_id is not None and schedule_id not in self.schedules:
            raise ValueError(f"no schedule {schedule_id}")
        member_of = self._known_departments(departments)
        user = PortalUser(
            id=int(user_id),
            email=email,
            name=name,
            last_name=last_name,
            time_zone=time_zone,
            active=active,
            timeman_admin=timeman_admin,
            portal_admin=portal_admin,
            flextime=flextime,
            schedule_shift=schedule_shift,
            schedule_id=schedule_id,
            departments=member_of,
            date_register=self.clock.now(),
            **extra,
        )
        self.users[user.id] = user
        if self.login_user_id is None:
            self.login_user_id = user.id
        return user

    # ------------------------------------------------------------------ company structure

    def define_department(
        self,
        dept_id: int | None = None,
        *,
        name: str,
        parent: int | None = None,
        head: int | None = None,
        sort: int = DEFAULT_SORT,
    ) -> Department:
        """Add or replace a department (id None: the next free id); `parent` None makes it
        a top-level one, `head` is a user id. ValueError when it does not fit the structure."""
        if dept_id is None:
            dept_id = max(self.departments, default=0) + 1
        check_department(self.departments, self.users, dept_id, name=name, parent=parent, head=head)
        if isinstance(sort, bool) or not isinstance(sort, int):
            raise ValueError("sort must be a whole number")
        dept = Department(dept_id, name.strip(), parent, head, sort)
        self.departments[dept_id] = dept
        return dept

    def move_user(self, user_id: int, departments: Iterable[int]) -> PortalUser:
        """Put the user in these departments (UF_DEPARTMENT), in place of their old ones."""
        user = self._user(user_id)
        user.departments = self._known_departments(departments)
        return user

    def members_of(self, dept_id: int) -> list[PortalUser]:
        return [user for user in self.users.values() if dept_id in user.departments]

    def _known_departments(self, departments: Iterable[int]) -> tuple[int, ...]:
        ids = tuple(dict.fromkeys(departments))
        if not ids:
            raise ValueError("a user belongs to one department at least")
        for dept_id in ids:
            if isinstance(dept_id, bool) or not isinstance(dept_id, int) or dept_id not in self.departments:
                raise ValueError(f"no department {dept_id!r}")
        return ids

    def add_webhook(
        self, user_id: int, code: str | None = None, scopes: Iterable[str] = DEFAULT_SCOPES
    ) -> str:
        """Register an incoming webhook; returns its URL (only the path before start())."""
        if user_id not in self.users:
            raise KeyError(f"no user {user_id}")
        hook = self.auth.add_webhook(user_id, code, scopes)
        path = f"/rest/{hook.user_id}/{hook.code}/"
        return f"{self._base_url}{path}" if self._base_url else path

    def webhook_url(self, user_id: int, code: str) -> str:
        return f"{self.base_url}/rest/{user_id}/{code}/"

    def add_app(
        self,
        client_id: str,
        client_secret: str,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        name: str = "",
        redirect_uri: str | None = None,
    ) -> None:
        self.auth.add_app(client_id, client_secret, scopes, name or client_id, redirect_uri)

    def issue_tokens(self, client_id: str, user_id: int) -> dict[str, Any]:
        """A token grant exactly like the token endpoint's JSON."""
        if user_id not in self.users:
            raise KeyError(f"no user {user_id}")
        return self.auth.issue_tokens(client_id, user_id)

    def authorization_code(self, client_id: str, user_id: int) -> str:
        """A fresh authorization code (valid 30 s on the clock), as /oauth/authorize/ gives."""
        return self.auth.create_code(client_id, user_id).code

    def expire_access_tokens(self) -> None:
        self.auth.expire_access_tokens()

    def set_method_runtime(self, method: str, seconds: float | None) -> None:
        """Virtual run time charged to the operating limit for `method` (None: real time)."""
        if seconds is None:
            self.method_runtimes.pop(method.lower(), None)
        else:
            self.method_runtimes[method.lower()] = float(seconds)

    # ------------------------------------------------------------------ timeman state

    def zone_of(self, user: PortalUser) -> ZoneInfo:
        return ZoneInfo(user.time_zone) if user.time_zone else self.zone

    def user_context(self, user: PortalUser) -> engine.UserContext:
        return engine.UserContext(
            zone=self.zone_of(user), flextime=self.flextime_of(user), schedule_shift=self.shift_of(user)
        )

    def user_is_active(self, user_id: int) -> bool:
        user = self.users.get(user_id)
        return bool(user and user.active)

    def record_of(self, user_id: int) -> engine.WorkdayRecord | None:
        history = self._history.get(user_id)
        return history[-1] if history else None

    def history_of(self, user_id: int) -> list[engine.WorkdayRecord]:
        return list(self._history.get(user_id, []))

    def status_of(self, user_id: int) -> dict[str, Any]:
        user = self.users[user_id]
        return engine.status_object(
            self.record_of(user_id), self.clock.now(), self.user_context(user), self.flags
        )

    def store_outcome(self, user_id: int, outcome: engine.Outcome) -> None:
        if outcome.record is None:
            return
        history = self._history.setdefault(user_id, [])
        if outcome.new_record or not history:
            self._record_ids += 1
            outcome.record.id = self._record_ids
            history.append(outcome.record)
        else:
            history[-1] = outcome.record
        if outcome.action in ("close", "seed") and outcome.record.stopped:
            entry = closed_day_of(outcome.record, self.status_of(user_id), record_id=outcome.record.id)
            self.closed_days.record_closed(user_id, entry)

    def seed_day(
        self,
        user_id: int,
        start: datetime,
        status: str = engine.STATUS_OPENED,
        breaks: timedelta = timedelta(0),
        paused_at: datetime | None = None,
        closed_at: datetime | None = None,
        approved: bool = True,
    ) -> engine.WorkdayRecord:
        """Put a day in place as if it had been started at `start` (a new record)."""
        user = self.users[user_id]
        record = engine.seed_record(
            start,
            self.user_context(user),
            status=status,
            breaks=breaks,
            paused_at=paused_at,
            closed_at=closed_at,
            now=self.clock.now(),
            approved=approved,
        )
        self.store_outcome(user_id, engine.Outcome(record, "seed", new_record=True))
        return record

    def close_expired_days(self, report: str = "Closed automatically") -> list[int]:
        """The optional auto-close hook (docs/bitrix24.md#auto-close-hook): close every EXPIRED day at its
        TIME_FINISH_DEFAULT, as a supervisor would; returns the user ids closed."""
        closed = []
        now = self.clock.now()
        for user in self.users.values():
            status = self.status_of(user.id)
            if status["STATUS"] != engine.STATUS_EXPIRED:
                continue
            outcome = engine.close_day(
                self.record_of(user.id),
                now,
                self.user_context(user),
                self.flags,
                time_param=status["TIME_FINISH_DEFAULT"],
                report=report,
            )
            self.store_outcome(user.id, outcome)
            closed.append(user.id)
        return closed

    # ------------------------------------------------------------------ schedules and settings

    def _atom_now(self) -> str:
        return self.clock.now().astimezone(self.zone).isoformat(timespec="seconds")

    def _next_shift_id(self) -> int:
        self._shift_ids += 1
        return self._shift_ids

    def define_schedule(
        self,
        schedule_id: int | None = None,
        *,
        name: str,
        schedule_type: str = "FIXED",
        shifts: Iterable[Mapping[str, Any]] = (),
        violation_rules: Mapping[str, Any] | None = None,
        is_for_all_users: bool = False,
        report_period: str = "MONTH",
    ) -> WorkSchedule:
        """Add or replace a schedule; shifts and rules take the upper-case keys that
        timeman.schedule.get prints (times as seconds or "HH:MM"). ValueError when invalid."""
        fields: dict[str, Any] = {
            "NAME": name,
            "SCHEDULE_TYPE": schedule_type,
            "REPORT_PERIOD": report_period,
            "IS_FOR_ALL_USERS": is_for_all_users,
            "SHIFTS": [dict(shift) for shift in shifts],
            "SCHEDULE_VIOLATION_RULES": dict(violation_rules or {}),
        }
        if schedule_id is not None:
            fields["ID"] = schedule_id
        return self.define_schedule_fields(fields)

    def define_schedule_fields(self, fields: Mapping[str, Any]) -> WorkSchedule:
        """`define_schedule` from one JSON-like mapping (ID optional: the next free id)."""
        if not isinstance(fields, Mapping):
            raise ValueError("a schedule must be a JSON object")
        schedule_id = fields.get("ID", max(self.schedules, default=0) + 1)
        if isinstance(schedule_id, bool) or not isinstance(schedule_id, int) or schedule_id <= 0:
            raise ValueError("ID must be a positive whole number")
        known = self.schedules.get(schedule_id)
        shift_ids = self._shift_ids
        try:
            schedule = schedule_from_fields(
                fields,
                schedule_id=schedule_id,
                next_shift_id=self._next_shift_id,
                created_at=known.created_at if known else self._atom_now(),
            )
        except ValueError:
            self._shift_ids = shift_ids  # a rejected schedule takes no shift ids
            raise
        self._shift_ids = max([self._shift_ids, *(shift.id for shift in schedule.shifts)])
        self.schedules[schedule_id] = schedule
        return schedule

    def assign_schedule(self, user_id: int, schedule_id: int | None) -> None:
        """Put the user on a schedule (None: off it, back to their own flextime and shift)."""
        user = self._user(user_id)
        if schedule_id is not None and schedule_id not in self.schedules:
            raise ValueError(f"no schedule {schedule_id}")
        user.schedule_id = schedule_id

    def schedule_of(self, user: PortalUser) -> WorkSchedule | None:
        return self.schedules.get(user.schedule_id) if user.schedule_id is not None else None

    def flextime_of(self, user: PortalUser) -> bool:
        """UF_TM_FREE and the engine's flextime: the assigned schedule decides when there is one."""
        schedule = self.schedule_of(user)
        return schedule.flextime if schedule is not None else user.flextime

    def shift_of(self, user: PortalUser) -> tuple[time, time] | None:
        """The shift the expiry engine uses: the assigned schedule's first shift, else the user's own."""
        schedule = self.schedule_of(user)
        if schedule is None:
            return user.schedule_shift
        first = schedule.first_shift
        return first.clocks if first is not None else None

    def set_timeman_settings(self, user_id: int, **changes: Any) -> dict[str, Any]:
        """Override max_start / min_finish / min_duration (seconds, "HH:MM[:SS]" or a time;
        None: back to the default), all or none; returns timeman.settings for the user."""
        user = self._user(user_id)
        for name, seconds in parse_overrides(changes).items():
            if seconds is None:
                user.tm_settings.pop(name, None)
            else:
                user.tm_settings[name] = seconds
        return self.timeman_settings_of(user_id)

    def timeman_settings_of(self, user_id: int) -> dict[str, Any]:
        """timeman.settings for the user as another user sees it (no ADMIN)."""
        user = self._user(user_id)
        return settings_object(
            user,
            flextime=self.flextime_of(user),
            allowed_delta=int(self.flags.allowed_delta_seconds),
            for_caller=False,
        )

    def _user(self, user_id: int) -> PortalUser:
        user = self.users.get(user_id)
        if user is None:
            raise KeyError(f"no user {user_id}")
        return user

    # ------------------------------------------------------------------ closed days

    def closed_days_of(self, user_id: int) -> list[ClosedDay]:
        """The user's closed days, oldest first (closed_days.py)."""
        self._user(user_id)
        return self.closed_days.of(user_id)

    def seed_closed_day(
        self,
        user_id: int,
        day: date | str,
        start: Any,
        finish: Any,
        *,
        breaks: Any = 0,
        active: bool = True,
    ) -> ClosedDay:
        """History only: a past closed day from wall clocks in the user's zone (seconds,
        "HH:MM[:SS]" or a time; a finish at or before the start is the next day). It has no
        record, so timeman.status keeps showing the latest real one."""
        return self.seed_closed_days(
            user_id, [{"date": day, "start": start, "finish": finish, "breaks": breaks, "active": active}]
        )[0]

    def seed_closed_days(self, user_id: int, days: Iterable[Mapping[str, Any]]) -> list[ClosedDay]:
        """`seed_closed_day` for several days at once, all or none; ValueError says what is wrong."""
        user = self._user(user_id)
        entries = [self._seeded(user, raw, f"days[{index}]") for index, raw in enumerate(days)]
        known = {entry.date for entry in self.closed_days.of(user_id)}
        for entry in entries:
            if entry.date in known:
                raise ValueError(f"user {user_id} has a closed day on {entry.date.isoformat()} already")
            known.add(entry.date)
        for entry in entries:
            self.closed_days.add_seeded(user_id, entry)
        return entries

    def _seeded(self, user: PortalUser, raw: Mapping[str, Any], where: str) -> ClosedDay:
        if not isinstance(raw, Mapping):
            raise ValueError(f"{where} must be a JSON object")
        allowed = ("date", "start", "finish", "breaks", "active")
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            raise ValueError(f"unknown field {where}.{unknown[0]}; the fields are: {', '.join(allowed)}")
        day = raw.get("date")
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                day = None
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValueError(f'{where}.date must be a date like "2026-02-27"')
        if "start" not in raw or "finish" not in raw:
            raise ValueError(f'{where} needs start and finish, like "09:00" and "17:30"')
        active = raw.get("active", True)
        if not isinstance(active, bool):
            raise ValueError(f"{where}.active must be true or false")
        return seeded_day(
            day,
            seconds_of(raw["start"], f"{where}.start", maximum=DAY - 1),
            seconds_of(raw["finish"], f"{where}.finish"),
            seconds_of(raw.get("breaks", 0), f"{where}.breaks"),
            ctx=self.user_context(user),
            policy=self.flags,
            now=self.clock.now(),
            active=active,
        )

    # ------------------------------------------------------------------ inspection

    def next_notification_id(self) -> int:
        self._notification_ids += 1
        return self._notification_ids

    def notifications_for(self, user_id: int) -> list[SentNotification]:
        return [n for n in self.notifications if n.user_id == user_id]

    def record_request(self, record: RequestRecord) -> None:
        self.requests.append(record)
        self.request_counts[(record.method, record.batch)] += 1
        if record.error is not None and not record.batch:
            self.error_counts[record.error] += 1
        limit = self.request_log_limit
        if limit is not None and len(self.requests) > limit:
            # Trim a tenth at a time so appends stay amortised O(1).
            del self.requests[: max(1, limit // 10)]

    def request_count(self, method: str | None = None, *, count_inner: bool = False) -> int:
        wanted = method.lower() if method else None
        return sum(
            count
            for (name, inner), count in self.request_counts.items()
            if (count_inner or not inner) and (wanted is None or name == wanted)
        )

    def departments_listed(self) -> list[dict[str, Any]]:
        """Each department as department.get prints it, with its members' ids."""
        return [
            {**dept.rest_fields(), "MEMBERS": [user.id for user in self.members_of(dept.id)]}
            for dept in sorted(self.departments.values(), key=lambda d: d.id)
        ]

    def snapshot(self) -> dict[str, Any]:
        users = []
        for user in self.users.values():
            record = self.record_of(user.id)
            users.append(
                {
                    "id": user.id,
                    "name": f"{user.name} {user.last_name}".strip(),
                    "email": user.email,
                    "time_zone": user.time_zone,
                    "effective_time_zone": self.zone_of(user).key,
                    "active": user.active,
                    "timeman_admin": user.is_timeman_admin,
                    "portal_admin": user.portal_admin,
                    "flextime": self.flextime_of(user),
                    "schedule_id": user.schedule_id,
                    "departments": list(user.departments),
                    "status": self.status_of(user.id),
                    "record": record.as_dict() if record else None,
                }
            )
        flags = asdict(self.flags)
        flags["workday_finish"] = self.flags.workday_finish.isoformat()
        return {
            "now": self.clock.now().isoformat(),
            "portal_time_zone": self.portal_time_zone,
            "flags": flags,
            "users": users,
            "departments": self.departments_listed(),
            "notifications": [n.as_dict() for n in self.notifications],
        }

    # ------------------------------------------------------------------ server

    def make_app(self) -> web.Application:
        app = web.Application()
        rest = self._rest.handle

        async def token(request: web.Request) -> web.StreamResponse:
            return await oauth.token(self, request)

        async def authorize(request: web.Request) -> web.StreamResponse:
            return await oauth.authorize(self, request)

        for path in ("/rest/{uid:\\d+}/{code}/{method}", "/rest/{method}"):
            app.router.add_route("GET", path, rest)
            app.router.add_route("POST", path, rest)
        for path in ("/oauth/token/", "/oauth/token"):
            app.router.add_route("GET", path, token)
            app.router.add_route("POST", path, token)
        for path in ("/oauth/authorize/", "/oauth/authorize"):
            app.router.add_route("GET", path, authorize)
        control.add_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("the portal emulator is already running")
        runner = web.AppRunner(self.make_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound = runner.addresses[0]
        shown = f"[{bound[0]}]" if ":" in str(bound[0]) else bound[0]
        self._base_url = f"http://{shown}:{bound[1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._base_url = None

    async def __aenter__(self) -> PortalEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


# ---------------------------------------------------------------------------- demo & CLI

DEMO_WEBHOOK_CODE = "sandboxdemo2026"
DEMO_APP = ("local.workdaybot.demo", "demo-secret")


def build_demo_portal(**kwargs: Any) -> PortalEmulator:
    """A portal with a few employees in different zones and departments; user 1 owns a webhook.

    Keyword arguments go to `PortalEmulator`; `webhook_code=` overrides the webhook code.
    """
    code = kwargs.pop("webhook_code", DEMO_WEBHOOK_CODE)
    portal = PortalEmulator(**kwargs)
    portal.add_user(
        1, email="anna.berg@example.com", name="Anna", last_name="Berg",
        time_zone="Europe/Berlin", timeman_admin=True, portal_admin=True,
        work_position="Office manager", schedule_shift=(time(9, 0), time(18, 0)),
    )
    portal.add_user(
        2, email="boris.ivanov@example.com", name="Boris", last_name="Ivanov",
        time_zone="Europe/Moscow", work_position="Engineer",
        schedule_shift=(time(9, 0), time(18, 0)),
    )
    portal.add_user(
        3, email="chloe.martin@example.com", name="Chloe", last_name="Martin",
        time_zone="America/New_York", work_position="Sales",
    )
    portal.add_user(
        4, email="dev.patel@example.com", name="Dev", last_name="Patel",
        time_zone="Asia/Kolkata", flextime=True, work_position="Designer",
    )
    portal.add_user(
        5, email="emma.jones@example.com", name="Emma", last_name="Jones",
        time_zone="", work_position="Support",  # follows the portal default zone
    )
    portal.add_user(
        6, email="former.employee@example.com", name="Frank", last_name="Old",
        time_zone="", active=False,
    )
    # The company under Anna; Engineering under Boris, with Design inside it, so that a
    # head sees a sub-department too and Emma, in the company alone, heads nothing.
    portal.define_department(1, name="Sandbox Company", head=1)
    portal.define_department(2, name="Engineering", parent=1, head=2)
    portal.define_department(3, name="Design", parent=2)
    portal.move_user(2, [2])
    portal.move_user(3, [2])
    portal.move_user(4, [3])
    portal.add_webhook(1, code, DEFAULT_SCOPES)
    portal.add_app(DEMO_APP[0], DEMO_APP[1], DEFAULT_SCOPES, name="Workday bot (demo)")
    return portal


def _describe(portal: PortalEmulator) -> list[str]:
    lines = []
    for user in portal.users.values():
        tags = []
        if user.is_timeman_admin:
            tags.append("timeman admin")
        if portal.flextime_of(user):
            tags.append("flextime")
        if not user.active:
            tags.append("dismissed")
        tags.extend(f"heads {dept.name}" for dept in portal.departments.values() if dept.head == user.id)
        zone = user.time_zone or f"(portal default {portal.portal_time_zone})"
        lines.append(
            f"  {user.id:>3}  {user.name} {user.last_name} <{user.email}>  {zone}"
            + (f"  [{', '.join(tags)}]" if tags else "")
        )
    return lines


async def _serve(args: argparse.Namespace) -> None:
    options: dict[str, Any] = {
        "rate_limit": args.rate_limit if args.rate_limit and args.rate_limit > 0 else None,
        "rate_burst": args.rate_burst,
        "portal_time_zone": args.portal_time_zone,
        "request_log_limit": LONG_RUN_REQUEST_LOG,
        # Ticks in real time and moves forward on POST /_emulator/clock.
        "clock": OffsetClock(),
    }
    portal = build_demo_portal(**options) if args.demo else PortalEmulator(**options)
    await portal.start(args.host, args.port)
    out = sys.stdout
    print(f"Bitrix24 portal emulator listening on {portal.base_url}", file=out)
    if args.demo:
        hook = next(iter(portal.auth.webhooks.values()))
        print(f"BITRIX24_WEBHOOK_URL={portal.webhook_url(hook.user_id, hook.code)}", file=out)
        print(
            f"OAuth app: client_id={DEMO_APP[0]} client_secret={DEMO_APP[1]} "
            f"(token endpoint {portal.oauth_url}/oauth/token/)",
            file=out,
        )
        print("Demo users:", file=out)
        for line in _describe(portal):
            print(line, file=out)
    print(f"Control API: {portal.base_url}/_emulator/state "
          "(POST /_emulator/clock, /_emulator/users, /_emulator/flags: see README.md)", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-POSIX
            pass
    try:
        await stop.wait()
    finally:
        await portal.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m workday_sandbox.portal.emulator", description="Run the Bitrix24 portal emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="0 picks a free port")
    parser.add_argument("--demo", action="store_true", help="add demo employees and a webhook")
    parser.add_argument("--rate-limit", type=float, default=2.0,
                        help="leaky bucket drain per second (0 disables the limit)")
    parser.add_argument("--rate-burst", type=int, default=50, help="leaky bucket size")
    parser.add_argument("--portal-time-zone", default="UTC")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:  # pragma: no cover - a second Ctrl-C
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
