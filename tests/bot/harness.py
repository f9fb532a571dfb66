"""Dispatcher-level harness: the production dispatcher, a recording Telegram session,
the portal emulator over HTTP, and a real Redis.

The session behaves like Telegram where it matters to the bot: it keeps the messages the
bot sent, refuses an identical edit with "message is not modified", refuses HTML it
cannot parse and a text over 4096 characters after entity parsing (with the fake Telegram
server's own parser), answers a callback query only once, and passes every answer through
aiogram's own `check_response`, so a scripted 429 or 403 raises the real aiogram exception.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    PhotoSize,
    Message,
    MessageEntity,
    Update,
    User,
)

from workday_sandbox.telegram.html import EntityParseError, parse_html, strip_text
from bot.app import Repositories
from bot.telegram.deferred import DeferredReplies
from bot.telegram.deps import Services

BOT_TOKEN = "42424242:TEST-token-for-tests"
BOT_ID = 42424242


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str
    markup: dict[str, Any] | None
    versions: list[str] = field(default_factory=list)
    photo: bytes | None = None  # a photo message: `text` is its caption

    @property
    def buttons(self) -> list[tuple[str, str]]:
        if not self.markup:
            return []
        return [(b["text"], b.get("callback_data", "")) for row in self.markup["inline_keyboard"] for b in row]

    def button(self, label_part: str) -> str:
        for text, data in self.buttons:
            if label_part in text:
                return data
        raise AssertionError(f"no button with {label_part!r} in {self.buttons}")


@dataclass
class ScriptedError:
    status: int
    description: str
    retry_after: int | None = None


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.by_chat: dict[int, list[SentMessage]] = defaultdict(list)
        self.answered: dict[str, tuple[str | None, bool | None]] = {}
        self.errors: dict[str, list[ScriptedError]] = defaultdict(list)
        self._ids = itertools.count(1000)

    async def close(self) -> None:
        pass

    def sibling(self) -> RecordingSession:
        """Another session (for a second Bot, with its own middlewares) on the same chats."""
        other = RecordingSession()
        other.requests, other.messages, other.by_chat = self.requests, self.messages, self.by_chat
        other.answered, other.errors, other._ids = self.answered, self.errors, self._ids
        return other

    async def stream_content(self, *args: Any, **kwargs: Any):  # pragma: no cover - unused
        raise NotImplementedError
        yield b""

    def fail_next(self, api_method: str, status: int, description: str, retry_after: int | None = None,
                  times: int = 1) -> None:
        self.errors[api_method].extend(ScriptedError(status, description, retry_after) for _ in range(times))

    def calls(self, api_method: str) -> list[TelegramMethod[Any]]:
        return [r for r in self.requests if r.__api_method__ == api_method]

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> TelegramType:
        self.requests.append(method)
        name = method.__api_method__
        if self.errors.get(name):
            error = self.errors[name].pop(0)
            payload: dict[str, Any] = {"ok": False, "error_code": error.status, "description": error.description}
            if error.retry_after is not None:
                payload["parameters"] = {"retry_after": error.retry_after}
            return self.check_response(bot, method, error.status, json.dumps(payload)).result  # raises
        status, result = self._answer(bot, name, method)
        if status != 200:
            content = json.dumps({"ok": False, "error_code": status, "description": result})
        else:
            content = json.dumps({"ok": True, "result": result})
        return self.check_response(bot, method, status, content).result  # type: ignore[return-value]

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private" if message.chat_id > 0 else "group",
                     "title": None if message.chat_id > 0 else "Group"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Workday", "username": "workday_bot"},
        }
        if message.photo is not None:
            data["photo"] = [{"file_id": f"photo{message.message_id}", "file_unique_id": f"u{message.message_id}",
                              "width": 1000, "height": 750, "file_size": len(message.photo)}]
            data["caption"] = message.text
        else:
            data["text"] = message.text
        if message.markup:
            data["reply_markup"] = message.markup
        return data

    @staticmethod
    def _refusal(bot: Bot, method: Any) -> str | None:
        """Telegram's objection to a message text, if it has one."""
        parse_mode = method.parse_mode
        if isinstance(parse_mode, Default):
            parse_mode = bot.default[parse_mode.name]
        text = method.text
        if parse_mode == "HTML":
            try:
                text, entities = parse_html(text)
            except EntityParseError as error:
                return f"Bad Request: can't parse entities: {error}"
        else:
            entities = []
        text, _ = strip_text(text, entities)
        if not text:
            return "Bad Request: message text is empty"
        if len(text) > 4096:
            return "Bad Request: message is too long"
        return None

    def _answer(self, bot: Bot, name: str, method: Any) -> tuple[int, Any]:
        if name in ("sendMessage", "editMessageText") and (refusal := self._refusal(bot, method)):
            return 400, refusal
        if name == "getMe":
            return 200, {"id": BOT_ID, "is_bot": True, "first_name": "Workday", "username": "workday_bot"}
        if name == "sendMessage":
            markup = _markup(method.reply_markup)
            message = SentMessage(int(method.chat_id), next(self._ids), method.text, markup, [method.text])
            self.messages[(message.chat_id, message.message_id)] = message
            self.by_chat[message.chat_id].append(message)
            return 200, self._message_json(message)
        if name == "sendPhoto":
            markup = _markup(method.reply_markup)
            caption = method.caption or ""
            message = SentMessage(int(method.chat_id), next(self._ids), caption, markup, [caption],
                                  photo=method.photo.data)
            self.messages[(message.chat_id, message.message_id)] = message
            self.by_chat[message.chat_id].append(message)
            return 200, self._message_json(message)
        if name == "editMessageMedia":
            message = self.messages.get((int(method.chat_id), int(method.message_id)))
            if message is None:
                return 400, "Bad Request: message to edit not found"
            if message.photo is None:
                return 400, "Bad Request: there is no media in the message to edit"
            message.photo, message.text = method.media.media.data, method.media.caption or ""
            message.markup = _markup(method.reply_markup)
            message.versions.append(message.text)
            return 200, self._message_json(message)
        if name == "editMessageText":
            key = (int(method.chat_id), int(method.message_id))
            message = self.messages.get(key)
            if message is None:
                return 400, "Bad Request: message to edit not found"
            if message.photo is not None:
                return 400, "Bad Request: there is no text in the message to edit"
            markup = _markup(method.reply_markup)
            if message.text == method.text and message.markup == markup:
                return 400, ("Bad Request: message is not modified: specified new message content and "
                             "reply markup are exactly the same as a current content and reply markup of the message")
            message.text, message.markup = method.text, markup
            message.versions.append(method.text)
            return 200, self._message_json(message)
        if name == "editMessageReplyMarkup":
            message = self.messages.get((int(method.chat_id), int(method.message_id)))
            if message is None:
                return 400, "Bad Request: message to edit not found"
            markup = _markup(method.reply_markup)
            if message.markup == markup:
                return 400, "Bad Request: message is not modified"
            message.markup = markup
            return 200, self._message_json(message)
        if name == "answerCallbackQuery":
            if method.callback_query_id in self.answered:
                return 400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            self.answered[method.callback_query_id] = (method.text, method.show_alert)
            return 200, True
        return 200, True

    def last(self, chat_id: int) -> SentMessage:
        assert self.by_chat.get(chat_id), f"the bot sent nothing to {chat_id}"
        return self.by_chat[chat_id][-1]


