"""Linking a Telegram account to a Bitrix24 employee: the bot's security boundary.

The bot acts on everyone's workday through one webhook, so a Telegram user must first
prove they can read the Bitrix24 account they claim: we send a one-time code to that
account's Bitrix24 notifications and ask for it back in the chat.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time, timedelta
from enum import Enum
from typing import TYPE_CHECKING

from bot.bitrix24 import AccessDeniedError, AuthError, Bitrix24Error, PortalUser, UsersAPI, plain_text
from bot.clock import Clock
from bot.services.time_zones import TimeZoneService
from bot.storage.link_attempts import CodeCheck, LinkAttemptRepository
from bot.storage.link_limits import CodeLimit, LinkCodeLimits
from bot.storage.links import Link, LinkRepository
from bot.storage.profiles import ProfileRepository
from bot.storage.rate_limits import WindowLimiter

if TYPE_CHECKING:
    from bot.jobs import JobRegistry
    from bot.services.nudges import NudgeService

log = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_CODES = 5
LOCKOUT = timedelta(minutes=10)  # after the last wrong code, before a new /link
# Per hour: a Telegram account may start this many attempts; an employee may be sent this
# many codes, at most CODES_PER_REQUESTER of them at one account's request. With 5 tries
# a code, guessing is capped at 30 per hour per employee; and a stranger needs three
# Telegram accounts, not one, to use up an employee's codes for an hour, and even then
# the employee is told so (not "code sent"), admins are told, and an admin can lift it.
STARTS_PER_TELEGRAM_USER = 5
CODES_PER_BITRIX_USER = 6
CODES_PER_REQUESTER = 2
LIMIT_WINDOW = timedelta(hours=1)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CODE = re.compile(r"^\d{6}$")


def _refused(error: Bitrix24Error) -> bool:
    """Bitrix24 refused the bot itself (credentials, rights): an admin must act, and
    waiting a minute will not help."""
    if isinstance(error, (AuthError, AccessDeniedError)):
        log.error("bitrix24 refused the bot's credentials or rights while linking",
                  extra={"ctx_code": error.code, "ctx_description": error.description})
        return True
    return False


class StartOutcome(Enum):
    CODE_SENT = "code_sent"  # also what a stranger sees when nobody matched
    INVALID_IDENTITY = "invalid_identity"
    RATE_LIMITED = "rate_limited"  # this Telegram account started too many attempts
    TARGET_LIMITED = "target_limited"  # too many codes asked for this e-mail or id
    LOCKED = "locked"  # too many wrong codes a moment ago
    UNAVAILABLE = "unavailable"
    BOT_REFUSED = "bot_refused"  # Bitrix24 refused the bot's own credentials or rights


@dataclass(frozen=True, slots=True)
class Abuse:
    """An employee's codes ran out for this hour: admins should hear of it, once."""

    user: PortalUser
    codes: int
    accounts: int
    retry_after: float


@dataclass(frozen=True, slots=True)
class StartResult:
    outcome: StartOutcome
    retry_after: float = 0.0
    error: Bitrix24Error | None = None
    abuse: Abuse | None = None


@dataclass(frozen=True, slots=True)
class Displaced:
    """A Telegram account that lost its link because the employee linked another one."""

    telegram_id: int
    language: str | None  # read before its data was erased, so the notice can be in it


class ConfirmOutcome(Enum):
    LINKED = "linked"
    WRONG = "wrong"
    LOCKED = "locked"
    NO_ATTEMPT = "no_attempt"
    NOT_A_CODE = "not_a_code"
    UNAVAILABLE = "unavailable"
    BOT_REFUSED = "bot_refused"


@dataclass(frozen=True, slots=True)
class ConfirmResult:
    outcome: ConfirmOutcome
    tries_left: int = 0
    retry_after: float = 0.0
    user: PortalUser | None = None
    displaced: Displaced | None = None
    error: Bitrix24Error | None = None


class AdminOutcome(Enum):
    DONE = "done"
    MOVES_A_LINK = "moves_a_link"  # would replace someone's link: nothing done, the admin confirms
    NO_SUCH_USER = "no_such_user"
    UNAVAILABLE = "unavailable"  # Bitrix24 did not answer the lookup; nothing changed


@dataclass(frozen=True, slots=True)
class AdminResult:
    outcome: AdminOutcome
    user: PortalUser | None = None
    displaced: Displaced | None = None
    # For MOVES_A_LINK: the employee's current link to another Telegram account, and the
    # Telegram account's current link to another employee (either may be None).
    employee_link: Link | None = None
    account_link: Link | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    email: str | None = None
    bitrix_id: int | None = None


