"""The fake Telegram Bot API on the wire: raw HTTP, the /_fake/ control API, webhooks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramConflictError
from aiogram.filters import CommandStart
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from workday_sandbox.telegram.server import FakeTelegram

TOKEN = "123456:TEST-token"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(
        token=TOKEN, bot_username="workday_bot", webhook_retry_delays=(0.05, 0.05)
    ) as fake:
        yield fake


@pytest.fixture
async def http(tg: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=tg.base_url, timeout=30) as client:
        yield client


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
    yield client
    await client.session.close()


def inline(*buttons: tuple[str, str]) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": text, "callback_data": data} for text, data in buttons]]}


async def api(http: httpx.AsyncClient, method: str, **form: Any) -> httpx.Response:
    """POST a form to the Bot API the way aiogram does (nested objects as JSON strings)."""
    data = {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in form.items()
    }
    return await http.post(f"/bot{TOKEN}/{method}", data=data)


# --- raw Bot API ------------------------------------------------------------------------


async def test_wrong_token_is_401_and_unknown_method_is_404(http: httpx.AsyncClient) -> None:
    wrong = await http.post("/bot999:nope/getMe")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    unknown = await http.post(f"/bot{TOKEN}/sendTelepathy")
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_methods_match_case_insensitively_and_accept_json_and_query(
    tg: FakeTelegram, http: httpx.AsyncClient
) -> None:
    tg.user(1001)

    me = await http.get(f"/bot{TOKEN}/GETME")
    assert me.json()["result"]["username"] == "workday_bot"

    as_json = await http.post(
        f"/bot{TOKEN}/SendMessage",
        json={
            "chat_id": 1001,
            "text": "<b>json</b>",
            "parse_mode": "HTML",
            "reply_markup": inline(("A", "a")),
        },
    )
    body = as_json.json()
    assert as_json.status_code == 200 and body["ok"] is True
    assert body["result"]["from"]["is_bot"] is True
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert body["result"]["reply_markup"] == inline(("A", "a"))

    as_form = await api(
        http, "sendmessage", chat_id=1001, text="form", reply_markup=inline(("B", "b"))
    )
    assert as_form.json()["result"]["message_id"] == 2
    assert [call.method for call in tg.calls_to("sendMessage")] == ["sendMessage", "sendMessage"]
    assert tg.calls_to("sendMessage")[1].params["chat_id"] == 1001

    bad_markup = await api(http, "sendMessage", chat_id=1001, text="x", reply_markup="{nope")
    assert bad_markup.status_code == 400
    assert "can't parse reply keyboard markup JSON object" in bad_markup.json()["description"]


async def test_raw_429_has_retry_after_parameters(
    tg: FakeTelegram, http: httpx.AsyncClient
) -> None:
    tg.user(1001)
    tg.inject_error("sendMessage", 429, retry_after=7, times=2)

    for _ in range(2):
        response = await api(http, "sendMessage", chat_id=1001, text="x")
        assert response.status_code == 429
        assert response.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        }
    response = await api(http, "sendMessage", chat_id=1001, text="x")
    assert response.status_code == 200


# --- the control API ------------------------------------------------------------------------


async def test_control_api_send_click_chat_and_events(
    tg: FakeTelegram, http: httpx.AsyncClient
) -> None:
    sent = await http.post(
        "/_fake/send",
        json={"user_id": 1001, "first_name": "Anna", "language_code": "en", "text": "/start"},
    )
    assert sent.status_code == 200
    assert sent.json()["ok"] is True
    update_id = sent.json()["update_id"]
    assert tg.user(1001).language_code == "en"

    updates = (await api(http, "getUpdates", offset=0)).json()["result"]
    assert [u["update_id"] for u in updates] == [update_id]
    assert updates[0]["message"]["from"]["first_name"] == "Anna"
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    reply = await api(
        http,
        "sendMessage",
        chat_id=1001,
        text="Hi <i>Anna</i>",
        parse_mode="HTML",
        reply_markup=inline(("Start day", "day:start")),
    )
    message_id = reply.json()["result"]["message_id"]

    chat = (await http.get("/_fake/chat/1001")).json()
    assert chat["chat"]["type"] == "private"
    assert [m["from_bot"] for m in chat["messages"]] == [False, True]
    bot_message = chat["messages"][1]
    assert bot_message["text"] == "Hi Anna"
    assert bot_message["html"] == "Hi <i>Anna</i>"
    assert bot_message["buttons"] == [[{"text": "Start day", "callback_data": "day:start"}]]
    assert len(bot_message["versions"]) == 1

    target = {"user_id": 1001, "message_id": message_id}
    bad_click = await http.post("/_fake/click", json={**target, "data": "nope"})
    assert bad_click.status_code == 400
    assert "no button" in bad_click.json()["error"]
    click = await http.post("/_fake/click", json={**target, "data": "day:start"})
    query_id = click.json()["callback_query_id"]

    updates = (await api(http, "getUpdates", offset=update_id + 1)).json()["result"]
    assert updates[0]["callback_query"]["id"] == query_id
    assert updates[0]["callback_query"]["data"] == "day:start"

    await api(http, "answerCallbackQuery", callback_query_id=query_id, text="OK")
    await api(http, "editMessageText", chat_id=1001, message_id=message_id, text="Day started")

    feed = (await http.get("/_fake/events", params={"since": 0})).json()
    kinds = [event["type"] for event in feed["events"]]
    assert kinds == [
        "user_message",
        "message_sent",
        "user_click",
        "callback_answered",
        "message_edited",
    ]
    assert [event["seq"] for event in feed["events"]] == [1, 2, 3, 4, 5]
    assert feed["last_seq"] == 5
    assert feed["events"][3]["text"] == "OK"
    assert feed["events"][4]["message"]["text"] == "Day started"

    later = (await http.get("/_fake/events", params={"since": 4})).json()
    assert [event["seq"] for event in later["events"]] == [5]

    chat = (await http.get("/_fake/chat/1001")).json()
    assert [v["text"] for v in chat["messages"][1]["versions"]] == ["Hi Anna", "Day started"]
    assert chat["messages"][1]["edited"] is True


async def test_control_api_events_long_poll_returns_early(
    tg: FakeTelegram, http: httpx.AsyncClient
) -> None:
    tg.user(1001)
    since = tg.last_event_seq
    poll = asyncio.create_task(http.get("/_fake/events", params={"since": since, "timeout": 30}))
    await tg.wait_for(lambda: tg.event_pollers_waiting == 1, timeout=10)

    await api(http, "sendMessage", chat_id=1001, text="ping")

    feed = (await asyncio.wait_for(poll, timeout=20)).json()
    assert [event["type"] for event in feed["events"]] == ["message_sent"]
    assert feed["events"][0]["message"]["text"] == "ping"


async def test_control_api_errors_block_and_rate_limits(
    tg: FakeTelegram, http: httpx.AsyncClient
) -> None:
    tg.user(1001)
    tg.user(1002)

    injected = await http.post(
        "/_fake/errors", json={"method": "sendMessage", "status": 429, "retry_after": 3}
    )
    assert injected.json() == {"ok": True}
    limited = await api(http, "sendMessage", chat_id=1001, text="x")
    assert limited.status_code == 429
    assert limited.json()["parameters"] == {"retry_after": 3}

    blocked = await http.post("/_fake/block", json={"user_id": 1001, "blocked": True})
    assert blocked.json()["blocked"] is True
    forbidden = await api(http, "sendMessage", chat_id=1001, text="x")
    assert forbidden.status_code == 403
    assert forbidden.json()["description"] == "Forbidden: bot was blocked by the user"
    await http.post("/_fake/block", json={"user_id": 1001, "blocked": False})
    assert (await api(http, "sendMessage", chat_id=1001, text="x")).status_code == 200

    await http.post("/_fake/rate_limits", json={"per_chat_per_second": 1})
    statuses = [
        (await api(http, "sendMessage", chat_id=1002, text=str(n))).status_code
        for n in range(3)
    ]
    assert statuses[0] == 200 and 429 in statuses[1:]
    await http.post("/_fake/rate_limits", json={})

    stats = (await http.get("/_fake/stats")).json()["stats"]
    assert stats["forbidden"] == 1
    assert stats["too_many_requests"] >= 2
    assert stats["messages_per_chat"]["1001"] == 1

    calls = (await http.get("/_fake/calls", params={"method": "sendMessage"})).json()["calls"]
    assert [call["status"] for call in calls][:3] == [429, 403, 200]

    assert (await http.get("/_fake/chat/9999")).status_code == 404
    preflight = await http.options("/_fake/send")
    assert preflight.headers["access-control-allow-origin"] == "*"


# --- webhooks -------------------------------------------------------------------------------


class Receiver:
    """A tiny webhook endpoint that records what it gets and can fail on purpose."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.fail_next = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=500)
        self.received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.json_response({})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    await hook.start()
    yield hook
    await hook.stop()


