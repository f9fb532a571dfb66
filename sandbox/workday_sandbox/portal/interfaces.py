"""What each piece of the portal emulator sees of it, and the records they hand back.

`PortalEmulator` (emulator.py) owns the state and satisfies every protocol here; the
pieces (REST dispatch, method handlers, OAuth endpoints, the control API) depend on
these narrow views instead of on the emulator, so none of them imports emulator.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from workday_sandbox.portal import timeman_engine as engine
from workday_sandbox.portal.auth import AuthRegistry, TokenRequestRecord
from workday_sandbox.portal.faults import FaultInjector
from workday_sandbox.portal.flags import PortalFlags
from workday_sandbox.portal.closed_days import ClosedDay
from workday_sandbox.portal.departments import Department
from workday_sandbox.portal.limits import LeakyBucket, OperatingLimiter
from workday_sandbox.portal.schedules import WorkSchedule
from workday_sandbox.portal.users import PortalUser


@dataclass(frozen=True)
class RequestRecord:
    method: str
    http_status: int  # 0 when the connection was dropped ("reset" fault)
    error: str | None  # the `error` code, or None
    auth: str | None  # "webhook" | "oauth" | None (failed before auth)
    user_id: int | None  # the acting user
    batch: bool  # an inner command of a batch
    at: float  # real unix time
    fault: str | None = None  # the injected fault kind that produced this answer


@dataclass(frozen=True)
class SentNotification:
    id: int
    user_id: int
    from_user_id: int
    message: str
    kind: str  # "personal" | "system"
    tag: str | None
    sent_at: datetime
    sub_tag: str | None = None
    message_out: str | None = None
    attach: Any = None
    client_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "from_user_id": self.from_user_id,
            "message": self.message,
            "kind": self.kind,
            "tag": self.tag,
            "sub_tag": self.sub_tag,
            "message_out": self.message_out,
            "sent_at": self.sent_at.isoformat(),
        }


class HandlerPortal(Protocol):
    """What a REST method handler reaches through `CallContext.portal`."""

    clock: Clock
    zone: ZoneInfo
    flags: PortalFlags
    auth: AuthRegistry
    users: dict[int, PortalUser]
    departments: dict[int, Department]
    notifications: list[SentNotification]
    event_bindings: list[dict[str, Any]]
    network_ranges: list[dict[str, str]]
    timecontrol_settings: dict[str, Any]
    schedules: dict[int, WorkSchedule]

    def next_notification_id(self) -> int: ...

    def flextime_of(self, user: PortalUser) -> bool: ...

    def user_context(self, user: PortalUser) -> engine.UserContext: ...

    def record_of(self, user_id: int) -> engine.WorkdayRecord | None: ...

    def status_of(self, user_id: int) -> dict[str, Any]: ...

    def store_outcome(self, user_id: int, outcome: engine.Outcome) -> None: ...


class RestPortal(HandlerPortal, Protocol):
    """What the REST dispatcher needs besides what it passes on to the handlers."""

    faults: FaultInjector
    bucket: LeakyBucket | None
    operating: OperatingLimiter
    method_runtimes: dict[str, float]

    @property
    def deleted_status(self) -> int: ...

    def user_is_active(self, user_id: int) -> bool: ...

    def record_request(self, record: RequestRecord) -> None: ...


class OAuthPortal(Protocol):
    """What the /oauth/token/ and /oauth/authorize/ endpoints use."""

    auth: AuthRegistry
    faults: FaultInjector
    users: dict[int, PortalUser]
    token_requests: list[TokenRequestRecord]
    login_user_id: int | None
    member_id: str

    @property
    def deleted_status(self) -> int: ...

    @property
    def domain(self) -> str: ...


class ControlPortal(Protocol):
    """What the /_emulator/ control API reads and changes."""

    clock: Clock
    flags: PortalFlags
    faults: FaultInjector
    users: dict[int, PortalUser]
    notifications: list[SentNotification]
    token_requests: list[TokenRequestRecord]
    request_counts: Counter[tuple[str, bool]]
    error_counts: Counter[str]
    schedules: dict[int, WorkSchedule]
    departments: dict[int, Department]

    def add_user(self, user_id: int, **fields: Any) -> PortalUser: ...

    def define_department(self, dept_id: int | None = None, *, name: str, parent: int | None = ...,
                          head: int | None = ..., sort: int = ...) -> Department: ...

    def move_user(self, user_id: int, departments: Iterable[int]) -> PortalUser: ...

    def departments_listed(self) -> list[dict[str, Any]]: ...

    def snapshot(self) -> dict[str, Any]: ...

    def notifications_for(self, user_id: int) -> list[SentNotification]: ...

    def request_count(self, method: str | None = None, *, count_inner: bool = False) -> int: ...

    def define_schedule_fields(self, fields: Mapping[str, Any]) -> WorkSchedule: ...

    def assign_schedule(self, user_id: int, schedule_id: int | None) -> None: ...

    def set_timeman_settings(self, user_id: int, **changes: Any) -> dict[str, Any]: ...

    def timeman_settings_of(self, user_id: int) -> dict[str, Any]: ...

    def closed_days_of(self, user_id: int) -> list[ClosedDay]: ...

    def seed_closed_days(self, user_id: int, days: Iterable[Mapping[str, Any]]) -> list[ClosedDay]: ...

    def close_expired_days(self, report: str = ...) -> list[int]: ...
