"""Benchmark: /status through the real bot process, against a bare aiogram echo bot.

What is measured
----------------
`--users` linked users (default 200) each send `--updates-per-user` /status messages
(default 10: 2,000 updates) to the real bot, run as `python -m bot` in polling mode,
through the fake Telegram Bot API server and the Bitrix24 portal emulator.

* Updates per second and the p50/p99 latency from an update being queued (the fake's
  `user_message` event, from `FakeTelegram.send_text`) to the bot's reply arriving (the
  first `message_sent` event in that chat after it). Both timestamps are taken by the
  fake, on one clock, in this process.
* Every reply is checked: it must be a day card (a message with the bot's day-action
  buttons), not the throttle's "Easy: one action at a time", nor anything else.
* Bitrix24 requests per user action: the emulator's `timeman.status` count during the
  waves / the number of /status updates (target 1), plus all its requests.

Baseline, same harness, same run: `bench/echo_bot.py`, a bare aiogram bot (one
Dispatcher, one handler that answers every message with a fixed text, in-memory
storage), also a subprocess polling the same kind of fake server, fed the same users,
waves and spacing. The report gives each figure for both bots and the ratio bot / echo.

How updates are sent (waves)
----------------------------
The bot lets each user do 5 Bitrix24 actions per fixed 10-second window (Redis counter
started by the first hit). Updates go out in waves: each wave queues one /status for
every user at once (a burst of `--users` updates), waits until every one has its reply,
and the next wave starts `--spacing` s (default 2.5) after the previous one started, or
`--gap` s (default 0.5) after its last reply, whichever is later. A user's update in
wave j is handled before wave j ends, and the one in wave j+5 after wave j+5 starts, which
is at least gap + 4 x spacing = 10.5 s later: no six of a user's updates ever fall in one
10-second window, so none is throttled. The reply check above verifies it.

Throughput is measured on the bursts: updates / sum over waves of (last reply - first
update queued). Waiting between waves is not counted (it is the harness's pacing). The
latency includes queueing inside a burst (update 200 of a wave waits for the others),
so p99 is close to the time the bot needs for a whole wave.

Where things run, and why
-------------------------
* The bot, and the echo bot, are subprocesses, each started the same way (own Python,
  `asyncio.run`, `start_polling`). The bot logs at `--bot-log-level` (default INFO, its
  production default; it writes one "workday action" line per update) to a file.
* The fake Telegram server runs in this process, in the harness's event loop: the
  harness must queue updates synchronously and read reply events with the fake's own
  timestamps. Each bot gets a fresh fake with the same users. Its CPU (fake + harness)
  is reported, to show it was not the bottleneck.
* The portal emulator runs in its own process (`bench/portal_server.py`, the demo
  portal does not have 200 users), like a real remote portal, so its work does not
  delay the fake Telegram's event loop during the bot run only, which would bias the
  ratio against the bot. Its limits are set so Bitrix24 is not the bottleneck:
  `--rate-limit 1000 --rate-burst 5000`, and the bot gets BITRIX24_RATE_LIMIT=1000,
  BITRIX24_RATE_BURST=5000 to match.
* Redis is a private redis-server (tests/redis_server.py) in a temporary folder, never
  the machine's shared one. The users are linked before the bot starts, directly in
  Redis with the bot's own `LinkRepository(redis, KeySpace()).link(...)`.
* CPU seconds per update are reported for every process (psutil), so when the machine
  has fewer cores than busy processes (the bot run has four) that is visible.

Options: `--rounds K` runs K echo/bot pairs (this VM's speed drifts, so a second pair
shows how much; the median ratios are printed); Redis is flushed and the users linked
again before every bot run. `--profile-bot` runs the real bot under cProfile and prints
where its CPU went (a diagnostic: the profiler slows that run down).

Run:  python -m bench.bot_status                                   (full: ~1.5 min per round)
      python -m bench.bot_status --users 20 --updates-per-user 2   (smoke: ~30 s)
Writes bench/results/bot_status.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    from bench import _common as common
except ImportError:  # run as a file: python bench/bot_status.py
    import _common as common  # type: ignore[no-redef]

import httpx
from redis.asyncio import Redis

from workday_sandbox.telegram.server import FakeTelegram
from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from workday_sandbox.redis_server import RedisServer, start_redis_server

BOT_TOKEN = "700100:BENCH-token-status"
FIRST_TELEGRAM_ID = 800_001
FIRST_BITRIX_ID = 1001
ADMIN_TELEGRAM_ID = 799_999
THROTTLED_TEXT = "Easy: one action at a time"
DAY_ACTION_PREFIX = "d:"  # bot.telegram.callbacks.DayAction's callback data prefix


@dataclass
class Update:
    user: int
    wave: int
    queued_seq: int
    queued_at: float
    reply_at: float | None = None
    kind: str | None = None  # "card" | "throttled" | "echo" | "other"
    text: str = ""

    @property
    def latency(self) -> float:
        assert self.reply_at is not None
        return self.reply_at - self.queued_at


@dataclass
class PhaseResult:
    name: str
    updates: int
    waves: int
    busy_s: float
    wall_s: float
    latencies_ms: list[float] = field(repr=False)
    kinds: dict[str, int]
    extra_messages: int
    cpu_s: dict[str, float]
    sample_reply: str
    startup_s: float
    portal_requests: dict[str, Any] | None = None  # the emulator's counts during the waves
    telegram_calls: dict[str, int] = field(default_factory=dict)  # Bot API calls during the waves

    @property
    def throughput(self) -> float:
        return self.updates / self.busy_s if self.busy_s else float("nan")

    def summary(self) -> dict[str, Any]:
        data = {key: value for key, value in asdict(self).items() if key != "latencies_ms"}
        data.update(
            updates_per_s=self.throughput,
            p50_ms=common.percentile(self.latencies_ms, 50),
            p90_ms=common.percentile(self.latencies_ms, 90),
            p99_ms=common.percentile(self.latencies_ms, 99),
            max_ms=max(self.latencies_ms) if self.latencies_ms else float("nan"),
            cpu_ms_per_update={k: v / self.updates * 1000 for k, v in self.cpu_s.items()},
        )
        return data


def classify(message: dict[str, Any], echo: bool) -> str:
    text = message.get("text") or ""
    if THROTTLED_TEXT in text:
        return "throttled"
    if echo:
        return "echo" if text else "other"
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    data = [button.get("callback_data") or "" for row in rows for button in row]
    return "card" if any(item.startswith(DAY_ACTION_PREFIX) for item in data) else "other"


class Processes:
    """The child processes whose CPU is counted, besides this one."""

    def __init__(self, **children: Any) -> None:
        self.children = children

    def cpu(self) -> dict[str, float]:
        import psutil

        out = {"harness+fake_telegram": time.process_time(), "_machine_busy": common.busy_cpu_seconds()}
        for name, child in self.children.items():
            pid = child.pid if hasattr(child, "pid") else child.process.pid
            times = psutil.Process(pid).cpu_times()
            out[name] = times.user + times.system
        return out


async def run_waves(tg: FakeTelegram, users: list[int], args: argparse.Namespace, *, echo: bool,
                    processes: Processes) -> tuple[list[Update], list[tuple[float, float]], dict[str, float], int]:
    """Send the waves; return every update, each wave's (first queued, last reply) and
    the CPU used during the waves per process, and the count of unexpected extra messages."""
    updates: list[Update] = []
    spans: list[tuple[float, float]] = []
    extra = 0
    cursor = tg.last_event_seq
    loop = asyncio.get_running_loop()
    cpu0 = processes.cpu()
    next_start = loop.time()
    for wave in range(args.updates_per_user):
        await asyncio.sleep(max(0.0, next_start - loop.time()))
        started = loop.time()
        pending: dict[int, Update] = {}
        for user in users:
            tg.send_text(user, "/status")
            event = tg.events(tg.last_event_seq - 1)[0]
            pending[user] = Update(user, wave, event.seq, event.at)
        wave_updates = list(pending.values())

        def collect() -> bool:
            nonlocal cursor, extra
            for event in tg.events(cursor):
                cursor = event.seq
                if event.type != "message_sent":
                    continue
                update = pending.pop(event.chat_id, None)
                if update is None:
                    extra += 1
                    continue
                update.reply_at = event.at
                update.text = event.data["message"]["text"]
                update.kind = classify(event.data["message"], echo)
            return not pending

        try:
            await tg.wait_for(collect, timeout=args.wave_timeout, interval=0.2)
        except TimeoutError:
            raise RuntimeError(f"wave {wave}: {len(pending)} of {len(users)} updates got no reply within "
                               f"{args.wave_timeout} s") from None
        updates.extend(wave_updates)
        spans.append((min(u.queued_at for u in wave_updates), max(u.reply_at or 0 for u in wave_updates)))
        next_start = max(started + args.spacing, loop.time() + args.gap)
    # Anything that arrives a little after the last wave is an extra message, too.
    await asyncio.sleep(0.5)
    extra += sum(1 for event in tg.events(cursor) if event.type == "message_sent")
    cpu1 = processes.cpu()
    used = {k: cpu1[k] - cpu0[k] for k in cpu0}
    busy = used.pop("_machine_busy")
    used["other_processes"] = max(0.0, busy - sum(used.values()))
    return updates, spans, used, extra


async def start_fake(users: list[int]) -> FakeTelegram:
    tg = FakeTelegram(token=BOT_TOKEN, bot_username="workday_bench_bot")
    await tg.start()
    for user in users:
        tg.user(user, first_name=f"User{user}", language_code="en")
    return tg


def spawn(module: str, env: dict[str, str], log_path: Path, profile: Path | None = None) -> common.Child:
    """`python -m <module>`, or under cProfile writing to `profile` (it exits cleanly on
    SIGTERM, so the profile gets written)."""
    prefix = ["-m", "cProfile", "-o", str(profile)] if profile else []
    process = subprocess.Popen([sys.executable, *prefix, "-m", module], cwd=log_path.parent, env=env,
                               stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
    return common.Child(process, module, log_path)


def profile_lines(path: Path, top: int = 30) -> list[str]:
    """The bot's profile: the functions with the most own time, and a few cumulative
    totals that say where an update's CPU goes."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(
        r"(client\.py.*_send_once|connection_pool\.py.*handle_async_request|_synchronization\.py.*current_async_library"
        r"|dispatcher\.py.*feed_update|redis/asyncio/client\.py.*execute_command|session/aiohttp\.py.*make_request"
        r"|logging/__init__\.py.*(handle|emit)|services/workday\.py.*status|handlers/workday\.py.*status_command"
        r"|context\.py.*__call__|guard\.py.*__call__|dedup\.py.*__call__|isolation\.py.*lock)")
    return [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]


