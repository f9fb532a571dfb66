"""The morning rush (issue 9): N linked employees each act once within W seconds.

What it measures
----------------
N employees, all linked, each send ONE command at a uniformly random moment within W
seconds (seeded RNG), to real `python -m bot` processes, against the portal emulator at
the standard plan's limits (burst 50, 2 requests/s; `--burst 250 --rate 5` for
Enterprise) and the fake Telegram Bot API at 30 messages/s overall, 1/s per chat (429
beyond). The bot is configured with the same Bitrix24 limits.

Mixes (`--mix`):
* `open`: a portal where nobody has started; everyone sends /open.
* `lunch`: 13:00. Every day was opened earlier today and every employee has the day
  card the bot showed them. `--pause-share` of them (default 0.7) tap its Pause
  button (a callback query on that card, answered by editing it); the rest send
  /status. The cards are rendered during setup with the bot's own `report_message`
  and sent into each chat as the bot, and the bot's day cache holds that day, as it
  does after showing a card (`--cold-cache`: it does not, so a tap reads the status
  before pausing: the two-step path).

Per variant, in a table side by side:
* recorded in Bitrix24 (read from the emulator afterwards: days opened, or paused);
* replies: told (a day card, no failure text), failed (a reply matching one of the
  bot's failure texts, `fail-*` and `error-unexpected` in bot/i18n/locales/en.ftl: "NOT
  recorded", "can't tell whether ... was recorded", ...), throttled, none;
* told-but-not-recorded: a success reply for an action Bitrix24 does not show (must be 0
  in every variant: the bot never claims what did not happen);
* reply latency p50/p99/max, from the moment the fake Telegram delivered the update to
  the bot's webhook to the bot's reply in that chat (sendMessage, or editMessageText
  of the tapped card); and the user's wait, from the update being queued;
* portal requests, `batch` requests and commands per batch, QUERY_LIMIT_EXCEEDED,
  Telegram 429s, all counted from the start of the window (the bot's start-up calls
  are not).

Variants: `BITRIX24_COALESCE=false` (today's path: one request per call) and `=true`
(the coalescing layer), each with a fresh emulator, Redis, fake Telegram and bot
processes. Both run by default; `--variant` picks one. Code that does not know the
variable runs both as the baseline.

Targets (PASS/FAIL lines; the exit status follows the coalescing variant, or the only
one that ran; the baseline is expected to fail):
* up to 10 actions/s (N=600, W=60): all recorded and told, 0 failed, p99 <= 3 s,
  0 QUERY_LIMIT_EXCEEDED;
* above (N=1500, W=60): all recorded and told, 0 failed, p99 <= 5 s.
Checks for every variant: each user got one reply; none was told success for an action
Bitrix24 does not show, nor "NOT recorded" for one it shows; /status changed nobody's day; no ERROR line or traceback in the
bots' logs while serving (those after the harness's SIGTERM are reported, not judged).

`--idle`: a single /status on an idle bot, per variant: it must cost exactly 1 portal
request (a plain `timeman.status`, no batch).

`--live-sweep` (issue 14): the rush with the bot's background live-card sweep running
(`live_cards.sweep`, registered by bot/runner.py when BITRIX24_BACKGROUND_SHARE > 0) and
without it. Variants `nosweep` (BITRIX24_BACKGROUND_SHARE=0) and `sweep` (`--share`,
default 0.25, the default share), both coalescing, same seed and users, each with fresh
emulator, Redis, fake Telegram and bots. To keep the sweep busy, `--sweep-users` (default
5,000) more employees on the portal are linked, each with a live day card and the day the
bot last saw equal to the portal's (the steady state: the sweep reads their days, 50 a
request, and edits nothing); their pass at a quarter of 2/s takes about ceil(N/50) / 0.5
s, longer than the window. In `sweep`, the window starts once the portal answered the
sweep's first batch. Target: the interactive p99 with the sweep <= 1.10 x without; the
exit status follows it, the `sweep` variant's targets and every variant's checks.
`timeman.status` batches of 50 during the window are reported as the sweep's (the open
mix reads no status; /status's coalesced ones stay far smaller at these rates).

Where things run
----------------
* This process: the fake Telegram (`FakeTelegram`, stamping each webhook delivery), the
  users' clock, and with `--processes 2` a round-robin HTTP proxy in front of the two
  replicas' webhooks (as a load balancer would be).
* The portal emulator in its own process (`bench.portal_server`), so its work never
  delays the fake Telegram's clock.
* A private redis-server; the bot processes (`python -m bot`, webhook mode, cwd in a
  temporary folder so no `.env` is read). Webhook mode for 1 and 2 replicas alike:
  two replicas long-polling getUpdates would take updates from each other (409), and
  one mode for both keeps the two comparable.

    python -m bench.rush --users 60 --window 10                 # smoke, ~2 min both variants
    python -m bench.rush --users 600 --window 60                # ~4 min
    python -m bench.rush --users 1500 --window 60 --processes 2
    python -m bench.rush --mix lunch --users 600 --window 60
    python -m bench.rush --users 600 --window 60 --rate 5 --burst 250   # Enterprise
    python -m bench.rush --idle
    python -m bench.rush --live-sweep --users 600 --window 60   # ~5 min: the sweep off, then on
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import html
import itertools
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

try:
    from bench import _common as common
except ImportError:  # run as a file: python bench/rush.py
    import _common as common  # type: ignore[no-redef]

import httpx
from aiohttp import ClientSession, web
from fluent.syntax import ast as ftl
from redis.asyncio import Redis

from bot.bitrix24 import Workday
from bot.i18n import Translator, parse_catalog
from workday_sandbox.redis_server import RedisServer, free_port, start_redis_server
from workday_sandbox.telegram.server import FakeTelegram
from bot.services.workday import Action, DayReport
from bot.storage.day_cache import DayCache
from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from bot.storage.live_cards import LiveCardRepository
from bot.telegram.callbacks import DayAction
from bot.telegram.day_card import report_message

TOKEN = "700200:RUSH-bench-token"
WEBHOOK_SECRET = "rush-secret"
FIRST_TELEGRAM_ID = 900_001
FIRST_BITRIX_ID = 1001
VARIANTS = {"false": "baseline (COALESCE=false)", "true": "coalescing (COALESCE=true)",
            "nosweep": "no live-card sweep (BACKGROUND_SHARE=0)", "sweep": "live-card sweep on"}
COLUMNS = {"false": "COALESCE=false", "true": "COALESCE=true", "nosweep": "sweep off", "sweep": "sweep on"}
SWEEP_TARGET = 1.10  # --live-sweep: p99 with the sweep <= 1.10 x without


# --- what a reply says ---------------------------------------------------------------------

def _catalog_patterns() -> dict[str, re.Pattern[str]]:
    """Each English message as the fake Telegram stores the sent text (HTML parsed away),
    with each placeable matching anything, by catalog id."""
    patterns = {}
    for entry in parse_catalog("en").body:
        if isinstance(entry, ftl.Message) and entry.value is not None:
            template = "".join(element.value if isinstance(element, ftl.TextElement) else "\0"
                               for element in entry.value.elements)
            plain = html.unescape(re.sub(r"<[^>]+>", "", template))
            patterns[entry.id.name] = re.compile(".+?".join(map(re.escape, plain.split("\0"))), re.DOTALL)
    return patterns


CATALOG = _catalog_patterns()
FAILURE_KEYS = sorted(key for key in CATALOG if key.startswith("fail-")) + ["error-unexpected"]
# The failures that say the action was not recorded ("NOT recorded", "Nothing was
# recorded/changed"), as opposed to "can't tell" (unknown outcome, unexpected error).
NOT_RECORDED_KEYS = frozenset({"fail-unavailable", "fail-access-denied", "fail-auth", "fail-user-not-found",
                               "fail-refused", "fail-wrong-time", "fail-report-needed"})
FAILURES = [(key, CATALOG[key]) for key in FAILURE_KEYS]
THROTTLED = CATALOG["throttled"]


def classify(text: str) -> str:
    """`failed:<catalog key>`, `throttled`, or `told` (anything else: a day card)."""
    for key, pattern in FAILURES:
        if pattern.search(text):
            return f"failed:{key}"
    if THROTTLED.search(text):
        return "throttled"
    return "told"


# --- the plan --------------------------------------------------------------------------------

@dataclass
class Act:
    index: int  # the employee: Telegram FIRST_TELEGRAM_ID + index, Bitrix24 FIRST_BITRIX_ID + index
    offset: float  # seconds into the window
    command: str  # open | status | pause (a tap on the card's Pause button)
    queued_at: float | None = None
    delivered_at: float | None = None
    reply_at: float | None = None
    reply_text: str = ""
    kind: str = "none"  # see classify(); "none": no reply

    @property
    def telegram_id(self) -> int:
        return FIRST_TELEGRAM_ID + self.index

    @property
    def bitrix_id(self) -> int:
        return FIRST_BITRIX_ID + self.index


def plan(users: int, window: float, mix: str, pause_share: float, seed: int) -> list[Act]:
    rng = random.Random(seed)
    offsets = [rng.uniform(0.0, window) for _ in range(users)]
    if mix == "open":
        commands = ["open"] * users
    elif mix == "idle":
        commands = ["status"] * users
    else:
        tappers = set(rng.sample(range(users), round(users * pause_share)))
        commands = ["pause" if index in tappers else "status" for index in range(users)]
    return sorted((Act(index, offsets[index], commands[index]) for index in range(users)),
                  key=lambda act: act.offset)


# --- the parts ---------------------------------------------------------------------------------

class RushTelegram(FakeTelegram):
    """The fake Telegram, noting when it first delivered an update for each chat to the
    webhook (each employee has one update in the window)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.delivered: dict[int, float] = {}

    async def _deliver(self, webhook: Any, update: Any) -> bool:
        self.delivered.setdefault(update.key, self._clock())
        return await super()._deliver(webhook, update)


