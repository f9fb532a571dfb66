"""What /remind, /reminders and the wizard show, as pure functions: data in, text and
keyboard out."""

from __future__ import annotations

from datetime import UTC, datetime, time

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.reminders.models import Kind, Mode, Reminder
from bot.services.reminders import MAX_REMINDERS, Scheduled
from bot.telegram.callbacks import ReminderEdit, RemindMenu, RemindStep, TimeZoneAction
from bot.telegram.handlers.reminders.views import limit_text, list_view, menu_view, saved_view, step_view

EN = Translator("en")
MONDAY_0800_UTC = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def layout(markup: InlineKeyboardMarkup | None) -> list[list[tuple[str, str | None]]]:
    assert markup is not None
    return [[(button.text, button.callback_data) for button in row] for row in markup.inline_keyboard]


def test_the_menu_offers_a_break_reminder_a_close_check_the_list_and_the_zone() -> None:
    text, markup = menu_view("Europe/Berlin", EN)
    assert "Europe/Berlin" in text
    assert [[data for _, data in row] for row in layout(markup)] == [
        [RemindMenu(action="new").pack()],
        [RemindMenu(action="close").pack()],
        [RemindMenu(action="list").pack(), TimeZoneAction(action="show").pack()],
    ]


def test_the_list_numbers_reminders_and_gives_each_its_switch_and_delete_buttons() -> None:
    items = [
        Scheduled(Reminder(7, 1, Kind.BREAK, time(13, 0), mode=Mode.AUTO, break_minutes=30, auto_resume=True),
                  datetime(2026, 3, 2, 12, 0, tzinfo=UTC)),
        Scheduled(Reminder(8, 1, Kind.CLOSE, time(18, 0), enabled=False), None),
    ]
    text, markup = list_view(items, "Europe/Berlin", MONDAY_0800_UTC, EN, notice="Deleted.")
    assert text.startswith("Deleted.\n\n")
    assert "1. 🍽 <b>13:00</b>" in text and "2. 🌙 <b>18:00</b>" in text
    assert "today at 13:00" in text  # 12:00 UTC is 13:00 in Berlin
    rows = layout(markup)
    # One row each, named by the time; delete asks first (action "ask").
    assert rows[0] == [("✅ 13:00", ReminderEdit(action="off", rid=7).pack()),
                       ("🗑 13:00", ReminderEdit(action="ask", rid=7).pack())]
    assert rows[1] == [("⬜ 18:00", ReminderEdit(action="on", rid=8).pack()),
                       ("🗑 18:00", ReminderEdit(action="ask", rid=8).pack())]
    assert [data for _, data in rows[2]] == [RemindMenu(action="new").pack(), RemindMenu(action="close").pack()]


def test_an_empty_list_still_offers_new_reminders() -> None:
    text, markup = list_view([], "UTC", MONDAY_0800_UTC, EN)
    assert text == EN("reminders.empty")
    assert len(layout(markup)) == 1


def test_time_grids_fit_their_choices_then_other_time_and_cancel() -> None:
    _, breaks = step_view({"step": "time"}, "UTC", EN)
    assert [len(row) for row in layout(breaks)] == [3, 3, 1, 1]  # six break times
    assert layout(breaks)[0][0] == ("11:30", RemindStep(step="t", value="1130").pack())
    assert layout(breaks)[-2][0][1] == RemindStep(step="t", value="o").pack()
    assert layout(breaks)[-1][0][1] == RemindStep(step="x").pack()
    _, closes = step_view({"step": "close"}, "UTC", EN)
    assert [len(row) for row in layout(closes)] == [3, 3, 1, 1, 1]  # seven close times, 3 a row on a phone


def test_the_days_step_marks_chosen_days_and_warns_when_none_are() -> None:
    text, markup = step_view({"step": "days", "at": "13:00", "days": "02"}, "UTC", EN)
    toggles = [label for row in layout(markup)[:3] for label, _ in row]  # 3 a row on a phone
    assert toggles == ["✓ Mon", "Tue", "✓ Wed", "Thu", "Fri", "Sat", "Sun"]
    assert "⚠️" not in text
    warned, _ = step_view({"step": "days", "at": "13:00", "days": "", "warn": True}, "UTC", EN)
    assert warned.endswith(f"⚠️ {EN('remind.no_days')}")


def test_later_steps_repeat_what_was_chosen() -> None:
    draft = {"step": "resume", "at": "12:30", "days": "01234", "mode": "auto", "len": 45}
    text, markup = step_view(draft, "UTC", EN)
    assert "12:30" in text and "Mon–Fri" in text and "45" in text
    assert [data for row in layout(markup) for _, data in row] == [
        RemindStep(step="r", value="0").pack(), RemindStep(step="r", value="1").pack(), RemindStep(step="x").pack()]


def test_a_saved_close_check_mentions_its_morning_check_and_offers_the_list() -> None:
    created = [Scheduled(Reminder(1, 1, Kind.CLOSE, time(18, 0)), datetime(2026, 3, 2, 18, 0, tzinfo=UTC)),
               Scheduled(Reminder(2, 1, Kind.MORNING, time(8, 30)), datetime(2026, 3, 3, 8, 30, tzinfo=UTC))]
    text, markup = saved_view(created, "UTC", MONDAY_0800_UTC, EN)
    assert text.startswith(EN("remind.saved"))
    assert EN("remind.also_morning", time="08:30") in text
    assert EN("remind.today", time="18:00") in text
    assert layout(markup) == [[(EN("btn.rem_list"), RemindMenu(action="list").pack())]]


def test_the_limit_says_when_a_close_check_needs_two_places() -> None:
    assert limit_text(MAX_REMINDERS - 1, EN) == EN("remind.limit_close", count=MAX_REMINDERS - 1, limit=MAX_REMINDERS)
    assert limit_text(MAX_REMINDERS, EN) == EN("remind.limit", limit=MAX_REMINDERS)
