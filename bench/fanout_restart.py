"""A stop in the middle of a reminder fan-out, then a restart: duplicates and delay.

N linked users, each with an auto-mode break reminder, all due at the same instant (the
setup of `bench.fanout`: the portal emulator in its own process, the fake Telegram with
its flood limits on, a private redis-server, one real `python -m bot`). Once a share of
the users has been told, the bot gets SIGTERM (a graceful stop) or SIGKILL (a crash); then
a new bot process starts on the same Redis. Measured:
- users told twice, and users never told;
- claims still held (`rem:inflight`) right after the stop;
- the delay of the last message after the due time, and after the restart.

    python -m bench.fanout_restart --users 60 --signal term
    python -m bench.fanout_restart --users 200 --signal term
    python -m bench.fanout_restart --users 60 --signal kill
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from redis.asyncio import Redis

from bench._common import child_env, read_until, stop_processes
from bench.fanout import FIRST_USER, TELEGRAM_BASE, TOKEN, make_everything_due, populate
from workday_sandbox.redis_server import free_port, start_redis_server
from workday_sandbox.telegram.server import FakeTelegram
from bot.storage.keys import KeySpace

ROOT = Path(__file__).resolve().parents[1]


def start_bot(index: int, env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    log = (folder / f"bot-{index}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "bot"], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)


async def run(users: int, how: str, stop_after: float, send_rate: float, wait_limit: float) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="fanout-restart-"))
    redis_server = start_redis_server(folder / "redis")
    redis = Redis.from_url(redis_server.url)
    telegram = FakeTelegram(token=TOKEN, bot_username="fanout_bot", auto_create_chats=True)
    portal = subprocess.Popen(
        [sys.executable, "-m", "bench.portal_server", "--users", str(users), "--first-id", str(FIRST_USER),
         "--rate-limit", "2", "--rate-burst", "50"],
        cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    bots: list[subprocess.Popen[bytes]] = []
    try:
        ready = read_until(portal.stdout, "READY ", portal, timeout=300)[-1]
        endpoints = json.loads(ready.split("READY ", 1)[1])
        for index in range(users):
            telegram.user(TELEGRAM_BASE + index, f"E{index}", language_code="en")
        await telegram.start()
        telegram.set_rate_limits(global_per_second=30, per_chat_per_second=1)
        await populate(redis, users)
        base_env = child_env(
            TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=telegram.base_url,
            BITRIX24_WEBHOOK_URL=endpoints["webhook_url"], BITRIX24_RATE_LIMIT="2", BITRIX24_RATE_BURST="50",
            REDIS_URL=redis_server.url, BOT_MODE="webhook", BOT_SEND_RATE=str(send_rate),
            WEBHOOK_SECRET="fanout-secret", WEBHOOK_HOST="127.0.0.1", BOT_LOG_LEVEL="INFO")

        def env() -> dict[str, str]:
            port = free_port()
            return dict(base_env, WEBHOOK_PORT=str(port), WEBHOOK_URL=f"http://127.0.0.1:{port}/tg")

        bots.append(start_bot(0, env(), folder))
        await telegram.wait_for(lambda: telegram.webhook_info.get("url"), timeout=60)
        await asyncio.sleep(2.0)

        def told() -> Counter[int]:
            return Counter(int(call.params["chat_id"]) for call in telegram.calls_to("sendMessage")
                           if call.status == 200)

        due = datetime.now(UTC) + timedelta(seconds=1)
        await make_everything_due(redis, users, due)
        await telegram.wait_for(lambda: len(told()) >= users * stop_after, timeout=120)
        told_before_stop = len(told())
        bots[0].send_signal(signal.SIGTERM if how == "term" else signal.SIGKILL)
        stopped_at = time.time()
        # In a thread: the fake Telegram runs on this event loop and must keep answering
        # the sends still in flight while the bot stops.
        await asyncio.to_thread(bots[0].wait, 60)
        stop_seconds = time.time() - stopped_at
        keys = KeySpace()
        held_after_stop = await redis.zcard(keys("rem", "inflight"))
        told_by_first = len(told())

        restarted_at = time.time()
        bots.append(start_bot(1, env(), folder))
        deadline = time.monotonic() + wait_limit
        while len(told()) < users and time.monotonic() < deadline:
            await asyncio.sleep(0.25)
        await asyncio.sleep(3.0)  # anything sent twice shows up now
        counts = told()
        ok_sends = [call for call in telegram.calls_to("sendMessage") if call.status == 200]
        last = max((call.at for call in ok_sends), default=time.time())
        return {
            "users": users,
            "signal": how,
            "told_before_the_signal": told_before_stop,
            "told_by_the_first_process": told_by_first,
            "seconds_to_exit_after_the_signal": round(stop_seconds, 2),
            "claims_held_after_the_stop": held_after_stop,
            "users_told_twice": sum(1 for count in counts.values() if count > 1),
            "users_not_told": users - len(counts),
            "last_message_after_due_s": round(last - due.timestamp(), 1),
            "last_message_after_restart_s": round(last - restarted_at, 1),
            "logs": str(folder),
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
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--signal", choices=("term", "kill"), default="term")
    parser.add_argument("--stop-after", type=float, default=0.3, help="share of users told before the signal")
    parser.add_argument("--send-rate", type=float, default=28.0, help="BOT_SEND_RATE for the bot")
    parser.add_argument("--wait", type=float, default=300.0, help="how long to wait for everyone after restart")
    parser.add_argument("--label", default="", help="added to the result file name (e.g. before)")
    args = parser.parse_args()
    result = asyncio.run(run(args.users, args.signal, args.stop_after, args.send_rate, args.wait))
    for key, value in result.items():
        print(f"{key:>32}: {value}")
    suffix = f"-{args.label}" if args.label else ""
    out = ROOT / "bench" / "results" / f"fanout-restart-{args.users}-{args.signal}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