def start_portal(users: int, rate: float, burst: int, days: str, workdir: Path,
                 extra: Sequence[str] = ()) -> common.Child:
    """`bench.portal_server` in its own process; `extra`: more of its options."""
    command = [sys.executable, "-m", "bench.portal_server", "--users", str(users),
               "--first-id", str(FIRST_BITRIX_ID), "--rate-limit", f"{rate:g}", "--rate-burst", str(burst),
               "--days", days, *extra]
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


async def start_proxy(targets: list[str], forwarded: Counter[int]) -> tuple[web.AppRunner, int]:
    """A round-robin reverse proxy for the webhook: the load balancer in front of replicas.
    `forwarded` counts the deliveries per replica."""
    session = ClientSession()
    turn = itertools.count()

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {key: value for key, value in request.headers.items()
                   if key.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        index = next(turn) % len(targets)
        forwarded[index] += 1
        async with session.post(targets[index], data=body, headers=headers) as answer:
            payload = await answer.read()
            kind = answer.headers.get("Content-Type")
            return web.Response(status=answer.status, body=payload, headers={"Content-Type": kind} if kind else None)

    async def close(app: web.Application) -> None:
        await session.close()

    app = web.Application()
    app.router.add_post("/tg", forward)
    app.on_cleanup.append(close)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port


STOPPING = "bot.stopping: stopping"  # what the bot logs on SIGTERM (bot/stopping.py)


def log_problems(bots: list[common.Child]) -> dict[str, dict[str, int]]:
    """ERROR/CRITICAL lines and tracebacks in the bots' logs (there should be none), while
    serving and once told to stop (the harness's SIGTERM, not part of the rush)."""
    problems: dict[str, Counter[str]] = {"serving": Counter(), "stopping": Counter()}
    for bot in bots:
        if bot.log_path is None or not bot.log_path.exists():
            continue
        phase = "serving"
        for line in bot.log_path.read_text(errors="replace").splitlines():
            if STOPPING in line:
                phase = "stopping"
            if "Traceback (most recent call last)" in line:
                problems[phase]["traceback"] += 1
            elif " ERROR " in line or " CRITICAL " in line:
                problems[phase]["error"] += 1
    return {phase: dict(counts) for phase, counts in problems.items() if counts}


def spawn_bot(index: int, env: dict[str, str], workdir: Path) -> common.Child:
    log_path = workdir / f"bot-{index}.log"
    process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=workdir, env=env,
                               stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
    return common.Child(process, f"bot-{index}", log_path)


async def wait_ready(tg: FakeTelegram, bots: list[common.Child], ports: list[int], timeout: float = 90.0) -> None:
    """Until the webhook is set and every replica answers /healthz."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as http:
        for bot, port in zip(bots, ports, strict=True):
            while True:
                if bot.process.poll() is not None:
                    raise RuntimeError(f"{bot.name} exited with {bot.process.returncode}:\n{bot.log_tail()}")
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{bot.name} did not start in {timeout} s:\n{bot.log_tail()}")
                await asyncio.sleep(0.2)
    await tg.wait_for(lambda: tg.webhook_info.get("url"), timeout=max(1.0, deadline - time.monotonic()))


async def link_users(redis: Redis, acts: list[Act]) -> None:
    links = LinkRepository(redis, KeySpace())
    now = datetime.now(UTC)
    for act in acts:
        await links.link(act.telegram_id, act.bitrix_id, name=f"Employee {act.bitrix_id}", at=now, by_admin=True)
    assert await links.count() == len(acts)


async def show_cards(tg: FakeTelegram, redis: Redis, state: dict[str, Any], acts: list[Act],
                     *, warm_cache: bool) -> dict[int, tuple[int, str]]:
    """Put in each chat the day card the bot would have shown (its own renderer, sent as
    the bot), and, with `warm_cache`, remember that day as the bot does after showing
    it. Returns each chat's (card message id, the Pause button's callback data)."""
    statuses = {user["id"]: user["status"] for user in state["users"]}
    cache = DayCache(redis, KeySpace())
    t = Translator("en")
    now = datetime.now(UTC)
    bot = tg.create_bot()
    cards: dict[int, tuple[int, str]] = {}
    try:
        for act in acts:
            day = Workday.from_api(statuses[act.bitrix_id])
            text, markup = report_message(DayReport(Action.STATUS, day), now, ZoneInfo("UTC"), t)
            message = await bot.send_message(act.telegram_id, text, reply_markup=markup, parse_mode="HTML")
            pause = [button.callback_data for row in (markup.inline_keyboard if markup else []) for button in row
                     if button.callback_data and DayAction.unpack(button.callback_data).action == "pause"]
            if not pause:
                raise RuntimeError(f"the card of employee {act.bitrix_id} has no Pause button: {text!r}")
            cards[act.telegram_id] = (message.message_id, pause[0])
            if warm_cache:
                await cache.put(act.bitrix_id, day)
    finally:
        await bot.session.close()
    return cards


async def seed_live_cards(redis: Redis, state: dict[str, Any], args: argparse.Namespace) -> None:
    """--live-sweep: `--sweep-users` more employees (after the rush's own, on the portal,
    never acting), linked, each with a live day card shown an hour ago and the day the
    bot last saw equal to the portal's, as in a steady state: the sweep reads all their
    days, 50 a request, and finds nothing to edit."""
    statuses = {user["id"]: user["status"] for user in state["users"]}
    keys = KeySpace()
    links, cards, cache = LinkRepository(redis, keys), LiveCardRepository(redis, keys), DayCache(redis, keys)
    now = datetime.now(UTC)
    shown = now - timedelta(hours=1)

    async def seed(index: int) -> None:
        telegram_id, bitrix_id = FIRST_TELEGRAM_ID + index, FIRST_BITRIX_ID + index
        await links.link(telegram_id, bitrix_id, name=f"Employee {bitrix_id}", at=now, by_admin=True)
        await cards.replace(telegram_id, 10, at=shown)
        await cache.put(bitrix_id, Workday.from_api(statuses[bitrix_id]))

    first = args.users
    for offset in range(first, first + args.sweep_users, 250):
        await asyncio.gather(*(seed(index) for index in range(offset, min(offset + 250, first + args.sweep_users))))
    assert len(await cards.live(now)) == args.sweep_users


async def sweep_started(http: httpx.AsyncClient, portal: common.Child, timeout: float = 90.0) -> None:
    """Until the portal answered the live-card sweep's first `timeman.status` batch (the
    job runs on the bot's first tick, then every 60 s; nothing else reads a status before
    the window)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (await portal_json(http, portal, "/_bench/batches"))["by_method"].get("timeman.status"):
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"the live-card sweep sent no batch within {timeout:g} s of the bot's start")


