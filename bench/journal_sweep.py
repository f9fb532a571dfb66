"""The nightly sweep (bot/services/worktime.py `WorktimeService.sweep`) over N linked employees.

What it measures
----------------
The sweep reads every linked employee's `timeman.status` (`WorkdayAPI.status_many`),
hands the days to the journal (bot/storage/journal.py keeps the closed ones), then
refreshes everyone's targets (`TargetsService.refresh` -> `timeman.settings`); both
passes go through the client's `batch`, 50 commands a request, through the coalescing
queue. Here it runs once, against a portal where `--closed-share` of the employees
opened and closed a day earlier today and the others alternate between a day still open
and none; `--unlinked` more employees with the same mix are on the portal but not linked.

1. Requests: `batch` requests per pass, counted by the emulator per inner method
   (`GET /_bench/batches`), with commands per batch, against the target ceil(N/50) per
   pass; every HTTP request of the sweep, from the emulator's counters and from the
   client's own `on_request`; QUERY_LIMIT_EXCEEDED (target 0).
2. Wall time of the sweep against the bound the bucket sets, (requests - burst) / rate,
   as a ratio (target <= 1.1, i.e. efficiency >= 0.9 as in bitrix24_status.py); and per
   pass: the status pass is bound by (R1 - burst) / rate, the settings pass, which
   starts with the bucket full, by R2 / rate (the two add up to the whole). A pass ends
   when the emulator answered its last batch.
3. Redis memory of the journal: after the sweep, `--sample` more employees (ids outside
   the portal's) get 13 weeks x 5 work days through `JournalRepository.record_many`, one
   work day at a time as the bot would write them, ending last Friday. After the first
   week and after all 13: `MEMORY USAGE` of each journal key (`JournalRepository.size`)
   and the `INFO memory` used_memory delta, as bytes per user per week; `OBJECT
   ENCODING` of the keys (listpack expected).
4. The journal holds exactly one entry per linked employee with a closed day, equal to
   the day the portal shows (start, finish, worked, breaks, approval), and no key at all
   for a linked employee without one, nor for an unlinked one. The targets of all N are
   kept; the sweep's own report says N read, N refreshed, 0 unreadable; the bot's
   loggers said nothing at WARNING or above.

The baseline is the bound the portal's bucket sets, in the same run: no benchmark of
another implementation is needed to know that 2 requests a second cannot go faster.

Where things run
----------------
* The portal emulator in its own process (`bench.portal_server --days closed`) at the
  cloud limits (burst 50, 2 requests/s by default).
* A private redis-server (`workday_sandbox.redis_server.start_redis_server`).
* This process: the bot's production Bitrix24 stack as bot/runner.py builds it
  (`create_bitrix24` over httpx with 20 connections, `MeasuredLimiter(SharedLeakyBucket)`
  at the same limits, coalescing on), and the `WorktimeService` that
  `bot.app.create_dispatcher` builds, taken from `dispatcher["services"]`.

    python -m bench.journal_sweep --users 1000      # smoke, ~20 s (40 requests: within the burst)
    python -m bench.journal_sweep                   # 10,000 employees, ~3.5 min
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

try:
    from bench import _common as common
except ImportError:  # run as a file: python bench/journal_sweep.py
    import _common as common  # type: ignore[no-redef]

import httpx
from redis.asyncio import BlockingConnectionPool, Redis

from bot import __version__
from bot.app import Repositories, create_dispatcher, create_targets
from bot.bitrix24 import Workday, create_bitrix24
from bot.clock import SystemClock
from bot.config import Bitrix24Settings, BotSettings, RedisSettings, Settings, TelegramSettings, WebhookSettings
from bot.metrics import MeasuredLimiter, Metrics
from bot.storage.journal import JournalRepository
from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from bot.storage.pacing import SharedLeakyBucket
from bot.storage.tokens import RedisTokenStore
from bot.worktime.models import JournalDay
from bot.worktime.week import monday_of
from workday_sandbox.redis_server import RedisServer, start_redis_server

TOKEN = "700300:SWEEP-bench-token"
FIRST_BITRIX_ID = 1001
FIRST_TELEGRAM_ID = 900_001
SAMPLE_FIRST_ID = 5_000_001  # the memory sample's employees: not on the portal, not swept
BATCH = 50
WEEKS = 13
RATIO_TARGET = 1.1


# --- the parts ----------------------------------------------------------------------------------

def start_portal(args: argparse.Namespace, workdir: Path) -> common.Child:
    command = [sys.executable, "-m", "bench.portal_server", "--users", str(args.users + args.unlinked),
               "--first-id", str(FIRST_BITRIX_ID), "--rate-limit", f"{args.rate:g}",
               "--rate-burst", str(args.burst), "--days", "closed", "--closed-share", f"{args.closed_share:g}"]
    log_path = workdir / "portal.log"
    process = subprocess.Popen(command, cwd=common.ROOT, env=common.child_env(), stdout=subprocess.PIPE,
                               stderr=log_path.open("wb"))
    child = common.Child(process, "portal", log_path)
    try:
        line = common.read_until(process.stdout, "READY ", process, timeout=300)[-1]  # type: ignore[arg-type]
    except BaseException:
        child.stop()
        raise
    child.info.update({k: v for k, v in json.loads(line.split("READY ", 1)[1]).items() if k != "user_ids"})
    return child


async def portal_json(http: httpx.AsyncClient, portal: common.Child, path: str) -> dict[str, Any]:
    response = await http.get(f"{portal.info['base_url']}{path}", timeout=120)
    response.raise_for_status()
    return response.json()


def bot_settings(webhook_url: str, args: argparse.Namespace) -> Settings:
    """The settings the bot would load from its environment, for this portal and limits."""
    return Settings(
        telegram=TelegramSettings(bot_token=TOKEN, _env_file=None),
        bitrix24=Bitrix24Settings(webhook_url=webhook_url, rate_limit=args.rate, rate_burst=args.burst,
                                  coalesce=True, _env_file=None),
        redis=RedisSettings(_env_file=None),
        bot=BotSettings(_env_file=None, default_timezone="UTC"),
        webhook=WebhookSettings(_env_file=None),
    )


class Recorder(logging.Handler):
    """The bot's log records at WARNING and above, by logger and message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.seen[f"{record.levelname} {record.name}: {record.getMessage()}"] += 1


