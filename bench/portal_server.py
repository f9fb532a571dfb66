"""The portal emulator for bench/bot_status.py, in its own process, with many employees.

`python -m bot.sandbox.portal --demo` has six users; the bot benchmark needs one per
simulated Telegram user. This wrapper builds a `PortalEmulator` with an admin (user 1,
a timeman admin who owns the webhook) and `--users` employees with ids from
`--first-id`, each with a workday opened a little earlier today (so every /status shows
a "Working" card with worked time and buttons), serves it on a free port, and prints
one line ``READY {"base_url": ..., "webhook_url": ..., "user_ids": [...]}``.
It stops on SIGTERM or SIGINT.

    python -m bench.portal_server --users 200 --rate-limit 1000 --rate-burst 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a file
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.sandbox.portal import PortalEmulator

ADMIN_ID = 1
WEBHOOK_CODE = "benchwebhook2026"


def build(users: int, first_id: int, rate_limit: float | None, rate_burst: int) -> PortalEmulator:
    portal = PortalEmulator(rate_limit=rate_limit, rate_burst=rate_burst, portal_time_zone="UTC")
    portal.add_user(ADMIN_ID, email="admin@example.com", name="Ada", last_name="Admin",
                    timeman_admin=True, portal_admin=True)
    now = datetime.now(UTC)
    # Today's day, an hour old (or since just after midnight): OPENED, never EXPIRED.
    start = max(now - timedelta(hours=1), now.replace(hour=0, minute=1, second=0, microsecond=0))
    if start >= now:
        start = now - timedelta(seconds=10)
    for index in range(users):
        user_id = first_id + index
        portal.add_user(user_id, email=f"employee{user_id}@example.com", name="Employee",
                        last_name=str(user_id), work_position="Engineer")
        portal.seed_day(user_id, start=start, status="OPENED")
    portal.add_webhook(ADMIN_ID, code=WEBHOOK_CODE)
    return portal


async def serve(args: argparse.Namespace) -> None:
    rate_limit = args.rate_limit if args.rate_limit > 0 else None
    portal = build(args.users, args.first_id, rate_limit, args.rate_burst)
    await portal.start(args.host, args.port)
    ids = [args.first_id + index for index in range(args.users)]
    print("READY " + json.dumps({"base_url": portal.base_url,
                                  "webhook_url": portal.webhook_url(ADMIN_ID, WEBHOOK_CODE),
                                  "user_ids": ids}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await portal.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="Portal emulator with many employees, for benchmarks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--first-id", type=int, default=1001)
    parser.add_argument("--rate-limit", type=float, default=1000.0, help="0 disables the leaky bucket")
    parser.add_argument("--rate-burst", type=int, default=5000)
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