# --- one variant ---------------------------------------------------------------------------------

@dataclass
class VariantRun:
    variant: str
    acts: list[Act]
    recorded: int
    expected_recorded: int
    told_not_recorded: int
    recorded_but_failed: dict[str, int]  # catalog key -> count
    status_users_changed: int
    portal: dict[str, Any]
    batches: dict[str, Any]
    telegram: dict[str, Any]
    extra_messages: int
    window_s: float
    workdir: str
    updates_per_replica: list[int]
    harness: dict[str, Any]
    log_problems: dict[str, dict[str, int]] = field(default_factory=dict)


def counter_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: value - before.get(key, 0) for key, value in after.items() if value - before.get(key, 0)}


def by_method_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`GET /_bench/batches`' per-method batches, commands and sizes answered in between."""
    found = {}
    for method, entry in after.items():
        old = before.get(method, {"batches": 0, "commands": 0, "sizes": {}})
        if entry["batches"] - old["batches"]:
            found[method] = {"batches": entry["batches"] - old["batches"],
                             "commands": entry["commands"] - old["commands"],
                             "sizes": counter_delta(old["sizes"], entry["sizes"])}
    return found


async def run_variant(variant: str, args: argparse.Namespace) -> VariantRun:
    workdir = Path(tempfile.mkdtemp(prefix=f"rush-{variant}-"))
    acts = plan(args.users, args.window, args.mix, args.pause_share, args.seed)
    redis_server: RedisServer = start_redis_server(workdir / "redis")
    redis = Redis.from_url(redis_server.url)
    portal: common.Child | None = None
    tg = RushTelegram(token=TOKEN, bot_username="rush_bot")
    bots: list[common.Child] = []
    proxy: web.AppRunner | None = None
    forwarded: Counter[int] = Counter()
    http = httpx.AsyncClient()
    run: VariantRun | None = None
    try:
        portal = start_portal(args.users + args.sweep_users, args.rate, args.burst,
                              "none" if args.mix == "open" else "opened", workdir)
        await tg.start()
        for act in acts:
            tg.user(act.telegram_id, f"E{act.index}", language_code="en")
        await link_users(redis, acts)
        if args.sweep_users:
            await seed_live_cards(redis, await portal_json(http, portal, "/_emulator/state"), args)
        cards: dict[int, tuple[int, str]] = {}
        if args.mix == "lunch":
            cards = await show_cards(tg, redis, await portal_json(http, portal, "/_emulator/state"), acts,
                                     warm_cache=not args.cold_cache)
        tg.set_rate_limits(global_per_second=30, per_chat_per_second=1)

        ports = [free_port() for _ in range(args.processes)]
        if args.processes > 1:
            proxy, proxy_port = await start_proxy([f"http://127.0.0.1:{port}/tg" for port in ports], forwarded)
            webhook_url = f"http://127.0.0.1:{proxy_port}/tg"
        else:
            webhook_url = f"http://127.0.0.1:{ports[0]}/tg"
        env = common.child_env(
            TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=tg.base_url,
            BITRIX24_WEBHOOK_URL=portal.info["webhook_url"],
            BITRIX24_RATE_LIMIT=f"{args.rate:g}", BITRIX24_RATE_BURST=str(args.burst),
            BITRIX24_COALESCE="false" if variant == "false" else "true",
            REDIS_URL=redis_server.url, BOT_MODE="webhook", BOT_SEND_RATE=f"{args.send_rate:g}",
            BOT_DEFAULT_TIMEZONE="UTC", BOT_LOG_LEVEL=args.bot_log_level,
            WEBHOOK_URL=webhook_url, WEBHOOK_SECRET=WEBHOOK_SECRET, WEBHOOK_HOST="127.0.0.1",
        )
        if variant in ("nosweep", "sweep"):
            env["BITRIX24_BACKGROUND_SHARE"] = "0" if variant == "nosweep" else f"{args.share:g}"
        for index, port in enumerate(ports):
            bots.append(spawn_bot(index, dict(env, WEBHOOK_PORT=str(port)), workdir))
        await wait_ready(tg, bots, ports)
        if variant == "sweep":
            await sweep_started(http, portal)
        await asyncio.sleep(args.settle)  # start-up calls (users.current, settings, setMyCommands) finish
        print(f"  {VARIANTS[variant]}: {len(bots)} bot process(es) up; {len(acts)} {args.mix} actions "
              f"within {args.window:g} s ...", flush=True)

        requests_before = await portal_json(http, portal, "/_emulator/requests")
        batches_before = await portal_json(http, portal, "/_bench/batches")
        calls_before = len(tg.calls)
        cursor = tg.last_event_seq
        tg.delivered.clear()
        forwarded.clear()
        deliveries_before = tg.stats.webhook_deliveries
        # A collection of this process's heap would stall the fake's clock and bunch
        # deliveries; the window is short, so leave it out.
        gc.collect()
        gc.freeze()
        gc.disable()
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.5
        by_chat = {act.telegram_id: act for act in acts}
        extra = 0
        lags: list[float] = []
        cpu_before = time.process_time()

        async def heartbeat() -> None:
            """How late this process's loop (the fake Telegram's and the users' clock) runs."""
            while True:
                before = loop.time()
                await asyncio.sleep(0.01)
                lags.append(loop.time() - before - 0.01)

        beat = asyncio.create_task(heartbeat())

        def collect() -> int:
            """Match replies to updates; returns how many updates still have none."""
            nonlocal cursor, extra
            for event in tg.events(cursor):
                cursor = event.seq
                if event.type not in ("message_sent", "message_edited"):
                    continue
                act = by_chat.get(event.chat_id or 0)
                if act is None or act.queued_at is None or act.reply_at is not None:
                    extra += act is not None
                    continue
                act.reply_at = event.at
                act.reply_text = event.data["message"].get("text") or ""
                act.kind = classify(act.reply_text)
            return sum(1 for act in acts if act.reply_at is None)

        for act in acts:
            await asyncio.sleep(max(0.0, start + act.offset - loop.time()))
            if act.command == "pause":
                message_id, data = cards[act.telegram_id]
                tg.click(act.telegram_id, message_id, data)
            else:
                tg.send_text(act.telegram_id, f"/{act.command}")
            act.queued_at = tg.events(tg.last_event_seq - 1)[0].at
            collect()
        window_s = loop.time() - start
        deadline = loop.time() + args.tail
        while collect() and loop.time() < deadline:
            await asyncio.sleep(0.25)
        await asyncio.sleep(2.0)  # a second reply to anyone would show up now
        collect()
        gc.enable()
        beat.cancel()
        harness = {"cpu_s": round(time.process_time() - cpu_before, 1),
                   "loop_lag_max_ms": round(max(lags, default=0.0) * 1000),
                   "loop_lags_over_100ms": sum(1 for lag in lags if lag > 0.1)}
        for act in acts:
            act.delivered_at = tg.delivered.get(act.telegram_id)

        requests_after = await portal_json(http, portal, "/_emulator/requests")
        batches_after = await portal_json(http, portal, "/_bench/batches")
        state = await portal_json(http, portal, "/_emulator/state")
        statuses = {user["id"]: user["status"]["STATUS"] for user in state["users"]}
        wanted = {"open": "OPENED", "pause": "PAUSED"}
        recorded = sum(1 for act in acts if act.command in wanted and statuses.get(act.bitrix_id) == wanted[act.command])
        told_not_recorded = sum(1 for act in acts if act.command in wanted and act.kind == "told"
                                and statuses.get(act.bitrix_id) != wanted[act.command])
        recorded_but_failed = Counter(act.kind.split(":", 1)[1] for act in acts
                                      if act.command in wanted and act.kind.startswith("failed:")
                                      and statuses.get(act.bitrix_id) == wanted[act.command])
        status_users_changed = sum(1 for act in acts if act.command == "status"
                                   and statuses.get(act.bitrix_id) != ("OPENED" if args.mix != "open" else None))
        new_calls = tg.calls[calls_before:]
        telegram = {
            "calls": dict(Counter(call.method for call in new_calls)),
            "429": sum(1 for call in new_calls if call.status == 429),
            "errors": dict(Counter(f"{call.method} {call.status}" for call in new_calls if call.status != 200)),
        }
        sizes_before = {int(k): v for k, v in batches_before["sizes"].items()}
        sizes = {int(k): v - sizes_before.get(int(k), 0) for k, v in batches_after["sizes"].items()
                 if v - sizes_before.get(int(k), 0)}
        run = VariantRun(
            variant=variant,
            acts=acts,
            recorded=recorded,
            expected_recorded=sum(1 for act in acts if act.command in wanted),
            told_not_recorded=told_not_recorded,
            recorded_but_failed=dict(recorded_but_failed),
            status_users_changed=status_users_changed,
            portal={
                "requests": requests_after["total"] - requests_before["total"],
                "by_method": counter_delta(requests_before["counts"], requests_after["counts"]),
                "inner_commands": counter_delta(requests_before["inner_counts"], requests_after["inner_counts"]),
                "errors": counter_delta(requests_before["errors"], requests_after["errors"]),
            },
            batches={
                "sizes": dict(sorted(sizes.items())),
                "refused": counter_delta(batches_before["refused"], batches_after["refused"]),
                "by_method": by_method_delta(batches_before["by_method"], batches_after["by_method"]),
                "inner_errors": counter_delta(batches_before["inner_errors"], batches_after["inner_errors"]),
            },
            telegram=telegram,
            extra_messages=extra,
            window_s=window_s,
            workdir=str(workdir),
            harness=harness,
            updates_per_replica=([forwarded[index] for index in range(len(bots))] if proxy
                                 else [tg.stats.webhook_deliveries - deliveries_before]),
        )
    finally:
        gc.enable()
        codes = [bot.stop() for bot in bots]
        for bot, code in zip(bots, codes, strict=True):
            if code not in (0, None, -15):
                print(f"  {bot.name} exited with {code}; log tail:\n{bot.log_tail()}")
        if proxy is not None:
            await proxy.cleanup()
        await tg.stop()
        if portal is not None:
            portal.stop()
        await http.aclose()
        await redis.aclose()
        redis_server.stop()
    assert run is not None
    run.log_problems = log_problems(bots)  # after the bots stopped: their logs are complete
    return run


