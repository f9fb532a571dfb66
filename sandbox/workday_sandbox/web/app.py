"""The sandbox's web page: a Telegram-like chat with the real bot, and the demo portal beside it.

`start_web` serves the static page (``sandbox/workday_sandbox/web/static/``) and a small JSON API that calls
the in-process objects directly: the fake Telegram (`FakeTelegram`), the portal emulator
(`PortalEmulator`) and the shared `OffsetClock`.

    GET  /                          the page (also /app.js, /style.css)
    GET  /api/session               employees, bot, sandbox time, event cursor
    GET  /api/chat/{telegram_id}    the chat transcript (rendered HTML, buttons, edited;
                                    a photo message's ``photo`` has the URL of its image)
    GET  /api/photo/{file_id}       a photo the bot sent (the image bytes, from the fake
                                    Telegram's store: the page needs no other network)
    GET  /api/events?since=N&timeout=25[&portal=V]
                                    long poll: returns when the fake Telegram's event
                                    sequence passes N, the portal's state changes (V is
                                    the ``portal_version`` last seen) or the timeout ends
    POST /api/send   {telegram_id, text}
    POST /api/click  {telegram_id, message_id, callback_data}
    GET  /api/portal/{bitrix_id}[?lang=ru]   workday state and notifications, newest
                                    first; labels in that language (default: the
                                    employee's)
    GET  /api/clock                 sandbox time
    POST /api/clock/advance {minutes}             forward only
    POST /api/clock/jump    {time: "HH:MM", bitrix_id}   to a later time today in
                                                  that employee's zone

Bad input gets a 400 (an unknown employee a 404) with ``{"ok": false, "error": "..."}``.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import json
import logging
import math
import re
import time as _time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.bitrix24.models import Workday, WorkdayStatus
from bot.i18n import Translator
from workday_sandbox.web.interfaces import DemoEmployee, SandboxPortal
from workday_sandbox.web.strings import LANGUAGES, PAGE_STRINGS, page_language
from bot.telegram import formatting as fmt

if TYPE_CHECKING:
    from bot.clock import OffsetClock
    from workday_sandbox.telegram.server import FakeTelegram
    from workday_sandbox.telegram.models import ChatMessage

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
STATIC_FILES = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "style.css": "text/css",
}
MAX_TEXT = 4096  # Telegram's limit for a message
MAX_ADVANCE_MINUTES = 7 * 24 * 60
MAX_LONG_POLL = 60.0
MAX_EVENTS = 500  # per feed answer; a page that fell further behind reloads its chat
POLL_INTERVAL = 0.25  # how often a long poll re-checks the portal and the shutdown flag
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
# "…account: 123456": the linking code follows a colon (the requester's "id 700001" does not).
_CODE_AFTER_COLON = re.compile(r":\s*(\d{6})(?!\d)")
_SIX_DIGITS = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_CODE_WORDS = re.compile(r"code|код", re.IGNORECASE)
_FILE_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

class BadInput(Exception):
    """Something the page (or a curious user) sent that we refuse, with a 400 or 404."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status,
                             dumps=lambda value: json.dumps(value, ensure_ascii=False))


def _error(message: str, status: int = 400) -> web.Response:
    return _json({"ok": False, "error": message}, status)