def parse_identity(text: str) -> Identity | None:
    """An e-mail address or a positive Bitrix24 user id."""
    text = text.strip()
    if text.isdigit() and 0 < int(text) < 2**31:
        return Identity(bitrix_id=int(text))
    if _EMAIL.match(text) and len(text) <= 254:
        return Identity(email=text)
    return None


def looks_like_code(text: str) -> bool:
    return bool(_CODE.match(text.strip().replace(" ", "")))


CodeMessage = Callable[[str, str], str]
"""Builds the Bitrix24 notification text from (code, requester description)."""

UserErasure = Callable[..., Awaitable[None]]
"""Deletes everything stored for a Telegram user (their link excluded); called with the
Telegram id, and the Bitrix24 id when that person's Bitrix24-keyed data goes too."""

LanguageLookup = Callable[[int], Awaitable[str | None]]
"""The language a Telegram user reads, from what is stored about them."""


class LinkingService:
    def __init__(
        self,
        *,
        users: UsersAPI,
        links: LinkRepository,
        attempts: LinkAttemptRepository,
        limiter: WindowLimiter,
        code_limits: LinkCodeLimits,
        clock: Clock,
        code_key: bytes,
        erase_user_data: UserErasure,
        profiles: ProfileRepository,
        time_zones: TimeZoneService,
        language_of: LanguageLookup | None = None,
        nudges: NudgeService | None = None,
    ) -> None:
        self._nudges = nudges
        self._users = users
        self._links = links
        self._attempts = attempts
        self._limiter = limiter
        self._code_limits = code_limits
        self._clock = clock
        self._code_key = code_key
        self._erase_user_data = erase_user_data
        self._profiles = profiles
        self._time_zones = time_zones
        self._language_of = language_of

    def _hash(self, salt: str, code: str) -> str:
        return hmac.new(self._code_key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()

    def _target_key(self, identity: Identity, user: PortalUser | None) -> str:
        """Whose codes a request counts against. An address or id that matches nobody is
        counted under a keyed hash of what was typed, exactly as an employee would be:
        the limits must not behave differently for people who do not exist."""
        if user is not None:
            return str(user.id)
        typed = identity.email.lower() if identity.email else f"id:{identity.bitrix_id}"
        return "x" + hmac.new(self._code_key, f"target:{typed}".encode(), hashlib.sha256).hexdigest()[:16]

    async def start(self, telegram_id: int, identity: Identity, code_message: CodeMessage,
                    requester: str) -> StartResult:
        """Send a code to the employee, if they exist and may get one. Every path that
        reaches Bitrix24 costs the same two requests (the lookup, then the notification
        or `notify_nobody`), so neither the answer nor its timing tells who exists."""
        locked = await self._attempts.locked_for(telegram_id)
        if locked:
            return StartResult(StartOutcome.LOCKED, retry_after=locked)
        allowance = await self._limiter.hit(
            "link_start", telegram_id, limit=STARTS_PER_TELEGRAM_USER,
            window_seconds=LIMIT_WINDOW.total_seconds(),
        )
        if not allowance.allowed:
            return StartResult(StartOutcome.RATE_LIMITED, retry_after=allowance.retry_after)
        try:
            user = await self._find(identity)
        except Bitrix24Error as error:
            log.warning("link lookup failed", extra={"ctx_error": repr(error)})
            return StartResult(StartOutcome.BOT_REFUSED if _refused(error) else StartOutcome.UNAVAILABLE,
                               error=error)

        target = self._target_key(identity, user)
        codes = await self._code_limits.take(
            target, telegram_id, per_requester=CODES_PER_REQUESTER, per_target=CODES_PER_BITRIX_USER,
            window_seconds=LIMIT_WINDOW.total_seconds(),
        )
        code = f"{secrets.randbelow(10**6):06d}"
        try:
            if codes.allowed and user is not None:
                message = code_message(code, plain_text(requester, single_line=True))
                await self._users.notify(user.id, message, system=True)
            else:
                await self._users.notify_nobody()
        except Bitrix24Error as error:
            if codes.allowed:
                await self._code_limits.give_back(target, telegram_id)
            log.warning("could not send the link code", extra={"ctx_b24_user": user.id if user else "-",
                                                               "ctx_error": repr(error)})
            return StartResult(StartOutcome.BOT_REFUSED if _refused(error) else StartOutcome.UNAVAILABLE,
                               error=error)
        if not codes.allowed:
            abuse = None
            if user is not None and codes.outcome is CodeLimit.TARGET:
                log.warning("link codes for this employee are used up for now",
                            extra={"ctx_b24_user": user.id, "ctx_codes": codes.codes,
                                   "ctx_accounts": codes.accounts})
                if codes.first_refusal:
                    abuse = Abuse(user, codes.codes, codes.accounts, codes.retry_after)
            return StartResult(StartOutcome.TARGET_LIMITED, retry_after=codes.retry_after, abuse=abuse)
        salt = secrets.token_hex(8)
        await self._attempts.start(
            telegram_id, bitrix_id=user.id if user else None, salt=salt, code_hash=self._hash(salt, code),
            ttl_seconds=int(CODE_LIFETIME.total_seconds()),
        )
        log.info("link code issued", extra={"ctx_b24_user": user.id if user else "-",
                                            "ctx_matched": user is not None})
        return StartResult(StartOutcome.CODE_SENT)

    async def _find(self, identity: Identity) -> PortalUser | None:
        if identity.bitrix_id is not None:
            return await self._users.get_active(identity.bitrix_id)
        matches = await self._users.find_active_by_email(identity.email or "")
        # Two active employees sharing an address: refuse to guess which one is meant.
        return matches[0] if len(matches) == 1 else None

    async def has_attempt(self, telegram_id: int) -> bool:
        return await self._attempts.salt(telegram_id) is not None

    async def confirm(self, telegram_id: int, text: str, *, telegram_language: str | None = None) -> ConfirmResult:
        """Link the account if `text` is the code sent; `telegram_language` is what the
        user's Telegram app reports."""
        code = text.strip().replace(" ", "")
        salt = await self._attempts.salt(telegram_id)
        if salt is None:
            return ConfirmResult(ConfirmOutcome.NO_ATTEMPT)
        if not looks_like_code(code):
            return ConfirmResult(ConfirmOutcome.NOT_A_CODE)
        checked = await self._attempts.check(telegram_id, self._hash(salt, code), MAX_WRONG_CODES,
                                             int(LOCKOUT.total_seconds()))
        if checked.outcome is CodeCheck.MISSING:
            return ConfirmResult(ConfirmOutcome.NO_ATTEMPT)
        if checked.outcome is CodeCheck.LOCKED:
            return ConfirmResult(ConfirmOutcome.LOCKED,
                                 retry_after=await self._attempts.seconds_left(telegram_id))
        if checked.outcome is CodeCheck.WRONG or checked.bitrix_id is None:
            return ConfirmResult(ConfirmOutcome.WRONG, tries_left=checked.tries_left)
        try:
            user = await self._users.get_active(checked.bitrix_id)
        except Bitrix24Error as error:
            return ConfirmResult(ConfirmOutcome.BOT_REFUSED if _refused(error) else ConfirmOutcome.UNAVAILABLE,
                                 error=error)
        if user is None:  # dismissed within the last ten minutes
            return ConfirmResult(ConfirmOutcome.NO_ATTEMPT)
        displaced = await self._link(telegram_id, user, by_admin=False)
        await self._settle_in(telegram_id, user, telegram_language)
        return ConfirmResult(ConfirmOutcome.LINKED, user=user, displaced=displaced)

    async def _link(self, telegram_id: int, user: PortalUser, *, by_admin: bool) -> Displaced | None:
        relink = await self._links.link(telegram_id, user.id, name=user.full_name,
                                        at=self._clock.now(), by_admin=by_admin)
        displaced = None
        if relink.previous_telegram_id is not None:
            language = await self._language_of(relink.previous_telegram_id) if self._language_of else None
            displaced = Displaced(relink.previous_telegram_id, language)
            # That Telegram account no longer speaks for this employee: drop its data too.
            await self._forget_link_guards(relink.previous_telegram_id, None)
            await self._erase_user_data(relink.previous_telegram_id)
        log.info("linked", extra={"ctx_b24_user": user.id, "ctx_by_admin": by_admin,
                                  "ctx_replaced_tg": relink.previous_telegram_id or "-",
                                  "ctx_replaced_b24": relink.previous_bitrix_id or "-"})
        return displaced

    async def _settle_in(self, telegram_id: int, user: PortalUser, telegram_language: str | None = None) -> None:
        """What comes with a new link, by code or by an admin: the profile's time zone
        (reminders kept from an earlier link move to it) and the language the user's
        Telegram reports, for messages sent outside an update; the nudges, from the
        employee's targets (after the zone: their times are the zone's)."""
        await self._time_zones.adopt_bitrix24(telegram_id, user.time_zone)
        if self._nudges is not None:
            await self._nudges.settle_in(telegram_id, user.id)
        if telegram_language:
            await self._profiles.remember_telegram_language(telegram_id, telegram_language)

    async def _find_for_admin(self, identity: Identity) -> PortalUser | AdminResult:
        try:
            user = await self._find(identity)
        except Bitrix24Error as error:
            log.warning("admin lookup failed", extra={"ctx_error": repr(error)})
            return AdminResult(AdminOutcome.UNAVAILABLE)
        return user if user is not None else AdminResult(AdminOutcome.NO_SUCH_USER)

    async def admin_link(self, telegram_id: int, identity: Identity, *, confirmed: bool = False) -> AdminResult:
        """Link as an admin. A link that would replace another (the employee on another
        Telegram account, or this account on another employee) is only made `confirmed`."""
        user = await self._find_for_admin(identity)
        if isinstance(user, AdminResult):
            return user
        if not confirmed:
            employee_tg = await self._links.telegram_id(user.id)
            employee_link = (await self._links.get(employee_tg)
                             if employee_tg is not None and employee_tg != telegram_id else None)
            account_link = await self._links.get(telegram_id)
            if account_link is not None and account_link.bitrix_id == user.id:
                account_link = None
            if employee_link is not None or account_link is not None:
                return AdminResult(AdminOutcome.MOVES_A_LINK, user,
                                   employee_link=employee_link, account_link=account_link)
        displaced = await self._link(telegram_id, user, by_admin=True)
        await self._settle_in(telegram_id, user)
        return AdminResult(AdminOutcome.DONE, user, displaced)

    async def unlink(self, telegram_id: int) -> int | None:
        """Remove the link and everything stored for this Telegram user.

        An account that was not linked keeps its link-attempt counters and any lock
        (each gone within the hour): otherwise /unlink would reset the limits that
        protect employees from it."""
        bitrix_id = await self._links.unlink(telegram_id)
        if bitrix_id is not None:
            await self._forget_link_guards(telegram_id, bitrix_id)
        else:
            await self._attempts.forget_unless_locked(telegram_id)
        await self._erase_user_data(telegram_id, bitrix_id)
        log.info("unlinked", extra={"ctx_b24_user": bitrix_id or "-"})
        return bitrix_id

    async def _forget_link_guards(self, telegram_id: int, bitrix_id: int | None) -> None:
        """What the link limits hold about a linked person: it goes with their link."""
        await self._attempts.forget(telegram_id)
        await self._limiter.forget("link_start", telegram_id)
        await self._code_limits.forget_requester(telegram_id)
        if bitrix_id is not None:
            await self._code_limits.forget_target(str(bitrix_id))

    async def unlock(self, identity: Identity) -> AdminResult:
        """An admin lets an employee ask for codes again at once (after abuse)."""
        user = await self._find_for_admin(identity)
        if isinstance(user, AdminResult):
            return user
        await self._code_limits.forget_target(str(user.id))
        log.info("link limits cleared by an admin", extra={"ctx_b24_user": user.id})
        return AdminResult(AdminOutcome.DONE, user)

    def register_jobs(self, jobs: JobRegistry) -> None:
        # In the quiet of the night, UTC: the check reads every linked user from Bitrix24.
        jobs.daily("linking.prune_departed", lambda _slot: self.prune_departed(), at=time(3, 17))

    async def prune_departed(self) -> list[int]:
        """Unlink employees who were dismissed in Bitrix24 (the nightly check), so a former
        employee's Telegram account stops acting for them. Returns the Bitrix24 ids unlinked.

        Refuses to act when it would drop more than a fifth of the links at once: that
        looks like a portal problem, not a wave of dismissals."""
        links = await self._links.all()
        if not links:
            return []
        try:
            active = await self._users.still_active([link.bitrix_id for link in links])
        except Bitrix24Error as error:
            log.warning("could not check linked employees", extra={"ctx_error": repr(error)})
            return []
        departed = [link for link in links if active.get(link.bitrix_id) is False]
        if len(departed) > max(1, len(links) // 5):
            log.error("not unlinking: too many linked employees look inactive at once",
                      extra={"ctx_count": len(departed), "ctx_links": len(links)})
            return []
        for link in departed:
            await self.unlink(link.telegram_id)
        if departed:
            log.info("unlinked dismissed employees", extra={"ctx_count": len(departed)})
        return [link.bitrix_id for link in departed]

    async def link_of(self, telegram_id: int) -> Link | None:
        return await self._links.get(telegram_id)

    async def all_links(self) -> list[Link]:
        return await self._links.all()
