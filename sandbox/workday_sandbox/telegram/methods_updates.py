"""getUpdates: offsets, long polling, 409s (a `FakeTelegram` mixin)."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from workday_sandbox.telegram.core import TelegramCore
from workday_sandbox.telegram.errors import (
    POLLING_CONFLICT,
    WEBHOOK_CONFLICT,
    Abandoned,
    ApiError,
    client_connected,
)


class UpdateMethods(TelegramCore):
    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        pending = self._pending
        if offset > 0:
            while pending and pending[0].update_id < offset:
                pending.popleft()
        else:
            while len(pending) > -offset:
                pending.popleft()

    def _take_updates(self, limit: int) -> list[dict[str, Any]]:
        allowed = self._allowed_updates
        out: list[dict[str, Any]] = []
        dropped = False
        for update in self._pending:
            if update.type not in allowed:
                dropped = True
                continue
            out.append(self._update_json(update))
            if len(out) >= limit:
                break
        if dropped:
            kept = deque(update for update in self._pending if update.type in allowed)
            self.stats.updates_filtered += len(self._pending) - len(kept)
            self._pending = kept
        return out

    async def _m_get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(int(params.get("timeout") or 0), 0)
        if "allowed_updates" in params:
            self._set_allowed_updates(params["allowed_updates"])
        self._confirm(params.get("offset"))
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.notify()  # a waiting getUpdates is terminated by this one
        connected = client_connected.get()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._webhook is not None:
                raise ApiError(409, WEBHOOK_CONFLICT)
            batch = self._take_updates(limit)
            if batch or self._closing:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._pollers_waiting += 1
            self._changed.notify()
            try:
                # Wake up now and then to notice a client that gave up (aiogram cancels
                # its request on stop_polling): such a poll just ends, unrecorded.
                await self._updates_changed.wait(min(remaining, 0.5))
            finally:
                self._pollers_waiting -= 1
                self._changed.notify()
            if not connected():
                raise Abandoned
            if generation != self._poll_generation:
                raise ApiError(409, POLLING_CONFLICT)
        if batch and not connected():
            raise Abandoned  # the updates stay pending: nobody confirmed them
        self.stats.updates_returned += len(batch)
        return batch