async def link_employees(redis: Redis, keys: KeySpace, ids: list[int]) -> None:
    links = LinkRepository(redis, keys)
    now = datetime.now(UTC)
    for offset in range(0, len(ids), 500):
        await asyncio.gather(*(links.link(FIRST_TELEGRAM_ID + bitrix_id - FIRST_BITRIX_ID, bitrix_id,
                                          name=f"Employee {bitrix_id}", at=now, by_admin=True)
                               for bitrix_id in ids[offset:offset + 500]))
    assert await links.count() == len(ids)


# --- 1, 2: the sweep ------------------------------------------------------------------------------

def counter_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: value - before.get(key, 0) for key, value in after.items() if value - before.get(key, 0)}


async def run_sweep(args: argparse.Namespace, redis: Redis, portal: common.Child,
                    http: httpx.AsyncClient) -> dict[str, Any]:
    keys = KeySpace()
    settings = bot_settings(portal.info["webhook_url"], args)
    linked = [FIRST_BITRIX_ID + index for index in range(args.users)]
    unlinked = [FIRST_BITRIX_ID + args.users + index for index in range(args.unlinked)]
    await link_employees(redis, keys, linked)

    # As bot/runner.py builds it.
    client_requests: Counter[str] = Counter()
    metrics = Metrics()

    def on_request(method: str, outcome: str) -> None:
        client_requests[f"{method} {outcome}"] += 1
        metrics.bitrix24.request(method, outcome)

    bot_http = httpx.AsyncClient(headers={"User-Agent": f"b24-workday-bot/{__version__}"},
                                 limits=httpx.Limits(max_connections=20, max_keepalive_connections=10))
    clock = SystemClock()
    repositories = Repositories.over(redis, keys)
    limiter = MeasuredLimiter(SharedLeakyBucket(redis, keys, rate=settings.bitrix24.rate_limit,
                                                burst=settings.bitrix24.rate_burst), metrics.bitrix24)
    bitrix = create_bitrix24(settings.bitrix24, http=bot_http, limiter=limiter,
                             token_store=RedisTokenStore(redis, keys("oauth", "tokens")), clock=clock,
                             on_request=on_request)
    dispatcher = create_dispatcher(settings=settings, redis=redis, bitrix=bitrix, clock=clock, keys=keys,
                                   repositories=repositories, metrics=metrics)
    worktime = dispatcher["services"].worktime
    recorder = Recorder()
    logging.getLogger("bot").addHandler(recorder)

    requests_before = await portal_json(http, portal, "/_emulator/requests")
    batches_before = await portal_json(http, portal, "/_bench/batches")
    print(f"  sweeping {args.users} linked employees ...", flush=True)
    busy_before = common.busy_cpu_seconds()
    cpu_before = time.process_time()
    portal_cpu_before = portal.cpu_seconds()
    started_at = time.time()
    started = time.monotonic()
    try:
        report = await worktime.sweep()
    finally:
        wall = time.monotonic() - started
        logging.getLogger("bot").removeHandler(recorder)
    cpu = time.process_time() - cpu_before
    portal_cpu = portal.cpu_seconds() - portal_cpu_before
    others_cpu = common.busy_cpu_seconds() - busy_before - cpu - portal_cpu
    coalescer = bitrix.client.coalescer
    requests_after = await portal_json(http, portal, "/_emulator/requests")
    batches_after = await portal_json(http, portal, "/_bench/batches")
    # The targets the sweep kept, read back from Redis as /week would (no Bitrix24 call).
    targets_kept = len(await create_targets(settings, redis=redis, bitrix=bitrix, clock=clock, keys=keys)
                       .kept(linked))
    await bot_http.aclose()

    by_method = {}
    for method, entry in batches_after["by_method"].items():
        old = batches_before["by_method"].get(method, {"batches": 0, "commands": 0, "sizes": {}})
        sizes = counter_delta(old["sizes"], entry["sizes"])
        if entry["batches"] - old["batches"]:
            by_method[method] = {"batches": entry["batches"] - old["batches"],
                                 "commands": entry["commands"] - old["commands"],
                                 "sizes": {int(size): n for size, n in sizes.items()},
                                 "last_at": entry["last_at"]}
    errors = counter_delta(requests_before["errors"], requests_after["errors"])
    status = by_method.get("timeman.status", {"batches": 0, "commands": 0, "sizes": {}, "last_at": started_at})
    settings_pass = by_method.get("timeman.settings", {"batches": 0, "commands": 0, "sizes": {},
                                                       "last_at": status["last_at"]})
    requests = requests_after["total"] - requests_before["total"]
    status_requests, settings_requests = status["batches"], settings_pass["batches"]
    bound = max(0.0, (requests - args.burst) / args.rate)
    bound_status = max(0.0, (status_requests - args.burst) / args.rate)
    bound_settings = max(0.0, (status_requests + settings_requests - args.burst) / args.rate) - bound_status
    wall_status = status["last_at"] - started_at
    wall_settings = settings_pass["last_at"] - status["last_at"]
    return {
        "linked": linked,
        "unlinked": unlinked,
        "sweep_report": {"employees": report.employees, "days_seen": report.days_seen,
                         "unreadable": report.unreadable, "targets_refreshed": report.targets_refreshed},
        "target_batches_per_pass": math.ceil(args.users / BATCH),
        "portal_requests": requests,
        "portal_by_method": counter_delta(requests_before["counts"], requests_after["counts"]),
        "portal_inner_commands": counter_delta(requests_before["inner_counts"], requests_after["inner_counts"]),
        "portal_errors": errors,
        "query_limit_exceeded": errors.get("QUERY_LIMIT_EXCEEDED", 0),
        "batches_by_method": by_method,
        "batches_refused": counter_delta(batches_before["refused"], batches_after["refused"]),
        "batch_inner_errors": counter_delta(batches_before["inner_errors"], batches_after["inner_errors"]),
        "client_requests": dict(client_requests),
        "coalescer": None if coalescer is None else {"requests": coalescer.requests, "batches": coalescer.batches,
                                                     "batched_commands": coalescer.batched_commands},
        "wall_s": wall,
        "bound_s": bound,
        "ratio": wall / bound if bound else None,
        "passes": {
            "status": {"requests": status_requests, "wall_s": wall_status, "bound_s": bound_status,
                       "ratio": wall_status / bound_status if bound_status else None},
            "settings": {"requests": settings_requests, "wall_s": wall_settings, "bound_s": bound_settings,
                         "ratio": wall_settings / bound_settings if bound_settings else None},
        },
        "cpu_s": {"this_process (bot stack)": round(cpu, 2), "portal": round(portal_cpu, 2),
                  "rest_of_machine": round(others_cpu, 2)},
        "bot_log_warnings": dict(recorder.seen),
        "targets_kept": targets_kept,
        "settings": settings,
    }


