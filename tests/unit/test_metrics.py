"""The metric definitions: their own registry each, and the Bitrix24 observer."""

from __future__ import annotations

from bot.bitrix24.ratelimit import LeakyBucket
from bot.metrics import MeasuredLimiter, Metrics


async def test_bucket_waits_are_timed_around_the_real_limiter() -> None:
    metrics = Metrics()
    limiter = MeasuredLimiter(LeakyBucket(rate=50, burst=2), metrics.bitrix24)
    await limiter.acquire()
    await limiter.acquire()  # the bucket holds one: this one waits for it to drain
    value = metrics.registry.get_sample_value
    assert value("b24bot_bitrix24_bucket_wait_seconds_count") == 2
    assert value("b24bot_bitrix24_bucket_wait_seconds_sum") > 0


def test_bitrix24_requests_by_method_and_outcome() -> None:
    metrics = Metrics()
    metrics.bitrix24.request("timeman.status", "ok")
    metrics.bitrix24.request("batch", "RateLimitedError")
    metrics.bitrix24.request("batch", "RateLimitedError")
    value = metrics.registry.get_sample_value
    assert value("b24bot_bitrix24_requests_total", {"method": "batch", "outcome": "RateLimitedError"}) == 2
    assert value("b24bot_bitrix24_requests_total", {"method": "timeman.status", "outcome": "ok"}) == 1


def test_each_metrics_object_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()  # the global registry would refuse a second set
    first.update("message", "handled")
    labels = {"type": "message", "outcome": "handled"}
    assert second.registry.get_sample_value("b24bot_updates_total", labels) is None
    body, content_type = first.exposition()
    assert b'b24bot_updates_total{outcome="handled",type="message"} 1.0' in body
    assert content_type.startswith("text/plain")


async def test_a_request_that_fits_at_once_waited_nothing() -> None:
    class FullAfterOne:
        """A limiter with room for one request now (stands in for the real bucket's
        try_acquire, which this branch's LeakyBucket does not have yet)."""

        def __init__(self) -> None:
            self.left = 1

        async def try_acquire(self) -> bool:
            if self.left:
                self.left -= 1
                return True
            return False

    metrics = Metrics()
    limiter = MeasuredLimiter(FullAfterOne(), metrics.bitrix24)  # type: ignore[arg-type]
    assert await limiter.try_acquire() is True
    assert await limiter.try_acquire() is False
    assert metrics.registry.get_sample_value("b24bot_bitrix24_bucket_wait_seconds_count") == 1
    assert limiter.left == 0  # other attributes pass through