async def test_webhook_delivers_with_the_secret_header(
    tg: FakeTelegram, bot: Bot, receiver: Receiver
) -> None:
    early = tg.send_text(1001, "queued before the webhook")
    assert await bot.set_webhook(
        receiver.url, secret_token="s3cret-token_1", allowed_updates=["message"]
    )

    later = tg.send_text(1001, "/start")
    await tg.wait_for(lambda: len(receiver.received) == 2, timeout=15)

    assert [update["update_id"] for update, _ in receiver.received] == [early, later]
    assert {secret for _, secret in receiver.received} == {"s3cret-token_1"}
    assert receiver.received[1][0]["message"]["text"] == "/start"

    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook"):
        await bot.get_updates()

    info = await bot.get_webhook_info()
    assert info.url == receiver.url
    assert info.pending_update_count == 0
    assert info.allowed_updates == ["message"]
    assert tg.stats.webhook_deliveries == 2


async def test_webhook_retries_failures_and_delete_restores_polling(
    tg: FakeTelegram, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)
    receiver.fail_next = 2  # fewer failures than attempts (1 + 2 retries)

    update_id = tg.send_text(1001, "retry me")
    await tg.wait_for(lambda: receiver.received, timeout=15)

    assert [update["update_id"] for update, _ in receiver.received] == [update_id]
    assert receiver.received[0][1] is None  # no secret was set
    assert tg.stats.webhook_failures == 2
    info = await bot.get_webhook_info()
    assert info.last_error_message is not None and "500" in info.last_error_message

    # Every attempt fails: the update is dropped after the last retry.
    receiver.fail_next = 10
    tg.send_text(1001, "lost")
    await tg.wait_for(lambda: tg.stats.webhook_dropped == 1, timeout=15)

    assert await bot.delete_webhook()
    pending = tg.send_text(1001, "for polling")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [pending]
    assert (await bot.get_webhook_info()).url == ""


