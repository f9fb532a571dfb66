"""The bot's Prometheus metrics, all in one registry that is passed in (never the
library's global one, so each test and each bot in a process counts on its own).

The small observer classes are what the rest of the code calls; they know nothing of
aiogram or the Bitrix24 client, and the client can take one without importing
prometheus_client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

NAMESPACE = "b24bot"

# Seconds: from "no wait" to the few minutes a fan-out may queue behind the portal.
_WAIT_BUCKETS = (0.0, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
_LAG_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class Bitrix24Metrics:
    """What the Bitrix24 client reports: one `request` per HTTP request it sends, and
    how long each waited in the rate-limit bucket first."""

    def __init__(self, requests: Counter, bucket_wait: Histogram) -> None:
        self._requests = requests
        self._bucket_wait = bucket_wait

    def request(self, method: str, outcome: str) -> None:
        """`method` is the REST method (`batch` for a batch); `outcome` is "ok" or the
        error class, e.g. "RateLimitedError"."""
        self._requests.labels(method=method, outcome=outcome).inc()

    def bucket_wait(self, seconds: float) -> None:
        self._bucket_wait.observe(max(0.0, seconds))


class _Limiter(Protocol):
    async def acquire(self) -> None: ...

    async def try_acquire(self) -> bool: ...

    async def on_limited(self) -> None: ...


class MeasuredLimiter:
    """The Bitrix24 client's rate limiter, timing each wait in the bucket."""

    def __init__(self, limiter: _Limiter, metrics: Bitrix24Metrics, *,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._limiter = limiter
        self._metrics = metrics
        self._timer = timer

    async def acquire(self) -> None:
        started = self._timer()
        await self._limiter.acquire()
        self._metrics.bucket_wait(self._timer() - started)

    async def try_acquire(self) -> bool:
        """A request that fits at once waited nothing; one that does not waits elsewhere
        (the coalescer's queue) and is timed by its later `acquire`."""
        acquired = await self._limiter.try_acquire()
        if acquired:
            self._metrics.bucket_wait(0.0)
        return acquired

    async def on_limited(self) -> None:
        await self._limiter.on_limited()

    def __getattr__(self, name: str) -> object:
        # Anything else the limiter offers passes through untimed.
        return getattr(self._limiter, name)

    def __repr__(self) -> str:
        return repr(self._limiter)


class ReminderMetrics:
    def __init__(self, lag: Histogram, fan_out: Histogram) -> None:
        self._lag = lag
        self._fan_out = fan_out

    def delivered(self, lag_seconds: float) -> None:
        """A reminder reached its user `lag_seconds` after it was due."""
        self._lag.observe(max(0.0, lag_seconds))

    def fan_out(self, seconds: float) -> None:
        """One engine tick that had due reminders took `seconds`."""
        self._fan_out.observe(max(0.0, seconds))


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter(
            "updates", "Telegram updates handled, by update type and outcome (handled, unhandled, error).",
            ["type", "outcome"], namespace=NAMESPACE, registry=r)
        self.telegram_flood_waits = Counter(
            "telegram_retry_after", "Telegram answers 429 (flood control, retry_after), by API method.",
            ["method"], namespace=NAMESPACE, registry=r)
        bitrix24_requests = Counter(
            "bitrix24_requests", "HTTP requests to Bitrix24, by REST method and outcome (ok or error class).",
            ["method", "outcome"], namespace=NAMESPACE, registry=r)
        bucket_wait = Histogram(
            "bitrix24_bucket_wait_seconds",
            "Time a Bitrix24 request waited for the shared rate-limit bucket.",
            namespace=NAMESPACE, registry=r, buckets=_WAIT_BUCKETS)
        lag = Histogram(
            "reminder_lag_seconds", "From a reminder's due time to its message reaching Telegram.",
            namespace=NAMESPACE, registry=r, buckets=_LAG_BUCKETS)
        fan_out = Histogram(
            "reminder_fanout_seconds", "Duration of one reminder engine tick that had due reminders.",
            namespace=NAMESPACE, registry=r, buckets=_WAIT_BUCKETS)
        self.bitrix24 = Bitrix24Metrics(bitrix24_requests, bucket_wait)
        self.reminders = ReminderMetrics(lag, fan_out)

    def update(self, update_type: str, outcome: str) -> None:
        self.updates.labels(type=update_type, outcome=outcome).inc()

    def telegram_retry_after(self, method: str) -> None:
        self.telegram_flood_waits.labels(method=method).inc()

    def exposition(self) -> tuple[bytes, str]:
        """The text format body and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
