"""OAuth tokens in Redis, so a rotated refresh token survives restarts and is shared by replicas."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from bot.bitrix24.auth import TokenPair


class RedisTokenStore:
    def __init__(self, redis: Redis, key: str = "b24bot:oauth:tokens") -> None:
        self._redis = redis
        self._key = key

    async def load(self) -> TokenPair | None:
        raw = await self._redis.get(self._key)
        if not raw:
            return None
        try:
            return TokenPair.from_dict(json.loads(raw))
        except (ValueError, TypeError):
            return None

    async def save(self, pair: TokenPair) -> None:
        await self._redis.set(self._key, json.dumps(pair.to_dict()))

    def __repr__(self) -> str:
        return f"RedisTokenStore(key={self._key!r})"
