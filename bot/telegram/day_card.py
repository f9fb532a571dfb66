"""The day card: one message that shows where the day stands, with the buttons valid now."""

from __future__ import annotations


from datetime import datetime, timedelta, tzinfo

from aiogram.types import InlineKeyboardMarkup

from bot.bitrix24 import Workday, WorkdayStatus
from bot.i18n import Translator
from bot.services.workday import Action, Change, DayReport, Failure, can_undo, day_key
from bot.telegram import formatting as fmt
from bot.telegram.callbacks import DayAction, RepairAction, WeekNav
from bot.telegram.fit import quote
from bot.telegram.keyboards import Button, button, keyboard
from bot.worktime.done_at import DoneAt, done_at
from bot.worktime.models import WorkTargets


def done_line(done: DoneAt, zone: tzinfo, t: Translator, target: timedelta, now: datetime, *,
              closed: bool = False) -> str:
    """When the day's minimum is (or was) reached: "Done at 17:40", breaks so far included.
    A day begun in the evening reaches it after midnight: that is said too."""
    goal = fmt.duration(target, t)
    if closed and not done.reached:
        return t("card.done_short", target=goal, duration=fmt.duration(done.remaining, t))
    if done.at is None:
        return t("card.done_in", target=goal, duration=fmt.duration(done.remaining, t))
    days = (done.at.astimezone(zone).date() - now.astimezone(zone).date()).days
    key = "card.done_reached" if done.reached else "card.done_at"
    return t(key, target=goal, time=fmt.clock(done.at, zone), day="tomorrow" if days > 0 else "today")


def card_text(day: Workday, now: datetime, zone: tzinfo, t: Translator,
              targets: WorkTargets | None = None) -> str:
    lines: list[str] = []
    if day.status is WorkdayStatus.EXPIRED and day.started_at:
        lines.append(t("card.expired", date=fmt.date(day.started_at, zone, t)))
        lines.append(t("card.started_on", date=fmt.date(day.started_at, zone, t),
                       time=fmt.clock(day.started_at, zone)))
        # Bitrix24 does not know when that day ended, so worked time is only what closing
        # at the suggested time would record.
        if day.suggested_finish and day.suggested_finish > day.started_at:
            worked = day.suggested_finish - day.started_at - day.breaks
            lines.append(t("card.expired_worked", time=fmt.clock(day.suggested_finish, zone),
                           duration=fmt.duration(worked, t)))
        lines.append(t("card.breaks", duration=fmt.duration(day.breaks, t)))
        if day.suggested_finish:
            lines.append(t("card.expired_help", time=fmt.clock(day.suggested_finish, zone)))
        else:
            lines.append(t("card.expired_help_no_suggestion"))
        return "\n".join(lines)
    if not day.has_record:
        lines.append(t("card.none"))
    else:
        heading = {
            WorkdayStatus.OPENED: "card.opened",
            WorkdayStatus.PAUSED: "card.paused",
            WorkdayStatus.CLOSED: "card.closed",
        }[day.status]
        lines.append(t(heading))
        assert day.started_at is not None
        if day.started_at.astimezone(zone).date() == now.astimezone(zone).date():
            lines.append(t("card.started", time=fmt.clock(day.started_at, zone)))
        else:  # e.g. the day just repaired: say which day it was
            lines.append(t("card.started_on", date=fmt.date(day.started_at, zone, t),
                           time=fmt.clock(day.started_at, zone)))
        if day.status is WorkdayStatus.CLOSED and day.finished_at:
            finished_local = day.finished_at.astimezone(zone).date()
            if finished_local == day.started_at.astimezone(zone).date() == now.astimezone(zone).date():
                lines.append(t("card.finished", time=fmt.clock(day.finished_at, zone)))
            else:  # a repaired day, or one that ran past midnight: say which day it ended
                lines.append(t("card.finished_on", date=fmt.date(day.finished_at, zone, t),
                               time=fmt.clock(day.finished_at, zone)))
        worked = day.worked(now)
        if worked is not None:
            lines.append(t("card.worked", duration=fmt.duration(worked, t)))
        lines.append(t("card.breaks", duration=fmt.duration(day.break_time(now), t)))
        if day.paused_at is not None:
            lines.append(t("card.on_break_since", time=fmt.clock(day.paused_at, zone),
                           duration=fmt.duration(day.current_break(now) or timedelta(0), t)))
        if targets is not None and (done := done_at(day, targets, now)) is not None:
            lines.append(done_line(done, zone, t, targets.min_duration, now,
                                   closed=day.status is WorkdayStatus.CLOSED))
        if not day.active:
            lines.append(t("card.pending_approval"))
    lines.append(f"<i>{t('card.updated', time=fmt.clock(now, zone))}</i>")
    return "\n".join(lines)


def _reopens(day: Workday, now: datetime, zone: tzinfo) -> bool:
    """Whether "start" on this closed day continues it: Bitrix24 reopens a day closed
    within its working period, today's (docs/bitrix24.md#reopen-or-a-new-day)."""
    return (day.has_record and day.started_at is not None
            and day.started_at.astimezone(zone).date() == now.astimezone(zone).date())


