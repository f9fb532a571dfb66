"""Which message in a chat is its live day card: the last one sent.

Older cards keep their text, but their buttons go, so nobody taps Resume on a card that
still says "On a break" after the day moved on."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.keys import KeySpace

# A card older than this is left alone: Telegram lets a bot edit its messages for 48 hours.
_TTL_SECONDS = 48 * 3600


class LiveCardRepository:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys

    async def replace(self, chat_id: int, message_id: int) -> int | None:
        """Make `message_id` the chat's live card; the one it replaces, if another."""
        previous = await self._redis.set(self._keys("card", chat_id), message_id, ex=_TTL_SECONDS, get=True)
        if previous is None or int(previous) == message_id:
            return None
        return int(previous)

    async def forget(self, chat_id: int) -> None:
        await self._redis.delete(self._keys("card", chat_id))
