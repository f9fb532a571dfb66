"""The live-card sweep for N linked users with live day cards, at a share of the budget.

What it measures
----------------
One full pass of the production sweep (`bot.services.live_cards.LiveCardSweep`) over N
linked users who each have a live day card, against the portal emulator in its own
process at the standard plan's limits (burst 50, 2 requests/s; `bench.portal_server`),
with the production budget: `SharedLeakyBucket` + `shared_background_budget` in a
private redis-server, share `--share` (default 0.25, the default
BITRIX24_BACKGROUND_SHARE), and the production `Bitrix24Client` (coalescing on).

Nobody's day is in the bot's day cache, so every card counts as changed: the pass reads
every day and hands every card to the editor. The editor here records the edits instead
of sending them (Telegram's own pace is not what this measures: at BOT_SEND_RATE 28/s,
N edits take N / 28 s, and the sweep shares that sender with the reminders).

Reported:
* the pass time against the bound ceil(N / 50) / (rate × share) seconds (the first
  request goes at once, so a pass that keeps its share takes just under the bound);
* `batch` requests and days read (every day, 50 per request), cards edited;
* QUERY_LIMIT_EXCEEDED (must be 0) and the batches the portal refused;
* interactive taps (`--taps` per second, `timeman.status` for a random user through the
  same client, as a handler would call it) for `--baseline` seconds without the sweep,
  then during the pass: latency p50 / p99 / max in each phase, and how many waited in the
  coalescing queue instead of going at once.

    python -m bench.live_sweep                        # 10,000 users: ~7 min
    python -m bench.live_sweep --users 500 --baseline 10   # smoke, ~40 s
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from redis.asyncio import Redis

from bench import _common as common
from bench.rush import start_portal
from bot.bitrix24 import Bitrix24Client, RetryPolicy, WebhookAuth, Workday, WorkdayAPI
from bot.clock import SystemClock
from bot.reminders.directory import UserDirectory
from bot.services.live_cards import EditOutcome, LiveCardSweep
from bot.services.reminders import ReminderService
from bot.storage.day_cache import DayCache
from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from bot.storage.live_cards import Card, LiveCardRepository
from bot.storage.pacing import SharedLeakyBucket, shared_background_budget
from bot.storage.profiles import ProfileRepository
from bot.reminders.store import ReminderStore
from bot.worktime.models import WorkTargets
from workday_sandbox.redis_server import start_redis_server

FIRST_ID = 1001
FIRST_CHAT = 900_000


class RecordingEditor:
    def __init__(self) -> None:
        self.edited: Counter[str] = Counter()

    async def edit(self, card: Card, day: Workday, targets: WorkTargets | None) -> EditOutcome:
        self.edited[day.status.value] += 1
        return EditOutcome.EDITED


class Taps:
    """Interactive calls at a steady rate, as handlers make them, timed one by one."""

    def __init__(self, client: Bitrix24Client, ids: list[int], rate: float, rng: random.Random) -> None:
        self._client = client
        self._ids = ids
        self._rate = rate
        self._rng = rng
        self.latencies: list[float] = []
        self.errors = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def _one(self) -> None:
        started = time.perf_counter()
        try:
            await self._client.call("timeman.status", {"USER_ID": self._rng.choice(self._ids)})
        except Exception:  # noqa: BLE001 - counted, not raised: the benchmark goes on
            self.errors += 1
            return
        self.latencies.append(time.perf_counter() - started)

    async def run(self, stop: asyncio.Event) -> None:
        if self._rate <= 0:
            await stop.wait()
            return
        while not stop.is_set():
            task = asyncio.create_task(self._one())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._rng.expovariate(self._rate))
            except TimeoutError:
                pass
        if self._tasks:
            await asyncio.wait(set(self._tasks))


def summary(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {"n": 0}
    return {"n": len(latencies), "p50_ms": round(common.percentile(latencies, 50) * 1000, 1),
            "p99_ms": round(common.percentile(latencies, 99) * 1000, 1),
            "max_ms": round(max(latencies) * 1000, 1)}


async def measure(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    portal = start_portal(args.users, args.rate, args.burst, "none", workdir)
    redis_server = start_redis_server(workdir / "redis")
    redis = Redis.from_url(redis_server.url)
    keys = KeySpace("bench")
    outcomes: Counter[str] = Counter()
    try:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=20, max_keepalive_connections=10)) as http:
            limiter = SharedLeakyBucket(redis, keys, rate=args.rate, burst=args.burst)
            client = Bitrix24Client(WebhookAuth(portal.info["webhook_url"]), http=http, limiter=limiter,
                                    retry=RetryPolicy(), deadline=600.0,
                                    on_request=lambda method, outcome: outcomes.update([f"{method}:{outcome}"]))
            budget = shared_background_budget(redis, keys, limiter, rate=args.rate, burst=args.burst,
                                              share=args.share)
            links, cards = LinkRepository(redis, keys), LiveCardRepository(redis, keys)
            profiles = ProfileRepository(redis, keys)
            clock = SystemClock()
            now = datetime.now(UTC)
            ids = [FIRST_ID + index for index in range(args.users)]
            for index, bitrix_id in enumerate(ids):
                await links.link(FIRST_CHAT + index, bitrix_id, name=f"E{bitrix_id}", at=now)
                await cards.replace(FIRST_CHAT + index, 10 + index, at=now)
            editor = RecordingEditor()
            reminders = ReminderService(ReminderStore(redis, keys), UserDirectory(links, profiles, "UTC"), clock)
            sweep = LiveCardSweep(cards=cards, links=links, profiles=profiles, days=DayCache(redis, keys),
                                  api=WorkdayAPI(client), budget=budget, editor=editor, reminders=reminders,
                                  clock=clock)
            rng = random.Random(args.seed)
            await asyncio.sleep(args.burst / args.rate)  # the set-up left the portal's bucket empty anyway

            baseline = Taps(client, ids, args.taps, rng)
            stop = asyncio.Event()
            running = asyncio.create_task(baseline.run(stop))
            await asyncio.sleep(args.baseline)
            stop.set()
            await running
            taps_batched_before = client.coalescer.batches if client.coalescer else 0

            during = Taps(client, ids, args.taps, rng)
            stop = asyncio.Event()
            running = asyncio.create_task(during.run(stop))
            batches_before = outcomes["batch:ok"]
            started = time.monotonic()
            report = await sweep.sweep()
            elapsed = time.monotonic() - started
            stop.set()
            await running
            bound = math.ceil(args.users / 50) / (args.rate * args.share)
            portal_batches = (await http.get(f"{portal.info['base_url']}/_bench/batches", timeout=60)).json()
            return {
                "users": args.users, "rate": args.rate, "burst": args.burst, "share": args.share,
                "pass_seconds": round(elapsed, 1), "bound_seconds": round(bound, 1),
                "within_bound": elapsed <= bound + 1.0,
                "batch_requests": outcomes["batch:ok"] - batches_before, "sweep_report_requests": report.requests,
                "days_read": report.read, "cards_edited": report.edited,
                "query_limit_exceeded": sum(n for key, n in outcomes.items() if key.endswith(":RateLimitedError")),
                "portal_batches_refused": portal_batches.get("refused", {}),
                "budget_yielded": budget.yielded,
                "taps_without_sweep": summary(baseline.latencies), "taps_during_sweep": summary(during.latencies),
                "tap_errors": baseline.errors + during.errors,
                "coalesced_batches_of_taps": (client.coalescer.batches if client.coalescer else 0) - taps_batched_before,
                "requests_by_outcome": dict(outcomes),
            }
    finally:
        await redis.aclose()
        redis_server.stop()
        portal.stop()


def render(data: dict[str, Any]) -> str:
    base, during = data["taps_without_sweep"], data["taps_during_sweep"]
    lines = [
        f"live-card sweep: {data['users']} users, portal {data['rate']:g}/s burst {data['burst']}, "
        f"share {data['share']:g}",
        f"  pass: {data['pass_seconds']} s (bound ceil(N/50)/(rate x share) = {data['bound_seconds']} s) "
        f"{'PASS' if data['within_bound'] else 'FAIL'}",
        f"  batch requests: {data['batch_requests']}, days read: {data['days_read']}, "
        f"cards edited: {data['cards_edited']}",
        f"  QUERY_LIMIT_EXCEEDED: {data['query_limit_exceeded']} "
        f"{'PASS' if data['query_limit_exceeded'] == 0 else 'FAIL'}",
        f"  taps without the sweep: {base}",
        f"  taps during the sweep:  {during}",
        f"  taps coalesced into batches: {data['coalesced_batches_of_taps']}, tap errors: {data['tap_errors']}",
    ]
    if base.get("n") and during.get("n"):
        worse = during["p99_ms"] / base["p99_ms"] - 1
        lines.append(f"  tap p99 during vs without: {worse:+.1%} {'PASS' if worse <= 0.10 else 'FAIL'} (target <= +10 %)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--share", type=float, default=0.25)
    parser.add_argument("--taps", type=float, default=1.0, help="interactive calls per second (0: none)")
    parser.add_argument("--baseline", type=float, default=60.0, help="seconds of taps before the sweep")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="live-sweep-") as tmp:
        data = asyncio.run(measure(args, Path(tmp)))
    report = render(data)
    print(report)
    print(json.dumps(data, indent=2, default=str))
    path = common.write_results("live_sweep", {"machine": common.machine(), "results": data}, report)
    print(f"written to {path}")
    return 0 if data["within_bound"] and data["query_limit_exceeded"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