def card_keyboard(day: Workday, zone: tzinfo, t: Translator, now: datetime) -> InlineKeyboardMarkup:
    key = day_key(day.started_at)

    def day_button(label: str, action: str) -> Button:
        return button(label, DayAction(action=action, day=key))

    week = button(t("btn.week"), WeekNav(send=True))
    refresh = [day_button(t("btn.refresh"), "refresh"), week]
    if day.status is WorkdayStatus.OPENED:
        return keyboard([day_button(t("btn.pause"), "pause"), day_button(t("btn.close"), "close")], refresh)
    if day.status is WorkdayStatus.PAUSED:
        return keyboard([day_button(t("btn.resume"), "resume"), day_button(t("btn.close"), "close")], refresh)
    if day.status is WorkdayStatus.EXPIRED:
        # One a row: "✅ Close at 18:00" and "🕐 Другое время" are too wide to share a phone-width row.
        other = [button(t("btn.other_time"), RepairAction(action="other", day=key))]
        if day.suggested_finish is None:
            return keyboard(other, refresh)
        return keyboard([button(t("btn.close_suggested", time=fmt.clock(day.suggested_finish, zone)),
                                RepairAction(action="suggested", day=key))], other, refresh)
    if can_undo(day, now):
        return keyboard([day_button(t("btn.undo_close"), "undo")], refresh)
    if _reopens(day, now, zone):
        return keyboard([day_button(t("btn.continue_day"), "start")], refresh)
    return keyboard([day_button(t("btn.start"), "start")], refresh)


def close_question(day: int, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Asked before a close from the card: Bitrix24 takes a day's report only with the
    close itself (there is no method to add one to a closed day), so this is the moment."""
    def close_button(label: str, action: str) -> Button:
        return button(t(label), DayAction(action=action, day=day))

    return t("close.ask"), keyboard(
        [close_button("btn.close_now", "close_now"), close_button("btn.close_with_report", "close_report")],
        [close_button("btn.cancel", "card")],
    )


def change_text(report: DayReport, zone: tzinfo, t: Translator) -> str | None:
    """One line that says what the action did (None for a plain status)."""
    change, day = report.change, report.day
    if change is None or (report.action is Action.STATUS and change is not Change.NEEDS_REPAIR):
        return None
    no_day = day is not None and not day.has_record
    if change is Change.NEEDS_REPAIR and day and day.started_at:
        return t("change.needs_repair", date=fmt.date(day.started_at, zone, t))
    if change is Change.REPAIRED and day and day.finished_at:
        return t("change.repaired", date=fmt.date(day.finished_at, zone, t), time=fmt.clock(day.finished_at, zone))
    if change in (Change.NOTHING_TO_PAUSE, Change.NOT_PAUSED) and no_day:
        return t(f"change.{change.value}_none")
    return t(f"change.{change.value}")


def failure_text(report: DayReport, t: Translator) -> str:
    assert report.failure is not None
    action = report.action.value  # the catalogs word each action in a phrase of its own
    if report.failure is Failure.UNAVAILABLE and report.action is Action.STATUS:
        return t("fail.unavailable_status")
    if report.failure is Failure.UNKNOWN_OUTCOME and report.action is Action.STATUS:
        return t("fail.unavailable_status")
    if report.failure is Failure.REFUSED:
        description = (report.error.description if report.error else "") or (report.error.code if report.error else "")
        return t("fail.refused", action=action, description=quote(description or "?", 300))
    return t(f"fail.{report.failure.value}", action=action)


# The card buttons that repeat an action; a repeat is safe, since Bitrix24 reports an
# action that already happened as such (a second pause finds the day paused).
_RETRY_BUTTONS = {Action.START: "start", Action.PAUSE: "pause", Action.RESUME: "resume",
                  Action.CLOSE: "close_now", Action.UNDO: "undo"}


def failure_keyboard(report: DayReport, t: Translator, *, card_day: int, can_retry: bool) -> InlineKeyboardMarkup:
    """With no day to show, still leave a way forward: try again, or just look.

    "Try again" stays in the chat, so it carries the day it was meant for and is refused
    on any later day; with no day known, only starting one can be retried."""
    row: list[Button] = []
    retry = _RETRY_BUTTONS.get(report.action)
    day = card_day or report.known_day
    transient = report.failure in (Failure.UNAVAILABLE, Failure.UNKNOWN_OUTCOME)
    if can_retry and retry and transient and (day or report.action is Action.START):
        row.append(button(t("btn.retry"), DayAction(action=retry, day=day)))
    row.append(button(t("btn.refresh"), DayAction(action="refresh")))
    return keyboard(row)


def report_message(report: DayReport, now: datetime, zone: tzinfo, t: Translator, *, card_day: int = 0,
                   can_retry: bool = True, targets: WorkTargets | None = None,
                   ) -> tuple[str, InlineKeyboardMarkup | None]:
    """The whole reply to an action: what happened, then the card with its buttons.

    `card_day` is the day of the card that was tapped (0 for a command), so that "Try
    again" still refuses to act on another day."""
    if report.failure is not None:
        text = failure_text(report, t)
        if report.day is not None:
            return (f"{text}\n\n{card_text(report.day, now, zone, t, targets)}",
                    card_keyboard(report.day, zone, t, now))
        return text, failure_keyboard(report, t, card_day=card_day, can_retry=can_retry)
    assert report.day is not None
    notice = change_text(report, zone, t)
    card = card_text(report.day, now, zone, t, targets)
    text = f"{notice}\n\n{card}" if notice else card
    return text, card_keyboard(report.day, zone, t, now)