def _markup(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    if markup is None:
        return None
    return json.loads(markup.model_dump_json(exclude_none=True))


class Updates:
    """Builds Telegram updates the way Telegram would send them."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)

    @staticmethod
    def user(user_id: int, language: str = "en", first_name: str = "Anna") -> User:
        return User(id=user_id, is_bot=False, first_name=first_name, language_code=language)

    def text(self, user: User, text: str, chat: Chat | None = None) -> Update:
        chat = chat or Chat(id=user.id, type="private", first_name=user.first_name)
        entities = None
        if text.startswith("/"):
            command = text.split()[0]
            entities = [MessageEntity(type="bot_command", offset=0, length=len(command))]
        message = Message(message_id=next(self._message_ids), date=int(time.time()), chat=chat,
                          from_user=user, text=text, entities=entities)
        return Update(update_id=next(self._update_ids), message=message)

    def tap(self, user: User, message: SentMessage, data: str) -> Update:
        chat = Chat(id=message.chat_id, type="private" if message.chat_id > 0 else "group")
        bot_user = User(id=BOT_ID, is_bot=True, first_name="Workday", username="workday_bot")
        content: dict[str, Any] = {"text": message.text} if message.photo is None else {
            "caption": message.text,
            "photo": [PhotoSize(file_id=f"photo{message.message_id}", file_unique_id=f"u{message.message_id}",
                                width=1000, height=750)]}
        origin = Message(message_id=message.message_id, date=int(time.time()), chat=chat, from_user=bot_user,
                         reply_markup=InlineKeyboardMarkup.model_validate(message.markup) if message.markup else None,
                         **content)
        query = CallbackQuery(id=str(next(self._query_ids)), from_user=user, chat_instance="ci",
                              message=origin, data=data)
        return Update(update_id=next(self._update_ids), callback_query=query)

    def blocked(self, user: User, blocked: bool = True) -> Update:
        chat = Chat(id=user.id, type="private")
        bot_user = User(id=BOT_ID, is_bot=True, first_name="Workday")
        old = ChatMemberMember(user=bot_user) if blocked else ChatMemberBanned(user=bot_user, until_date=0)
        new = ChatMemberBanned(user=bot_user, until_date=0) if blocked else ChatMemberMember(user=bot_user)
        event = ChatMemberUpdated(chat=chat, from_user=user, date=int(time.time()),
                                  old_chat_member=old, new_chat_member=new)
        return Update(update_id=next(self._update_ids), my_chat_member=event)


@dataclass
class Harness:
    dispatcher: Dispatcher
    bot: Bot
    session: RecordingSession
    updates: Updates
    deferred: DeferredReplies | None = None
    waits: list[float] = field(default_factory=list)  # what deferred replies were asked to wait
    repositories: Repositories | None = None

    @property
    def services(self) -> Services:
        return self.dispatcher["services"]

    @property
    def repos(self) -> Repositories:
        assert self.repositories is not None
        return self.repositories

    async def settle(self) -> None:
        """Let replies that Telegram made wait go out."""
        if self.deferred is not None:
            await self.deferred.drain(timeout=30)

    async def feed(self, update: Update) -> Any:
        return await self.dispatcher.feed_update(self.bot, update)

    async def say(self, user: User, text: str) -> SentMessage:
        await self.feed(self.updates.text(user, text))
        return self.session.last(user.id)

    async def tap(self, user: User, message: SentMessage, data: str) -> SentMessage:
        await self.feed(self.updates.tap(user, message, data))
        return self.session.messages[(message.chat_id, message.message_id)]
