from __future__ import annotations

from datetime import time

import pytest

from bot.reminders.models import Mode, parse_remind_args
from bot.wall_time import parse_length_minutes, parse_wall_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [("13:00", time(13)), ("13.00", time(13)), ("9:05", time(9, 5)), (" 18-30 ", time(18, 30)),
     ("13h00", time(13)), ("13ч00", time(13)), ("1pm", time(13)), ("1 PM", time(13)), ("1:30pm", time(13, 30)),
     ("1.30 p.m.", time(13, 30)), ("11am", time(11)), ("12am", time(0)), ("12pm", time(12)),
     ("12:15 am", time(0, 15))],
)
def test_times_as_people_type_them(text: str, expected: time) -> None:
    assert parse_wall_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "13:60", "13pm", "0am", "13", "lunch", "", "1:3pm", "13:00:00"])
def test_what_is_not_a_time(text: str) -> None:
    assert parse_wall_time(text) is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("45", 45), ("45m", 45), ("30 мин", 30), ("30мин", 30), ("30 минут", 30), ("полчаса", 30), ("1 ч", 60),
     ("1 час", 60), ("2 часа", 120), ("1h30", 90), ("1ч 30мин", 90), ("45 min", 45), ("1 hour", 60), ("45м", 45)],
)
def test_lengths_as_people_type_them(text: str, minutes: int) -> None:
    assert parse_length_minutes(text) == minutes


@pytest.mark.parametrize("text", ["", "мин", "abc", "30 секунд", "1:30"])
def test_what_is_not_a_length(text: str) -> None:
    assert parse_length_minutes(text) is None


@pytest.mark.parametrize(
    ("text", "minutes", "mode"),
    [("13:00 авто 45 мин", 45, Mode.AUTO), ("13:00 авто 45м", 45, Mode.AUTO), ("13:00 30 минут", 30, Mode.ASK),
     ("13:00 полчаса", 30, Mode.ASK), ("1pm auto 1 час", 60, Mode.AUTO), ("13.00 автоматически 1 ч", 60, Mode.AUTO)],
)
def test_remind_accepts_russian_and_spaced_lengths(text: str, minutes: int, mode: Mode) -> None:
    draft = parse_remind_args(text)
    assert (draft.at, draft.break_minutes, draft.mode) == (time(13), minutes, mode)
