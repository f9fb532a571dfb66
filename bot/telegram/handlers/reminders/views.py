"""What /remind, /reminders and the wizard show: pure functions, data in, text and
keyboard out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.reminders.models import EVERY_DAY, Kind, Reminder, ReminderDraft
from bot.services.nudges import Nudge
from bot.services.reminders import MAX_REMINDERS, Scheduled
from bot.telegram import formatting as fmt
from bot.telegram.handlers.reminders import keyboards
from bot.telegram.handlers.reminders.draft import draft_of
from bot.telegram.keyboards import Row

ICONS = {Kind.BREAK: "🍽", Kind.CLOSE: "🌙", Kind.MORNING: "🌅"}


def days_text(days: frozenset[int], t: Translator) -> str:
    """"every day", "Mon–Fri", "Mon, Wed, Fri", "Mon–Wed, Sat"."""
    if days == EVERY_DAY:
        return t("remind.days_every")
    names = fmt.weekdays(t)
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{names[run[0]]}–{names[run[-1]]}")
        else:
            parts.extend(names[day] for day in run)
    return ", ".join(parts)


def summary(reminder: Reminder | ReminderDraft, t: Translator) -> str:
    """One line: icon, time, kind, days, and for a break its mode and length."""
    parts = [f"{ICONS[reminder.kind]} <b>{reminder.at:%H:%M}</b> {t(f'remind.name_{reminder.kind.value}')}",
             days_text(reminder.days, t)]
    if reminder.kind is Kind.BREAK:
        parts.append(t(f"remind.mode_{reminder.mode.value}"))
        if reminder.break_minutes:
            key = "remind.length_resume" if reminder.auto_resume else "remind.length_remind"
            parts.append(t(key, minutes=reminder.break_minutes))
    return " · ".join(parts)


def when_text(moment: datetime, zone: ZoneInfo, now: datetime, t: Translator) -> str:
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return t("remind.today", time=clock)
    if local.date() == today + timedelta(days=1):
        return t("remind.tomorrow", time=clock)
    return t("remind.on_date", date=fmt.date(moment, zone, t), time=clock)


def saved_view(created: list[Scheduled], zone_name: str, now: datetime,
               t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    main = created[0]
    reminder = main.reminder
    explain = {
        Kind.BREAK: f"remind.explain_{reminder.mode.value}",
        Kind.CLOSE: "remind.explain_close",
        Kind.MORNING: "remind.explain_morning",
    }[reminder.kind]
    lines = [t("remind.saved"), summary(reminder, t), t(explain)]
    for extra in created[1:]:
        if extra.reminder.kind is Kind.MORNING:
            lines.append(t("remind.also_morning", time=f"{extra.reminder.at:%H:%M}"))
    if main.next_at is not None:
        lines.append(t("remind.next", when=when_text(main.next_at, ZoneInfo(zone_name), now, t), zone=zone_name))
    return "\n".join(lines), keyboards.after_save(t)


def duplicate_view(existing: Reminder, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """The refusal of a reminder the user already has: this one, shown."""
    state = "" if existing.enabled else f" ({t('reminders.off')})"
    return f"{t('remind.duplicate')}\n{summary(existing, t)}{state}", keyboards.after_save(t)


def limit_text(count: int, t: Translator) -> str:
    """The refusal at the limit, for a user who has `count` reminders."""
    if count < MAX_REMINDERS:  # room for one, but a close check brings its morning check
        return t("remind.limit_close", count=count, limit=MAX_REMINDERS)
    return t("remind.limit", limit=MAX_REMINDERS)


def menu_view(zone_name: str, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    return t("remind.menu", zone=zone_name), keyboards.menu(t)


def list_view(items: list[Scheduled], zone_name: str, now: datetime, t: Translator,
              notice: str | None = None, confirm: int | None = None,
              nudges: Sequence[Nudge] = ()) -> tuple[str, InlineKeyboardMarkup]:
    """The list, and under it the nudges' switches; `confirm` is the id of a reminder
    whose delete button was tapped: its row asks to confirm instead."""
    zone = ZoneInfo(zone_name)
    rows: list[Row] = []
    if not items:
        text = t("reminders.empty")
    else:
        lines = [t("reminders.title", zone=zone_name)]
        for number, item in enumerate(items, 1):
            reminder = item.reminder
            if not reminder.enabled:
                state = t("reminders.off")
            elif item.next_at is not None:
                state = t("reminders.on_next", when=when_text(item.next_at, zone, now, t))
            else:
                state = t("reminders.on")
            lines.append(f"\n{number}. {summary(reminder, t)}\n      {state}")
            label = keyboards.row_label(reminder, number, items)
            if reminder.id == confirm:
                rows.append(keyboards.confirm_delete_row(reminder, t))
            else:
                rows.append(keyboards.reminder_row(label, reminder))
        text = "\n".join(lines)
    if nudges:
        text += f"\n\n{t('nudges.title')}"
        rows += [keyboards.nudge_row(nudge, t) for nudge in nudges]
    if notice:
        text = f"{notice}\n\n{text}"
    return text, keyboards.reminder_list(rows, t)


def step_view(draft: dict[str, Any], zone_name: str, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """What the wizard's message shows at the draft's current step."""
    step = draft["step"]
    if step == "time":
        return t("remind.ask_time", zone=zone_name), keyboards.time_grid("t", keyboards.BREAK_TIMES, t)
    if step == "close":
        return t("remind.close_ask_time", zone=zone_name), keyboards.time_grid("c", keyboards.CLOSE_TIMES, t)
    if step in ("typing", "close_typing"):
        return t("remind.type_time"), keyboards.cancel_only(t)
    current = draft_of(draft)
    at = f"{current.at:%H:%M}"
    if step == "days":
        text = t("remind.ask_days", time=at)
        if draft.get("warn"):
            text += f"\n⚠️ {t('remind.no_days')}"
        return text, keyboards.days(current.days, t)
    days = days_text(current.days, t)
    if step == "mode":
        return t("remind.ask_mode", time=at, days=days), keyboards.modes(t)
    mode = t(f"remind.mode_{current.mode.value}")
    if step == "length":
        return t("remind.ask_length", time=at, days=days, mode=mode), keyboards.lengths(t)
    # step == "resume"
    return (t("remind.ask_resume", time=at, days=days, mode=mode, minutes=current.break_minutes),
            keyboards.resume(t))