# --- figures, targets, report ----------------------------------------------------------------------

def figures(run: VariantRun) -> dict[str, Any]:
    acts = run.acts
    replied = [act for act in acts if act.reply_at is not None]
    latency = [act.reply_at - act.delivered_at for act in replied if act.delivered_at is not None]  # type: ignore[operator]
    wait = [act.reply_at - act.queued_at for act in replied if act.queued_at is not None]  # type: ignore[operator]
    kinds = Counter(act.kind for act in acts)
    failed = {kind.split(":", 1)[1]: n for kind, n in kinds.items() if kind.startswith("failed:")}
    sizes = {int(k): v for k, v in run.batches["sizes"].items()}
    batches = run.portal["by_method"].get("batch", 0)
    commands_in_batches = sum(size * n for size, n in sizes.items())
    return {
        "variant": run.variant,
        "users": len(acts),
        "commands": dict(Counter(act.command for act in acts)),
        "window_s": round(run.window_s, 2),
        "recorded": run.recorded,
        "expected_recorded": run.expected_recorded,
        "replies": len(replied),
        "told": kinds.get("told", 0),
        "failed": sum(failed.values()),
        "failed_by_text": failed,
        "throttled": kinds.get("throttled", 0),
        "no_reply": len(acts) - len(replied),
        "told_but_not_recorded": run.told_not_recorded,
        "recorded_but_told_failed": run.recorded_but_failed,
        "status_users_changed": run.status_users_changed,
        "extra_messages": run.extra_messages,
        "updates_per_replica": run.updates_per_replica,
        "bot_log_problems": run.log_problems,
        "harness": run.harness,
        "latency_s": {"p50": common.percentile(latency, 50), "p99": common.percentile(latency, 99),
                      "max": max(latency, default=float("nan")), "n": len(latency)},
        "user_wait_s": {"p50": common.percentile(wait, 50), "p99": common.percentile(wait, 99),
                        "max": max(wait, default=float("nan"))},
        "portal_requests": run.portal["requests"],
        "portal_by_method": run.portal["by_method"],
        "portal_inner_commands": run.portal["inner_commands"],
        "portal_errors": run.portal["errors"],
        "query_limit_exceeded": run.portal["errors"].get("QUERY_LIMIT_EXCEEDED", 0),
        "batches": batches,
        "batch_sizes": sizes,
        "batches_refused": run.batches["refused"],
        "batches_by_method": run.batches.get("by_method", {}),
        # The open and lunch mixes read no status in batches of their own but /status's
        # coalesced ones: pure timeman.status batches of 50 are the sweep's.
        "sweep_batches": sum(n for size, n in run.batches.get("by_method", {}).get("timeman.status", {})
                             .get("sizes", {}).items() if int(size) == 50),
        "batch_inner_errors": run.batches["inner_errors"],
        "commands_per_batch": round(commands_in_batches / sum(sizes.values()), 1) if sizes else None,
        "max_commands_per_batch": max(sizes, default=None),
        "telegram_429": run.telegram["429"],
        "telegram_calls": run.telegram["calls"],
        "telegram_errors": run.telegram["errors"],
        "sample_failed_reply": next((act.reply_text for act in acts if act.kind.startswith("failed:")), None),
        "sample_told_reply": next((act.reply_text for act in acts if act.kind == "told"), None),
        "workdir": run.workdir,
    }


