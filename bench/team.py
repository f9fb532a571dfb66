"""/team for a department of N linked people (issue 14): Bitrix24 requests and latency.

What it measures
----------------
A department of `--members` employees (default 500), all linked, headed by the first of
them, on the portal emulator in its own process (`bench.portal_server --department`) at
the standard plan's limits (burst 50, 2 requests/s); `--closed-share` of them opened and
closed a day earlier today, the others alternate between a day still open and none, so
the reply has three states to count. The head sends /team to a real `python -m bot`
(webhook mode, coalescing on, the production Bitrix24 stack: `create_bitrix24` over a
`SharedLeakyBucket` in a private redis-server, as bot/runner.py builds it) through the
fake Telegram server.

1. Requests for one /team, from the emulator's counters (and `GET /_bench/batches` per
   inner method): the first (cold: nothing cached, so the structure is read as well,
   `department.get` and `user.get`), then the warm ones. Target for the warm ones:
   ceil(N / 50) `batch` requests of `timeman.status` and nothing else; the cold one
   adds the structure's read, which later calls do not repeat. A second /team 2 s after
   the cold one shows that read again (bot/services/team.py REFRESH_COOLDOWN, 15 s):
   target 0 requests.
2. Latency, from the fake Telegram delivering the /team update to the bot's webhook to the
   bot's reply (sendMessage): the cold one, then p50 / max over `--repeats` warm ones,
   each `--gap` s after the head's /status and 2 x `--gap` s after the last /team, so the
   bucket refills between them (the next /team finds the burst it would find on a quiet
   portal) and the cool-down is over. Baseline in the same run: those /status (one
   `timeman.status` each).
3. The reply: the header names the department and its N people and says page 1 of n;
   walking the pages with ▶ right after the last warm /team lists every member exactly
   once, and the counts by state equal the portal's (working = an opened day, finished =
   a day closed today, not started = no day). The taps reuse the read (under a minute
   old: RECENT): target 0 requests each.
Also: QUERY_LIMIT_EXCEEDED (target 0), no ERROR or traceback in the bot's log.

    python -m bench.team                     # ~2.5 min
    python -m bench.team --members 120 --repeats 2 --gap 8   # smoke, ~1 min
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    from bench import _common as common
    from bench import rush
except ImportError:  # run as a file: python bench/team.py
    import _common as common  # type: ignore[no-redef]
    import rush  # type: ignore[no-redef]

import httpx
from redis.asyncio import Redis

from bot.storage.keys import KeySpace
from bot.storage.links import LinkRepository
from workday_sandbox.redis_server import RedisServer, free_port, start_redis_server
from workday_sandbox.telegram.server import FakeTelegram

TOKEN = "700400:TEAM-bench-token"
DEPARTMENT_NAME = "Engineering"
BATCH = 50
PAGE_GAP = 1.5  # seconds between ▶ taps: Telegram's 1 message/s per chat, well inside RECENT
STATE_LABELS = {"Working": "working", "On a break": "on_break", "Finished": "finished",
                "Not started": "not_started", "Left open from an earlier day": "left_open",
                "No answer from Bitrix24": "unknown"}


class TeamTelegram(FakeTelegram):
    """The fake Telegram, noting when it first delivered each update to the webhook."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.delivered: dict[int, float] = {}
        self.last_update_id = 0

    def _enqueue(self, kind: str, payload: dict[str, Any], key: int) -> int:
        self.last_update_id = super()._enqueue(kind, payload, key)
        return self.last_update_id

    async def _deliver(self, webhook: Any, update: Any) -> bool:
        self.delivered.setdefault(update.update_id, self._clock())
        return await super()._deliver(webhook, update)


@dataclass
class Exchange:
    """One update from the head and the bot's answer to it."""

    label: str
    latency_s: float
    requests: int
    by_method: dict[str, int]
    inner: dict[str, int]
    batches: dict[str, dict[str, Any]]  # per inner method: batches, commands, sizes
    errors: dict[str, int]
    text: str
    message_id: int
    buttons: list[tuple[str, str]]

    def summary(self) -> dict[str, Any]:
        return {"label": self.label, "latency_s": round(self.latency_s, 3), "requests": self.requests,
                "by_method": self.by_method, "inner_commands": self.inner, "batches": self.batches,
                "errors": self.errors, "first_line": self.text.splitlines()[0] if self.text else ""}


