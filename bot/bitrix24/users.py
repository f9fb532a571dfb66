"""Finding employees (`user.get`, `user.current`) and notifying them (`im.notify.*`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.bitrix24.client import Bitrix24Client
from bot.bitrix24.models import PortalUser
from bot.bitrix24.paging import all_pages


class UsersAPI:
    def __init__(self, client: Bitrix24Client) -> None:
        self._client = client

    async def _active(self, filter_: dict[str, Any]) -> list[PortalUser]:
        result = await self._client.call("user.get", {"FILTER": {**filter_, "ACTIVE": True}})
        users = [PortalUser.from_api(item) for item in result or [] if isinstance(item, dict)]
        # The filter already asks for active users; checking again costs nothing.
        return [user for user in users if user.active and user.id > 0]

    async def get_active(self, user_id: int) -> PortalUser | None:
        """The active employee with this id, or None (unknown or dismissed)."""
        if user_id <= 0:
            return None
        users = await self._active({"ID": user_id})
        return next((user for user in users if user.id == user_id), None)

    async def find_active_by_email(self, email: str) -> list[PortalUser]:
        """Active employees with exactly this e-mail (normally one)."""
        email = email.strip()
        if not email:
            return []
        users = await self._active({"EMAIL": email})
        return [user for user in users if user.email.lower() == email.lower()]

    async def still_active(self, user_ids: list[int]) -> dict[int, bool]:
        """For each id: is that employee still active? One `batch` per 50 ids, each command
        an exact-id lookup. Ids whose lookup failed are left out: unknown is not "gone"."""
        ids = list(dict.fromkeys(user_ids))
        outcome = await self._client.batch(
            {str(uid): ("user.get", {"FILTER": {"ID": uid, "ACTIVE": True}}) for uid in ids}
        )
        answers: dict[int, bool] = {}
        for uid in ids:
            if str(uid) in outcome.results:
                found = outcome.results[str(uid)] or []
                answers[uid] = any(isinstance(item, dict) and str(item.get("ID")) == str(uid) for item in found)
        return answers

    async def in_departments(
        self, department_ids: Iterable[int], *, deadline: float | None = None
    ) -> dict[int, list[PortalUser]]:
        """The active employees of each department (its own members, not its
        sub-departments'), by id. Someone in two of them is listed under both.

        One `user.get` filtered on all the departments at once (`UF_DEPARTMENT` takes an
        array), read page by page: 120 employees cost two requests."""
        wanted = list(dict.fromkeys(department_ids))
        members: dict[int, list[PortalUser]] = {dept_id: [] for dept_id in wanted}
        if not wanted:
            return members
        found = await all_pages(
            self._client, "user.get",
            {"SORT": "ID", "ORDER": "ASC", "FILTER": {"UF_DEPARTMENT": wanted, "ACTIVE": True}},
            deadline=deadline,
        )
        seen: set[int] = set()
        for item in found:
            user = PortalUser.from_api(item)
            if not user.active or user.id <= 0 or user.id in seen:
                continue
            seen.add(user.id)
            for dept_id in user.departments:
                if dept_id in members:
                    members[dept_id].append(user)
        return members

    async def current(self) -> PortalUser:
        """The webhook's creator (or the OAuth token's user)."""
        return PortalUser.from_api(await self._client.call("user.current") or {})

    async def notify_nobody(self) -> None:
        """One request that changes nothing, for a caller that must cost what `notify`
        costs whether or not it notified anyone: the time an answer takes must not tell
        a stranger whether the person they named exists."""
        await self._client.call("user.current")

    async def notify(self, user_id: int, message: str, *, system: bool = True, tag: str | None = None) -> int | None:
        """Send a Bitrix24 notification; returns its id.

        A system notification has no sender, so the person reading it does not see it as
        coming from the colleague who created the webhook.
        """
        method = "im.notify.system.add" if system else "im.notify.personal.add"
        params: dict[str, Any] = {"USER_ID": user_id, "MESSAGE": message}
        if tag:
            params["TAG"] = tag
        result = await self._client.call(method, params)
        if result in (False, None):
            return None
        try:
            return int(result)
        except (TypeError, ValueError):
            return None