async def wait_polling(tg: FakeTelegram, child: common.Child, timeout: float = 90.0) -> float:
    """Wait until the bot long-polls getUpdates; returns how long its start took."""
    started = time.perf_counter()

    def ready() -> bool:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited with {child.process.returncode}:\n{child.log_tail()}")
        return tg.pollers_waiting > 0

    await tg.wait_for(ready, timeout=timeout, interval=0.1)
    return time.perf_counter() - started


async def phase(name: str, module: str, env: dict[str, str], users: list[int], args: argparse.Namespace,
                workdir: Path, *, echo: bool, others: dict[str, Any], round_index: int = 0,
                portal: common.Child | None = None, profile: Path | None = None) -> PhaseResult:
    tg = await start_fake(users)
    child: common.Child | None = None
    try:
        env = {**env, "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_BASE": tg.base_url}
        child = spawn(module, env, workdir / f"{name}-{round_index + 1}.log", profile)
        startup = await wait_polling(tg, child)
        await asyncio.sleep(1.0)  # let start-up calls (setMyCommands, ...) settle
        print(f"  {name}: polling after {startup:.1f} s; {args.updates_per_user} waves of {len(users)} ...")
        before = portal_counts(portal) if portal is not None else None
        calls0 = dict(tg.stats.calls_per_method)
        wall0 = time.perf_counter()
        updates, spans, cpu, extra = await run_waves(tg, users, args, echo=echo,
                                                     processes=Processes(bot=child, **others))
        wall = time.perf_counter() - wall0
        requests = counts_delta(before, portal_counts(portal)) if portal is not None and before else None
        telegram_calls = {method: count - calls0.get(method, 0)
                          for method, count in tg.stats.calls_per_method.items() if count - calls0.get(method, 0)}
    finally:
        if child is not None:
            code = child.stop()
            if code not in (0, None, -15):
                print(f"  {name} exited with {code}; log tail:\n{child.log_tail()}")
        await tg.stop()
    kinds: dict[str, int] = {}
    for update in updates:
        kinds[update.kind or "none"] = kinds.get(update.kind or "none", 0) + 1
    return PhaseResult(
        name=name,
        updates=len(updates),
        waves=len(spans),
        busy_s=sum(end - begin for begin, end in spans),
        wall_s=wall,
        latencies_ms=[u.latency * 1000 for u in updates],
        kinds=kinds,
        extra_messages=extra,
        cpu_s=cpu,
        sample_reply=updates[-1].text if updates else "",
        startup_s=startup,
        portal_requests=requests,
        telegram_calls=telegram_calls,
    )