def counter_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: value - before.get(key, 0) for key, value in after.items() if value - before.get(key, 0)}


def batches_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for method, entry in after["by_method"].items():
        old = before["by_method"].get(method, {"batches": 0, "commands": 0, "sizes": {}})
        if entry["batches"] - old["batches"]:
            found[method] = {"batches": entry["batches"] - old["batches"],
                             "commands": entry["commands"] - old["commands"],
                             "sizes": {int(k): v for k, v in counter_delta(old["sizes"], entry["sizes"]).items()}}
    return found


class Head:
    """The department head's chat: sends an update, waits for the bot's answer, and
    counts what the portal answered meanwhile."""

    def __init__(self, tg: TeamTelegram, portal: common.Child, http: httpx.AsyncClient, telegram_id: int) -> None:
        self.tg = tg
        self.portal = portal
        self.http = http
        self.telegram_id = telegram_id

    async def exchange(self, label: str, send: Callable[[], int], *, timeout: float = 180.0) -> Exchange:
        requests_before = await rush.portal_json(self.http, self.portal, "/_emulator/requests")
        batches_before = await rush.portal_json(self.http, self.portal, "/_bench/batches")
        cursor = self.tg.last_event_seq
        update_id = send()
        deadline = time.monotonic() + timeout
        answer = None
        while answer is None:
            for event in self.tg.events(cursor):
                cursor = event.seq
                if event.chat_id == self.telegram_id and event.type in ("message_sent", "message_edited"):
                    answer = event
                    break
            else:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{label}: no answer in {timeout} s")
                await asyncio.sleep(0.02)
        requests_after = await rush.portal_json(self.http, self.portal, "/_emulator/requests")
        batches_after = await rush.portal_json(self.http, self.portal, "/_bench/batches")
        message = answer.data["message"]
        stored = self.tg.message(self.telegram_id, message["message_id"])
        buttons = [(b.text, b.callback_data or "") for row in (stored.inline_keyboard if stored else []) for b in row]
        return Exchange(
            label=label,
            latency_s=answer.at - self.tg.delivered[update_id],
            requests=requests_after["total"] - requests_before["total"],
            by_method=counter_delta(requests_before["counts"], requests_after["counts"]),
            inner=counter_delta(requests_before["inner_counts"], requests_after["inner_counts"]),
            batches=batches_delta(batches_before, batches_after),
            errors=counter_delta(requests_before["errors"], requests_after["errors"]),
            text=message.get("text") or "",
            message_id=message["message_id"],
            buttons=buttons,
        )

    def command(self, text: str) -> Callable[[], int]:
        def send() -> int:
            self.tg.send_text(self.telegram_id, text)
            return self.tg.last_update_id
        return send

    def tap(self, message_id: int, data: str) -> Callable[[], int]:
        def click() -> int:
            self.tg.click(self.telegram_id, message_id, data)
            return self.tg.last_update_id
        return click


# --- what the reply says -------------------------------------------------------------------------

HEADER = re.compile(r"^👥 (?P<name>.+?) · (?P<count>\d+) people(?: \(page (?P<page>\d+) of (?P<pages>\d+)\))?$")
STATE = re.compile(r"^\S+ (?P<label>[A-Za-z ]+?): (?P<count>\d+)$")
LINE = re.compile(r"^• (?P<name>.+?)(?::.*)?$")


def read_page(text: str) -> dict[str, Any]:
    lines = text.splitlines()
    header = HEADER.match(lines[0]) if lines else None
    states: dict[str, int] = {}
    names: list[str] = []
    for line in lines[1:]:
        if (state := STATE.match(line)) and state["label"] in STATE_LABELS:
            states[STATE_LABELS[state["label"]]] = int(state["count"])
        elif entry := LINE.match(line):
            names.append(entry["name"])
    return {"name": header["name"] if header else None, "count": int(header["count"]) if header else None,
            "page": int(header["page"] or 1) if header else None, "pages": int(header["pages"] or 1) if header else None,
            "states": states, "names": names}


