"""Why Telegram refused (403) to deliver to a user: it matters what the bot does next.

A user who blocked the bot (or deleted their account) gets nothing more until they come
back. A user who never pressed Start has blocked nothing: the bot may not write first,
and they become reachable the moment they open it.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.exceptions import TelegramForbiddenError


class Unreachable(StrEnum):
    BLOCKED = "blocked"
    DEACTIVATED = "deactivated"
    NOT_STARTED = "not_started"
    OTHER = "other"  # e.g. kicked from a group; not about a person


def why_forbidden(error: TelegramForbiddenError) -> Unreachable:
    text = error.message.lower()
    if "can't initiate conversation" in text or "cannot initiate conversation" in text:
        return Unreachable.NOT_STARTED
    if "blocked by the user" in text:
        return Unreachable.BLOCKED
    if "deactivated" in text:
        return Unreachable.DEACTIVATED
    return Unreachable.OTHER


def stops_messages(reason: Unreachable) -> bool:
    """Whether the user is to be flagged so that reminders stop until they write again."""
    return reason in (Unreachable.BLOCKED, Unreachable.DEACTIVATED)