# --- 4: what the journal holds -------------------------------------------------------------------------

async def check_journal(redis: Redis, portal: common.Child, http: httpx.AsyncClient,
                        sweep: dict[str, Any]) -> dict[str, Any]:
    keys = KeySpace()
    journal = JournalRepository(redis, keys)
    state = await portal_json(http, portal, "/_emulator/state")
    statuses = {user["id"]: user["status"] for user in state["users"]}
    linked, unlinked = sweep["linked"], sweep["unlinked"]
    expected = {bitrix_id: entry for bitrix_id in linked
                if (entry := JournalDay.from_workday(Workday.from_api(statuses[bitrix_id]))) is not None}
    # Bitrix24 shows someone who has not started today as CLOSED without a start.
    kinds = Counter("no day (CLOSED without TIME_START)" if not statuses[bitrix_id].get("TIME_START")
                    else statuses[bitrix_id].get("STATUS", "?") for bitrix_id in linked)
    unlinked_closed = sum(1 for bitrix_id in unlinked if statuses[bitrix_id].get("STATUS") == "CLOSED")

    async def existing(ids: list[int]) -> set[int]:
        async with redis.pipeline(transaction=False) as pipe:
            for bitrix_id in ids:
                pipe.exists(keys("journal", bitrix_id))
            found = await pipe.execute()
        return {bitrix_id for bitrix_id, present in zip(ids, found, strict=True) if present}

    with_key = await existing(linked + unlinked)
    matching = mismatched = 0
    entries = 0
    sample_mismatch = None
    for bitrix_id, entry in expected.items():
        days = await journal.days(bitrix_id, date.min, date.max)
        entries += len(days)
        if days == [entry]:
            matching += 1
        else:
            mismatched += 1
            sample_mismatch = sample_mismatch or {"bitrix_id": bitrix_id, "expected": repr(entry), "found": repr(days)}
    sizes = [await journal.size(bitrix_id) for bitrix_id in list(expected)[:1000]]
    return {
        "linked_by_status": dict(kinds),
        "closed_days_seeded": len(expected),
        "journal_entries": entries,
        "entries_matching_portal": matching,
        "entries_mismatched": mismatched,
        "sample_mismatch": sample_mismatch,
        "keys_without_closed_day": len((with_key & set(linked)) - set(expected)),
        "unlinked_with_closed_day": unlinked_closed,
        "keys_for_unlinked": len(with_key & set(unlinked)),
        "one_day_key_bytes_mean": round(sum(sizes) / len(sizes), 1) if sizes else None,
        "targets_kept": sweep["targets_kept"],
    }