def expected_states(state: dict[str, Any], members: list[int]) -> tuple[dict[str, int], dict[int, str]]:
    """Each member's state as the portal shows it (the bench portal has no breaks and no
    earlier days), and their name as user.get gives it."""
    users = {user["id"]: user for user in state["users"]}
    counts: Counter[str] = Counter()
    names = {}
    for bitrix_id in members:
        status = users[bitrix_id]["status"]
        if status.get("STATUS") == "OPENED":
            counts["working"] += 1
        elif status.get("STATUS") == "CLOSED" and status.get("TIME_START"):
            counts["finished"] += 1
        else:
            counts["not_started"] += 1
        names[bitrix_id] = f"Employee {bitrix_id}"
    return dict(counts), names


# --- the run -------------------------------------------------------------------------------------

async def link_members(redis: Redis, members: list[int]) -> dict[int, int]:
    """Link each member to a Telegram id; returns Bitrix24 id -> Telegram id."""
    links = LinkRepository(redis, KeySpace())
    now = datetime.now(UTC)
    chats = {bitrix_id: rush.FIRST_TELEGRAM_ID + bitrix_id - rush.FIRST_BITRIX_ID for bitrix_id in members}
    for offset in range(0, len(members), 250):
        await asyncio.gather(*(links.link(chats[b], b, name=f"Employee {b}", at=now, by_admin=True)
                               for b in members[offset:offset + 250]))
    assert await links.count() == len(members)
    return chats


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="team-"))
    redis_server: RedisServer = start_redis_server(workdir / "redis")
    redis = Redis.from_url(redis_server.url)
    tg = TeamTelegram(token=TOKEN, bot_username="team_bot")
    http = httpx.AsyncClient()
    portal: common.Child | None = None
    bot: common.Child | None = None
    try:
        portal = rush.start_portal(args.members, args.rate, args.burst, "closed", workdir,
                                   extra=["--closed-share", f"{args.closed_share:g}",
                                          "--department", str(args.members), "--department-name", DEPARTMENT_NAME])
        department = portal.info["department"]
        members = [rush.FIRST_BITRIX_ID + index for index in range(args.members)]
        await tg.start()
        chats = await link_members(redis, members)
        for bitrix_id, chat in chats.items():
            tg.user(chat, f"E{bitrix_id}", language_code="en")
        tg.set_rate_limits(global_per_second=30, per_chat_per_second=1)
        port = free_port()
        env = common.child_env(
            TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE=tg.base_url,
            BITRIX24_WEBHOOK_URL=portal.info["webhook_url"],
            BITRIX24_RATE_LIMIT=f"{args.rate:g}", BITRIX24_RATE_BURST=str(args.burst), BITRIX24_COALESCE="true",
            REDIS_URL=redis_server.url, BOT_MODE="webhook", BOT_DEFAULT_TIMEZONE="UTC", BOT_LOG_LEVEL="INFO",
            WEBHOOK_URL=f"http://127.0.0.1:{port}/tg", WEBHOOK_SECRET=rush.WEBHOOK_SECRET,
            WEBHOOK_HOST="127.0.0.1", WEBHOOK_PORT=str(port),
        )
        bot = rush.spawn_bot(0, env, workdir)
        await rush.wait_ready(tg, [bot], [port])
        await asyncio.sleep(args.gap)  # start-up calls done, the bucket drained again
        head = Head(tg, portal, http, chats[department["head"]])
        print(f"  bot up; {args.members} members, head {department['head']}; cold /team ...", flush=True)

        cold = await head.exchange("cold /team", head.command("/team"))
        await asyncio.sleep(2.0)
        again = await head.exchange("/team again, 2 s later", head.command("/team"))
        warm: list[Exchange] = []
        status: list[Exchange] = []
        for index in range(args.repeats):
            await asyncio.sleep(args.gap)
            status.append(await head.exchange(f"/status {index + 1}", head.command("/status")))
            await asyncio.sleep(args.gap)
            warm.append(await head.exchange(f"warm /team {index + 1}", head.command("/team")))
        print(f"  {args.repeats} warm /team and /status done; walking the pages ...", flush=True)

        pages = [warm[-1] if warm else cold]
        first = read_page(pages[0].text)
        total_pages = first["pages"] or 1
        while len(pages) < total_pages:
            forward = [data for label, data in pages[-1].buttons if label == "▶"]
            if not forward:
                break
            await asyncio.sleep(PAGE_GAP)
            pages.append(await head.exchange(f"page {len(pages) + 1}", head.tap(pages[-1].message_id, forward[0])))
        state = await rush.portal_json(http, portal, "/_emulator/state")
        requests_total = await rush.portal_json(http, portal, "/_emulator/requests")
    finally:
        if bot is not None:
            code = bot.stop()
            if code not in (0, None, -15):
                print(f"  bot exited with {code}; log tail:\n{bot.log_tail()}")
        await tg.stop()
        if portal is not None:
            portal.stop()
        await http.aclose()
        await redis.aclose()
        redis_server.stop()

    expected, names = expected_states(state, members)
    read = [read_page(page.text) for page in pages]
    listed = Counter(name for page in read for name in page["names"])
    states: dict[str, int] = {}
    for page in read:
        states.update({state: count for state, count in page["states"].items() if count})
    return {
        "members": args.members, "department": department, "workdir": str(workdir),
        "target_batches": math.ceil(args.members / BATCH),
        "cold": cold.summary(), "again": again.summary(), "warm": [e.summary() for e in warm], "status": [e.summary() for e in status],
        "pages": [e.summary() for e in pages[1:]],
        "reply": {"first_page": first, "pages_walked": len(pages), "states": states, "expected_states": expected,
                  "listed": sum(listed.values()), "listed_once": sum(1 for n in listed.values() if n == 1),
                  "expected_names_listed": sum(1 for name in names.values() if listed.get(name) == 1),
                  "sample_page": pages[0].text.splitlines()[:8]},
        "query_limit_exceeded": requests_total["errors"].get("QUERY_LIMIT_EXCEEDED", 0),
        "bot_log_problems": rush.log_problems([bot]) if bot is not None else {},
    }


