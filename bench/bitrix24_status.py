"""Benchmark: a burst of `timeman.status` calls through the Bitrix24 client.

What is measured
----------------
N calls (`--calls`, default 500) of `timeman.status` are fired at once (one
`asyncio.gather`) through `Bitrix24Client` with `WebhookAuth` and a client-side
`LeakyBucket(rate, burst)`, against the portal emulator running with the same limits
(`--rate`, default 20/s; `--burst`, default 50). The per-call deadline is generous
(`--deadline`, default 600 s) because waiting in the bucket counts against it.

* Wall time of the whole burst against the theoretical bound (N - burst) / rate: the
  first `burst` requests may go at once, every later one needs 1/rate s of drain.
  Efficiency = bound / wall time (target >= 0.9).
* QUERY_LIMIT_EXCEEDED answers the emulator gave (from its `/_emulator/requests`), the
  HTTP requests the client sent and the retries it logged. Target: 0 refusals.
* The client's own CPU per call: `time.process_time()` delta / N in this process. Each
  emulator runs in its own process (`python -m workday_sandbox.portal.emulator --demo ...`), so its
  CPU is not in that figure (it is shown beside it, per request, from psutil).

Baseline (same process, same run): the same N calls as bare `httpx.AsyncClient.post`
(plus `response.json()`: any caller must parse the answer) to the same URL, against a
second emulator process with rate limiting disabled (`--rate-limit 0`, the CLI's switch),
sent on the schedule the client's bucket produces (the first burst-1 at once, then one
per 1/rate s), so both runs last as long and differ only in the client's code. The
ratio main-run CPU / baseline CPU is the client's overhead over raw HTTP.

A second view without pacing: the same N through bare httpx, `Bitrix24Client.call` and
`WorkdayAPI.status` (which adds parsing into a `Workday`), with a bucket that never
waits, against the unlimited emulator, at most `--in-flight` requests on the wire
(default 20: httpx's keep-alive pool size, so no variant pays for connection churn).
These run in `--repeats` interleaved rounds after one discarded warm-up round, and the
ratio reported is the median of the per-round ratios: this machine's speed drifts by
2x between runs (a VM), and interleaving cancels that out.

`--probe-unbounded` also sends all N at once through one httpx client with no in-flight
bound; httpcore's pool then does O(connections x queued requests) bookkeeping per state
change (encode/httpcore#1035), which is worth knowing about but is not HTTP's cost.
`--margin` passes `margin_seconds=` to the client's bucket for the main run (default: the
client's own default), to try another safety margin without editing the client.
`--limiter shared` runs the main run with the Redis-backed `SharedLeakyBucket` from
`bot/storage/pacing.py` (what `bot/runner.py` gives the client, when that module exists)
on a private redis-server, instead of the in-process `LeakyBucket`.

Every variant gets a fresh `httpx.AsyncClient`, so connection set-up counts alike.

Run:  python -m bench.bitrix24_status                              (full: ~1.5 min)
      python -m bench.bitrix24_status --calls 60 --rate 20 --burst 50   (smoke: seconds)
Writes bench/results/bitrix24_status.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import inspect
import logging
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

try:
    from bench import _common as common
except ImportError:  # run as a file: python bench/bitrix24_status.py
    import _common as common  # type: ignore[no-redef]

import httpx

from bot.bitrix24 import Bitrix24Client, LeakyBucket, WebhookAuth, WorkdayAPI
from bot.bitrix24.ratelimit import burst_margin

DEFAULT_MARGIN = inspect.signature(LeakyBucket).parameters["margin_seconds"].default

# One TLS context for every client: building one costs ~0.1 s (certifi), and the
# emulator is plain http anyway. This only keeps the script quick between timed parts.
TLS = httpx.create_ssl_context()


class RetryCounter(logging.Handler):
    """Counts the client's "retrying" warnings by error code (and keeps them off stderr)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if "retrying" in record.getMessage():
            self.counts[str(getattr(record, "ctx_error", "?"))] += 1


RETRIES = RetryCounter()
_client_log = logging.getLogger("bot.bitrix24.client")
_client_log.addHandler(RETRIES)
_client_log.propagate = False


