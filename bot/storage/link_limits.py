"""How many link codes go to one employee per hour, in total and per asking Telegram account.

One hash per target (`rate:link_code:{target}`), living one window from its first code:
`total` codes sent, `tg:{id}` codes sent at that account's request, and `noticed` once
admins were told the target is full. A set per account (`rate:link_asked:{tg}`) names
the targets it has a share in, so that share can be dropped without a scan. Keeping the per-account counts beside the total
lets one account use only its own share, so a stranger alone cannot use up the owner's,
and lets an admin clear everything about one target with a single delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from redis.asyncio import Redis

from bot.storage.keys import KeySpace

# KEYS: the target's hash, the requester's set of targets.
# ARGV: the requester's field, per-requester cap, per-target cap, window (ms), target.
# Returns {outcome, ms left in the window, 1 if admins are to be told now, codes, accounts}.
_TAKE = """
local key = KEYS[1]
local total = tonumber(redis.call('HGET', key, 'total') or '0')
local function accounts()
  local n = 0
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 3) == 'tg:' then n = n + 1 end
  end
  return n
end
if total >= tonumber(ARGV[3]) then
  local first = redis.call('HSETNX', key, 'noticed', 1)
  return {'target', redis.call('PTTL', key), first, total, accounts()}
end
if tonumber(redis.call('HGET', key, ARGV[1]) or '0') >= tonumber(ARGV[2]) then
  return {'requester', redis.call('PTTL', key), 0, total, accounts()}
end
redis.call('HINCRBY', key, 'total', 1)
redis.call('HINCRBY', key, ARGV[1], 1)
if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[4]) end
redis.call('SADD', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {'ok', 0, 0, total + 1, accounts()}
"""

# A code that could not be sent is not counted.
_GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'total') or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'total', -1) end
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') > 1 then
  redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 1
"""


class CodeLimit(Enum):
    OK = "ok"
    REQUESTER = "requester"  # this account already had its share of this target's codes
    TARGET = "target"  # the target had all the codes it may get this window


@dataclass(frozen=True, slots=True)
class CodeAllowance:
    outcome: CodeLimit
    retry_after: float = 0.0  # seconds until the window resets (0 when allowed)
    first_refusal: bool = False  # the first TARGET refusal in this window
    codes: int = 0  # codes sent to the target in this window
    accounts: int = 0  # Telegram accounts that asked for them

    @property
    def allowed(self) -> bool:
        return self.outcome is CodeLimit.OK


class LinkCodeLimits:
    def __init__(self, redis: Redis, keys: KeySpace) -> None:
        self._redis = redis
        self._keys = keys
        self._take = redis.register_script(_TAKE)
        self._give_back = redis.register_script(_GIVE_BACK)

    def _key(self, target: str) -> str:
        return self._keys("rate", "link_code", target)

    def _asked(self, telegram_id: int) -> str:
        return self._keys("rate", "link_asked", telegram_id)

    async def take(self, target: str, telegram_id: int, *, per_requester: int, per_target: int,
                   window_seconds: float) -> CodeAllowance:
        outcome, ttl_ms, first, codes, accounts = await self._take(
            keys=[self._key(target), self._asked(telegram_id)],
            args=[f"tg:{telegram_id}", per_requester, per_target, int(window_seconds * 1000), target],
        )
        return CodeAllowance(
            CodeLimit(outcome.decode() if isinstance(outcome, bytes) else outcome),
            retry_after=max(0, int(ttl_ms)) / 1000,
            first_refusal=int(first) == 1,
            codes=int(codes),
            accounts=int(accounts),
        )

    async def give_back(self, target: str, telegram_id: int) -> None:
        await self._give_back(keys=[self._key(target)], args=[f"tg:{telegram_id}"])

    async def forget_target(self, target: str) -> None:
        await self._redis.delete(self._key(target))

    async def forget_requester(self, telegram_id: int) -> None:
        """Drop this account's share from the counts of every target it asked for."""
        targets = await self._redis.smembers(self._asked(telegram_id))
        async with self._redis.pipeline(transaction=True) as pipe:
            for target in targets:
                pipe.hdel(self._key(target.decode()), f"tg:{telegram_id}")
            pipe.delete(self._asked(telegram_id))
            await pipe.execute()