# --------------------------------------------------------------------------- input


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise BadInput("send a JSON object with Content-Type: application/json")
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise BadInput("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadInput("the body must be a JSON object")
    return data


def _int_field(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if value is None:
        raise BadInput(f"{key} is required")
    if isinstance(value, bool):
        raise BadInput(f"{key} must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
        return int(value.strip())
    raise BadInput(f"{key} must be a whole number")


def _path_id(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not re.fullmatch(r"\d{1,18}", raw):
        raise BadInput(f"{name} must be a positive whole number, not {raw[:40]!r}")
    return int(raw)


def _query_number(request: web.Request, name: str, default: float, *,
                  low: float, high: float) -> float:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadInput(f"{name} must be a number, not {raw[:40]!r}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise BadInput(f"{name} must be between {low:g} and {high:g}")
    return value


# --------------------------------------------------------------------------- the app


class SandboxWeb:
    def __init__(self, *, portal: SandboxPortal, telegram: FakeTelegram, clock: OffsetClock,
                 employees: Sequence[DemoEmployee], bot_username: str) -> None:
        self.portal = portal
        self.telegram = telegram
        self.clock = clock
        self.employees = list(employees)
        self.by_telegram = {e.telegram_id: e for e in self.employees}
        self.by_bitrix = {e.bitrix_id: e for e in self.employees}
        self.bot_username = bot_username
        self.stopping = asyncio.Event()
        # (real unix time, clock offset in seconds from then on): the fake Telegram dates
        # messages in real time; the page shows them in sandbox time.
        self._offsets: list[tuple[float, float]] = [(-math.inf, clock.offset.total_seconds())]
        # When each message was sent, to the fraction of a second (its `date` is whole
        # seconds, too coarse next to a jump of the clock), read from the fake's event feed.
        self._sent_at: dict[tuple[int, int], float] = {}
        self._sent_cursor = 0

    # -- lookups

    def employee_by_telegram(self, telegram_id: int, status: int = 404) -> DemoEmployee:
        employee = self.by_telegram.get(telegram_id)
        if employee is None:
            raise BadInput(f"no demo employee has Telegram id {telegram_id}", status)
        return employee

    def employee_by_bitrix(self, bitrix_id: int, status: int = 404) -> DemoEmployee:
        employee = self.by_bitrix.get(bitrix_id)
        if employee is None:
            raise BadInput(f"no demo employee has Bitrix24 id {bitrix_id}", status)
        return employee

    # -- views

    def clock_view(self) -> dict[str, Any]:
        now = self.clock.now()
        return {
            "now": now.isoformat(),
            "offset_seconds": int(self.clock.offset.total_seconds()),
            "portal_time_zone": self.portal.portal_time_zone,
        }

    def portal_version(self) -> str:
        """Changes whenever something the side panel shows changes (except live durations)."""
        digest = hashlib.sha256()
        digest.update(str(len(self.portal.notifications)).encode())
        digest.update(str(self.clock.offset.total_seconds()).encode())
        for user_id in sorted(self.portal.users):
            status = self.portal.status_of(user_id)
            digest.update(json.dumps(status, sort_keys=True, default=str).encode())
        return digest.hexdigest()[:16]

    def _advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        self._offsets.append((_time.time(), self.clock.offset.total_seconds()))

    def sandbox_time(self, real_unix: float) -> float:
        """The sandbox time at a real moment (for message dates)."""
        index = bisect.bisect_right(self._offsets, (real_unix, math.inf)) - 1
        return real_unix + self._offsets[max(index, 0)][1]

    def _sent_time(self, message: ChatMessage) -> float:
        if self._sent_cursor < self.telegram.last_event_seq:
            for event in self.telegram.events(self._sent_cursor):
                if event.type in ("message_sent", "user_message") and event.chat_id is not None:
                    self._sent_at[(event.chat_id, event.data.get("message_id", 0))] = event.at
            self._sent_cursor = self.telegram.last_event_seq
        return self._sent_at.get((message.chat_id, message.message_id), message.date + 0.999)

    @staticmethod
    def photo_view(message: ChatMessage) -> dict[str, Any] | None:
        """The largest size of a photo message's picture (every size serves the same
        bytes in the fake), with its dimensions so the page can reserve its space."""
        if not message.photo_sizes:
            return None
        largest = message.photo_sizes[-1]
        return {
            "file_id": largest.file_id,
            "url": f"/api/photo/{largest.file_id}",
            "width": largest.width,
            "height": largest.height,
        }

    def message_view(self, message: ChatMessage) -> dict[str, Any]:
        return {
            "message_id": message.message_id,
            "from_bot": message.from_bot,
            "text": message.text,
            "html": message.html,
            "photo": self.photo_view(message),
            "buttons": [
                [{"text": b.text, "callback_data": b.callback_data, "url": b.url} for b in row]
                for row in message.inline_keyboard
            ],
            "date": message.date,
            "sandbox_date": int(self.sandbox_time(self._sent_time(message))),
            "edit_date": message.edit_date,
            "edited": message.edited,
            "versions": len(message.versions),
        }

    def workday_view(self, status: dict[str, Any], zone: ZoneInfo, language: str = "en") -> dict[str, Any]:
        now = self.clock.now()
        day = Workday.from_api(status)
        words, t = PAGE_STRINGS[language], Translator(language)
        label = words[f"status.{day.status.value}"] if day.has_record else words["status.none"]

        def when(moment: datetime | None) -> str | None:
            if moment is None:
                return None
            if moment.astimezone(zone).date() == now.astimezone(zone).date():
                return fmt.clock(moment, zone)
            return f"{fmt.date(moment, zone, t)}, {fmt.clock(moment, zone)}"

        worked = day.worked(now)
        paused_since = day.paused_at
        return {
            "status": day.status.value,
            "has_record": day.has_record,
            "label": label,
            "start": when(day.started_at),
            "finish": when(day.finished_at) if day.status is WorkdayStatus.CLOSED else None,
            "paused_since": when(paused_since),
            "worked": fmt.duration(worked, t) if worked is not None else None,
            "breaks": fmt.duration(day.break_time(now), t) if day.has_record else None,
            "active": day.active,
            "approval": words["approval.active"] if day.active else words["approval.pending"],
            "suggested_finish": when(day.suggested_finish),
        }

    @staticmethod
    def linking_code(message: str) -> str | None:
        if not _CODE_WORDS.search(message):
            return None
        match = _CODE_AFTER_COLON.search(message)
        if match:
            return match.group(1)
        found = _SIX_DIGITS.findall(message.split("\n", 1)[0])
        return found[-1] if found else None

    def portal_view(self, employee: DemoEmployee, language: str | None = None) -> dict[str, Any]:
        zone = ZoneInfo(employee.time_zone)
        language = language or page_language(employee.language)
        t = Translator(language)
        status = self.portal.status_of(employee.bitrix_id)
        notifications = []
        for note in reversed(self.portal.notifications_for(employee.bitrix_id)):
            sent = note.sent_at
            text = re.sub(r"#BR#|\[br\]", "\n", note.message, flags=re.IGNORECASE)
            notifications.append({
                "id": note.id,
                "kind": note.kind,
                "message": text,
                "sent_at": sent.isoformat(),
                "sent_local": (f"{fmt.date(sent, zone, t)}, {fmt.clock(sent, zone)}"
                               if sent.tzinfo is not None else str(sent)),
                "code": self.linking_code(text),
            })
        user = self.portal.users.get(employee.bitrix_id)
        return {
            "ok": True,
            "bitrix_id": employee.bitrix_id,
            "name": employee.name,
            "time_zone": employee.time_zone,
            "employee_active": bool(user.active) if user else employee.active,
            "now_local": self.clock.now().astimezone(zone).strftime("%H:%M"),
            "status": status,
            "language": language,
            "workday": self.workday_view(status, zone, language),
            "notifications": notifications,
            "portal_version": self.portal_version(),
        }

    # -- handlers

    async def session(self, request: web.Request) -> web.Response:
        employees = []
        for e in self.employees:
            user = self.portal.users.get(e.bitrix_id)
            employees.append({
                "bitrix_id": e.bitrix_id,
                "telegram_id": e.telegram_id,
                "name": e.name,
                "email": e.email,
                "time_zone": e.time_zone,
                "language": e.language,
                "active": e.active,
                "bot_admin": e.bot_admin,
                "position": getattr(user, "work_position", "") if user else "",
            })
        return _json({
            "ok": True,
            "bot": {"username": self.bot_username, "name": self.telegram.bot_first_name},
            "employees": employees,
            "clock": self.clock_view(),
            "seq": self.telegram.last_event_seq,
            "portal_version": self.portal_version(),
            "strings": PAGE_STRINGS,
        })

    async def chat(self, request: web.Request) -> web.Response:
        employee = self.employee_by_telegram(_path_id(request, "telegram_id"))
        messages = [self.message_view(m) for m in self.telegram.transcript(employee.telegram_id)
                    if not m.deleted]
        return _json({
            "ok": True,
            "telegram_id": employee.telegram_id,
            "messages": messages,
            "seq": self.telegram.last_event_seq,
        })

    async def photo(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if not _FILE_ID.fullmatch(file_id):
            raise BadInput("that is not a file_id")
        stored = self.telegram.stored_photo(file_id)
        if stored is None:
            raise BadInput("no photo has that file_id (the sandbox keeps them until it stops)", 404)
        # A file_id always names the same bytes, so the browser may keep them.
        return web.Response(body=stored.data, content_type=stored.mime_type,
                            headers={"Cache-Control": "private, max-age=86400, immutable"})

    async def events(self, request: web.Request) -> web.Response:
        raw_since = request.query.get("since", "0")
        if not re.fullmatch(r"\d{1,18}", raw_since):
            raise BadInput(f"since must be a whole number ≥ 0, not {raw_since[:40]!r}")
        since = int(raw_since)
        timeout = _query_number(request, "timeout", 25.0, low=0.0, high=MAX_LONG_POLL)
        seen_portal = request.query.get("portal")
        if since > self.telegram.last_event_seq:
            # The page holds a cursor from an earlier sandbox run: it has to start over.
            return _json({"ok": True, "reset": True, **self._feed(0, seen_portal)})

        def changed() -> bool:
            return (self.stopping.is_set() or self.telegram.last_event_seq > since
                    or (seen_portal is not None and self.portal_version() != seen_portal))

        if not changed() and timeout > 0:
            try:
                await self.telegram.wait_for(changed, timeout=timeout, interval=POLL_INTERVAL)
            except TimeoutError:
                pass
        return _json({"ok": True, "reset": False, **self._feed(since, seen_portal)})

    def _feed(self, since: int, seen_portal: str | None) -> dict[str, Any]:
        selected = self.telegram.events(since)
        truncated = len(selected) > MAX_EVENTS
        events = []
        for event in selected[-MAX_EVENTS:]:
            item: dict[str, Any] = {"seq": event.seq, "type": event.type, "chat_id": event.chat_id}
            data = event.data
            if "message_id" in data:
                item["message_id"] = data["message_id"]
            if event.type == "callback_answered":
                item["text"] = data.get("text")
                item["show_alert"] = bool(data.get("show_alert"))
            elif event.type == "chat_action":
                item["action"] = data.get("action")
            events.append(item)
        version = self.portal_version()
        return {
            "seq": self.telegram.last_event_seq,
            "events": events,
            "truncated": truncated,
            "portal_version": version,
            "portal_changed": seen_portal is not None and version != seen_portal,
            "clock": self.clock_view(),
            "stopping": self.stopping.is_set(),
        }

    async def send(self, request: web.Request) -> web.Response:
        data = await _body(request)
        employee = self.employee_by_telegram(_int_field(data, "telegram_id"), 400)
        text = data.get("text")
        if not isinstance(text, str):
            raise BadInput("text is required (a string)")
        text = text.strip()
        if not text:
            raise BadInput("text is empty")
        if len(text) > MAX_TEXT:
            raise BadInput(f"text is too long: {len(text)} characters, Telegram allows {MAX_TEXT}")
        update_id = self.telegram.send_text(employee.telegram_id, text)
        message = self.telegram.transcript(employee.telegram_id)[-1]
        return _json({"ok": True, "update_id": update_id, "message_id": message.message_id,
                      "seq": self.telegram.last_event_seq})

    async def click(self, request: web.Request) -> web.Response:
        data = await _body(request)
        employee = self.employee_by_telegram(_int_field(data, "telegram_id"), 400)
        message_id = _int_field(data, "message_id")
        callback = data.get("callback_data")
        if not isinstance(callback, str) or not callback:
            raise BadInput("callback_data is required (a string)")
        try:
            query_id = self.telegram.click(employee.telegram_id, message_id, callback)
        except LookupError as error:
            raise BadInput("that button is not on that message (any more): "
                           + (str(error.args[0]) if error.args else "")) from None
        return _json({"ok": True, "callback_query_id": query_id,
                      "seq": self.telegram.last_event_seq})

    async def portal_panel(self, request: web.Request) -> web.Response:
        employee = self.employee_by_bitrix(_path_id(request, "bitrix_id"))
        language = request.query.get("lang") or None
        if language is not None and language not in LANGUAGES:
            raise BadInput(f"lang must be one of {', '.join(LANGUAGES)}, not {language[:20]!r}")
        return _json(self.portal_view(employee, language))

    async def clock_get(self, request: web.Request) -> web.Response:
        return _json({"ok": True, "clock": self.clock_view()})

    async def clock_advance(self, request: web.Request) -> web.Response:
        data = await _body(request)
        value = data.get("minutes")
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value)):
            raise BadInput("minutes must be a number, e.g. {\"minutes\": 10}")
        if value < 0:
            raise BadInput("the clock only moves forward: minutes must not be negative")
        if value == 0:
            raise BadInput("minutes must be more than 0")
        if value > MAX_ADVANCE_MINUTES:
            raise BadInput(f"at most {MAX_ADVANCE_MINUTES} minutes (a week) at a time")
        delta = timedelta(minutes=value)
        self._advance(delta)
        log.info("sandbox clock moved forward by %s", delta)
        return _json({"ok": True, "advanced_seconds": int(delta.total_seconds()),
                      "clock": self.clock_view()})

    async def clock_jump(self, request: web.Request) -> web.Response:
        data = await _body(request)
        raw = data.get("time")
        if not isinstance(raw, str):
            raise BadInput('time is required, like "13:00"')
        match = _HHMM.match(raw.strip())
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise BadInput(f'time must look like "13:00" (24-hour clock), not {raw[:20]!r}')
        if data.get("bitrix_id") is not None:
            employee = self.employee_by_bitrix(_int_field(data, "bitrix_id"), 400)
            zone = ZoneInfo(employee.time_zone)
        else:
            zone = self.portal.zone
        now = self.clock.now()
        local = now.astimezone(zone)
        target = datetime.combine(local.date(), time(int(match[1]), int(match[2])), tzinfo=zone)
        target_utc = target.astimezone(UTC)
        if target_utc <= now:
            raise BadInput(f"it is already {local:%H:%M} in {zone.key}; the clock only moves "
                           "forward, so pick a later time today (or use +1 h)")
        delta = target_utc - now
        self._advance(delta)
        log.info("sandbox clock jumped to %s %s (+%s)", target.strftime("%H:%M"), zone.key, delta)
        return _json({"ok": True, "advanced_seconds": int(delta.total_seconds()),
                      "time_zone": zone.key, "clock": self.clock_view()})

    # -- static

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info.get("name") or "index.html"
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        path = STATIC_DIR / name
        try:
            body = path.read_bytes()
        except OSError:
            log.error("the sandbox page's %s is missing from %s", name, STATIC_DIR)
            raise web.HTTPNotFound() from None
        return web.Response(body=body, content_type=STATIC_FILES[name], charset="utf-8")

    async def favicon(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=204)


SANDBOX_KEY: web.AppKey[SandboxWeb] = web.AppKey("sandbox", SandboxWeb)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except BadInput as error:
        response = _error(error.message, error.status)
    except web.HTTPException as error:
        if not request.path.startswith("/api/"):
            raise
        response = _error(error.reason or "error", error.status)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("sandbox page: %s %s failed", request.method, request.path)
        response = _error("something went wrong in the sandbox (see its log)", 500)
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


@web.middleware
async def _same_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Another web site open in the same browser must not drive the sandbox."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        origin = request.headers.get("Origin")
        if origin and origin != "null" and origin.split("://", 1)[-1] != request.host:
            return _error("cross-origin requests are refused", 403)
    return await handler(request)


def build_app(web_state: SandboxWeb) -> web.Application:
    app = web.Application(middlewares=[_errors, _same_origin], client_max_size=64 * 1024)
    app[SANDBOX_KEY] = web_state
    router = app.router
    router.add_get("/", web_state.static)
    router.add_get("/{name:(?:app\\.js|style\\.css|index\\.html)}", web_state.static)
    router.add_get("/favicon.ico", web_state.favicon)
    router.add_get("/api/session", web_state.session)
    router.add_get("/api/chat/{telegram_id}", web_state.chat)
    router.add_get("/api/photo/{file_id}", web_state.photo)
    router.add_get("/api/events", web_state.events)
    router.add_post("/api/send", web_state.send)
    router.add_post("/api/click", web_state.click)
    router.add_get("/api/portal/{bitrix_id}", web_state.portal_panel)
    router.add_get("/api/clock", web_state.clock_get)
    router.add_post("/api/clock/advance", web_state.clock_advance)
    router.add_post("/api/clock/jump", web_state.clock_jump)

    async def wake_long_polls(app: web.Application) -> None:
        web_state.stopping.set()

    app.on_shutdown.append(wake_long_polls)
    return app


async def start_web(*, host: str, port: int, portal: SandboxPortal, telegram: FakeTelegram,
                    clock: OffsetClock, employees: Sequence[DemoEmployee],
                    bot_username: str) -> web.AppRunner:
    """Serve the page on host:port; `await runner.cleanup()` stops it (idle long polls
    return at once)."""
    state = SandboxWeb(portal=portal, telegram=telegram, clock=clock, employees=employees,
                       bot_username=bot_username)
    runner = web.AppRunner(build_app(state), access_log=None, shutdown_timeout=3.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