@dataclass
class Phase:
    name: str
    calls: int
    wall_s: float
    cpu_s: float
    ok: int
    failed: int
    http_requests: int
    retries: dict[str, int] = field(default_factory=dict)
    portal_cpu_s: float = 0.0
    other_cpu_s: float = 0.0  # CPU the rest of the machine used meanwhile (not us, not the emulator)

    @property
    def cpu_per_call_us(self) -> float:
        return self.cpu_s / self.calls * 1e6

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "cpu_per_call_us": round(self.cpu_per_call_us, 1)}


Caller = Callable[[], Awaitable[Any]]


async def run_phase(name: str, portal: common.Child, calls: int, use: Callable[[httpx.AsyncClient], tuple[Caller, Callable[[], int]]],
                    *, in_flight: int | None = None, pace: tuple[float, int] | None = None) -> Phase:
    """Fire `calls` calls in one gather on a fresh httpx client and time them: wall time,
    this process's CPU, the portal process's CPU.

    `use(http)` returns the call to make and a counter of HTTP requests sent.
    `in_flight` bounds the calls on the wire; `pace=(rate, first)` starts call k at
    max(0, k + 1 - first) / rate s, the schedule of a leaky bucket that lets `first` go.
    """
    async with httpx.AsyncClient(verify=TLS) as http:
        make_call, requests = use(http)
        gate = asyncio.Semaphore(in_flight) if in_flight else None
        loop = asyncio.get_running_loop()

        async def one(index: int, start: float) -> Any:
            if pace is not None:
                rate, first = pace
                await asyncio.sleep(max(0.0, start + max(0, index + 1 - first) / rate - loop.time()))
            if gate is None:
                return await make_call()
            async with gate:
                return await make_call()

        gc.collect()
        RETRIES.counts.clear()
        portal_cpu0, busy0 = portal.cpu_seconds(), common.busy_cpu_seconds()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        start = loop.time()
        outcomes = await asyncio.gather(*(one(k, start) for k in range(calls)), return_exceptions=True)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        portal_cpu = portal.cpu_seconds() - portal_cpu0
        other = common.busy_cpu_seconds() - busy0 - cpu - portal_cpu
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        print(f"  {name}: {len(failures)} calls failed, e.g. {failures[0]!r}")
    return Phase(name, calls, wall, cpu, calls - len(failures), len(failures), requests(),
                 dict(RETRIES.counts), portal_cpu, max(0.0, other))


def bare(portal: common.Child) -> Callable[[httpx.AsyncClient], tuple[Caller, Callable[[], int]]]:
    """Raw HTTP: post to the same endpoint the client uses and parse the JSON."""
    endpoint = WebhookAuth(portal.info["webhook_url"]).endpoint("timeman.status")

    def use(http: httpx.AsyncClient) -> tuple[Caller, Callable[[], int]]:
        sent = 0

        async def one() -> Any:
            nonlocal sent
            sent += 1
            response = await http.post(endpoint, json={}, timeout=60.0)
            body = response.json()
            if "result" not in body:
                raise RuntimeError(f"HTTP {response.status_code}: {body}")
            return body["result"]

        return one, lambda: sent

    return use


def client(portal: common.Child, limiter: Callable[[], LeakyBucket], deadline: float, *,
           typed: bool = False) -> Callable[[httpx.AsyncClient], tuple[Caller, Callable[[], int]]]:
    """The Bitrix24 client: `Bitrix24Client.call`, or `WorkdayAPI.status` when `typed`."""

    def use(http: httpx.AsyncClient) -> tuple[Caller, Callable[[], int]]:
        b24 = Bitrix24Client(WebhookAuth(portal.info["webhook_url"]), http=http, limiter=limiter(),
                             deadline=deadline)
        if typed:
            return WorkdayAPI(b24).status, lambda: b24.http_requests
        return (lambda: b24.call("timeman.status")), lambda: b24.http_requests

    return use


def never_waits() -> LeakyBucket:
    """A bucket that does its bookkeeping (lock, drain arithmetic) but never sleeps."""
    return LeakyBucket(rate=1e9, burst=10**9)