# --- 3: the journal's memory ------------------------------------------------------------------------

def text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def sample_day(rng: random.Random, day: date, zone: timezone) -> JournalDay:
    """A plausible office day: start 8:00-9:30, 7.5-9.5 h, a break of 0-60 min."""
    start = datetime(day.year, day.month, day.day, 8, 0, tzinfo=zone) + timedelta(seconds=rng.randrange(5400))
    breaks = timedelta(seconds=rng.randrange(3600))
    finish = start + timedelta(seconds=rng.randrange(27_000, 34_200))
    return JournalDay(day=day, started_at=start, finished_at=finish, worked=finish - start - breaks,
                      breaks=breaks, approved=rng.random() > 0.02)


async def measure_memory(redis: Redis, args: argparse.Namespace) -> dict[str, Any]:
    keys = KeySpace()
    journal = JournalRepository(redis, keys)
    ids = [SAMPLE_FIRST_ID + index for index in range(args.sample)]
    rng = random.Random(args.seed)
    zone = timezone(timedelta(hours=3))  # an offset that is not 0: its digits are stored too
    last_friday = monday_of(datetime.now(UTC).date()) - timedelta(days=3)
    first_monday = monday_of(last_friday) - timedelta(weeks=WEEKS - 1)
    weeks = [[first_monday + timedelta(weeks=week, days=weekday) for weekday in range(5)] for week in range(WEEKS)]
    config = {text(name): text(value) for name, value in (await redis.config_get("hash-max-*")).items()}

    async def used_memory() -> int:
        return int((await redis.info("memory"))["used_memory"])

    async def clients_memory() -> int:
        return int((await redis.info("memory"))["mem_clients_normal"])

    async def settle() -> None:
        """Let Redis shrink the clients' query buffers left from the sweep's checks
        (its clientsCron does, after a couple of idle seconds): they are not the journal."""
        for _ in range(20):
            before = await clients_memory()
            await asyncio.sleep(0.5)
            if await clients_memory() == before:
                return

    async def snapshot(weeks_written: int, base: int) -> dict[str, Any]:
        sizes = [await journal.size(bitrix_id) for bitrix_id in ids]
        encodings: Counter[str] = Counter()
        fields: Counter[int] = Counter()
        async with redis.pipeline(transaction=False) as pipe:
            for bitrix_id in ids:
                pipe.object("encoding", keys("journal", bitrix_id))
                pipe.hlen(keys("journal", bitrix_id))
            answers = await pipe.execute()
        for encoding, length in zip(answers[::2], answers[1::2], strict=True):
            encodings[text(encoding)] += 1
            fields[int(length)] += 1
        await settle()
        delta = await used_memory() - base
        per_user = sum(sizes) / len(ids)
        return {"weeks": weeks_written, "fields_per_key": dict(fields), "encodings": dict(encodings),
                "memory_usage_bytes_per_user": round(per_user, 1),
                "memory_usage_bytes_per_user_week": round(per_user / weeks_written, 1),
                "used_memory_delta_bytes": delta,
                "clients_memory_bytes": await clients_memory(),
                "used_memory_bytes_per_user": round(delta / len(ids), 1),
                "used_memory_bytes_per_user_week": round(delta / len(ids) / weeks_written, 1)}

    await settle()
    base = await used_memory()
    base_clients = await clients_memory()
    results = []
    for index, week in enumerate(weeks, start=1):
        for day in week:
            await journal.record_many({bitrix_id: sample_day(rng, day, zone) for bitrix_id in ids})
        if index in (1, WEEKS):
            results.append(await snapshot(index, base))
    return {"sample": len(ids), "first_day": weeks[0][0].isoformat(), "last_day": weeks[-1][-1].isoformat(),
            "config": config, "used_memory_before": base, "clients_memory_before": base_clients,
            "after": results}