async def link_users(redis_url: str, pairs: list[tuple[int, int]]) -> None:
    """Start from an empty database with the users linked, as the bot's own repository
    links them. Flushing matters between rounds: the bot remembers update ids (dedup) and
    each fresh fake Telegram numbers its updates from 1 again."""
    redis = Redis.from_url(redis_url)
    try:
        await redis.flushdb()
        links = LinkRepository(redis, KeySpace())
        now = datetime.now(UTC)
        for telegram_id, bitrix_id in pairs:
            await links.link(telegram_id, bitrix_id, name=f"Employee {bitrix_id}", at=now, by_admin=True)
        assert await links.count() == len(pairs)
    finally:
        await redis.aclose()


def start_portal(args: argparse.Namespace, workdir: Path) -> common.Child:
    command = [sys.executable, "-m", "bench.portal_server", "--users", str(args.users),
               "--first-id", str(FIRST_BITRIX_ID), "--rate-limit", f"{args.b24_rate:g}",
               "--rate-burst", str(args.b24_burst)]
    log_path = workdir / "portal.log"
    process = subprocess.Popen(command, cwd=common.ROOT, env=common.child_env(), stdout=subprocess.PIPE,
                               stderr=log_path.open("wb"))
    child = common.Child(process, "portal", log_path)
    try:
        line = common.read_until(process.stdout, "READY ", process)[-1]  # type: ignore[arg-type]
    except BaseException:
        child.stop()
        raise
    child.info.update({k: v for k, v in json.loads(line.split("READY ", 1)[1]).items() if k != "user_ids"})
    return child