# --- report ---------------------------------------------------------------------------------------

def latency(exchanges: list[dict[str, Any]]) -> dict[str, float]:
    values = [e["latency_s"] for e in exchanges]
    return {"p50": common.percentile(values, 50), "max": max(values, default=float("nan")), "n": len(values)}


def status_batches(exchange: dict[str, Any]) -> dict[str, Any]:
    return exchange["batches"].get("timeman.status", {"batches": 0, "commands": 0, "sizes": {}})


def checks(result: dict[str, Any]) -> list[tuple[str, bool]]:
    target, n = result["target_batches"], result["members"]
    warm, cold, reply = result["warm"], result["cold"], result["reply"]
    first = reply["first_page"]

    def only_status(exchange: dict[str, Any]) -> bool:
        own = status_batches(exchange)
        return (exchange["requests"] == target and exchange["by_method"] == {"batch": target}
                and own["batches"] == target and own["commands"] == n and max(own["sizes"], default=0) <= BATCH)

    structure = {k: v for k, v in cold["by_method"].items() if k != "batch"}
    return [
        (f"warm /team: {target} requests, all `batch` of timeman.status (ceil({n}/50)), {n} days read",
         bool(warm) and all(only_status(e) for e in warm)),
        (f"cold /team: {target} timeman.status batches too, plus the structure's read",
         status_batches(cold)["batches"] == target and status_batches(cold)["commands"] == n
         and cold["requests"] > target),
        ("a /team 2 s after another shows its read: 0 requests", result["again"]["requests"] == 0),
        (f"the ▶ taps reuse the read: 0 requests each ({len(result['pages'])} taps)",
         all(e["requests"] == 0 for e in result["pages"])),
        ("the structure is read once: no department.get / user.get after the cold /team",
         all(set(e["inner_commands"]) <= {"timeman.status"} for e in warm + result["pages"])
         and bool(structure or cold["inner_commands"].get("user.get") or cold["inner_commands"].get("department.get"))),
        ("0 QUERY_LIMIT_EXCEEDED", result["query_limit_exceeded"] == 0),
        (f"the reply names {DEPARTMENT_NAME} and its {n} people, page 1 of {reply['pages_walked']}",
         first["name"] == DEPARTMENT_NAME and first["count"] == n and first["page"] == 1
         and first["pages"] == reply["pages_walked"]),
        (f"the pages list all {n} members, each once", reply["listed"] == n == reply["expected_names_listed"]),
        ("the counts by state equal the portal's", reply["states"] == reply["expected_states"]),
        ("no ERROR line or traceback in the bot's log while serving", not result["bot_log_problems"].get("serving")),
    ]