# --- report ------------------------------------------------------------------------------------------------

def checks(sweep: dict[str, Any], journal: dict[str, Any], memory: dict[str, Any],
           args: argparse.Namespace) -> list[tuple[str, bool]]:
    target = sweep["target_batches_per_pass"]
    status = sweep["batches_by_method"].get("timeman.status", {"batches": 0, "commands": 0, "sizes": {}})
    settings = sweep["batches_by_method"].get("timeman.settings", {"batches": 0, "commands": 0, "sizes": {}})
    others = set(sweep["batches_by_method"]) - {"timeman.status", "timeman.settings"}
    report = sweep["sweep_report"]
    ratio = sweep["ratio"]
    full = memory["after"][-1]
    return [
        (f"status pass: {target} batches of <= 50 (ceil(N/50)), {args.users} commands",
         status["batches"] == target and status["commands"] == args.users and max(status["sizes"], default=0) <= BATCH),
        (f"settings pass: {target} batches of <= 50, {args.users} commands",
         settings["batches"] == target and settings["commands"] == args.users
         and max(settings["sizes"], default=0) <= BATCH),
        ("no other request (no lone call, no retry, no mixed batch)",
         not others and sweep["portal_requests"] == 2 * target and sweep["portal_by_method"] == {"batch": 2 * target}),
        ("0 QUERY_LIMIT_EXCEEDED", sweep["query_limit_exceeded"] == 0),
        (f"wall time <= {RATIO_TARGET:g} x the bucket's bound" + ("" if ratio is not None else " (n/a: within the burst)"),
         ratio is None or ratio <= RATIO_TARGET),
        (f"the sweep read {args.users} days, refreshed {args.users} targets, 0 unreadable",
         report == {"employees": args.users, "days_seen": args.users, "unreadable": 0,
                    "targets_refreshed": args.users}),
        (f"journal entries = closed days seeded ({journal['closed_days_seeded']}), each equal to the portal's",
         journal["journal_entries"] == journal["closed_days_seeded"] > 0
         and journal["entries_matching_portal"] == journal["closed_days_seeded"]),
        ("no journal for a linked employee without a closed day", journal["keys_without_closed_day"] == 0),
        ("no journal for an unlinked employee", journal["keys_for_unlinked"] == 0),
        (f"targets kept for all {args.users}", journal["targets_kept"] == args.users),
        ("no WARNING or ERROR from the bot's loggers", not sweep["bot_log_warnings"]),
        (f"{WEEKS} weeks x 5 days: {WEEKS * 5} fields per key, all listpack",
         full["fields_per_key"] == {WEEKS * 5: memory["sample"]} and full["encodings"] == {"listpack": memory["sample"]}),
    ]