def portal_counts(portal: common.Child) -> dict[str, Any]:
    return httpx.get(f"{portal.info['base_url']}/_emulator/requests", timeout=10).json()


def counts_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Requests per method, and errors per code, between two `/_emulator/requests` reads."""
    def delta(section: str) -> dict[str, int]:
        return {key: value - before[section].get(key, 0) for key, value in after[section].items()
                if value - before[section].get(key, 0)}

    return {"counts": delta("counts"), "errors": delta("errors")}


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-bot-"))
    telegram_ids = [FIRST_TELEGRAM_ID + i for i in range(args.users)]
    pairs = [(FIRST_TELEGRAM_ID + i, FIRST_BITRIX_ID + i) for i in range(args.users)]
    redis: RedisServer = start_redis_server(workdir / "redis")
    portal: common.Child | None = None
    try:
        portal = start_portal(args, workdir)
        print(f"redis-server pid {redis.process.pid} on {redis.url}; portal pid {portal.pid} on {portal.info['base_url']}")
        print(f"{len(pairs)} users are linked in Redis before each run of the bot")

        echo_env = common.child_env(BOT_LOG_LEVEL="WARNING")
        bot_env = common.child_env(
            BITRIX24_WEBHOOK_URL=portal.info["webhook_url"],
            REDIS_URL=redis.url,
            BOT_ADMIN_IDS=str(ADMIN_TELEGRAM_ID),
            BOT_DEFAULT_TIMEZONE="UTC",
            BITRIX24_RATE_LIMIT=f"{args.b24_rate:g}",
            BITRIX24_RATE_BURST=str(args.b24_burst),
            BOT_LOG_LEVEL=args.bot_log_level,
        )
        results: dict[str, list[PhaseResult]] = {"echo": [], "bot": []}
        profiles: list[list[str]] = []
        error = None
        for round_index in range(args.rounds):
            print(f"round {round_index + 1}/{args.rounds}")
            try:
                echo = await phase("echo_bot", "bench.echo_bot", echo_env, telegram_ids, args, workdir,
                                   echo=True, others={}, round_index=round_index)
                await link_users(redis.url, pairs)
                profile = workdir / f"bot-{round_index}.prof" if args.profile_bot else None
                bot = await phase("bot", "bot", bot_env, telegram_ids, args, workdir, echo=False,
                                  others={"portal": portal, "redis": redis.process}, portal=portal, profile=profile,
                                  round_index=round_index)
            except RuntimeError as exc:  # a wave without replies, a bot that died: report it
                error = f"round {round_index + 1}: {exc}"
                print(f"  {error}")
                break
            results["echo"].append(echo)
            results["bot"].append(bot)
            if profile is not None:
                profiles.append(profile_lines(profile))
    finally:
        if portal is not None:
            portal.stop()
        redis.stop()
    return {"results": results, "workdir": str(workdir), "profile": profiles, "error": error}


def summarize(args: argparse.Namespace, raw: dict[str, Any]) -> dict[str, Any]:
    echo_runs: list[PhaseResult] = raw["results"]["echo"]
    bot_runs: list[PhaseResult] = raw["results"]["bot"]
    rounds = []
    for echo, bot in zip(echo_runs, bot_runs, strict=True):
        e, b = echo.summary(), bot.summary()
        counts = bot.portal_requests or {"counts": {}, "errors": {}}
        status_requests = counts["counts"].get("timeman.status", 0)
        total_requests = sum(counts["counts"].values())
        rounds.append({
            "echo": e,
            "bot": b,
            "ratio_bot_vs_echo": {
                "updates_per_s": common.ratio(b["updates_per_s"], e["updates_per_s"]),
                "p50_ms": common.ratio(b["p50_ms"], e["p50_ms"]),
                "p99_ms": common.ratio(b["p99_ms"], e["p99_ms"]),
            },
            "bitrix24": {
                "timeman_status_requests": status_requests,
                "requests_per_action": status_requests / bot.updates if bot.updates else None,
                "all_requests": total_requests,
                "all_requests_per_action": total_requests / bot.updates if bot.updates else None,
                "by_method": counts["counts"],
                "errors": counts["errors"],
            },
        })
    expected = args.users * args.updates_per_user
    checks = {
        "all_rounds_completed": raw.get("error") is None and len(rounds) == args.rounds,
        "every_bot_update_answered_with_a_day_card": all(
            r["bot"]["kinds"] == {"card": expected} for r in rounds),
        "no_update_throttled": all(r["bot"]["kinds"].get("throttled", 0) == 0 for r in rounds),
        "every_echo_update_answered": all(r["echo"]["kinds"] == {"echo": expected} for r in rounds),
        "no_extra_messages": all(r["bot"]["extra_messages"] == 0 and r["echo"]["extra_messages"] == 0
                                 for r in rounds),
        "one_bitrix24_request_per_action": all(r["bitrix24"]["requests_per_action"] == 1 for r in rounds),
    }
    return {
        "config": {"users": args.users, "updates_per_user": args.updates_per_user, "updates": expected,
                   "spacing_s": args.spacing, "gap_s": args.gap, "b24_rate": args.b24_rate,
                   "b24_burst": args.b24_burst, "bot_log_level": args.bot_log_level, "rounds": args.rounds},
        "rounds": rounds,
        "checks": checks,
        "error": raw.get("error"),
        "workdir": raw["workdir"],
    }


def render(summary: dict[str, Any]) -> str:
    cfg = summary["config"]
    lines = [
        f"/status through the real bot (python -m bot, polling) vs a bare aiogram echo bot:",
        f"{cfg['users']} linked users x {cfg['updates_per_user']} updates = {cfg['updates']} updates per bot, "
        f"in {cfg['updates_per_user']} waves of {cfg['users']} (one /status per user per wave, all queued at once;",
        f"next wave {cfg['spacing_s']:g} s after the previous started, or {cfg['gap_s']:g} s after its last reply,"
        " whichever is later)",
        f"Bitrix24 emulator (own process) at {cfg['b24_rate']:g}/s, burst {cfg['b24_burst']}; the bot configured the same;"
        f" bot log level {cfg['bot_log_level']}",
    ]
    for index, r in enumerate(summary["rounds"]):
        e, b, ratio, b24 = r["echo"], r["bot"], r["ratio_bot_vs_echo"], r["bitrix24"]
        if len(summary["rounds"]) > 1:
            lines += ["", f"round {index + 1}"]
        lines += [
            "",
            f"  {'':<34} {'echo bot':>10} {'real bot':>10} {'bot/echo':>9}",
            f"  {'updates per second (bursts)':<34} {e['updates_per_s']:>10.1f} {b['updates_per_s']:>10.1f}"
            f" {ratio['updates_per_s']:>9.2f}",
            f"  {'latency p50, ms':<34} {e['p50_ms']:>10.1f} {b['p50_ms']:>10.1f} {ratio['p50_ms']:>9.2f}",
            f"  {'latency p90, ms':<34} {e['p90_ms']:>10.1f} {b['p90_ms']:>10.1f}"
            f" {b['p90_ms'] / e['p90_ms']:>9.2f}",
            f"  {'latency p99, ms':<34} {e['p99_ms']:>10.1f} {b['p99_ms']:>10.1f} {ratio['p99_ms']:>9.2f}",
            f"  {'latency max, ms':<34} {e['max_ms']:>10.1f} {b['max_ms']:>10.1f}",
            f"  {'time in bursts / wall, s':<34} {e['busy_s']:>4.1f} / {e['wall_s']:<4.1f}"
            f" {b['busy_s']:>4.1f} / {b['wall_s']:<4.1f}",
            f"  {'CPU ms per update: bot process':<34} {e['cpu_ms_per_update']['bot']:>10.2f}"
            f" {b['cpu_ms_per_update']['bot']:>10.2f} {b['cpu_ms_per_update']['bot'] / e['cpu_ms_per_update']['bot']:>9.2f}",
            f"  {'  harness + fake Telegram':<34} {e['cpu_ms_per_update']['harness+fake_telegram']:>10.2f}"
            f" {b['cpu_ms_per_update']['harness+fake_telegram']:>10.2f}",
            f"  {'  portal emulator':<34} {'-':>10} {b['cpu_ms_per_update'].get('portal', 0):>10.2f}",
            f"  {'  redis-server':<34} {'-':>10} {b['cpu_ms_per_update'].get('redis', 0):>10.2f}",
            f"  {'  others on this machine':<34} {e['cpu_ms_per_update']['other_processes']:>10.2f}"
            f" {b['cpu_ms_per_update']['other_processes']:>10.2f}   (not ours: {e['cpu_s']['other_processes'] / e['wall_s'] * 100:.0f}%"
            f" / {b['cpu_s']['other_processes'] / b['wall_s'] * 100:.0f}% of one core during the waves)",
            f"  {'replies':<34} {json.dumps(e['kinds']):>10} {json.dumps(b['kinds']):>10}",
            f"  {'extra messages':<34} {e['extra_messages']:>10} {b['extra_messages']:>10}",
            f"  {'start-up until polling, s':<34} {e['startup_s']:>10.1f} {b['startup_s']:>10.1f}",
            f"  Bot API calls during the waves: echo {e['telegram_calls']}",
            f"                                  bot  {b['telegram_calls']}",
            "",
            f"  Bitrix24 requests per /status: {b24['requests_per_action']:.3f}   target 1"
            f"  (timeman.status {b24['timeman_status_requests']} for {b['updates']} updates;",
            f"    all requests during the waves {b24['all_requests']}: {b24['by_method']}; errors: {b24['errors'] or 'none'})",
        ]
    if len(summary["rounds"]) > 1:
        def median(key: str) -> float:
            return statistics.median(r["ratio_bot_vs_echo"][key] for r in summary["rounds"])

        lines += ["", f"  median over {len(summary['rounds'])} rounds, bot / echo: updates per second "
                      f"{median('updates_per_s'):.2f}, p50 {median('p50_ms'):.2f}, p99 {median('p99_ms'):.2f}"]
    if summary.get("error"):
        lines += ["", f"  ERROR: {summary['error']}"]
    lines += [""]
    lines += [f"  {'ok  ' if ok else 'FAIL'} {name}" for name, ok in summary["checks"].items()]
    if summary["rounds"]:
        lines += ["", f"  sample bot reply: {summary['rounds'][-1]['bot']['sample_reply']!r}"]
    if summary.get("bot_profile"):
        lines += ["", "The real bot ran under cProfile (its figures above are inflated by the profiler):"]
        lines += ["  " + line for line in summary["bot_profile"][-1]]
    lines += ["", "PASS" if all(summary["checks"].values()) else "FAIL"]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="/status through the real bot vs a bare aiogram echo bot.")
    parser.add_argument("--users", type=int, default=200, help="linked users (one chat each)")
    parser.add_argument("--updates-per-user", type=int, default=10, help="= the number of waves")
    parser.add_argument("--spacing", type=float, default=2.5, help="min s between wave starts")
    parser.add_argument("--gap", type=float, default=0.5, help="min s between a wave's last reply and the next")
    parser.add_argument("--wave-timeout", type=float, default=120.0, help="give up on a wave after this, s")
    parser.add_argument("--b24-rate", type=float, default=1000.0, help="emulator and bot Bitrix24 rate limit")
    parser.add_argument("--b24-burst", type=int, default=5000, help="emulator and bot Bitrix24 burst")
    parser.add_argument("--bot-log-level", default="INFO", help="BOT_LOG_LEVEL for the real bot")
    parser.add_argument("--rounds", type=int, default=1, help="echo + bot pairs to run (each reported)")
    parser.add_argument("--profile-bot", action="store_true",
                        help="run the real bot under cProfile (slows it: a diagnostic, not a measurement)")
    args = parser.parse_args()
    raw = asyncio.run(amain(args))
    summary = summarize(args, raw)
    summary["machine"] = common.machine()
    if raw.get("profile"):
        summary["bot_profile"] = raw["profile"]
    report = render(summary)
    path = common.write_results("bot_status", summary, report)
    print()
    print(report)
    print(f"\nwritten: {path}  (logs in {raw['workdir']})")
    return 0 if all(summary["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