def portal_counts(portal: common.Child) -> dict[str, Any]:
    return httpx.get(f"{portal.info['base_url']}/_emulator/requests", timeout=10, verify=TLS).json()


def sniffio_note() -> dict[str, Any] | None:
    """httpcore 1.0.x runs `import sniffio` on every lock it creates (several per request);
    without sniffio installed each such import fails after a full sys.path search."""
    if importlib.util.find_spec("sniffio") is not None:
        return None
    from httpcore._synchronization import current_async_library

    async def cost() -> float:
        rounds = 500
        started = time.perf_counter()
        for _ in range(rounds):
            current_async_library()
        return (time.perf_counter() - started) / rounds * 1e6

    return {"sniffio_installed": False, "current_async_library_us": round(asyncio.run(cost()), 1)}


async def shared_main_run(args: argparse.Namespace, limited: common.Child, margin: float) -> Phase:
    """The main run with the bot's Redis-backed limiter, on a private redis-server (its
    CPU is not in this process's figure: each acquire is one EVALSHA round trip)."""
    from redis.asyncio import Redis

    from bot.storage.keys import KeySpace
    from bot.storage.pacing import SharedLeakyBucket
    from workday_sandbox.redis_server import start_redis_server

    server = start_redis_server(Path(tempfile.mkdtemp(prefix="bench-b24-redis-")))
    redis = Redis.from_url(server.url)
    try:
        def limiter() -> Any:
            return SharedLeakyBucket(redis, KeySpace("bench"), rate=args.rate, burst=args.burst, margin_seconds=margin)

        return await run_phase(f"Bitrix24Client.call + SharedLeakyBucket({args.rate:g}, {args.burst}) [main run]",
                               limited, args.calls, client(limited, limiter, args.deadline))
    finally:
        await redis.aclose()
        server.stop()


