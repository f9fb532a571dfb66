"""Durations and dates as the day card shows them, in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.i18n import Translator
from bot.telegram import formatting as fmt


@pytest.mark.parametrize(("minutes", "en", "ru"), [
    (0, "0 min", "0 мин"),
    (59, "59 min", "59 мин"),
    (60, "1 h", "1 ч"),
    (61, "1 h 1 min", "1 ч 1 мин"),
    (8 * 60, "8 h", "8 ч"),
    (8 * 60 + 20, "8 h 20 min", "8 ч 20 мин"),
])
def test_whole_hours_drop_the_zero_minutes(minutes: int, en: str, ru: str) -> None:
    value = timedelta(minutes=minutes, seconds=30)
    assert fmt.duration(value, Translator("en")) == en
    assert fmt.duration(value, Translator("ru")) == ru
