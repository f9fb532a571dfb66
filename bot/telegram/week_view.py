"""The /week message: a bar chart with its figures in the caption, or text when no chart
can be drawn, and buttons to the weeks around it.

Drawing takes tens of milliseconds of CPU, so it runs on one worker thread, away from the
event loop; one thread, because matplotlib is not made for drawing from several at once.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.storage.journal import KEPT
from bot.telegram.callbacks import WeekNav
from bot.telegram.keyboards import Button, button, keyboard
from bot.worktime.chart import chart_available, render_week_png
from bot.worktime.texts import week_caption, week_text
from bot.worktime.week import WeekSummary

log = logging.getLogger(__name__)

# Whole weeks the journal still holds: it drops days older than KEPT, counted from the
# newest one, so the oldest week it reaches into is only partly kept.
WEEKS_BACK = KEPT // timedelta(weeks=1) - 1
WEEKS_AHEAD = 1  # next week shows its targets


@dataclass(frozen=True, slots=True)
class WeekMessage:
    png: bytes | None  # None: no chart this time, send `text`
    caption: str  # the chart's caption: the figures
    text: str  # the whole week in text, for a text message
    markup: InlineKeyboardMarkup

    def with_note(self, note: str) -> WeekMessage:
        return WeekMessage(self.png, f"{note}\n{self.caption}", f"{note}\n{self.text}", self.markup)


class WeekCharts:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="week-chart")
        self._available: bool | None = None

    async def draw(self, summary: WeekSummary, t: Translator, zone: tzinfo) -> bytes | None:
        """The chart, or None when it cannot be drawn (the caller sends text instead)."""
        loop = asyncio.get_running_loop()
        if self._available is None:
            self._available = await loop.run_in_executor(self._executor, chart_available)
            if not self._available:
                log.warning("charts cannot be drawn (matplotlib is missing): /week answers in text")
        if not self._available:
            return None
        try:
            return await loop.run_in_executor(self._executor, render_week_png, summary, t, zone)
        except Exception as error:  # noqa: BLE001 - the figures still go out, as text
            log.warning("the week chart could not be drawn; sent as text", extra={"ctx_error": repr(error)})
            return None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def week_keyboard(monday: date, today: date, t: Translator) -> InlineKeyboardMarkup:
    current = today - timedelta(days=today.weekday())
    # Two to a row: three labels in one row are cut short at phone width.
    steps: list[Button] = []
    if monday - timedelta(weeks=1) >= current - timedelta(weeks=WEEKS_BACK):
        steps.append(button(t("btn.week_prev"), WeekNav(monday=(monday - timedelta(weeks=1)).toordinal())))
    if monday + timedelta(weeks=1) <= current + timedelta(weeks=WEEKS_AHEAD):
        steps.append(button(t("btn.week_next"), WeekNav(monday=(monday + timedelta(weeks=1)).toordinal())))
    bottom: list[Button] = []
    if monday != current:
        bottom.append(button(t("btn.week_this"), WeekNav(monday=current.toordinal())))
    bottom.append(button(t("btn.refresh"), WeekNav(monday=monday.toordinal())))
    return keyboard(steps, bottom)


async def week_message(charts: WeekCharts, summary: WeekSummary, t: Translator, zone: tzinfo) -> WeekMessage:
    markup = week_keyboard(summary.monday, summary.today, t)
    png = await charts.draw(summary, t, zone)
    return WeekMessage(png, week_caption(summary, t, zone), week_text(summary, t, zone), markup)
