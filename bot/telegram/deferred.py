"""Replies Telegram refuses for a while are sent later, not dropped.

The retry middleware waits out a short 429 and a few 5xx inline. Past that (a 429 with
a long `retry_after`, or Telegram failing again and again), it hands the reply here and
the handler stops with `ReplyDeferred`. The reply then waits out `retry_after` and goes
through the paced sender (the reminders' one: limits shared through Redis with every
replica), in order per chat: while one reply to a chat waits, later replies to that
chat wait behind it, so an older card never overwrites a newer one.

Waiting replies live in this process: a stop gives them `drain`'s grace period, and a
crash loses them (the user sees no reply, as before, and can ask again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram.methods import EditMessageReplyMarkup, EditMessageText, SendMessage, TelegramMethod

from bot.telegram.sender import SendOutcome

log = logging.getLogger(__name__)

# What a user sees as the bot's answer. Callback answers expire within seconds, chat
# actions mean nothing later, and start-up calls are retried by the next start.
DEFERRABLE = (SendMessage, EditMessageText, EditMessageReplyMarkup)
MAX_WAITING = 5000  # replies, over all chats: beyond this a reply is dropped (and logged)


class ReplyDeferred(Exception):  # noqa: N818 - it is not a failure of the reply
    """The reply will be sent later; the handler should stop here."""

    def __init__(self, chat_id: int, method: str) -> None:
        super().__init__(f"{method} to {chat_id} deferred")
        self.chat_id = chat_id
        self.method = method


class Deliverer(Protocol):
    async def deliver(self, chat_id: int, method: TelegramMethod[Any]) -> SendOutcome: ...


def deferrable_chat(method: TelegramMethod[Any]) -> int | None:
    """The chat a deferrable reply goes to, or None if this call is not one."""
    if not isinstance(method, DEFERRABLE):
        return None
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int) else None


class DeferredReplies:
    def __init__(self, sender: Deliverer, *, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 max_waiting: int = MAX_WAITING) -> None:
        self._sender = sender
        self._sleep = sleep
        self._max_waiting = max_waiting
        self._last: dict[int, asyncio.Task[None]] = {}  # per chat: the reply the next one waits for
        self._tasks: set[asyncio.Task[None]] = set()
        self.stats: dict[str, int] = {"deferred": 0, "sent": 0, "failed": 0, "dropped": 0}

    def waiting(self, chat_id: int) -> bool:
        return chat_id in self._last

    @property
    def count(self) -> int:
        return len(self._tasks)

    def defer(self, chat_id: int, method: TelegramMethod[Any], wait: float) -> bool:
        """Queue `method` to be sent after `wait` seconds; False if too many are waiting."""
        if len(self._tasks) >= self._max_waiting:
            self.stats["dropped"] += 1
            log.error("too many replies waiting for Telegram; one dropped",
                      extra={"ctx_method": type(method).__name__, "ctx_waiting": len(self._tasks)})
            return False
        self.stats["deferred"] += 1
        task = asyncio.create_task(self._deliver(chat_id, method, wait, self._last.get(chat_id)))
        self._last[chat_id] = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._done(chat_id, done))
        log.info("reply deferred", extra={"ctx_method": type(method).__name__, "ctx_wait": wait,
                                          "ctx_waiting": len(self._tasks)})
        return True

    def _done(self, chat_id: int, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._last.get(chat_id) is task:
            del self._last[chat_id]

    async def _deliver(self, chat_id: int, method: TelegramMethod[Any], wait: float,
                       before: asyncio.Task[None] | None) -> None:
        if before is not None:
            await asyncio.wait([before])
        if wait > 0:
            await self._sleep(wait)
        try:
            outcome = await self._sender.deliver(chat_id, method)
        except Exception as error:  # noqa: BLE001 - e.g. Redis gone; a task has nobody to raise to
            self.stats["failed"] += 1
            log.error("deferred reply failed", extra={"ctx_method": type(method).__name__,
                                                      "ctx_error": type(error).__name__})
            return
        if outcome is SendOutcome.SENT:
            self.stats["sent"] += 1
            log.info("deferred reply sent", extra={"ctx_method": type(method).__name__})
        else:
            self.stats["failed"] += 1
            log.warning("deferred reply not delivered",
                        extra={"ctx_method": type(method).__name__, "ctx_outcome": outcome.value})

    async def drain(self, timeout: float = 10.0) -> None:
        """Let waiting replies go out for up to `timeout` seconds; cancel the rest."""
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("replies still waiting for Telegram were dropped at shutdown",
                        extra={"ctx_count": len(pending)})
