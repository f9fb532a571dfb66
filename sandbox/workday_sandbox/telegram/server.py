"""A fake Telegram Bot API server on loopback, for end-to-end tests and benchmarks.

The real bot process talks to it exactly as it talks to Telegram::

    Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))

and the test (or a browser page, through ``/_fake/…``) plays the users::

    async with FakeTelegram(token="123456:TEST-token", bot_username="workday_bot") as tg:
        anna = tg.user(1001, first_name="Anna", language_code="en")
        tg.send_text(anna, "/start")
        msg = await tg.wait_for_message(anna.id, contains="Welcome")
        tg.click(anna, msg.message_id, "day:start")

What it models:

* ``POST|GET /bot<token>/<method>`` with form-urlencoded, multipart or JSON bodies;
  method names match case-insensitively; a wrong token is a 401, an unknown method a 404.
* getMe; getUpdates (offset confirmation, negative offsets, limit, long polling that
  returns as soon as an update arrives, remembered ``allowed_updates``, 409 when another
  getUpdates takes over or a webhook is set); sendMessage and editMessageText with
  Telegram's HTML parsing, text length and inline keyboard checks;
  sendPhoto (an uploaded PNG or JPEG, or a file_id it returned; size and dimension
  limits read from the file's header; captions parsed like texts), editMessageMedia
  with InputMediaPhoto, editMessageCaption, getFile and ``/file/bot<token>/…``
  downloads; editMessageReplyMarkup; deleteMessage; answerCallbackQuery (once, within a TTL);
  set/get/deleteMyCommands per scope and language; set/delete/getWebhookInfo with real
  HTTP delivery (secret header, bounded retries, per-chat ordering, webhook replies);
  sendChatAction; getChat; setChatMenuButton; a few bot-profile setters.
* Users who block the bot (403), users who never pressed Start (403 "bot can't initiate
  conversation with a user"), injected failures (any status, with ``retry_after``), and
  optional flood control that answers 429 like Telegram's: about 1 message a second
  per chat with short bursts, 20 a minute per group, 30 a second overall
  (`TELEGRAM_FLOOD_LIMITS`, or ``FakeTelegram(flood_control=True)``).

Deliberate simplifications: Markdown/MarkdownV2 texts are stored verbatim (only HTML is
parsed), inline-mode messages and media other than photos are not modelled, photos
are not resized (every PhotoSize serves the uploaded bytes) and URLs are not
downloaded (400), any http(s) webhook
URL is accepted, and in groups the bot sees only what privacy mode lets through
(commands, @mentions, replies to it) unless ``group_privacy=False``.

State lives in plain Python objects indexed by chat and message id, so thousands of
updates and messages stay cheap. Everything runs on the event loop that called
`FakeTelegram.start`; the user-side methods (`send_text`, `click`, …) are synchronous and
must be called from that loop's thread.

`FakeTelegram` puts together mixins over `core.TelegramCore` (the state): the Bot API
methods (`methods_messages`, `methods_media` with `photos`, `methods_updates`,
`methods_chat`, `webhook`), the HTTP layer (`http_api`), failures and flood control
(`failures`, `flood`), the scripted users (`scripted_users`), reading and waiting
(`inspection`) and the ``/_fake/`` control API (`control`).

Tests read a photo message's PhotoSizes, caption and bytes from `ChatMessage`
(``photo_sizes``, ``caption``, ``photo_bytes``), any file_id's bytes with
`FakeTelegram.photo_bytes`, and over HTTP from ``GET /_fake/files/<file_id>``.

Run it standalone (for a browser page or a manual bot run)::

    python -m workday_sandbox.telegram.server --port 8081 --token 123456:TEST-token
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import ClientSession, web

from workday_sandbox.telegram.control import ControlApi
from workday_sandbox.telegram.errors import CANT_INITIATE
from workday_sandbox.telegram.flood import TELEGRAM_FLOOD_LIMITS
from workday_sandbox.telegram.methods_media import MediaMethods
from workday_sandbox.telegram.methods_updates import UpdateMethods
from workday_sandbox.telegram.models import (
    ApiCall,
    BotMessage,
    Button,
    ChatMessage,
    FakeEvent,
    FakeStats,
    MessageVersion,
    SimChat,
    SimUser,
)

if TYPE_CHECKING:
    from aiogram import Bot

__all__ = [
    "ApiCall",
    "BotMessage",
    "Button",
    "CANT_INITIATE",
    "ChatMessage",
    "FakeEvent",
    "FakeStats",
    "FakeTelegram",
    "MessageVersion",
    "SimChat",
    "SimUser",
    "TELEGRAM_FLOOD_LIMITS",
]

log = logging.getLogger(__name__)


class FakeTelegram(ControlApi, MediaMethods, UpdateMethods):
    """An in-process fake Telegram Bot API server (see the module docstring).

    :param token: the one bot token the server accepts; the bot id is the number before
        ``:``.
    :param bot_username: the bot's @username (without ``@``).
    :param bot_first_name: the bot's display name.
    :param group_privacy: Telegram's privacy mode: in groups the bot only receives
        commands, mentions of it and replies to its messages (getMe reports
        ``can_read_all_group_messages = not group_privacy``).
    :param callback_query_ttl: seconds after which answerCallbackQuery fails with
        "query is too old…".
    :param auto_create_chats: sending to an unknown positive chat id creates a user and
        a private chat instead of answering 400 "chat not found".
    :param webhook_retry_delays: pauses between webhook delivery attempts; after the
        last one the update is dropped (recorded in getWebhookInfo's last_error_*).
    :param webhook_timeout: seconds to wait for the webhook's answer.
    :param clock: unix time for ``date`` fields.
    :param monotonic: the clock for rate limits and callback query ages (tests can pass
        a manual clock).
    :param flood_control: start with Telegram's flood limits (`TELEGRAM_FLOOD_LIMITS`)
        switched on.
    """

    def _method_table(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "getMe": self._m_get_me,
            "getUpdates": self._m_get_updates,
            "sendMessage": self._m_send_message,
            "editMessageText": self._m_edit_message_text,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "sendPhoto": self._m_send_photo,
            "editMessageMedia": self._m_edit_message_media,
            "editMessageCaption": self._m_edit_message_caption,
            "getFile": self._m_get_file,
            "deleteMessage": self._m_delete_message,
            "answerCallbackQuery": self._m_answer_callback_query,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "setWebhook": self._m_set_webhook,
            "deleteWebhook": self._m_delete_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "sendChatAction": self._m_send_chat_action,
            "getChat": self._m_get_chat,
            "setChatMenuButton": self._m_set_chat_menu_button,
            "getChatMenuButton": self._m_get_chat_menu_button,
            "setMyName": self._profile_setter("name"),
            "getMyName": self._profile_getter("name"),
            "setMyDescription": self._profile_setter("description"),
            "getMyDescription": self._profile_getter("description"),
            "setMyShortDescription": self._profile_setter("short_description"),
            "getMyShortDescription": self._profile_getter("short_description"),
            "logOut": lambda params: True,
            "close": lambda params: True,
        }

    # --- lifecycle ------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeTelegram:
        """Start serving on ``host:port`` (0 picks a free port); see `base_url`."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already running")
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._cors])
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        self._add_control_routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self.host, self.port = address[0], address[1]
        self._client = ClientSession()
        log.info("fake Telegram Bot API listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        """Stop serving. Long polls return at once; webhook workers are cancelled."""
        self._closing = True
        self._updates_changed.notify()
        self._events_changed.notify()
        self._changed.notify()
        if self._webhook is not None:
            await self._stop_webhook_workers(self._webhook)
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://host:port``: give it to ``TelegramAPIServer.from_base``."""
        if self.port is None:
            raise RuntimeError("FakeTelegram is not started")
        host = f"[{self.host}]" if self.host and ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """``base_url/bot<token>``: append ``/<method>`` for raw HTTP calls."""
        return f"{self.base_url}/bot{self.token}"

    def create_bot(self, **kwargs: Any) -> Bot:
        """An aiogram `Bot` pointed at this server (close it: ``await bot.session.close()``)."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        session = AiohttpSession(api=TelegramAPIServer.from_base(self.base_url))
        return Bot(self.token, session=session, **kwargs)



# --- command line ---------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Serve a fake Bot API until interrupted (for a browser page or a manual bot run)."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--bot-username", default="workday_bot")
    parser.add_argument("--callback-query-ttl", type=float, default=15.0)
    parser.add_argument(
        "--auto-create-chats",
        action="store_true",
        help="sending to an unknown positive chat id creates that user",
    )
    parser.add_argument(
        "--flood-control",
        action="store_true",
        help="answer 429 beyond Telegram's flood limits (1/s per chat with bursts, 20/min per group, 30/s)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    async def serve() -> None:
        fake = FakeTelegram(
            token=args.token,
            bot_username=args.bot_username,
            callback_query_ttl=args.callback_query_ttl,
            auto_create_chats=args.auto_create_chats,
            flood_control=args.flood_control,
        )
        await fake.start(args.host, args.port)
        print(
            f"fake Telegram Bot API: {fake.base_url}  (control API: {fake.base_url}/_fake/)",
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await fake.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
