"""Tests' handles on failures: injected errors and flood limits (a `FakeTelegram` mixin)."""

from __future__ import annotations

from typing import Any

from workday_sandbox.telegram.core import TelegramCore
from workday_sandbox.telegram.errors import ApiError
from workday_sandbox.telegram.flood import DEFAULT_DESCRIPTIONS, Injection


class FailureControls(TelegramCore):
    def inject_error(
        self,
        method: str,
        status: int,
        *,
        retry_after: int | None = None,
        times: int | None = 1,
        description: str | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (``times=None``:
        until `clear_errors`). ``method="*"`` matches every method but getUpdates.
        ``chat_id`` restricts it to calls for that chat. A 429 gets
        ``parameters.retry_after`` (default 1)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif migrate_to_chat_id is not None:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
            else:
                description = DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        key = "*" if method == "*" else method.lower()
        self._injections.setdefault(key, []).append(
            Injection(status, description, retry_after, migrate_to_chat_id, times, chat_id)
        )

    def clear_errors(self, method: str | None = None) -> None:
        if method is None:
            self._injections.clear()
        else:
            self._injections.pop("*" if method == "*" else method.lower(), None)

    def set_rate_limits(
        self,
        global_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        per_group_per_minute: float | None = None,
        *,
        global_burst: int | None = None,
        per_chat_burst: int | None = None,
    ) -> None:
        """Flood control for messages sent or edited: calls beyond a limit get 429 with
        ``retry_after`` = seconds until the window frees up. All None: off (default).
        A burst lets that many messages through at once, then the rate on average.
        Telegram's own figures are in `TELEGRAM_FLOOD_LIMITS`."""
        self._rate.configure(global_per_second, per_chat_per_second, per_group_per_minute,
                             global_burst=global_burst, per_chat_burst=per_chat_burst)

    def _apply_injection(self, name: str, params: dict[str, Any]) -> None:
        for key in (name.lower(), "*"):
            if key == "*" and name == "getUpdates":
                continue
            injections = self._injections.get(key)
            if not injections:
                continue
            for index, injection in enumerate(injections):
                if injection.chat_id is not None and params.get("chat_id") != injection.chat_id:
                    continue
                if injection.remaining is not None:
                    injection.remaining -= 1
                    if injection.remaining <= 0:
                        del injections[index]
                self.stats.injected_errors += 1
                parameters: dict[str, Any] = {}
                if injection.retry_after is not None:
                    parameters["retry_after"] = injection.retry_after
                if injection.migrate_to_chat_id is not None:
                    parameters["migrate_to_chat_id"] = injection.migrate_to_chat_id
                raise ApiError(injection.status, injection.description, parameters or None)

    def _rate_key(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str):
            return self._chat_ids_by_username.get(chat_id.lstrip("@").lower(), chat_id)
        return chat_id
