"""What /healthz says about Redis and the polling loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from bot.clock import ManualClock
from bot.health import HealthCheck, PollingHeartbeat
from workday_sandbox.redis_server import RedisServer, free_port


def test_polling_is_stalled_after_a_minute_without_an_answer() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    heartbeat = PollingHeartbeat(clock)
    clock.advance(timedelta(seconds=59))
    assert heartbeat.alive  # still starting up
    heartbeat.beat()
    clock.advance(timedelta(seconds=60))
    assert heartbeat.alive
    clock.advance(timedelta(seconds=1))
    assert not heartbeat.alive


async def test_healthy_with_redis_and_live_polling(redis_server: RedisServer) -> None:
    redis = Redis.from_url(redis_server.url)
    try:
        clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        heartbeat = PollingHeartbeat(clock)
        healthy, body = await HealthCheck(redis, polling=heartbeat).report()
        assert healthy and body["redis"] == "ok" and body["polling"] == "ok"
        clock.advance(timedelta(minutes=5))
        healthy, body = await HealthCheck(redis, polling=heartbeat).report()
        assert not healthy and body["polling"] == "stalled" and body["polling_last_answer_s"] == 300
    finally:
        await redis.aclose()


async def test_unreachable_redis_is_unhealthy() -> None:
    redis = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        healthy, body = await HealthCheck(redis).report()
    finally:
        await redis.aclose()
    assert not healthy and body == {"ok": False, "redis": "unreachable", "version": body["version"]}