async def measure(args: argparse.Namespace, limited: common.Child, unlimited: common.Child) -> dict[str, Any]:
    calls, rate, burst, in_flight = args.calls, args.rate, args.burst, args.in_flight
    margin = DEFAULT_MARGIN if args.margin is None else args.margin
    first = int(max(1.0, burst - burst_margin(rate, margin)))  # what the client's bucket lets go at once

    async def unpaced_round() -> list[Phase]:
        return [
            await run_phase(f"bare httpx.post + .json(), <= {in_flight} in flight", unlimited, calls,
                            bare(unlimited), in_flight=in_flight),
            await run_phase(f"Bitrix24Client.call, never-waiting bucket, <= {in_flight} in flight", unlimited,
                            calls, client(unlimited, never_waits, args.deadline), in_flight=in_flight),
            await run_phase(f"WorkdayAPI.status, never-waiting bucket, <= {in_flight} in flight", unlimited,
                            calls, client(unlimited, never_waits, args.deadline, typed=True), in_flight=in_flight),
        ]

    print("unpaced variants: warm-up round (discarded) ...")
    await unpaced_round()
    rounds = []
    for index in range(args.repeats):
        print(f"unpaced variants against the unlimited emulator, round {index + 1}/{args.repeats} ...")
        rounds.append(await unpaced_round())

    probes: list[Phase] = []
    if args.probe_unbounded:
        print("probe: all N in flight at once through one httpx client ...")
        probes.append(await run_phase("bare httpx.post + .json(), all N in flight", unlimited, calls,
                                      bare(unlimited)))
        probes.append(await run_phase("Bitrix24Client.call, never-waiting bucket, all N in flight", unlimited,
                                      calls, client(unlimited, never_waits, args.deadline)))

    print(f"baseline: {calls} bare httpx posts on the bucket's schedule ({first} at once, then {rate:g}/s) "
          "against the unlimited emulator ...")
    baseline = await run_phase(f"bare httpx.post + .json(), paced like the bucket [baseline]", unlimited, calls,
                               bare(unlimited), pace=(rate, first))

    before = portal_counts(limited)
    limiter_name = "LeakyBucket" if args.limiter == "local" else "SharedLeakyBucket"
    print(f"main run: {calls} calls at once through {limiter_name}({rate:g}/s, burst {burst}, margin {margin:g} s) "
          "against the emulator at the same limits ...")
    if args.limiter == "local":
        main = await run_phase(f"Bitrix24Client.call + LeakyBucket({rate:g}, {burst}) [main run]", limited, calls,
                               client(limited, lambda: LeakyBucket(rate, burst, margin_seconds=margin), args.deadline))
    else:
        main = await shared_main_run(args, limited, margin)
    after = portal_counts(limited)

    def delta(section: str, key: str) -> int:
        return after[section].get(key, 0) - before[section].get(key, 0)

    limit_errors = delta("errors", "QUERY_LIMIT_EXCEEDED")
    bound = max(0.0, (calls - burst) / rate)
    efficiency = bound / main.wall_s if bound > 0 else None
    per_round = [[phase.cpu_s / r[0].cpu_s for phase in r] for r in rounds]
    median_round = sorted(rounds, key=lambda r: r[0].cpu_s)[len(rounds) // 2]
    return {
        "config": {"calls": calls, "rate": rate, "burst": burst, "margin": margin, "limiter": limiter_name,
                   "deadline": args.deadline,
                   "in_flight": in_flight, "repeats": args.repeats},
        "main": main.as_dict(),
        "bound_s": bound,
        "efficiency": efficiency,
        "efficiency_target": 0.9,
        "query_limit_exceeded": limit_errors,
        "portal_status_requests": delta("counts", "timeman.status"),
        "portal_errors": {key: delta("errors", key) for key in after["errors"] if delta("errors", key)},
        "baseline": baseline.as_dict(),
        "cpu_ratio_main_vs_baseline": common.ratio(main.cpu_s, baseline.cpu_s),
        "unpaced": {
            "median_round": [p.as_dict() for p in median_round],
            "ratio_client_call_vs_bare": statistics.median(r[1] for r in per_round),
            "ratio_workday_status_vs_bare": statistics.median(r[2] for r in per_round),
            "per_round_ratios": [[round(x, 3) for x in r] for r in per_round],
            "rounds": [[p.as_dict() for p in r] for r in rounds],
        },
        "probes_all_in_flight": [p.as_dict() for p in probes],
        "passed": {
            "efficiency": efficiency is None or efficiency >= 0.9,
            "no_query_limit_exceeded": limit_errors == 0,
            "all_calls_ok": main.failed == 0 and baseline.failed == 0,
        },
    }


def render(result: dict[str, Any]) -> str:
    cfg, main, base, unpaced = result["config"], result["main"], result["baseline"], result["unpaced"]
    eff = result["efficiency"]
    retries = ", ".join(f"{k} x{v}" for k, v in main["retries"].items()) or "none"

    def row(phase: dict[str, Any], reference: dict[str, Any]) -> str:
        factor = phase["cpu_s"] / reference["cpu_s"] if reference["cpu_s"] else float("nan")
        emulator = phase["portal_cpu_s"] / max(phase["http_requests"], 1) * 1e6
        extra = f"   retries: {phase['retries']}" if phase["retries"] else ""
        others = phase["other_cpu_s"] / phase["wall_s"] * 100 if phase["wall_s"] else 0.0
        return (f"  {phase['name']:<64} {phase['cpu_per_call_us']:>8.0f} {factor:>7.2f}"
                f" {phase['wall_s']:>7.2f} {emulator:>8.0f} {others:>7.0f}%{extra}")

    header = f"  {'variant':<64} {'us/call':>8} {'x base':>7} {'wall s':>7} {'emu us':>8} {'others':>8}"
    lines = [
        f"Bitrix24 client: {cfg['calls']} x timeman.status fired at once through "
        f"{cfg['limiter']}({cfg['rate']:g}/s, burst {cfg['burst']}, margin {cfg['margin']:g});",
        "the emulator runs in its own process with the same limits",
        "",
        f"  wall time                  {main['wall_s']:.3f} s",
        f"  theoretical bound          {result['bound_s']:.3f} s   (N - burst) / rate",
        "  efficiency (bound / wall)  " + (f"{eff:.3f}" if eff is not None else "n/a (N <= burst)")
        + "     target >= 0.9",
        f"  QUERY_LIMIT_EXCEEDED       {result['query_limit_exceeded']}         target 0",
        f"  calls ok / failed          {main['ok']} / {main['failed']}",
        f"  HTTP requests sent         {main['http_requests']}  (emulator saw {result['portal_status_requests']}"
        f" timeman.status; client retries: {retries})",
        "",
        "CPU per call in this (client) process. 'emu us': the emulator process's CPU per request;",
        "'others': CPU used meanwhile by other processes on this machine, in % of one core:",
        header,
        row(base, base),
        row(main, base),
        "",
        f"  client CPU overhead over raw HTTP on the same schedule: {result['cpu_ratio_main_vs_baseline']:.2f}x",
        "",
        f"Without pacing, against the unlimited emulator (median round of {cfg['repeats']}, after a warm-up):",
        header,
        *(row(phase, unpaced["median_round"][0]) for phase in unpaced["median_round"]),
        f"  median of per-round ratios: Bitrix24Client.call {unpaced['ratio_client_call_vs_bare']:.2f}x,"
        f" WorkdayAPI.status {unpaced['ratio_workday_status_vs_bare']:.2f}x raw HTTP",
    ]
    if result["probes_all_in_flight"]:
        lines += ["", "Probe, all N in flight through one httpx client (x base = vs the median unpaced bare row):"]
        lines += [row(phase, unpaced["median_round"][0]) for phase in result["probes_all_in_flight"]]
    note = result.get("sniffio")
    if note:
        lines += ["", f"  note: sniffio is not installed, so httpcore's per-lock `import sniffio` fails after a"
                      f" sys.path search: {note['current_async_library_us']:.0f} us each, several per request"]
    lines += ["", "PASS" if all(result["passed"].values()) else f"FAIL: {result['passed']}"]
    return "\n".join(lines)


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    log_dir = Path(tempfile.mkdtemp(prefix="bench-b24-"))
    limited = common.spawn_portal_cli(rate_limit=args.rate, rate_burst=args.burst, log_dir=log_dir)
    unlimited = common.spawn_portal_cli(rate_limit=0, rate_burst=args.burst, log_dir=log_dir)
    try:
        common.wait_portal_cli(limited)
        common.wait_portal_cli(unlimited)
        print(f"emulator (limited):   {limited.info['base_url']}  pid {limited.pid}")
        print(f"emulator (unlimited): {unlimited.info['base_url']}  pid {unlimited.pid}")
        return await measure(args, limited, unlimited)
    finally:
        unlimited.stop()
        limited.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="Burst of timeman.status calls through the Bitrix24 client.")
    parser.add_argument("--calls", type=int, default=500, help="timeman.status calls in the burst (N)")
    parser.add_argument("--rate", type=float, default=20.0, help="leaky bucket drain per second")
    parser.add_argument("--burst", type=int, default=50, help="leaky bucket size")
    parser.add_argument("--deadline", type=float, default=600.0, help="per-call deadline, s")
    parser.add_argument("--margin", type=float, default=None,
                        help=f"LeakyBucket margin for the main run (default: the client's, {DEFAULT_MARGIN:g})")
    parser.add_argument("--limiter", choices=("local", "shared"), default="local",
                        help="main run limiter: LeakyBucket (local) or bot.storage.pacing.SharedLeakyBucket (shared)")
    parser.add_argument("--in-flight", type=int, default=20,
                        help="max requests on the wire in the unpaced variants (default 20)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="interleaved rounds of the unpaced variants (default 5; 2 when N < 200)")
    parser.add_argument("--probe-unbounded", action="store_true",
                        help="also send all N at once through one httpx client (slow)")
    args = parser.parse_args()
    if args.repeats is None:
        args.repeats = 5 if args.calls >= 200 else 2
    result = asyncio.run(amain(args))
    result["sniffio"] = sniffio_note()
    result["machine"] = common.machine()
    report = render(result)
    path = common.write_results("bitrix24_status", result, report)
    print()
    print(report)
    print(f"\nwritten: {path}")
    return 0 if all(result["passed"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
