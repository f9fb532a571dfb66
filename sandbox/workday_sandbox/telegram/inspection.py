"""Reading the fake's state and waiting for the bot (a `FakeTelegram` mixin)."""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable
from typing import Any

from workday_sandbox.telegram.core import TelegramCore
from workday_sandbox.telegram.models import ApiCall, BotMessage, ChatMessage, FakeEvent, SimChat, SimUser


def describe_predicate(predicate: Callable[..., Any]) -> str:
    try:
        source = inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)
    return source if len(source) <= 300 else source[:300] + "…"


class StateReading(TelegramCore):
    def messages(
        self, chat_id: int | SimChat | SimUser, *, include_deleted: bool = False
    ) -> list[BotMessage]:
        """The bot's messages in the chat, oldest first, as they are now."""
        state = self._chats.get(self._chat_key(chat_id))
        if state is None:
            return []
        return [
            message
            for message in state.messages.values()
            if message.from_bot and (include_deleted or not message.deleted)
        ]

    def last_message(self, chat_id: int | SimChat | SimUser) -> BotMessage | None:
        """The bot's most recent (not deleted) message in the chat."""
        state = self._chats.get(self._chat_key(chat_id))
        if state is None:
            return None
        for message in reversed(state.messages.values()):
            if message.from_bot and not message.deleted:
                return message
        return None

    def message(self, chat_id: int | SimChat | SimUser, message_id: int) -> ChatMessage | None:
        state = self._chats.get(self._chat_key(chat_id))
        return None if state is None else state.messages.get(message_id)

    def transcript(self, chat_id: int | SimChat | SimUser) -> list[ChatMessage]:
        """Every message in the chat, the users' included, oldest first."""
        state = self._chats.get(self._chat_key(chat_id))
        return [] if state is None else list(state.messages.values())

    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API call made so far, in the order they were answered."""
        return self._calls

    def calls_to(self, method: str) -> list[ApiCall]:
        name = self._method_names.get(method.lower(), method)
        return list(self._calls_by_method.get(name, ()))

    @property
    def callback_answers(self) -> dict[str, tuple[str | None, bool]]:
        """``{callback_query_id: (text, show_alert)}`` for every accepted answer."""
        return self._callback_answers


    def events(
        self, since: int = 0, *, chat_id: int | None = None, limit: int | None = None
    ) -> list[FakeEvent]:
        """Feed entries with ``seq > since`` (optionally for one chat)."""
        selected = self._events[max(since, 0) :]
        if chat_id is not None:
            selected = [event for event in selected if event.chat_id == chat_id]
        return selected[:limit] if limit is not None else selected

    @property
    def last_event_seq(self) -> int:
        return len(self._events)

    @property
    def pending_update_count(self) -> int:
        if self._webhook is not None:
            return self._webhook.pending_count
        return len(self._pending)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        queued = self._webhook.pending() if self._webhook is not None else self._pending
        return [self._update_json(update) for update in queued]

    @property
    def pollers_waiting(self) -> int:
        """How many getUpdates calls are currently long-polling."""
        return self._pollers_waiting

    @property
    def event_pollers_waiting(self) -> int:
        """How many ``GET /_fake/events`` requests are currently long-polling."""
        return self._event_pollers_waiting

    @property
    def allowed_updates(self) -> frozenset[str]:
        return self._allowed_updates


    # --- waiting ------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,
        *,
        message: str | None = None,
        interval: float = 0.05,
    ) -> Any:
        """Re-check ``predicate`` (sync or async) whenever the fake's state changes (and at
        least every ``interval`` seconds) until it returns something truthy, which is
        returned. Raises TimeoutError describing the predicate and the recent API calls."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = message or f"condition {describe_predicate(predicate)}"
                raise TimeoutError(f"{what} not met within {timeout}s\n{self.describe_recent()}")
            await self._changed.wait(min(remaining, interval))

    async def wait_for_message(
        self,
        chat_id: int | SimChat | SimUser,
        contains: str | re.Pattern[str] | None = None,
        *,
        timeout: float = 5.0,
        since: int | None = None,
        predicate: Callable[[BotMessage], bool] | None = None,
    ) -> BotMessage:
        """Wait until the bot sends or edits a message in the chat whose text contains
        ``contains`` (a substring or a regex) and satisfies ``predicate``; return that
        message as it is now.

        Only bot actions after ``since`` (an event seq, see `last_event_seq`) count. By
        default that is the latest user action in this chat (send_text, click, block),
        so the wait is for the bot's reaction to it; pass ``since=0`` to also accept
        older messages.
        """
        key = self._chat_key(chat_id)
        if since is None:
            state = self._chats.get(key)
            since = state.last_user_seq if state is not None else 0
        cursor = since

        def matches(text: str) -> bool:
            if contains is None:
                return True
            if isinstance(contains, re.Pattern):
                return contains.search(text) is not None
            return contains in text

        def check() -> BotMessage | None:
            nonlocal cursor
            events = self._events
            while cursor < len(events):
                event = events[cursor]
                cursor += 1
                if event.chat_id != key or event.type not in ("message_sent", "message_edited"):
                    continue
                if not matches(event.data["message"]["text"]):
                    continue
                message = self._chats[key].messages[event.data["message_id"]]
                if predicate is None or predicate(message):
                    return message
            return None

        try:
            return await self.wait_for(check, timeout)
        except TimeoutError:
            recent = [
                f"  #{m.message_id}{' (edited)' if m.edited else ''}: {m.text[:120]!r}"
                for m in self.messages(key)[-5:]
            ]
            wanted = f"containing {contains!r}" if contains is not None else "any message"
            raise TimeoutError(
                f"no bot message {wanted} in chat {key} after event #{since} within "
                f"{timeout}s\nbot messages now:\n" + ("\n".join(recent) or "  (none)")
                + f"\n{self.describe_recent()}"
            ) from None

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,
        since: int = 0,
    ) -> ApiCall:
        """Wait for a call of ``method`` (the n-th onwards, ``since`` = how many calls of
        that method to skip) satisfying ``predicate``."""
        name = self._method_names.get(method.lower(), method)

        def check() -> ApiCall | None:
            for call in self._calls_by_method.get(name, ())[since:]:
                if predicate is None or predicate(call):
                    return call
            return None

        return await self.wait_for(check, timeout, message=f"a {name} call")

    def describe_recent(self, count: int = 12) -> str:
        """A few lines about the latest API calls and events, for failure messages."""
        calls = "\n".join(f"  {call}" for call in self._calls[-count:]) or "  (none)"
        events = "\n".join(
            f"  #{event.seq} {event.type} chat={event.chat_id}" for event in self._events[-count:]
        ) or "  (none)"
        return f"recent API calls:\n{calls}\nrecent events:\n{events}"
