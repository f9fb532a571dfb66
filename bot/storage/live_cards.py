"""Which message in a chat is its live day card: the last one sent.

Older cards keep their text, but their buttons go, so nobody taps Resume on a card that
still says "On a break" after the day moved on.

An index (a sorted set of chat ids, scored by when their card was sent) lets the
background sweep find the cards still worth refreshing without scanning keys: an edit in
place keeps the card's first moment, and cards past Telegram's 48-hour window drop out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis.asyncio import Redis

from bot.storage.keys import KeySpace

# A card older than this is left alone: Telegram lets a bot edit its messages for 48 hours.
_TTL_SECONDS = 48 * 3600
EDIT_WINDOW = timedelta(seconds=_TTL_SECONDS)

# KEYS: the chat's card, the index. ARGV: message id, sent at (unix s), ttl, chat id.
# Returns the message it replaced (or nil).
_REPLACE = """
local previous = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
if previous == ARGV[1] then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[4])
else
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
end
return previous
"""

# Forget the card only if it is still this message. KEYS: the card, the index. ARGV: message id, chat id.
_FORGET_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 1
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Card:
    chat_id: int
    message_id: int
    sent_at: float  # unix seconds the card was first shown


class LiveCardRepository:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys
        self._index = keys("cards", "sent")
        self._replace = redis.register_script(_REPLACE)
        self._forget_if = redis.register_script(_FORGET_IF)

    def _key(self, chat_id: int) -> str:
        return self._keys("card", chat_id)

    async def replace(self, chat_id: int, message_id: int, *, at: datetime | None = None) -> int | None:
        """Make `message_id` the chat's live card (shown `at`, default now); the one it
        replaces, if another."""
        sent = at.timestamp() if at is not None else time.time()
        previous = await self._replace(keys=[self._key(chat_id), self._index],
                                       args=[message_id, sent, _TTL_SECONDS, chat_id])
        if previous is None or int(previous) == message_id:
            return None
        return int(previous)

    async def get(self, chat_id: int) -> int | None:
        value = await self._redis.get(self._key(chat_id))
        return int(value) if value else None

    async def current(self, chat_ids: list[int]) -> dict[int, int]:
        """Each chat's live card now (chats without one left out)."""
        if not chat_ids:
            return {}
        values = await self._redis.mget([self._key(chat_id) for chat_id in chat_ids])
        return {chat_id: int(value) for chat_id, value in zip(chat_ids, values, strict=True) if value}

    async def live(self, now: datetime) -> list[Card]:
        """Every card still within the edit window at `now`, oldest first. Index entries
        past the window, or whose card is gone, are pruned on the way."""
        horizon = now.timestamp() - _TTL_SECONDS
        await self._redis.zremrangebyscore(self._index, "-inf", f"({horizon}")
        rows = await self._redis.zrangebyscore(self._index, horizon, "+inf", withscores=True)
        chat_ids = [int(member) for member, _ in rows]
        messages = await self.current(chat_ids)
        gone = [chat_id for chat_id in chat_ids if chat_id not in messages]
        if gone:
            await self._redis.zrem(self._index, *gone)
        return [Card(int(member), messages[int(member)], float(score)) for member, score in rows
                if int(member) in messages]

    async def forget_card(self, chat_id: int, message_id: int) -> bool:
        """Forget the chat's card if it is still `message_id` (Telegram says it is gone)."""
        return bool(await self._forget_if(keys=[self._key(chat_id), self._index], args=[message_id, chat_id]))

    async def forget(self, chat_id: int) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._key(chat_id))
            pipe.zrem(self._index, chat_id)
            await pipe.execute()

    async def claim_sweep(self, token: str, seconds: float) -> bool:
        """One sweep at a time across the replicas: a pass holds this while it runs."""
        return bool(await self._redis.set(self._keys("cards", "sweep"), token, nx=True, px=int(seconds * 1000)))

    async def release_sweep(self, token: str) -> None:
        key = self._keys("cards", "sweep")
        if await self._redis.get(key) == token.encode():
            await self._redis.delete(key)