def targets(result: dict[str, Any], args: argparse.Namespace) -> list[tuple[str, bool]]:
    """The issue's targets for this load (see the module docstring); the idle check instead
    with --idle."""
    if args.idle:
        return [
            ("a lone /status costs exactly 1 portal request",
             result["portal_requests"] == 1 and result["portal_by_method"] == {"timeman.status": 1}),
            ("it was told", result["told"] == result["users"]),
        ]
    per_second = args.users / args.window if args.window else float("inf")
    bound = 3.0 if per_second <= 10 else 5.0
    checks = [
        (f"all {result['expected_recorded']} recorded in Bitrix24", result["recorded"] == result["expected_recorded"]),
        (f"all {result['users']} told", result["told"] == result["users"]),
        ("0 failed replies", result["failed"] == 0),
        (f"p99 latency <= {bound:g} s", result["no_reply"] == 0 and result["latency_s"]["p99"] <= bound),
    ]
    if per_second <= 10:
        checks.append(("0 QUERY_LIMIT_EXCEEDED", result["query_limit_exceeded"] == 0))
    return checks


def invariants(result: dict[str, Any]) -> list[tuple[str, bool]]:
    """What must hold in every variant, the baseline included."""
    return [
        ("every user got a reply", result["no_reply"] == 0),
        ("nobody told success for an action Bitrix24 does not show", result["told_but_not_recorded"] == 0),
        ("nobody told NOT recorded for an action Bitrix24 shows",
         not NOT_RECORDED_KEYS & set(result["recorded_but_told_failed"])),
        ("/status changed nobody's day", result["status_users_changed"] == 0),
        ("no second reply to anyone", result["extra_messages"] == 0),
        ("no ERROR line or traceback in the bots' logs while serving",
         not result["bot_log_problems"].get("serving")),
    ]