async def test_set_webhook_with_drop_pending_updates(
    tg: FakeTelegram, bot: Bot, receiver: Receiver
) -> None:
    tg.send_text(1001, "old news")
    receiver.fail_next = 100
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    await bot.delete_webhook(drop_pending_updates=True)
    assert tg.pending_update_count == 0
    assert await bot.get_updates() == []


async def test_webhook_into_a_real_dispatcher_including_webhook_replies(
    tg: FakeTelegram, bot: Bot
) -> None:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> SendMessage:
        # Returned, not awaited: aiogram puts the call into the webhook response body.
        return message.answer("Started via webhook reply")

    @router.message()
    async def other(message: Message) -> None:
        await message.answer(f"awaited: {message.text}")

    dp = Dispatcher()
    dp.include_router(router)
    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token="hook-secret", handle_in_background=False).register(
        app, path="/webhook"
    )
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"
        await bot.set_webhook(
            url, secret_token="hook-secret", allowed_updates=dp.resolve_used_update_types()
        )
        anna = tg.user(1001, first_name="Anna")

        tg.send_text(anna, "/start")
        started = await tg.wait_for_message(anna, contains="Started", timeout=15)
        tg.send_text(anna, "hello")
        echoed = await tg.wait_for_message(anna, contains="awaited", timeout=15)

        assert started.text == "Started via webhook reply"
        assert echoed.text == "awaited: hello"
        vias = [call.via for call in tg.calls_to("sendMessage")]
        assert vias == ["webhook_reply", "http"]

        # A wrong secret is refused by aiogram, so Telegram would retry and give up.
        await bot.set_webhook(url, secret_token="wrong-secret")
        tg.send_text(anna, "/start")
        await tg.wait_for(lambda: tg.stats.webhook_dropped == 1, timeout=15)
        assert len(tg.messages(anna)) == 2
    finally:
        await runner.cleanup()
