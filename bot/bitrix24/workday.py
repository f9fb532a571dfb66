"""The workday (`timeman.*`) methods, returning typed `Workday` objects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.bitrix24.client import Bitrix24Client
from bot.bitrix24.errors import Bitrix24Error
from bot.bitrix24.models import Workday, WorkdaySettings, WorkSchedule, format_atom
from bot.bitrix24.ratelimit import RateLimiter
from bot.bitrix24.text import plain_text


def _params(user_id: int | None, **extra: Any) -> dict[str, Any]:
    params = {key: value for key, value in extra.items() if value is not None}
    if user_id is not None:
        params["USER_ID"] = user_id
    return params


class WorkdayAPI:
    """`timeman.open`, `pause`, `close`, `status` and `settings`.

    Each action already returns the day's status, so one action costs one request.
    `user_id=None` acts on the webhook's (or token's) own user.
    """

    def __init__(self, client: Bitrix24Client) -> None:
        self._client = client

    async def status(self, user_id: int | None = None, *, deadline: float | None = None) -> Workday:
        return Workday.from_api(
            await self._client.call("timeman.status", _params(user_id), deadline=deadline)
        )

    async def open(
        self,
        user_id: int | None = None,
        *,
        at: datetime | None = None,
        report: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
    ) -> Workday:
        """Start a day, or resume a paused or reopenable one. A no-op on an open or EXPIRED day."""
        return await self._change("timeman.open", user_id, at, report, lat, lon)

    async def pause(self, user_id: int | None = None) -> Workday:
        """Pause an open day. Bitrix24 ignores a pause in any other state and answers
        with the unchanged status, so callers must read the status they get back."""
        return Workday.from_api(await self._client.call("timeman.pause", _params(user_id)))

    async def close(
        self,
        user_id: int | None = None,
        *,
        at: datetime | None = None,
        report: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
    ) -> Workday:
        """Finish the day. An EXPIRED day needs `at` and (on most schedules) `report`."""
        return await self._change("timeman.close", user_id, at, report, lat, lon)

    async def _change(self, method: str, user_id: int | None, at: datetime | None, report: str | None,
                      lat: float | None, lon: float | None) -> Workday:
        params = _params(
            user_id,
            TIME=format_atom(at) if at else None,
            REPORT=plain_text(report) if report else None,  # the user's own words
            LAT=lat,
            LON=lon,
        )
        return Workday.from_api(await self._client.call(method, params))

    async def settings(self, user_id: int | None = None) -> WorkdaySettings:
        return WorkdaySettings.from_api(await self._client.call("timeman.settings", _params(user_id)))

    async def settings_many(
        self, user_ids: Iterable[int], *, deadline: float | None = None
    ) -> dict[int, WorkdaySettings | Bitrix24Error]:
        """Several users' `timeman.settings` through `batch` (50 per request)."""
        outcome = await self._batch("timeman.settings", user_ids, deadline)
        return {uid: result if isinstance(result, Bitrix24Error) else WorkdaySettings.from_api(result)
                for uid, result in outcome.items()}

    async def schedule(self, schedule_id: int) -> WorkSchedule | None:
        """A work schedule by id; None when the portal has none by that id."""
        return WorkSchedule.from_api(await self._client.call("timeman.schedule.get", {"id": schedule_id}))

    async def pause_many(
        self, user_ids: Iterable[int], *, deadline: float | None = None
    ) -> dict[int, Workday | Bitrix24Error]:
        """Pause several users' days through `batch` (50 per request)."""
        return await self._many("timeman.pause", user_ids, deadline)

    async def open_many(
        self, user_ids: Iterable[int], *, deadline: float | None = None
    ) -> dict[int, Workday | Bitrix24Error]:
        return await self._many("timeman.open", user_ids, deadline)

    async def status_many(
        self, user_ids: Iterable[int], *, deadline: float | None = None, limiter: RateLimiter | None = None
    ) -> dict[int, Workday | Bitrix24Error]:
        """Several users' days through `batch`; `limiter` for background reads (see
        `Bitrix24Client.batch`)."""
        return await self._many("timeman.status", user_ids, deadline, limiter)

    async def _many(
        self, method: str, user_ids: Iterable[int], deadline: float | None, limiter: RateLimiter | None = None
    ) -> dict[int, Workday | Bitrix24Error]:
        outcome = await self._batch(method, user_ids, deadline, limiter)
        return {uid: result if isinstance(result, Bitrix24Error) else Workday.from_api(result)
                for uid, result in outcome.items()}

    async def _batch(self, method: str, user_ids: Iterable[int], deadline: float | None,
                     limiter: RateLimiter | None = None) -> dict[int, Any]:
        """Each user's raw result, or the error their command got."""
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return {}
        outcome = await self._client.batch(
            {str(uid): (method, {"USER_ID": uid}) for uid in ids}, deadline=deadline, limiter=limiter
        )
        return {uid: outcome.errors[str(uid)] if str(uid) in outcome.errors else outcome.results.get(str(uid))
                for uid in ids}
