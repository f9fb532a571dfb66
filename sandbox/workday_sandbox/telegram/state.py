"""The fake's plain state objects: chats, queued updates, callback queries, a webhook."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any

from workday_sandbox.telegram.models import ChatMessage, SimChat

# allowed_updates: an empty list (or never set) means "all but these three".
ALL_UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
DEFAULT_UPDATE_TYPES = frozenset(ALL_UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


class Notifier:
    """Wake every coroutine waiting in `wait` when `notify` is called."""

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[bool]] = set()

    def notify(self) -> None:
        if not self._waiters:
            return
        waiters, self._waiters = self._waiters, set()
        for future in waiters:
            if not future.done():
                future.set_result(True)

    async def wait(self, timeout: float) -> bool:
        """True when notified, False when ``timeout`` seconds passed first."""
        if timeout <= 0:
            return False
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._waiters.add(future)
        handle = loop.call_later(timeout, _resolve_false, future)
        try:
            return await future
        finally:
            handle.cancel()
            self._waiters.discard(future)


def _resolve_false(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(False)


class QueuedUpdate:
    __slots__ = ("key", "payload", "type", "update_id")

    def __init__(self, update_id: int, kind: str, payload: dict[str, Any], key: int) -> None:
        self.update_id = update_id
        self.type = kind
        self.payload = payload
        self.key = key  # chat (or user) id: webhook deliveries keep order per key


class ChatState:
    __slots__ = ("chat", "last_user_seq", "menu_button", "messages", "next_message_id")

    def __init__(self, chat: SimChat) -> None:
        self.chat = chat
        self.messages: dict[int, ChatMessage] = {}
        self.next_message_id = 1
        self.last_user_seq = 0  # event seq of the latest user action in this chat
        self.menu_button: dict[str, Any] | None = None


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    created: float  # monotonic
    answered: bool = False



class WebhookState:
    def __init__(
        self,
        url: str,
        secret_token: str | None,
        max_connections: int,
        ip_address: str | None,
    ) -> None:
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.ip_address = ip_address
        self.shards: list[deque[QueuedUpdate]] = [deque() for _ in range(max_connections)]
        self.notifiers = [Notifier() for _ in range(max_connections)]
        self.tasks: list[asyncio.Task[None]] = []
        self.active = True
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None

    def push(self, update: QueuedUpdate) -> None:
        index = abs(update.key) % len(self.shards)
        self.shards[index].append(update)
        self.notifiers[index].notify()

    def pending(self) -> list[QueuedUpdate]:
        return sorted(
            (update for shard in self.shards for update in shard), key=lambda u: u.update_id
        )

    @property
    def pending_count(self) -> int:
        return sum(len(shard) for shard in self.shards)
