"""Turns the reminder engine's notices into messages, in the user's language and zone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiogram.types import InlineKeyboardMarkup

from bot.bitrix24 import WorkdayStatus
from bot.clock import Clock
from bot.i18n import Translator
from bot.reminders.engine import DeliveryHeld, Notice, NoticeKind
from bot.services.reminders import CLOSE_LATER_HOURS, SNOOZE_CHOICES
from bot.services.workday import Action, DayReport, classify_failure, day_key
from bot.storage.profiles import ProfileRepository
from bot.telegram import formatting as fmt
from bot.telegram.callbacks import DayAction, GoalAnswer, RepairAction, ReminderAction, ReminderLater
from bot.telegram.day_card import card_keyboard, card_text, failure_text
from bot.telegram.keyboards import Row, button, keyboard
from bot.telegram.sender import PacedSender, SendOutcome
from bot.telegram.view import UserView


WeeklySummary = Callable[[Notice], Awaitable[bool]]
"""Sends the week's summary for a WEEKLY_SUMMARY notice; True when it was delivered.
Raises DeliveryHeld, as `deliver` does, for one held back by a stop."""


class TelegramNotifier:
    def __init__(self, sender: PacedSender, profiles: ProfileRepository, clock: Clock, default_zone: str, *,
                 weekly: WeeklySummary | None = None, team: WeeklySummary | None = None) -> None:
        self._sender = sender
        self._profiles = profiles
        self._clock = clock
        self._default_zone = default_zone
        self._weekly = weekly
        self._team = team  # a head's digests (bot/telegram/team_digest.py), same contract

    async def deliver(self, notice: Notice) -> bool:
        if notice.kind is NoticeKind.WEEKLY_SUMMARY:
            # The week's picture is the /week view's to draw; without it there is nothing to send.
            return await self._weekly(notice) if self._weekly is not None else False
        if notice.kind in (NoticeKind.TEAM_DIGEST, NoticeKind.TEAM_EVENING):
            return await self._team(notice) if self._team is not None else False
        profile = await self._profiles.get(notice.telegram_id)
        view = UserView.of(profile, self._default_zone, self._clock)
        t = view.t
        text, markup = render_notice(notice, view)
        outcome = await self._sender.send(notice.telegram_id, text, markup)
        if outcome is SendOutcome.HELD:
            raise DeliveryHeld
        return outcome is SendOutcome.SENT

    def hold(self) -> None:
        self._sender.hold()


def render_notice(notice: Notice, view: UserView) -> tuple[str, InlineKeyboardMarkup | None]:
    t, now = view.t, view.now()
    zone = view.zone(notice.day)
    reminder = notice.reminder
    at = fmt.clock(notice.scheduled, zone)
    minutes = reminder.break_minutes
    if notice.kind is NoticeKind.ASK:
        choices = keyboard([
            button(t("btn.pause_now"), ReminderAction(action="pause", rid=reminder.id)),
            button(t("btn.skip"), ReminderAction(action="skip", rid=reminder.id)),
        ], [button(t("btn.snooze_in", minutes=n), ReminderLater(action="snooze", rid=reminder.id, n=n))
            for n in SNOOZE_CHOICES])
        return t("notice.ask", time=at), choices
    if notice.kind in (NoticeKind.AUTO_PAUSE_FAILED, NoticeKind.AUTO_RESUME_FAILED):
        assert notice.error is not None
        action = Action.PAUSE if notice.kind is NoticeKind.AUTO_PAUSE_FAILED else Action.RESUME
        report = DayReport(action, failure=classify_failure(notice.error), error=notice.error)
        key = "notice.auto_pause_failed" if action is Action.PAUSE else "notice.auto_resume_failed"
        return f"{t(key, time=at)}\n{failure_text(report, t)}", None
    lines: list[str] = []
    if notice.kind is NoticeKind.AUTO_PAUSED:
        lines.append(t("notice.auto_paused", time=at))
        if notice.follow_up_at is not None:
            key = "notice.will_resume" if reminder.auto_resume else "notice.will_remind"
            lines.append(t(key, time=fmt.clock(notice.follow_up_at, zone)))
    elif notice.kind is NoticeKind.BREAK_OVER:
        lines.append(t("notice.break_over", minutes=minutes))
    elif notice.kind is NoticeKind.STILL_ON_BREAK:
        lines.append(t("notice.still_on_break"))
    elif notice.kind is NoticeKind.AUTO_RESUMED:
        lines.append(t("notice.auto_resumed", minutes=minutes))
    elif notice.kind is NoticeKind.CLOSE_NUDGE:
        lines.append(t("notice.close_nudge", time=at))
    elif notice.kind is NoticeKind.MORNING_REPAIR and notice.day and notice.day.started_at:
        lines.append(t("notice.morning_repair", date=fmt.date(notice.day.started_at, zone, t)))
    elif notice.kind is NoticeKind.LATE_START:
        lines.append(t("notice.late_start", time=at))
    elif notice.kind is NoticeKind.GOAL_REACHED and notice.day is not None:
        target = notice.target or notice.day.worked(now) or timedelta(0)
        hours, minutes = divmod(int(target.total_seconds()) // 60, 60)
        lines += [t("notice.goal_reached", hours=hours, minutes=minutes),
                  "", card_text(notice.day, now, zone, t)]
        return "\n".join(lines), _goal_keyboard(notice, t)
    if notice.day is None:
        return "\n".join(lines), None
    lines += ["", card_text(notice.day, now, zone, t)]
    return "\n".join(lines), _with_rows(card_keyboard(notice.day, zone, t, now), _extra_rows(notice, t))


def _goal_keyboard(notice: Notice, t: Translator) -> InlineKeyboardMarkup:
    """Close goes through the card's own close (it asks about a report: Bitrix24 takes one
    only with the close); Keep working only acknowledges."""
    assert notice.day is not None
    key = day_key(notice.day.started_at)
    return keyboard([button(t("btn.close"), DayAction(action="close", day=key)),
                     button(t("btn.keep_working"), GoalAnswer(action="keep", day=key))])


def _extra_rows(notice: Notice, t: Translator) -> list[Row]:
    """What a reminder offers besides the day card's own buttons: more break; for the
    forgot-to-close check, a close at an earlier time or the check again later."""
    rid = notice.reminder.id
    day = notice.day
    if notice.kind in (NoticeKind.BREAK_OVER, NoticeKind.STILL_ON_BREAK) and day and day.status is WorkdayStatus.PAUSED:
        return [[button(t("btn.more_break"), ReminderLater(action="more", rid=rid))]]
    if notice.kind is NoticeKind.CLOSE_NUDGE and day and day.status in (WorkdayStatus.OPENED, WorkdayStatus.PAUSED):
        # "I left at…" alone on its row: its Russian label is too long to share one.
        return [[button(t("btn.left_at"), RepairAction(action="left", day=day_key(day.started_at)))],
                [button(t("btn.close_later", hours=hours), ReminderLater(action="close", rid=rid, n=hours))
                 for hours in CLOSE_LATER_HOURS]]
    return []


def _with_rows(markup: InlineKeyboardMarkup, rows: list[Row]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[*markup.inline_keyboard, *(list(row) for row in rows)]) if rows else markup
