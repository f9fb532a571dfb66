"""Reminder fan-out: N linked users, all with an auto-mode break reminder due at once.

What runs where:
- this process: the fake Telegram Bot API (30 messages/s overall, 1/s per chat; 429
  beyond that) on loopback, and a private redis-server;
- the portal emulator (burst 50, 2 requests/s: the default plan) in its own process
  (`bench.portal_server`), so its work on 50-user batches never delays the fake
  Telegram's clock;
- the bot: one or two real `python -m bot` processes (webhook mode, so two replicas do
  not fight over getUpdates), sharing that Redis.

Setup writes the links, profiles and reminders straight into Redis with the bot's own
repositories, opens everyone's day in the emulator, and then moves every reminder's due
time to the same instant. Measured from that instant:
- time until the last reminder message, against the bound the two limits set:
  max(N / 30 s for Telegram, (2·ceil(N/50) − 50) / 2 s for Bitrix24: one status and one
  pause batch per 50 users);
- 429s from Telegram and QUERY_LIMIT_EXCEEDED from the portal;
- exactly once: every user paused once and told once;
- each bot process's peak RSS.

    python -m bench.fanout --users 1000 --processes 1
    python -m bench.fanout --users 1000 --processes 2
    python -m bench.fanout --users 10000 --processes 1
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import httpx
import psutil
from redis.asyncio import Redis

from bot.reminders.directory import UserDirectory
from bot.reminders.models import Kind, Mode, ReminderDraft
from bot.reminders.store import ReminderStore, recurring_job
from workday_sandbox.telegram.server import FakeTelegram
from bot.clock import SystemClock
from bot.services.reminders import ReminderService
from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from bot.storage.profiles import ProfileRepository
from bench._common import child_env, read_until, stop_processes
from workday_sandbox.redis_server import free_port, start_redis_server

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "555000:FANOUT-bench-token"
FIRST_USER = 100
TELEGRAM_BASE = 10_000_000


async def populate(redis: Redis, users: int) -> None:
    keys = KeySpace()
    links, profiles = LinkRepository(redis, keys), ProfileRepository(redis, keys)
    store = ReminderStore(redis, keys)
    service = ReminderService(store, UserDirectory(links, profiles, "UTC"), SystemClock())
    now = datetime.now(UTC)
    for index in range(users):
        telegram_id, bitrix_id = TELEGRAM_BASE + index, FIRST_USER + index
        await links.link(telegram_id, bitrix_id, name=f"Employee {index}", at=now)
        await profiles.remember_telegram_language(telegram_id, "en")
        await service.create(telegram_id, ReminderDraft(kind=Kind.BREAK, at=clock_time(13, 0), mode=Mode.AUTO,
                                                        days=frozenset(range(7))))


async def make_everything_due(redis: Redis, users: int, at: datetime) -> None:
    store = ReminderStore(redis, KeySpace())
    score = int(at.timestamp() * 1000)
    async with redis.pipeline(transaction=False) as pipe:
        for reminder_id in range(1, users + 1):
            pipe.zadd(KeySpace()("rem", "due"), {recurring_job(reminder_id): score})
        await pipe.execute()
    assert (await store.counts())[0] == users


def start_bot(index: int, env: dict[str, str], log_dir: Path) -> subprocess.Popen[bytes]:
    log = (log_dir / f"bot-{index}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "bot"], cwd=log_dir, env=env, stdout=log, stderr=subprocess.STDOUT)


async def run(users: int, processes: int, send_rate: float) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="fanout-"))
    redis_server = start_redis_server(folder / "redis")
    redis = Redis.from_url(redis_server.url)
    bots: list[subprocess.Popen[bytes]] = []
    portal: subprocess.Popen[bytes] | None = None
    telegram = FakeTelegram(token=TOKEN, bot_username="fanout_bot", auto_create_chats=True)
    portal = subprocess.Popen(
        [sys.executable, "-m", "bench.portal_server", "--users", str(users), "--first-id", str(FIRST_USER),
         "--rate-limit", "2", "--rate-burst", "50"],
        cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        ready = read_until(portal.stdout, "READY ", portal, timeout=300)[-1]
        endpoints = json.loads(ready.split("READY ", 1)[1])
        for index in range(users):
            telegram.user(TELEGRAM_BASE + index, f"E{index}", language_code="en")
        await telegram.start()
        telegram.set_rate_limits(global_per_second=30, per_chat_per_second=1)
        t0 = time.perf_counter()
        await populate(redis, users)
        setup_seconds = time.perf_counter() - t0

        webhook_port = free_port()
        base_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TELEGRAM_", "BITRIX24_", "BOT_", "WEBHOOK_", "REDIS_"))}
        base_env.update({
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": telegram.base_url,
            "BITRIX24_WEBHOOK_URL": endpoints["webhook_url"],
            "BITRIX24_RATE_LIMIT": "2", "BITRIX24_RATE_BURST": "50",
            "REDIS_URL": redis_server.url, "BOT_MODE": "webhook", "BOT_SEND_RATE": str(send_rate),
            "WEBHOOK_URL": f"http://127.0.0.1:{webhook_port}/tg", "WEBHOOK_SECRET": "fanout-secret",
            "WEBHOOK_HOST": "127.0.0.1", "BOT_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
            "BOT_HEALTH_PORT": "0",  # two replicas on one machine: neither takes the fixed port
        })
        for index in range(processes):
            env = dict(base_env, WEBHOOK_PORT=str(webhook_port if index == 0 else free_port()))
            bots.append(start_bot(index, env, folder))
        await telegram.wait_for(lambda: telegram.webhook_info.get("url"), timeout=60)
        await asyncio.sleep(2.0)  # let every replica finish starting

        peak_rss = [0] * processes
        # The fake Telegram stamps a request when its event loop gets to it; a collection of
        # this process's large heap would stall it and make on-time sends look bunched.
        gc.collect()
        gc.freeze()
        gc.disable()
        due = datetime.now(UTC) + timedelta(seconds=1)
        await make_everything_due(redis, users, due)

        def sent() -> int:
            return telegram.stats.messages_sent

        lags: list[tuple[float, float]] = []

        async def heartbeat() -> None:  # how late this process's event loop runs
            while True:
                before = time.monotonic()
                await asyncio.sleep(0.01)
                lag = time.monotonic() - before - 0.01
                if lag > 0.05:
                    lags.append((round(time.time() - due.timestamp(), 2), round(lag * 1000)))

        beat = asyncio.create_task(heartbeat())
        deadline = time.monotonic() + max(120.0, users / 30 * 3)
        while sent() < users and time.monotonic() < deadline:
            for index, bot in enumerate(bots):
                if bot.poll() is None:
                    peak_rss[index] = max(peak_rss[index], psutil.Process(bot.pid).memory_info().rss)
            await asyncio.sleep(0.25)
        await asyncio.sleep(2.0)  # anything sent twice would show up now
        for index, bot in enumerate(bots):
            if bot.poll() is None:
                peak_rss[index] = max(peak_rss[index], psutil.Process(bot.pid).memory_info().rss)

        gc.enable()
        beat.cancel()
        ok_sends = [call for call in telegram.calls_to("sendMessage") if call.status == 200]
        arrivals = sorted(call.at for call in telegram.calls_to("sendMessage"))
        busiest, start = 0, 0
        for end, moment in enumerate(arrivals):  # the most requests in any one-second window
            while arrivals[start] <= moment - 1.0:
                start += 1
            busiest = max(busiest, end - start + 1)
        refused_at = [round(call.at - due.timestamp(), 2) for call in telegram.calls_to("sendMessage")
                      if call.status == 429]
        first_refusal = next((call.at for call in telegram.calls_to("sendMessage") if call.status == 429), None)
        around = [round((moment - first_refusal) * 1000) for moment in arrivals
                  if first_refusal is not None and abs(moment - first_refusal) < 0.6]
        refused_how = Counter(call.description for call in telegram.calls_to("sendMessage") if call.status == 429)
        finished = max((call.at for call in ok_sends), default=time.time())
        elapsed = finished - due.timestamp()
        told = Counter(int(call.params["chat_id"]) for call in ok_sends)
        async with httpx.AsyncClient(timeout=120) as http:
            counts = (await http.get(f"{endpoints['base_url']}/_emulator/requests")).json()
            state = (await http.get(f"{endpoints['base_url']}/_emulator/state")).json()
        paused = sum(1 for user in state["users"] if user["id"] >= FIRST_USER and user["status"]["STATUS"] == "PAUSED")
        pause_commands = counts["inner_counts"].get("timeman.pause", 0)
        batches = counts["counts"].get("batch", 0)
        telegram_bound = users / 30
        bitrix_requests = 2 * math.ceil(users / 50)
        bitrix_bound = max(0.0, (bitrix_requests - 50) / 2)
        bound = max(telegram_bound, bitrix_bound)
        return {
            "users": users,
            "processes": processes,
            "send_rate": send_rate,
            "setup_seconds": round(setup_seconds, 1),
            "elapsed_seconds": round(elapsed, 2),
            "bound_seconds": round(bound, 2),
            "telegram_bound_seconds": round(telegram_bound, 2),
            "bitrix_bound_seconds": round(bitrix_bound, 2),
            "efficiency": round(bound / elapsed, 3) if elapsed > 0 else None,
            "telegram_429": telegram.stats.too_many_requests,
            "most_sends_in_one_second": busiest,
            "first_429_at_seconds": refused_at[:10],
            "429_descriptions": dict(refused_how),
            "arrivals_around_first_429_ms": around,
            "harness_loop_lags_s_ms": lags[:20],
            "query_limit_exceeded": counts["errors"].get("QUERY_LIMIT_EXCEEDED", 0),
            "batch_requests": batches,
            "users_told": len(told),
            "users_told_twice": sum(1 for count in told.values() if count > 1),
            "users_not_told": users - sum(1 for chat in told if TELEGRAM_BASE <= chat < TELEGRAM_BASE + users),
            "users_paused": paused,
            "pause_commands": pause_commands,
            "peak_rss_mb": [round(rss / 2**20, 1) for rss in peak_rss],
        }
    finally:
        stop_processes(bots)
        await telegram.stop()
        portal.terminate()
        portal.wait(timeout=30)
        await redis.aclose()
        redis_server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=1, choices=(1, 2))
    parser.add_argument("--send-rate", type=float, default=28.0, help="BOT_SEND_RATE for the bot")
    args = parser.parse_args()
    result = asyncio.run(run(args.users, args.processes, args.send_rate))
    for key, value in result.items():
        print(f"{key:>24}: {value}")
    out = ROOT / "bench" / "results" / f"fanout-{args.users}-{args.processes}p.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