def render(result: dict[str, Any], args: argparse.Namespace) -> str:
    cold, warm, status = result["cold"], result["warm"], result["status"]
    reply = result["reply"]
    lines = [
        f"/team for a department of {result['members']} linked people ({DEPARTMENT_NAME}, headed by "
        f"{result['department']['head']}; {args.closed_share:.0%} closed a day today, the rest opened / not started)",
        f"  one `python -m bot` (webhook, coalescing on, SharedLeakyBucket), emulator and bot at burst {args.burst}, "
        f"{args.rate:g}/s; updates {args.gap:g} s apart",
        "",
        f"  {'':<28}{'requests':>9}   {'timeman.status batches (commands)':<36}{'structure reads':<53}latency, s",
    ]

    def row(label: str, e: dict[str, Any]) -> str:
        own = status_batches(e)
        # Requests of their own, and pages read inside a batch.
        structure = {k: v for k, v in e["by_method"].items() if k != "batch"}
        structure.update({f"{k} in batch": v for k, v in e["inner_commands"].items() if k != "timeman.status"})
        return (f"  {label:<28}{e['requests']:>9}   {str(own['batches']) + ' (' + str(own['commands']) + ')':<36}"
                f"{', '.join(f'{k} {v}' for k, v in structure.items()) or '-':<53}{e['latency_s']:.3f}")

    lines.append(row("cold /team", cold))
    lines.append(row(result["again"]["label"], result["again"]))
    for e in warm:
        lines.append(row(e["label"], e))
    for e in result["pages"]:
        lines.append(row(f"{e['label']} (▶ tap)", e))
    lines.append(f"  cold /team by method: {cold['by_method']}; inner: {cold['inner_commands']}")
    warm_latency, status_latency = latency(warm), latency(status)
    lines += [
        "",
        f"  latency (delivered -> reply):   cold {cold['latency_s']:.3f} s;  warm p50 {warm_latency['p50']:.3f} s, "
        f"max {warm_latency['max']:.3f} s (n={warm_latency['n']})",
        f"  baseline, the head's /status:   p50 {status_latency['p50']:.3f} s, max {status_latency['max']:.3f} s "
        f"({status[0]['requests'] if status else '-'} request each); warm /team p50 / /status p50 = "
        + (f"{warm_latency['p50'] / status_latency['p50']:.1f}x" if status and status_latency["p50"] else "-"),
        f"  target: {result['target_batches']} requests for a warm /team (ceil({result['members']}/50)); "
        f"QUERY_LIMIT_EXCEEDED {result['query_limit_exceeded']}",
        "",
        f"  reply, page 1: {reply['sample_page'][0]!r}",
        f"    pages walked {reply['pages_walked']}; listed {reply['listed']} names, {reply['listed_once']} once; "
        f"states {reply['states']} (portal: {reply['expected_states']})",
        f"    bot log problems: {result['bot_log_problems'] or 'none'}; logs in {result['workdir']}",
        "",
    ]
    for name, ok in result["checks"]:
        lines.append(f"  {'PASS' if ok else 'FAIL'} {name}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=500, help="linked people in the department")
    parser.add_argument("--closed-share", type=float, default=0.4, help="share with a day closed earlier today")
    parser.add_argument("--repeats", type=int, default=5, help="warm /team (and baseline /status) updates")
    parser.add_argument("--gap", type=float, default=10.0,
                        help="seconds between updates: the bucket refills (and /team's are 2 x gap apart: "
                             "more than the 15 s cool-down)")
    parser.add_argument("--rate", type=float, default=2.0, help="Bitrix24 requests/s (emulator and bot)")
    parser.add_argument("--burst", type=int, default=50, help="Bitrix24 burst (emulator and bot)")
    parser.add_argument("--out", default="team", help="results file: bench/results/<out>.json")
    args = parser.parse_args()
    machine = common.machine()
    result = asyncio.run(measure(args))
    result["checks"] = checks(result)
    report = render(result, args)
    return common.conclude(args.out, {"config": vars(args), "result": result, "machine": machine}, report,
                           passed=all(ok for _, ok in result["checks"]))


if __name__ == "__main__":
    raise SystemExit(main())
