"""Pending link attempts: a hashed one-time code, its expiry and the wrong tries left.

An attempt that ran out of tries becomes a lock: its code is dropped, it lives for the
lockout period from that moment, and no new attempt starts for that account meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from redis.asyncio import Redis

from bot.storage.keys import KeySpace

# Count the try first, then compare: parallel guesses each use up a try.
# ARGV: the code's hash, the tries allowed, the lockout (ms).
_CHECK = """
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return {'missing', 0, ''} end
local max_tries = tonumber(ARGV[2])
local tries = redis.call('HINCRBY', key, 'tries', 1)
if tries > max_tries then return {'locked', 0, ''} end
if redis.call('HGET', key, 'code_hash') == ARGV[1] then
  local bitrix = redis.call('HGET', key, 'bitrix_id')
  redis.call('DEL', key)
  return {'ok', 0, bitrix}
end
if tries >= max_tries then
  redis.call('HDEL', key, 'code_hash', 'bitrix_id')
  redis.call('HSET', key, 'locked', 1)
  redis.call('PEXPIRE', key, ARGV[3])
  return {'locked', 0, ''}
end
return {'wrong', max_tries - tries, ''}
"""


class CodeCheck(Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class CodeCheckResult:
    outcome: CodeCheck
    tries_left: int = 0
    bitrix_id: int | None = None


class LinkAttemptRepository:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys
        self._check = redis.register_script(_CHECK)

    def _key(self, telegram_id: int) -> str:
        return self._keys("link_attempt", telegram_id)

    async def start(
        self, telegram_id: int, *, bitrix_id: int | None, salt: str, code_hash: str, ttl_seconds: int
    ) -> None:
        """Replace any attempt in progress. `bitrix_id=None` (no such employee) still gets an
        attempt, so a stranger sees the same flow whether or not the person exists."""
        key = self._key(telegram_id)
        mapping: dict[str, Any] = {
            "bitrix_id": bitrix_id or 0,
            "salt": salt,
            "code_hash": code_hash,
            "tries": 0,
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, ttl_seconds)
            await pipe.execute()

    async def salt(self, telegram_id: int) -> str | None:
        value = await self._redis.hget(self._key(telegram_id), "salt")
        return value.decode() if isinstance(value, bytes) else value

    async def check(self, telegram_id: int, code_hash: str, max_tries: int,
                    lockout_seconds: int) -> CodeCheckResult:
        outcome, tries_left, bitrix = await self._check(
            keys=[self._key(telegram_id)], args=[code_hash, max_tries, lockout_seconds * 1000])
        outcome = CodeCheck(outcome.decode() if isinstance(outcome, bytes) else outcome)
        bitrix_id = int(bitrix) if bitrix and int(bitrix) > 0 else None
        if outcome is CodeCheck.OK and bitrix_id is None:
            # The code matched an attempt for nobody; impossible by construction, treat as wrong.
            return CodeCheckResult(CodeCheck.WRONG, tries_left=0)
        return CodeCheckResult(outcome, tries_left=int(tries_left), bitrix_id=bitrix_id)

    async def seconds_left(self, telegram_id: int) -> int:
        ttl = await self._redis.ttl(self._key(telegram_id))
        return max(0, int(ttl))

    async def locked_for(self, telegram_id: int) -> int:
        """Seconds this account's lock has left; 0 when it is not locked."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hget(self._key(telegram_id), "locked")
            pipe.ttl(self._key(telegram_id))
            locked, ttl = await pipe.execute()
        return max(1, int(ttl)) if locked else 0

    async def forget(self, telegram_id: int) -> None:
        await self._redis.delete(self._key(telegram_id))

    async def forget_unless_locked(self, telegram_id: int) -> None:
        """Drop a pending attempt, but keep a lock: forgetting must not lift it."""
        if not await self.locked_for(telegram_id):
            await self.forget(telegram_id)
