from __future__ import annotations

from datetime import time

import pytest

from bot.reminders.models import (
    WEEKDAYS,
    Kind,
    Mode,
    ParseError,
    Reminder,
    parse_days,
    parse_minutes,
    parse_remind_args,
)


@pytest.mark.parametrize(
    ("text", "at", "days", "mode", "minutes", "auto_resume"),
    [
        ("13:00", time(13), WEEKDAYS, Mode.ASK, 0, False),
        ("13:00 auto", time(13), WEEKDAYS, Mode.AUTO, 0, False),
        ("13:00 auto 45m", time(13), WEEKDAYS, Mode.AUTO, 45, False),
        ("12:30 mon,wed,fri", time(12, 30), frozenset({0, 2, 4}), Mode.ASK, 0, False),
        ("9.05 daily ask 1h", time(9, 5), frozenset(range(7)), Mode.ASK, 60, False),
        ("13:00 auto 1h30m resume", time(13), WEEKDAYS, Mode.AUTO, 90, True),
        ("13:00 пн-пт авто 30мин", time(13), WEEKDAYS, Mode.AUTO, 30, False),
        ("13:00 sat-mon", time(13), frozenset({5, 6, 0}), Mode.ASK, 0, False),
    ],
)
def test_shortcuts(text: str, at: time, days: frozenset[int], mode: Mode, minutes: int, auto_resume: bool) -> None:
    draft = parse_remind_args(text)
    assert (draft.kind, draft.at, draft.days, draft.mode, draft.break_minutes, draft.auto_resume) == (
        Kind.BREAK, at, days, mode, minutes, auto_resume)


def test_close_and_morning_kinds() -> None:
    assert parse_remind_args("close 18:30").kind is Kind.CLOSE
    assert parse_remind_args("morning 08:30 weekdays").kind is Kind.MORNING


@pytest.mark.parametrize(
    ("text", "key"),
    [("", "remind.parse_no_time"), ("auto", "remind.parse_no_time"), ("25:00", "remind.parse_unknown"),
     ("13:00 someday", "remind.parse_unknown"), ("13:00 auto 0m", "remind.parse_break_length"),
     ("13:00 9h", "remind.parse_break_length"), ("close 18:30 auto", "remind.parse_break_only")],
)
def test_errors_name_what_was_wrong(text: str, key: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_remind_args(text)
    assert caught.value.key == key


def test_unknown_word_is_reported() -> None:
    with pytest.raises(ParseError) as caught:
        parse_remind_args("13:00 lunchtime")
    assert caught.value.token == "lunchtime"


def test_day_and_minute_parsers() -> None:
    assert parse_days("weekends") == frozenset({5, 6})
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("funday") is None
    assert parse_minutes("45") == 45 and parse_minutes("2h") == 120 and parse_minutes("abc") is None


def test_redis_round_trip_and_versioning() -> None:
    reminder = Reminder(id=7, telegram_id=42, kind=Kind.BREAK, at=time(13, 0), days=frozenset({0, 2}),
                        mode=Mode.AUTO, break_minutes=45, auto_resume=True)
    assert Reminder.from_redis(reminder.to_redis()) == reminder
    off = reminder.with_changes(enabled=False)
    assert off.version == 2 and not off.enabled and off.id == 7