def render(result: dict[str, Any], args: argparse.Namespace) -> str:
    sweep, journal, memory = result["sweep"], result["journal"], result["memory"]

    def number(value: float | None, digits: int = 2) -> str:
        return "n/a" if value is None else f"{value:.{digits}f}"

    target = sweep["target_batches_per_pass"]
    lines = [
        f"Nightly sweep: {args.users} linked employees ({args.unlinked} more on the portal, not linked); "
        f"{args.closed_share:.0%} closed a day earlier today,",
        f"  the rest alternate opened / not started; emulator and bot at burst {args.burst}, {args.rate:g}/s "
        f"(bot: SharedLeakyBucket in Redis, coalescing on)",
        "",
        "1. Requests                      batches   commands   per batch (size: n)     target",
    ]
    for name in ("timeman.status", "timeman.settings"):
        entry = sweep["batches_by_method"].get(name, {"batches": 0, "commands": 0, "sizes": {}})
        lines.append(f"   {name:<29}{entry['batches']:>8}{entry['commands']:>11}   "
                     f"{json.dumps(entry['sizes']):<24}{target:>6}")
    others = {k: v for k, v in sweep["batches_by_method"].items() if k not in ("timeman.status", "timeman.settings")}
    lines += [
        f"   other batches: {others or 'none'}",
        f"   HTTP requests (emulator): {sweep['portal_requests']} {sweep['portal_by_method']}; "
        f"client on_request: {sweep['client_requests']}",
        f"   coalescer: {sweep['coalescer']}",
        f"   QUERY_LIMIT_EXCEEDED: {sweep['query_limit_exceeded']} (target 0); portal errors: "
        f"{sweep['portal_errors'] or 'none'}; inner errors: {sweep['batch_inner_errors'] or 'none'}; "
        f"refused: {sweep['batches_refused'] or 'none'}",
        "",
        "2. Wall time                     requests    wall, s   bound, s   wall / bound",
    ]
    for label, entry in (("status pass", sweep["passes"]["status"]), ("settings pass", sweep["passes"]["settings"]),
                         ("whole sweep", {"requests": sweep["portal_requests"], "wall_s": sweep["wall_s"],
                                          "bound_s": sweep["bound_s"], "ratio": sweep["ratio"]})):
        lines.append(f"   {label:<29}{entry['requests']:>9}{entry['wall_s']:>11.1f}{entry['bound_s']:>11.1f}"
                     f"{number(entry['ratio'], 3):>15}")
    lines += [
        f"   bound = (requests - {args.burst}) / {args.rate:g} for the whole and the status pass; the settings "
        f"pass starts with the bucket full: R2 / {args.rate:g}; target wall / bound <= {RATIO_TARGET:g}",
        f"   CPU s: {sweep['cpu_s']}",
        "",
        f"3. Journal memory: {memory['sample']} employees, one work day at a time from {memory['first_day']} "
        f"to {memory['last_day']} (Redis {result['redis_version']}; {memory['config']})",
        "   weeks   fields/key   encoding        MEMORY USAGE B/user   B/user/week   used_memory B/user   B/user/week",
    ]
    for entry in memory["after"]:
        lines.append(f"   {entry['weeks']:>5}   {json.dumps(entry['fields_per_key']):<12} "
                     f"{json.dumps(entry['encodings']):<16}{entry['memory_usage_bytes_per_user']:>20.1f}"
                     f"{entry['memory_usage_bytes_per_user_week']:>14.1f}{entry['used_memory_bytes_per_user']:>21.1f}"
                     f"{entry['used_memory_bytes_per_user_week']:>14.1f}")
    first, full = memory["after"][0], memory["after"][-1]
    marginal = (full["memory_usage_bytes_per_user"] - first["memory_usage_bytes_per_user"]) / (WEEKS - 1)
    marginal_used = (full["used_memory_bytes_per_user"] - first["used_memory_bytes_per_user"]) / (WEEKS - 1)
    lines += [
        f"   each week after the first adds {marginal:.1f} B/user (MEMORY USAGE), {marginal_used:.1f} B/user "
        f"(used_memory); clients' buffers in used_memory: {memory['clients_memory_before']} B before, "
        f"{full['clients_memory_bytes']} B after",
        f"   at {WEEKS} weeks, {args.users} employees: {full['used_memory_bytes_per_user'] * args.users / 2**20:.1f} MiB "
        f"(used_memory), {full['memory_usage_bytes_per_user'] * args.users / 2**20:.1f} MiB (MEMORY USAGE); "
        f"a one-day journal key after the sweep: {journal['one_day_key_bytes_mean']} B",
        "",
        f"4. Journal after the sweep: linked employees by status {journal['linked_by_status']}",
        f"   closed days seeded {journal['closed_days_seeded']}, journal entries {journal['journal_entries']}, "
        f"equal to the portal's {journal['entries_matching_portal']}, differing {journal['entries_mismatched']}",
        f"   keys for linked employees without a closed day: {journal['keys_without_closed_day']}; for unlinked "
        f"ones ({journal['unlinked_with_closed_day']} of them with a closed day): {journal['keys_for_unlinked']}",
        f"   targets kept: {journal['targets_kept']}; sweep's report: {sweep['sweep_report']}; bot warnings: "
        f"{sweep['bot_log_warnings'] or 'none'}",
    ]
    if journal["sample_mismatch"]:
        lines.append(f"   a mismatch: {journal['sample_mismatch']}")
    lines.append("")
    for name, ok in result["checks"]:
        lines.append(f"   {'PASS' if ok else 'FAIL'} {name}")
    return "\n".join(lines)


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="journal-sweep-"))
    redis_server: RedisServer = start_redis_server(workdir / "redis")
    # As bot/runner.py opens it.
    redis = Redis(connection_pool=BlockingConnectionPool.from_url(redis_server.url, max_connections=64, timeout=30))
    http = httpx.AsyncClient()
    portal: common.Child | None = None
    try:
        print(f"  portal with {args.users + args.unlinked} employees ...", flush=True)
        portal = start_portal(args, workdir)
        sweep = await run_sweep(args, redis, portal, http)
        journal = await check_journal(redis, portal, http, sweep)
        print(f"  filling {WEEKS} weeks of journal for {args.sample} employees ...", flush=True)
        memory = await measure_memory(redis, args)
        redis_version = (await redis.info("server"))["redis_version"]
    finally:
        if portal is not None:
            portal.stop()
        await http.aclose()
        await redis.aclose()
        redis_server.stop()
    sweep.pop("linked")
    sweep.pop("unlinked")
    sweep.pop("settings")
    result = {"sweep": sweep, "journal": journal, "memory": memory, "redis_version": redis_version,
              "workdir": str(workdir)}
    result["checks"] = checks(sweep, journal, memory, args)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000, help="linked employees")
    parser.add_argument("--unlinked", type=int, default=100, help="employees on the portal who are not linked")
    parser.add_argument("--closed-share", type=float, default=0.6, help="share with a day closed earlier today")
    parser.add_argument("--sample", type=int, default=1000, help="employees whose 13 weeks are written for memory")
    parser.add_argument("--rate", type=float, default=2.0, help="Bitrix24 requests/s (emulator and bot)")
    parser.add_argument("--burst", type=int, default=50, help="Bitrix24 burst (emulator and bot)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", default="journal_sweep", help="results file: bench/results/<out>.json")
    args = parser.parse_args()
    machine = common.machine()
    result = asyncio.run(amain(args))
    report = render(result, args)
    return common.conclude(args.out, {"config": vars(args), "result": result, "machine": machine}, report,
                           passed=all(ok for _, ok in result["checks"]))


if __name__ == "__main__":
    raise SystemExit(main())
