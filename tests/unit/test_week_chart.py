"""The week's chart (a phone-sized PNG), its caption and the text sent without a chart."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.bitrix24 import Workday, WorkdayStatus
from bot.i18n import Translator
from bot.telegram import formatting as fmt
from bot.worktime import chart
from bot.worktime.models import JournalDay, WorkTargets
from bot.worktime.texts import signed_duration, signed_hours_minutes, week_caption, week_text
from bot.worktime.week import WeekSummary, build_week

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
CEST = timezone(timedelta(hours=2))
MONDAY = date(2026, 6, 1)
H, M = timedelta(hours=1), timedelta(minutes=1)
LANGUAGES = ("en", "ru")


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def at(offset: int, hour: int, minute: int = 0) -> datetime:
    moment = day(offset)
    return datetime(moment.year, moment.month, moment.day, hour, minute, tzinfo=CEST)


def journaled(offset: int, worked: timedelta, approved: bool = True) -> JournalDay:
    return JournalDay(day=day(offset), started_at=at(offset, 9), finished_at=at(offset, 9) + worked + 30 * M,
                      worked=worked, breaks=30 * M, approved=approved)


def this_week(current: Workday | None = None, now: datetime | None = None) -> WeekSummary:
    journal = [journaled(0, 8 * H + 30 * M), journaled(1, 7 * H + 45 * M, approved=False), journaled(2, 9 * H + 5 * M)]
    current = current or Workday(WorkdayStatus.OPENED, started_at=at(4, 9), breaks=30 * M)
    return build_week(MONDAY, journal, current, WorkTargets(), now or at(4, 14), BERLIN)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", data[16:24])


def colours(data: bytes) -> set[tuple[int, ...]]:
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    return {colour for _, colour in image.getcolors(maxcolors=1 << 20)}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_chart_is_a_png_of_the_phone_size(language: str) -> None:
    data = chart.render_week_png(this_week(), Translator(language), BERLIN)
    assert png_size(data) == (chart.WIDTH_PX, chart.HEIGHT_PX) == (900, 900)
    assert b"Software" not in data and b"tIME" not in data
    assert data == chart.render_week_png(this_week(), Translator(language), BERLIN)  # deterministic


def test_the_bars_take_the_colour_of_their_state() -> None:
    t = Translator("en")
    drawn = colours(chart.render_week_png(this_week(), t, BERLIN))
    assert {rgb(chart.REACHED), rgb(chart.BELOW), rgb(chart.RUNNING)} <= drawn
    future = build_week(day(7), [], None, WorkTargets(), at(4, 14), BERLIN)
    drawn = colours(chart.render_week_png(future, t, BERLIN))
    assert not {rgb(chart.REACHED), rgb(chart.BELOW), rgb(chart.RUNNING)} & drawn
    assert rgb(chart.FUTURE_TARGET) in drawn


@pytest.mark.parametrize("week", [
    build_week(day(7), [], None, WorkTargets(), at(4, 14), BERLIN),  # to come
    build_week(day(-7), [], None, WorkTargets(), at(4, 14), BERLIN),  # nothing recorded
    build_week(MONDAY, [], None, WorkTargets(tracked=False), at(4, 14), BERLIN),  # no targets
    this_week(Workday(WorkdayStatus.EXPIRED, started_at=at(3, 9))),
], ids=["future", "empty-past", "untracked", "left-open"])
def test_any_week_can_be_drawn(week: WeekSummary) -> None:
    for language in LANGUAGES:
        assert png_size(chart.render_week_png(week, Translator(language), BERLIN)) == (900, 900)


def test_the_bot_does_not_import_matplotlib_until_a_chart_is_drawn() -> None:
    script = ("import sys, bot.worktime.chart, bot.worktime.texts, bot.worktime.week\n"
              "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


def test_without_matplotlib_the_chart_is_unavailable() -> None:
    assert chart.chart_available()
    script = ("import sys; sys.modules['matplotlib'] = None\n"
              "from bot.worktime.chart import chart_available; print(chart_available())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_caption_carries_the_summarys_figures(language: str) -> None:
    t = Translator(language)
    week = this_week()
    caption = week_caption(week, t, BERLIN)
    assert week.worked == 29 * H + 50 * M and week.balance == -6 * H - 40 * M  # Thursday missed
    for figure in (fmt.duration(week.worked, t), fmt.duration(week.target, t),
                   signed_duration(week.balance, t), fmt.clock(week.done.at, BERLIN)):  # type: ignore[union-attr]
        assert figure in caption
    assert signed_duration(week.balance, t).startswith("\u2212")
    assert len(caption) < 1024
    assert caption.count("<b>") == caption.count("</b>")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_text_fallback_has_a_line_per_day_and_the_captions_figures(language: str) -> None:
    t = Translator(language)
    week = this_week()
    text = week_text(week, t, BERLIN)
    lines = text.splitlines()
    for row, line in zip(week.rows, lines[1:8], strict=True):  # after the title
        assert t("fmt.date", weekday=row.day.weekday(), day=row.day.day, month=row.day.month) in line
        if row.worked:
            assert fmt.duration(row.worked, t) in line
    assert f"<b>{t('fmt.date', weekday=4, day=5, month=6)}</b>" in text  # today stands out
    caption_figures = week_caption(week, t, BERLIN).splitlines()[1:]
    assert text.splitlines()[-len(caption_figures):] == caption_figures


def test_a_left_open_day_is_explained_until_it_is_repaired() -> None:
    t = Translator("en")
    expired = Workday(WorkdayStatus.EXPIRED, started_at=at(3, 9))
    before = week_caption(this_week(expired, at(4, 8)), t, BERLIN)
    assert "Thu, 4 Jun: the day is still open in Bitrix24 and counts as 0" in before
    repaired = Workday(WorkdayStatus.CLOSED, started_at=at(3, 9), finished_at=at(3, 17), duration=7 * H + 30 * M,
                       breaks=30 * M, active=False)
    after = week_caption(this_week(repaired, at(4, 8)), t, BERLIN)
    assert "still open" not in after
    assert "2 days await your supervisor's approval." in after


def test_todays_line_follows_the_day() -> None:
    en = Translator("en")
    paused = Workday(WorkdayStatus.PAUSED, started_at=at(4, 9), finished_at=at(4, 12))
    assert "Today's minimum: 5 h to go after the break." in week_caption(this_week(paused, at(4, 13)), en, BERLIN)
    running = Workday(WorkdayStatus.OPENED, started_at=at(4, 8))
    assert "✅ Today's minimum reached at 16:00." in week_caption(this_week(running, at(4, 17)), en, BERLIN)
    short = Workday(WorkdayStatus.CLOSED, started_at=at(4, 9), finished_at=at(4, 15), duration=6 * H)
    assert "closed 2 h short of the minimum" in week_caption(this_week(short, at(4, 16)), en, BERLIN)
    yesterday = Workday(WorkdayStatus.CLOSED, started_at=at(3, 9), finished_at=at(3, 17), duration=8 * H)
    ru = week_caption(this_week(yesterday, at(4, 7)), Translator("ru"), BERLIN)
    assert "Сегодня день ещё не начат, норма — 8 ч." in ru


def test_past_and_coming_weeks_say_so() -> None:
    t = Translator("en")
    past = week_caption(build_week(day(-7), [journaled(-7, 8 * H)], None, WorkTargets(), at(4, 14), BERLIN), t, BERLIN)
    assert "Balance: <b>\u221232 h</b>" in past and "so far" not in past
    assert "No record on 4 work days." in past
    coming = week_caption(build_week(day(7), [], None, WorkTargets(), at(4, 14), BERLIN), t, BERLIN)
    assert coming.splitlines()[1:] == ["Target: <b>40 h</b>"]


@pytest.mark.parametrize(("count", "missed", "waiting"), [
    (1, "1 рабочий день", "1 день ждёт"), (2, "2 рабочих дня", "2 дня ждут"), (5, "5 рабочих дней", "5 дней ждут"),
    (11, "11 рабочих дней", "11 дней ждут"), (21, "21 рабочий день", "21 день ждёт"),
    (22, "22 рабочих дня", "22 дня ждут"),
])
def test_russian_counts_of_days(count: int, missed: str, waiting: str) -> None:
    t = Translator("ru")
    assert t("week.missed", count=count) == f"Без отметки: {missed}."
    assert t("week.unapproved", count=count) == f"⏳ {waiting} подтверждения руководителя."


def test_signed_figures() -> None:
    en = Translator("en")
    assert signed_duration(40 * M, en) == "+40 min"
    assert signed_duration(-(H + 5 * M), en) == "\u22121 h 5 min"
    assert signed_duration(timedelta(seconds=-30), en) == "0 min"  # no "−0 min"
    assert signed_duration(-(H + 5 * M), Translator("ru")) == "\u22121 ч 5 мин"
    assert signed_hours_minutes(40 * M) == "+0:40"
    assert signed_hours_minutes(-(32 * H + 5 * M)) == "\u221232:05"
