"""The /remind and /reminders keyboards: the menu, the wizard's steps, the list's switches."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.reminders.models import Kind, Mode, Reminder
from bot.services.nudges import Nudge
from bot.services.reminders import Scheduled
from bot.telegram.callbacks import NudgeToggle, ReminderEdit, RemindMenu, RemindStep, TimeZoneAction
from bot.telegram.formatting import duration, weekdays
from bot.telegram.keyboards import Button, Row, button, grid, keyboard

BREAK_TIMES = ("11:30", "12:00", "12:30", "13:00", "13:30", "14:00")
CLOSE_TIMES = ("17:00", "17:30", "18:00", "18:30", "19:00", "19:30", "20:00")
BREAK_LENGTHS = (30, 60, 15, 45)  # the likeliest first


def _menu(text: str, action: str) -> Button:
    return button(text, RemindMenu(action=action))


def _step(text: str, step: str, value: str = "") -> Button:
    return button(text, RemindStep(step=step, value=value))


def menu(t: Translator) -> InlineKeyboardMarkup:
    return keyboard([_menu(t("btn.rem_new"), "new")], [_menu(t("btn.rem_close"), "close")],
                    [_menu(t("btn.rem_list"), "list"), button(t("btn.rem_tz"), TimeZoneAction(action="show"))])


def row_label(reminder: Reminder, number: int, items: Sequence[Scheduled]) -> str:
    """What names a reminder on its buttons: its time, and its number where two share it."""
    at = f"{reminder.at:%H:%M}"
    shared = sum(1 for item in items if item.reminder.at == reminder.at) > 1
    return f"{at} #{number}" if shared else at


def reminder_row(label: str, reminder: Reminder) -> Row:
    """One reminder's row: a switch (ticked while on; a tap flips it) and delete."""
    switch = "off" if reminder.enabled else "on"
    mark = "✅" if reminder.enabled else "⬜"
    return [button(f"{mark} {label}", ReminderEdit(action=switch, rid=reminder.id)),
            button(f"🗑 {label}", ReminderEdit(action="ask", rid=reminder.id))]


def confirm_delete_row(reminder: Reminder, t: Translator) -> Row:
    """A mis-tap on a phone is easy: deleting takes a second tap, in the same row."""
    return [button(t("btn.rem_delete_yes"), ReminderEdit(action="del", rid=reminder.id)),
            button(t("btn.rem_keep"), ReminderEdit(action="keep", rid=reminder.id))]


def nudge_label(nudge: Nudge, t: Translator) -> str:
    """"Not started by 09:15", "Done: 8 h", "Weekly summary, Fri 17:45"."""
    reminder = nudge.reminder
    if nudge.kind is Kind.LATE_START:
        return t("nudge.late_start", time=f"{reminder.at:%H:%M}") if reminder.days else t("nudge.late_start_flextime")
    if nudge.kind is Kind.GOAL:
        return t("nudge.goal", duration=duration(nudge.goal, t) if nudge.goal is not None else "—")
    day = weekdays(t)[min(reminder.days)] if reminder.days else "—"
    return t("nudge.weekly", day=day, time=f"{reminder.at:%H:%M}")


def nudge_row(nudge: Nudge, t: Translator) -> Row:
    """A nudge's switch: ticked while on; a tap flips it."""
    on = nudge.reminder.enabled
    return [button(f"{'✅' if on else '⬜'} {nudge_label(nudge, t)}",
                   NudgeToggle(kind=nudge.kind.value, on=not on))]


def reminder_list(rows: list[Row], t: Translator) -> InlineKeyboardMarkup:
    return keyboard(*rows, [_menu(t("btn.rem_new"), "new"), _menu(t("btn.rem_close"), "close")])


def after_save(t: Translator) -> InlineKeyboardMarkup:
    return keyboard([_menu(t("btn.rem_list"), "list")])


def _cancel_row(t: Translator) -> Row:
    return [_step(t("btn.cancel"), "x")]


def cancel_only(t: Translator) -> InlineKeyboardMarkup:
    return keyboard(_cancel_row(t))


def time_grid(step: str, choices: tuple[str, ...], t: Translator) -> InlineKeyboardMarkup:
    buttons = [_step(choice, step, choice.replace(":", "")) for choice in choices]
    return keyboard(*grid(buttons, 3),
                    [_step(t("btn.rem_other_time"), step, "o")], _cancel_row(t))


def days(chosen: frozenset[int], t: Translator) -> InlineKeyboardMarkup:
    names = weekdays(t)
    toggles = [_step(f"✓ {names[day]}" if day in chosen else names[day], "d", str(day)) for day in range(7)]
    return keyboard(*grid(toggles, 3), [_step(t("btn.rem_next"), "n"), *_cancel_row(t)])


def modes(t: Translator) -> InlineKeyboardMarkup:
    return keyboard([_step(t("btn.rem_ask"), "m", Mode.ASK.value), _step(t("btn.rem_auto"), "m", Mode.AUTO.value)],
                    _cancel_row(t))


def lengths(t: Translator) -> InlineKeyboardMarkup:
    choices = [_step(t("fmt.minutes", m=minutes), "b", str(minutes)) for minutes in BREAK_LENGTHS]
    return keyboard(*grid(choices, 2), [_step(t("btn.rem_no_break"), "b", "0")], _cancel_row(t))


def resume(t: Translator) -> InlineKeyboardMarkup:
    return keyboard([_step(t("btn.rem_resume_remind"), "r", "0")], [_step(t("btn.rem_resume_auto"), "r", "1")],
                    _cancel_row(t))
