"""The paced sender for messages the bot starts itself (reminders), and for replies
Telegram refused for a while (see `bot.telegram.deferred`).

About `rate` messages per second overall (evenly spaced, and never more than `rate`
starting within any one second) and one per second per chat, shared by every replica
through Redis. One 429 pauses the whole sender for `retry_after`, everywhere.
`hold()` (a graceful stop) lets a message already on its way finish and turns every other
into HELD, so the caller can hand it back instead of losing or repeating it.
It uses its own Bot session without the retry middleware: a 429 here must pause all
senders, not just put one request to sleep.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardMarkup

from bot.storage.keys import KeySpace
from bot.storage.pacing import Limit, Pacer
from bot.telegram.reachability import stops_messages, why_forbidden

log = logging.getLogger(__name__)

DEFAULT_RATE = 28.0  # Telegram allows about 30 per second to different chats
SENDER_CONNECTIONS = 8


class SendOutcome(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"
    NOT_STARTED = "not_started"  # never pressed Start: not blocked, just not reachable yet
    FAILED = "failed"
    HELD = "held"  # not sent: the sender was told to hold before this message left
    UNCHANGED = "unchanged"  # an edit that would change nothing ("message is not modified")
    GONE = "gone"  # an edit of a message that is deleted, or too old to edit


def telegram_budget(keys: KeySpace, rate: float) -> Limit:
    """The bot's overall message budget, one key for every replica and every sender."""
    return Limit(keys("pace", "telegram"), rate=rate, burst=1)


class PacedSender:
    def __init__(
        self,
        bot: Bot,
        pacer: Pacer,
        keys: KeySpace,
        *,
        rate: float = DEFAULT_RATE,
        per_chat_rate: float = 1.0,
        attempts: int = 5,
        on_blocked: Callable[[int], Awaitable[object]] | None = None,
        concurrency: int = SENDER_CONNECTIONS,
    ) -> None:
        self._bot = bot
        self._pacer = pacer
        self._keys = keys
        self._global = telegram_budget(keys, rate)
        self._window_key = keys("pace", "telegram", "sent")
        self._window_cap = max(1, int(rate))
        self._per_chat_rate = per_chat_rate
        self._attempts = attempts
        self._on_blocked = on_blocked
        self.stats: dict[str, int] = {"sent": 0, "retry_after": 0, "blocked": 0, "failed": 0}
        # No more sends in flight than the session has connections: a send admitted by the
        # pacer must not then queue for a connection and reach Telegram late, bunched up.
        self._in_flight = asyncio.Semaphore(concurrency)
        self._holding = asyncio.Event()

    def hold(self) -> None:
        """Send nothing more: a message already handed to Telegram completes, the rest are HELD."""
        self._holding.set()

    async def _take_turn(self, chat_id: int) -> None:
        await self._pacer.wait([self._global, self._chat_limit(chat_id)])
        await self._pacer.admit(self._window_key, cap=self._window_cap)

    async def _turn(self, chat_id: int) -> bool:
        """Wait for this message's slot; False when told to hold first (the slot is wasted)."""
        if self._holding.is_set():
            return False
        turn = asyncio.ensure_future(self._take_turn(chat_id))
        holding = asyncio.ensure_future(self._holding.wait())
        try:
            await asyncio.wait({turn, holding}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            holding.cancel()
            if not turn.done():
                turn.cancel()
        if not turn.done() or turn.cancelled():
            return False
        turn.result()
        return not self._holding.is_set()

    def _chat_limit(self, chat_id: int) -> Limit:
        return Limit(self._keys("pace", "chat", chat_id), rate=self._per_chat_rate, burst=1)

    async def send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> SendOutcome:
        return await self.deliver(chat_id, SendMessage(chat_id=chat_id, text=text, reply_markup=markup))

    async def deliver(self, chat_id: int, method: TelegramMethod[Any]) -> SendOutcome:
        """Send `method` (a message, or an edit of one) to `chat_id` within the limits."""
        for attempt in range(1, self._attempts + 1):
            try:
                async with self._in_flight:
                    if not await self._turn(chat_id):
                        return SendOutcome.HELD
                    # From here on the message is on its way: a stop waits for its answer.
                    await self._bot(method)
            except TelegramRetryAfter as error:
                self.stats["retry_after"] += 1
                log.warning("telegram flood control: pausing every sender",
                            extra={"ctx_retry_after": error.retry_after})
                await self._pacer.fill(self._global, float(error.retry_after))
                continue
            except TelegramForbiddenError as error:
                if not stops_messages(why_forbidden(error)):
                    self.stats["failed"] += 1
                    return SendOutcome.NOT_STARTED
                self.stats["blocked"] += 1
                if self._on_blocked is not None:
                    await self._on_blocked(chat_id)
                return SendOutcome.BLOCKED
            except TelegramBadRequest as error:
                reason = error.message.lower()
                if "message is not modified" in reason:
                    return SendOutcome.UNCHANGED
                if "message to edit not found" in reason or "message can't be edited" in reason:
                    return SendOutcome.GONE
                self.stats["failed"] += 1
                log.warning("telegram refused a message",
                            extra={"ctx_chat": chat_id, "ctx_method": type(method).__name__,
                                   "ctx_error": error.message})
                return SendOutcome.FAILED
            except (TelegramNetworkError, TelegramServerError) as error:
                log.warning("sending a message failed, retrying",
                            extra={"ctx_attempt": attempt, "ctx_error": type(error).__name__})
                await asyncio.sleep(random.uniform(0, 0.5 * 2 ** (attempt - 1)))
                continue
            self.stats["sent"] += 1
            return SendOutcome.SENT
        self.stats["failed"] += 1
        return SendOutcome.FAILED
