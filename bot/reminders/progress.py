"""What one occurrence of a reminder has done so far, and whether a change found on the
day is the one an earlier run of it made.

The engine marks each step in the occurrence's hash (`ReminderStore.mark_step`). Before a
pause or resume is sent it marks the decision (`STEP_INTENT`): a run that dies after
Bitrix24 applied the change, before the answer came, leaves no "acted" mark, and the re-run
must tell that change apart from one the user made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from bot.bitrix24 import Workday, WorkdayStatus
from bot.reminders.store import from_ms, to_ms

STEP_ACTED = "acted"
STEP_TOLD = "told"
# "{ms}:{breaks}": when the occurrence decided to pause (or resume) the day, and the
# day's finished breaks (TIME_LEAKS, seconds) at that moment.
STEP_INTENT = "intent"
# How far the portal's clock may be off ours when judging whose pause a pause moment is.
CLOCK_SLACK = timedelta(seconds=60)


class Earlier(StrEnum):
    IN_EFFECT = "in_effect"  # the day is as the earlier run's change left it
    UNDONE = "undone"  # the change happened and has been reversed since (its break is over)


def began(steps: Mapping[str, str]) -> bool:
    """An earlier run of this occurrence changed the day, or may have."""
    return STEP_ACTED in steps or STEP_INTENT in steps


def intent(decided: datetime, day: Workday | None) -> str:
    return f"{to_ms(decided)}:{_break_seconds(day)}"


def earlier_change(steps: Mapping[str, str], day: Workday, expected: WorkdayStatus,
                   window: timedelta) -> Earlier | None:
    """Whether `day` shows the change an earlier run decided on, given that its request
    could reach the portal up to `window` after the decision. None: it does not, so the
    change is still to be made (if the day still allows it)."""
    if STEP_INTENT not in steps:
        return None
    decided, breaks = _parse(steps[STEP_INTENT])
    if day.status is expected:
        moment = day.paused_at
        if moment is None:
            # A portal that follows the docs gives no pause moment (and a resume has
            # none): the day was in the other state when the run decided, and it is in
            # the state it asked for now. Taking that change for ours is the lesser
            # error: otherwise the user is never told and no end of break follows.
            return Earlier.IN_EFFECT
        if decided - CLOCK_SLACK <= moment <= decided + window + CLOCK_SLACK:
            return Earlier.IN_EFFECT
        return None  # a pause of the user's own, begun well after that run's request
    if _break_seconds(day) > breaks:
        # The finished breaks grew since the decision: the change came and was undone
        # (the user resumed the paused day, or paused the resumed one again).
        return Earlier.UNDONE
    return None


def changed_at(steps: Mapping[str, str], day: Workday) -> datetime:
    """When the earlier run's change took effect: the pause moment if the portal gives
    one, else the moment the run decided."""
    return day.paused_at or _parse(steps[STEP_INTENT])[0]


def _parse(value: str) -> tuple[datetime, int]:
    decided, _, breaks = value.partition(":")
    return from_ms(decided), int(breaks or 0)


def _break_seconds(day: Workday | None) -> int:
    return int(day.breaks.total_seconds()) if day is not None else 0