def render(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    mix = "idle: one /status" if args.idle else {
        "open": "everyone sends /open on a portal where nobody has started",
        "lunch": f"{args.pause_share:.0%} tap Pause on their day card, the rest send /status"
                 + (" (day cache cold)" if args.cold_cache else ""),
    }[args.mix]
    lines = [
        f"Morning rush: {args.users} linked employees, one action each within {args.window:g} s (seed {args.seed});",
        f"  {mix};",
        f"  {args.processes} bot process(es), webhook mode; emulator and bot at burst {args.burst}, "
        f"{args.rate:g}/s; fake Telegram 30 msg/s overall, 1/s per chat",
        "",
    ]

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return "-" if value != value else f"{value:.2f}"
        return "-" if value is None else str(value)

    rows: list[tuple[str, Any]] = [
        ("recorded in Bitrix24", lambda r: f"{r['recorded']} / {r['expected_recorded']}"),
        ("replies", lambda r: r["replies"]),
        ("  told (a day card)", lambda r: r["told"]),
        ("  failed (NOT recorded / unknown ...)", lambda r: r["failed"]),
        ("  throttled", lambda r: r["throttled"]),
        ("no reply", lambda r: r["no_reply"]),
        ("told but not recorded (must be 0)", lambda r: r["told_but_not_recorded"]),
        ("recorded but told it failed", lambda r: sum(r["recorded_but_told_failed"].values())),
        ("latency p50, s (delivered->reply)", lambda r: r["latency_s"]["p50"]),
        ("latency p99, s", lambda r: r["latency_s"]["p99"]),
        ("latency max, s", lambda r: r["latency_s"]["max"]),
        ("user wait p99, s (queued->reply)", lambda r: r["user_wait_s"]["p99"]),
        ("portal requests", lambda r: r["portal_requests"]),
        ("batches", lambda r: r["batches"]),
        ("commands per batch (mean / max)", lambda r: f"{cell(r['commands_per_batch'])} / "
                                                      f"{cell(r['max_commands_per_batch'])}"),
        *([("  timeman.status batches of 50 (sweep)", lambda r: r["sweep_batches"])] if args.sweep_users else []),
        ("QUERY_LIMIT_EXCEEDED", lambda r: r["query_limit_exceeded"]),
        ("Telegram 429s", lambda r: r["telegram_429"]),
        ("extra messages", lambda r: r["extra_messages"]),
    ]
    lines.append(f"  {'':<38}" + "".join(f"{COLUMNS[r['variant']]:>18}" for r in results))
    for label, get in rows:
        lines.append(f"  {label:<38}" + "".join(f"{cell(get(r)):>18}" for r in results))
    for r in results:
        lines += ["", f"  {VARIANTS[r['variant']]}:",
                  f"    portal requests by method: {r['portal_by_method']}; inner commands: {r['portal_inner_commands']}",
                  f"    portal errors: {r['portal_errors'] or 'none'}; batch sizes: {r['batch_sizes'] or 'none'}"
                  + (f"; inner errors: {r['batch_inner_errors']}" if r["batch_inner_errors"] else ""),
                  f"    failed replies by text: {r['failed_by_text'] or 'none'}; of them recorded after all: "
                  f"{r['recorded_but_told_failed'] or 'none'}",
                  f"    Telegram calls: {r['telegram_calls']}; errors: {r['telegram_errors'] or 'none'}",
                  f"    updates per bot process: {r['updates_per_replica']}; bot log problems: "
                  f"{r['bot_log_problems'] or 'none'}; logs in {r['workdir']}",
                  f"    harness (fake Telegram + users): {r['harness']['cpu_s']} CPU s, loop lag max "
                  f"{r['harness']['loop_lag_max_ms']} ms, {r['harness']['loop_lags_over_100ms']} lags over 100 ms"]
        if r["sample_failed_reply"]:
            lines.append(f"    a failed reply: {r['sample_failed_reply'].splitlines()[0]!r}")
        for name, ok in r["checks"]:
            lines.append(f"    {'PASS' if ok else 'FAIL'} {name}")
    return "\n".join(lines)


async def amain(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for variant in args.variants:
        run = await run_variant(variant, args)
        result = figures(run)
        result["checks"] = targets(result, args) + invariants(result)
        results.append(result)
    return results


def sweep_comparison(results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """--live-sweep with both variants: the two p99s and their ratio."""
    p99 = {r["variant"]: r["latency_s"]["p99"] for r in results if r["variant"] in ("nosweep", "sweep")}
    if len(p99) < 2:
        return None
    return {**p99, "ratio": p99["sweep"] / p99["nosweep"] if p99["nosweep"] else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=600)
    parser.add_argument("--window", type=float, default=60.0, help="seconds within which everyone acts")
    parser.add_argument("--mix", choices=("open", "lunch"), default="open")
    parser.add_argument("--pause-share", type=float, default=0.7, help="lunch: share that taps Pause")
    parser.add_argument("--cold-cache", action="store_true", help="lunch: the bot has not seen the days")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--variant", choices=("false", "true", "both", "nosweep", "sweep"), default="both",
                        help="BITRIX24_COALESCE for the bot; both: the baseline, then coalescing "
                             "(with --live-sweep: nosweep, then sweep)")
    parser.add_argument("--live-sweep", action="store_true",
                        help="compare the rush with the live-card sweep off (BITRIX24_BACKGROUND_SHARE=0) "
                             "and on (--share), over --sweep-users more linked users with live cards")
    parser.add_argument("--sweep-users", type=int, default=5000,
                        help="--live-sweep: linked users with a live card who do not act")
    parser.add_argument("--share", type=float, default=0.25, help="--live-sweep: BITRIX24_BACKGROUND_SHARE when on")
    parser.add_argument("--rate", type=float, default=2.0, help="Bitrix24 requests/s (emulator and bot)")
    parser.add_argument("--burst", type=int, default=50, help="Bitrix24 burst (emulator and bot)")
    parser.add_argument("--send-rate", type=float, default=28.0, help="BOT_SEND_RATE (the paced reminder sender)")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--tail", type=float, default=60.0, help="seconds to wait for replies after the window")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds between start-up and the window")
    parser.add_argument("--bot-log-level", default="INFO")
    parser.add_argument("--idle", action="store_true", help="only the idle check: one /status on an idle bot")
    parser.add_argument("--out", default=None,
                        help="results file: bench/results/<out>.json (default rush, or rush_live_sweep)")
    args = parser.parse_args()
    if args.idle:
        args.users, args.window, args.mix = 1, 0.0, "idle"
    if args.live_sweep:
        if args.variant in ("false", "true"):
            parser.error("--live-sweep runs the variants nosweep and sweep (both: nosweep, then sweep)")
        args.variants = ["nosweep", "sweep"] if args.variant == "both" else [args.variant]
    else:
        if args.variant in ("nosweep", "sweep"):
            parser.error(f"--variant {args.variant} needs --live-sweep")
        args.variants = ["false", "true"] if args.variant == "both" else [args.variant]
        args.sweep_users = 0
    args.out = args.out or ("rush_live_sweep" if args.live_sweep else "rush")
    results = asyncio.run(amain(args))
    report = render(results, args)
    deciding = next((r for r in results if r["variant"] in ("true", "sweep")), results[-1])
    sound = all(ok for r in results for _, ok in invariants(r))
    passed = sound and all(ok for _, ok in deciding["checks"])
    comparison = sweep_comparison(results)
    if comparison is not None:
        ok = comparison["ratio"] is not None and comparison["ratio"] <= SWEEP_TARGET
        report += (f"\n\n  interactive p99 with the sweep {comparison['sweep']:.2f} s vs without "
                   f"{comparison['nosweep']:.2f} s: {comparison['ratio']:.3f}x\n"
                   f"    {'PASS' if ok else 'FAIL'} p99 with the sweep <= {SWEEP_TARGET:.2f} x without")
        passed = passed and ok
    data = {"config": {key: value for key, value in vars(args).items()}, "results": results,
            "sweep_comparison": comparison, "machine": common.machine()}
    return common.conclude(args.out, data, report, passed=passed,
                           verdict=f" (targets of {VARIANTS[deciding['variant']]}; checks of every variant)")


if __name__ == "__main__":
    raise SystemExit(main())
