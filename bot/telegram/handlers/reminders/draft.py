"""The wizard's draft as it is kept in FSM data (Redis): a dict of short fields, tied to
the id of the one message the wizard edits."""

from __future__ import annotations

from datetime import time
from typing import Any

from bot.reminders.models import WEEKDAYS, Kind, Mode, ReminderDraft

DRAFT = "remind_draft"  # FSM data: the wizard's draft, with the id of the message it edits
DONE = "remind_done"  # FSM data: the id of the last wizard message that saved a reminder
DEFAULT_DAYS = "".join(str(day) for day in sorted(WEEKDAYS))

# The draft's steps, in the order a break reminder passes them; a close check has its own.
BREAK_STEPS = ("time", "typing", "days", "mode", "length", "resume")
CLOSE_STEPS = ("close", "close_typing")


def new_draft(message_id: int, kind: Kind) -> dict[str, Any]:
    return {"msg": message_id, "kind": kind.value, "step": "time" if kind is Kind.BREAK else "close"}


def draft_of(data: dict[str, Any]) -> ReminderDraft:
    """The draft as it stands (fields not chosen yet take their defaults)."""
    at = data.get("at") or "00:00"
    hour, minute = (int(part) for part in at.split(":"))
    return ReminderDraft(
        kind=Kind(data.get("kind", Kind.BREAK.value)),
        at=time(hour, minute),
        days=frozenset(int(ch) for ch in data.get("days", DEFAULT_DAYS)),
        mode=Mode(data.get("mode") or Mode.ASK.value),
        break_minutes=int(data.get("len") or 0),
        auto_resume=bool(data.get("resume")),
    )
