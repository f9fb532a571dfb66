"""Flood control (Telegram's 429s) and injected failures: the data they run on."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workday_sandbox.telegram.errors import BOT_BLOCKED, POLLING_CONFLICT

# Methods counted by the rate limiter ("messages sent/edited").
RATE_LIMITED_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
    }
)

# Telegram's flood control as its Bot FAQ describes it: about one message a second in a
# chat (a short burst passes, then 429), at most 20 a minute in a group, about 30 a
# second overall. The exact figures are not published; these are the documented ones.
TELEGRAM_FLOOD_LIMITS: dict[str, float] = {
    "global_per_second": 30,
    "global_burst": 30,
    "per_chat_per_second": 1,
    "per_chat_burst": 3,
    "per_group_per_minute": 20,
}

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected error",
    401: "Unauthorized",
    403: BOT_BLOCKED,
    404: "Not Found",
    409: POLLING_CONFLICT,
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Injection:
    status: int
    description: str
    retry_after: int | None
    migrate_to_chat_id: int | None
    remaining: int | None  # None: until cleared
    chat_id: int | str | None



class RateLimiter:
    """Sliding-window limits: global, per chat, and per group per minute."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._rules: list[tuple[str, int, float]] = []  # (scope, limit, window seconds)
        self._windows: dict[tuple[Any, ...], deque[float]] = {}
        self.settings: dict[str, float | None] = {
            "global_per_second": None,
            "per_chat_per_second": None,
            "per_group_per_minute": None,
            "global_burst": None,
            "per_chat_burst": None,
        }

    @property
    def enabled(self) -> bool:
        return bool(self._rules)

    def configure(
        self,
        global_per_second: float | None,
        per_chat_per_second: float | None,
        per_group_per_minute: float | None,
        *,
        global_burst: int | None = None,
        per_chat_burst: int | None = None,
    ) -> None:
        self.settings = {
            "global_per_second": global_per_second,
            "per_chat_per_second": per_chat_per_second,
            "per_group_per_minute": per_group_per_minute,
            "global_burst": global_burst,
            "per_chat_burst": per_chat_burst,
        }
        rules: list[tuple[str, int, float]] = []
        for scope, rate, burst in (("global", global_per_second, global_burst),
                                   ("chat", per_chat_per_second, per_chat_burst)):
            if rate:
                if rate <= 0:
                    raise ValueError("rates must be positive")
                if burst:
                    # `burst` messages at once, then `rate` a second on average: a window
                    # of `burst` messages per burst/rate seconds.
                    if burst < 1:
                        raise ValueError("bursts are at least 1")
                    rules.append((scope, int(burst), burst / rate))
                    continue
                window = 1.0 if rate >= 1 else 1.0 / rate
                rules.append((scope, max(1, int(rate * window)), window))
        if per_group_per_minute:
            rules.append(("group", max(1, int(per_group_per_minute)), 60.0))
        self._rules = rules
        self._windows.clear()

    def _keys(self, chat_key: Any) -> list[tuple[tuple[Any, ...], int, float]]:
        keys = []
        for scope, limit, window in self._rules:
            if scope == "global":
                keys.append((("global",), limit, window))
            elif scope == "chat":
                keys.append((("chat", chat_key), limit, window))
            elif isinstance(chat_key, int) and chat_key < 0:
                keys.append((("group", chat_key), limit, window))
        return keys

    def retry_after(self, chat_key: Any) -> int | None:
        now = self._monotonic()
        worst = 0.0
        for key, limit, window in self._keys(chat_key):
            stamps = self._windows.get(key)
            if not stamps:
                continue
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if len(stamps) >= limit:
                worst = max(worst, stamps[len(stamps) - limit] + window - now)
        if worst <= 0:
            return None
        return max(1, math.ceil(worst))

    def record(self, chat_key: Any) -> None:
        now = self._monotonic()
        for key, _limit, _window in self._keys(chat_key):
            self._windows.setdefault(key, deque()).append(now)
