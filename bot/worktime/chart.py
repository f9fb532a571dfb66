"""The week as a PNG bar chart, drawn to be read on a phone.

Telegram shows a photo about 330-400 px wide, so the chart is a 900x900 px square (the
shape a phone shows largest) with fonts of 35 px and more. matplotlib is imported on the first chart, not with the bot: the import
alone costs the start-up ~0.65 s. Only the object-oriented API is used (no pyplot: no
global figure registry to leak figures into, no GUI backend).
"""

from __future__ import annotations

import functools
import io
import threading
from datetime import timedelta, tzinfo
from types import SimpleNamespace

from bot.i18n import Translator
from bot.telegram import formatting as fmt
from bot.worktime.texts import day_name, hours_minutes, signed_duration
from bot.worktime.week import DayRow, DayState, WeekSummary

# Square: a phone shows a photo about 330 px wide, so a square picture is shown largest.
WIDTH_PX, HEIGHT_PX, DPI = 900, 900, 100
# Points at 100 dpi: 1 pt = 100/72 px, so 25 pt is 35 px (about 13 px on the phone).
TITLE_PT, SUBTITLE_PT, TICK_PT, LABEL_PT, LEGEND_PT = 33, 27, 27, 25, 25

REACHED = "#2e7d32"
BELOW = "#ef6c00"
RUNNING = "#1e88e5"
OPEN = "#757575"
TARGET = "#212121"
FUTURE_TARGET = "#9e9e9e"
GRID = "#e0e0e0"
BAR_WIDTH = 0.68

# Days drawn as their target alone (dashed): to come, not started, or before the bot was linked.
_NO_BAR = (DayState.FUTURE, DayState.TODAY_NOT_STARTED, DayState.UNTRACKED)

# Concurrent renders (the handler may draw in worker threads) share matplotlib's font
# cache, whose FreeType objects are not thread-safe.
_LOCK = threading.Lock()


@functools.cache
def _matplotlib() -> SimpleNamespace:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return SimpleNamespace(Figure=Figure, FigureCanvasAgg=FigureCanvasAgg, Line2D=Line2D, Patch=Patch)


def chart_available() -> bool:
    """False when matplotlib cannot be imported: the handler then sends the text instead."""
    try:
        _matplotlib()
    except ImportError:
        return False
    return True


def _hours(value: timedelta) -> float:
    return value.total_seconds() / 3600


def _colour(row: DayRow) -> str:
    if row.state in (DayState.RUNNING, DayState.PAUSED):
        return RUNNING
    return REACHED if row.reached else BELOW


def render_week_png(summary: WeekSummary, t: Translator, zone: tzinfo) -> bytes:
    """The chart as PNG bytes: the same summary in the same language gives the same bytes."""
    mpl = _matplotlib()
    with _LOCK:
        figure = mpl.Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
        mpl.FigureCanvasAgg(figure)
        _draw(figure, mpl, summary, t)
        buffer = io.BytesIO()
        # No "Software" entry (it names the matplotlib version): the bytes depend on the week only.
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _draw(figure, mpl: SimpleNamespace, summary: WeekSummary, t: Translator) -> None:  # noqa: ANN001
    axes = figure.add_axes((0.11, 0.285, 0.87, 0.485))
    rows = summary.rows
    top = max([_hours(row.worked) for row in rows] + [_hours(row.target) for row in rows] + [1.0])
    axes.set_ylim(0, top * 1.25)
    axes.set_xlim(-0.6, len(rows) - 0.4)
    step = 1 if top <= 5 else 2 if top <= 12 else 4
    axes.set_yticks(range(0, int(top * 1.25) + 1, step))
    axes.tick_params(axis="both", labelsize=TICK_PT, length=0, pad=8)
    axes.grid(axis="y", color=GRID, linewidth=1.5)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(FUTURE_TARGET)
    axes.set_ylabel(t("week.chart_hours"), fontsize=LEGEND_PT, color="#424242")

    names = fmt.weekdays(t)
    axes.set_xticks(range(len(rows)))
    axes.set_xticklabels([f"{names[row.day.weekday()]}\n{row.day.day}" for row in rows])
    for label, row in zip(axes.get_xticklabels(), rows, strict=True):
        if row.day == summary.today:
            label.set_fontweight("bold")
            label.set_color(RUNNING)

    label_pad = top * 0.03
    shown: dict[str, object] = {}
    for x, row in enumerate(rows):
        worked, target = _hours(row.worked), _hours(row.target)
        if row.state is DayState.LEFT_OPEN:
            # Its end is unknown: an empty hatched outline up to the target, and a "?".
            height = target or top * 0.5
            axes.bar(x, height, BAR_WIDTH, facecolor="white", edgecolor=OPEN, hatch="//", linewidth=2)
            _label(axes, x, max(height, target) + label_pad, "?", OPEN)
            shown.setdefault("open", mpl.Patch(facecolor="white", edgecolor=OPEN, hatch="//",
                                               label=t("week.chart_open")))
        elif row.state in _NO_BAR:
            pass
        elif row.worked or row.target:
            colour = _colour(row)
            if worked:
                axes.bar(x, worked, BAR_WIDTH, color=colour)
            _label(axes, x, max(worked, target) + label_pad, hours_minutes(row.worked), colour)
            key = {RUNNING: "running", REACHED: "reached", BELOW: "below"}[colour]
            shown.setdefault(key, mpl.Patch(color=colour, label=t(f"week.chart_{key}")))
        if target:
            future = row.state in _NO_BAR  # a target still to meet, or one nobody tracked
            axes.hlines(target, x - BAR_WIDTH / 2 - 0.06, x + BAR_WIDTH / 2 + 0.06,
                        colors=FUTURE_TARGET if future else TARGET, linewidth=4,
                        linestyles=(0, (2, 1)) if future else "solid")
            shown.setdefault("target", mpl.Line2D([], [], color=TARGET, linewidth=4,
                                                  label=t("week.chart_target")))

    order = ("reached", "below", "running", "open", "target")
    handles = [shown[key] for key in order if key in shown]
    if handles:
        figure.legend(handles=handles, loc="lower center", ncol=min(3, len(handles)), fontsize=LEGEND_PT,
                      frameon=False, handlelength=1.2, handletextpad=0.4, columnspacing=1.0,
                      bbox_to_anchor=(0.5, 0.0))

    figure.text(0.5, 0.955, t("week.chart_range", first=day_name(summary.monday, t),
                              last=day_name(summary.sunday, t)),
                ha="center", va="top", fontsize=TITLE_PT, fontweight="bold")
    figure.text(0.5, 0.895, _totals(summary, t), ha="center", va="top", fontsize=SUBTITLE_PT,
                color="#424242", linespacing=1.3)


def _label(axes, x: float, y: float, text: str, colour: str) -> None:  # noqa: ANN001
    axes.text(x, y, text, ha="center", va="bottom", fontsize=LABEL_PT, fontweight="bold", color=colour)


def _totals(summary: WeekSummary, t: Translator) -> str:
    target = fmt.duration(summary.target, t)
    if summary.is_future:
        return t("week.chart_target_only", target=target)
    totals = t("week.chart_totals", worked=fmt.duration(summary.worked, t), target=target)
    # The balance in the caption's own words, on a line of its own: two lines fit a square.
    return f"{totals}\n{t('week.chart_balance', balance=signed_duration(summary.balance, t))}"
