"""The portal emulator for bench/bot_status.py, in its own process, with many employees.

`python -m workday_sandbox.portal.emulator --demo` has six users; the bot benchmark needs one per
simulated Telegram user. This wrapper builds a `PortalEmulator` with an admin (user 1,
a timeman admin who owns the webhook) and `--users` employees with ids from
`--first-id`, each with a workday opened a little earlier today (so every /status shows
a "Working" card with worked time and buttons; `--days none`: nobody has started;
`--days closed`: the day was opened and closed earlier today, for `--closed-share` of
them spread evenly, the others alternating between an opened day and none;
`--department K`: the first K employees form department 2, `--department-name`, under
the company's root department and headed by the first of them; everyone else stays in
the root), serves it on a free port, and prints one line
``READY {"base_url": ..., "webhook_url": ..., "user_ids": [...]}``.
It stops on SIGTERM or SIGINT.

Besides the emulator's own `/_emulator/...` API it serves `GET /_bench/batches`: how
many commands each answered `batch` carried (``{"sizes": {"50": 3, ...}}``), the
batches refused whole, and the errors of inner commands (the emulator's own counters
count outer requests only); and per inner method (``by_method``; ``"mixed"`` for a
batch of several methods) the batches, their sizes, and when the first and the last of
them was answered (unix time).

    python -m bench.portal_server --users 200 --rate-limit 1000 --rate-burst 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a file
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web

from workday_sandbox.portal.departments import ROOT_ID
from workday_sandbox.portal.emulator import PortalEmulator, RequestRecord

ADMIN_ID = 1
WEBHOOK_CODE = "benchwebhook2026"
DEPARTMENT_ID = 2


class BenchPortal(PortalEmulator):
    """The emulator, plus the size of every batch it answered."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.batch_sizes: Counter[int] = Counter()
        self.batches_refused: Counter[str] = Counter()
        self.inner_errors: Counter[str] = Counter()
        self.by_method: dict[str, dict[str, object]] = {}
        self._inner_run = 0
        self._inner_methods: set[str] = set()

    def record_request(self, record: RequestRecord) -> None:
        super().record_request(record)
        # A batch runs its commands synchronously, each recorded as it ends, and the
        # outer request after them: the inner records since the last outer one are its own.
        if record.batch:
            self._inner_run += 1
            self._inner_methods.add(record.method)
            if record.error is not None:
                self.inner_errors[record.error or "(no code)"] += 1
            return
        if record.method == "batch":
            if record.http_status == 200:
                self.batch_sizes[self._inner_run] += 1
                self._note_batch(record.at)
            else:
                self.batches_refused[record.error or str(record.http_status)] += 1
        self._inner_run = 0
        self._inner_methods = set()

    def _note_batch(self, at: float) -> None:
        methods = self._inner_methods
        name = next(iter(methods)) if len(methods) == 1 else "mixed" if methods else "(empty)"
        entry = self.by_method.setdefault(name, {"batches": 0, "commands": 0, "sizes": Counter(),
                                                 "first_at": at, "last_at": at})
        entry["batches"] += 1  # type: ignore[operator]
        entry["commands"] += self._inner_run  # type: ignore[operator]
        entry["sizes"][self._inner_run] += 1  # type: ignore[index]
        entry["last_at"] = at

    def make_app(self) -> web.Application:
        app = super().make_app()

        async def batches(request: web.Request) -> web.Response:
            return web.json_response({"sizes": {str(size): n for size, n in sorted(self.batch_sizes.items())},
                                      "refused": dict(self.batches_refused),
                                      "inner_errors": dict(self.inner_errors),
                                      "by_method": {name: {**entry, "sizes": {str(size): n for size, n
                                                                              in sorted(entry["sizes"].items())}}
                                                    for name, entry in self.by_method.items()}})

        app.router.add_get("/_bench/batches", batches)
        return app


def closed_day(now: datetime, user_id: int) -> tuple[datetime, datetime, timedelta]:
    """A day started and closed earlier today (start, close, breaks), a few seconds apart
    from one employee to the next: about 8 h worked with a 30 min break when the day is
    long enough, else whatever fits since just after midnight."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - timedelta(hours=9), midnight + timedelta(minutes=1)) + timedelta(seconds=user_id % 60)
    if start >= now - timedelta(seconds=2):
        start = now - timedelta(seconds=2)
    closed = min(start + timedelta(hours=8, minutes=30, seconds=user_id % 37), now - timedelta(seconds=1))
    breaks = timedelta(minutes=30) if closed - start > timedelta(hours=1) else timedelta(0)
    return start, closed, breaks


def day_kind(days: str, index: int, closed_share: float) -> str:
    """What employee `index` has today: opened | closed | none."""
    if days != "closed":
        return days
    # Spread evenly: index i is closed when the running share crosses an integer there.
    closed_so_far = int((index + 1) * closed_share)
    if closed_so_far > int(index * closed_share):
        return "closed"
    return "opened" if (index - closed_so_far) % 2 else "none"


def build(users: int, first_id: int, rate_limit: float | None, rate_burst: int,
          days: str = "opened", closed_share: float = 1.0, department: int = 0,
          department_name: str = "Engineering") -> PortalEmulator:
    portal = BenchPortal(rate_limit=rate_limit, rate_burst=rate_burst, portal_time_zone="UTC")
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
        kind = day_kind(days, index, closed_share)
        if kind == "opened":
            portal.seed_day(user_id, start=start, status="OPENED")
        elif kind == "closed":
            day_start, closed_at, breaks = closed_day(now, user_id)
            portal.seed_day(user_id, start=day_start, status="CLOSED", closed_at=closed_at, breaks=breaks)
    if department:
        # The head is one of the department's own members, as Bitrix24 usually has it.
        portal.define_department(DEPARTMENT_ID, name=department_name, parent=ROOT_ID, head=first_id)
        for user_id in range(first_id, first_id + min(department, users)):
            portal.move_user(user_id, [DEPARTMENT_ID])
    portal.add_webhook(ADMIN_ID, code=WEBHOOK_CODE)
    return portal


async def serve(args: argparse.Namespace) -> None:
    rate_limit = args.rate_limit if args.rate_limit > 0 else None
    portal = build(args.users, args.first_id, rate_limit, args.rate_burst, args.days, args.closed_share,
                   args.department, args.department_name)
    await portal.start(args.host, args.port)
    ids = [args.first_id + index for index in range(args.users)]
    print("READY " + json.dumps({"base_url": portal.base_url,
                                  "webhook_url": portal.webhook_url(ADMIN_ID, WEBHOOK_CODE),
                                  "user_ids": ids,
                                  "department": ({"id": DEPARTMENT_ID, "head": args.first_id,
                                                  "members": min(args.department, args.users)}
                                                 if args.department else None)}), flush=True)
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
    parser.add_argument("--days", choices=("opened", "none", "closed"), default="opened",
                        help="opened: every employee's day runs since earlier today; none: nobody has started; "
                             "closed: --closed-share of them opened and closed a day earlier today")
    parser.add_argument("--closed-share", type=float, default=1.0,
                        help="--days closed: the share with a closed day (the rest: opened, none, in turn)")
    parser.add_argument("--department", type=int, default=0, metavar="K",
                        help="the first K employees form one department (id 2), headed by the first of them")
    parser.add_argument("--department-name", default="Engineering")
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
