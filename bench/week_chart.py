"""Benchmark: what /week's PNG chart costs (bot/worktime/chart.py).

What is measured
----------------
* matplotlib's import cost: a fresh `python -c` that imports what the chart needs
  (`matplotlib.figure`, `matplotlib.backends.backend_agg`, patches, lines) and prints the
  time it took, `--imports` times (default 5), median. This is what the bot would pay at
  start-up if chart.py imported matplotlib at module level; it imports it on the first
  chart instead.
* The first render in a fresh process, per language: matplotlib already imported (timed
  apart, above), then one `render_week_png` (font loading, first text layout).
* Steady-state render, per language: `--renders` (default 20) renders of the same week in
  this process after two warm-ups, median and p90, and the PNG's size in bytes.

Baseline (same run): in fresh processes, the import of `bot.worktime.texts` (the bot's own
modules the chart needs: i18n, formatting, the week) against `bot.worktime.chart`, whose
difference is what the chart module adds to start-up (it should be ~0, matplotlib being
deferred); and `week_text` for the same week (the text sent when no chart can be drawn).

The week drawn: three closed days (one below target and unapproved), a missed day and
today running, so bars of every colour, their labels and the legend are all drawn.

Run:  python -m bench.week_chart                 (~20 s)
      python -m bench.week_chart --imports 2 --renders 5   (smoke)
Writes bench/results/week_chart.json.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

try:
    from bench import _common as common
except ImportError:  # run as a file: python bench/week_chart.py
    import _common as common  # type: ignore[no-redef]

from bot.bitrix24 import Workday, WorkdayStatus
from bot.i18n import Translator
from bot.worktime.models import JournalDay, WorkTargets
from bot.worktime.week import WeekSummary, build_week

LANGUAGES = ("en", "ru")
ZONE = ZoneInfo("Europe/Berlin")
_TIMED_IMPORT = ("import time; t = time.perf_counter(); {imports}; "
                 "print(time.perf_counter() - t)")
MATPLOTLIB_IMPORTS = ("import matplotlib.figure, matplotlib.backends.backend_agg, "
                      "matplotlib.patches, matplotlib.lines")
CHART_IMPORT = "import bot.worktime.chart"
TEXTS_IMPORT = "import bot.worktime.texts"
_FIRST_RENDER = """
import sys, time
{imports}
import bench.week_chart as bench
from bot.i18n import Translator
from bot.worktime.chart import render_week_png
week = bench.sample_week()
t = time.perf_counter()
render_week_png(week, Translator(sys.argv[1]), bench.ZONE)
print(time.perf_counter() - t)
"""


def sample_week() -> WeekSummary:
    offset = timezone(timedelta(hours=2))
    monday = date(2026, 6, 1)

    def closed(days: int, worked: timedelta, approved: bool = True) -> JournalDay:
        start = datetime(2026, 6, 1 + days, 9, tzinfo=offset)
        return JournalDay(monday + timedelta(days=days), start, start + worked + timedelta(minutes=30),
                          worked, timedelta(minutes=30), approved)

    journal = [closed(0, timedelta(hours=8, minutes=30)), closed(1, timedelta(hours=7, minutes=45), False),
               closed(2, timedelta(hours=9, minutes=5))]
    current = Workday(WorkdayStatus.OPENED, started_at=datetime(2026, 6, 5, 9, tzinfo=offset),
                      breaks=timedelta(minutes=30))
    return build_week(monday, journal, current, WorkTargets(), datetime(2026, 6, 5, 14, tzinfo=offset), ZONE)


def _python(script: str, *args: str) -> float:
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=common.ROOT, env=common.child_env(),
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def _timed_import(imports: str, rounds: int) -> list[float]:
    return [_python(_TIMED_IMPORT.format(imports=imports)) for _ in range(rounds)]


def _steady(language: str, renders: int) -> tuple[list[float], int]:
    from bot.worktime.chart import render_week_png

    week, t = sample_week(), Translator(language)
    for _ in range(2):
        data = render_week_png(week, t, ZONE)
    times = []
    for _ in range(renders):
        start = time.perf_counter()
        render_week_png(week, t, ZONE)
        times.append(time.perf_counter() - start)
    return times, len(data)


def _text_seconds(language: str, rounds: int = 200) -> float:
    from bot.worktime.texts import week_text

    week, t = sample_week(), Translator(language)
    start = time.perf_counter()
    for _ in range(rounds):
        week_text(week, t, ZONE)
    return (time.perf_counter() - start) / rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--imports", type=int, default=9, help="fresh processes per import timing")
    parser.add_argument("--renders", type=int, default=20, help="steady-state renders per language")
    args = parser.parse_args(argv)

    matplotlib_import = _timed_import(MATPLOTLIB_IMPORTS, args.imports)
    texts_import, chart_import = [], []
    for _ in range(args.imports):  # interleaved: the machine's speed drifts
        texts_import += _timed_import(TEXTS_IMPORT, 1)
        chart_import += _timed_import(CHART_IMPORT, 1)
    per_language = {}
    for language in LANGUAGES:
        first = statistics.median(_python(_FIRST_RENDER.format(imports=MATPLOTLIB_IMPORTS), language)
                                  for _ in range(max(1, args.imports // 2)))
        steady, size = _steady(language, args.renders)
        per_language[language] = {
            "first_render_s": first, "steady_median_s": statistics.median(steady),
            "steady_p90_s": common.percentile(steady, 90), "png_bytes": size,
            "text_fallback_s": _text_seconds(language),
        }

    lines = [
        "week chart (bot/worktime/chart.py), 900x900 px PNG",
        f"matplotlib import, fresh process: median {statistics.median(matplotlib_import) * 1000:.0f} ms "
        f"(min {min(matplotlib_import) * 1000:.0f}, n={len(matplotlib_import)})",
        f"import bot.worktime.chart: median {statistics.median(chart_import) * 1000:.0f} ms; baseline "
        f"bot.worktime.texts: {statistics.median(texts_import) * 1000:.0f} ms (the chart module adds "
        f"{(statistics.median(chart_import) - statistics.median(texts_import)) * 1000:+.0f} ms)",
        "",
        f"{'lang':<5}{'first render':>14}{'steady p50':>12}{'steady p90':>12}{'PNG bytes':>11}{'text':>10}",
    ]
    for language, figures in per_language.items():
        lines.append(f"{language:<5}{figures['first_render_s'] * 1000:>11.0f} ms"
                     f"{figures['steady_median_s'] * 1000:>9.0f} ms{figures['steady_p90_s'] * 1000:>9.0f} ms"
                     f"{figures['png_bytes']:>11}{figures['text_fallback_s'] * 1e6:>7.0f} µs")
    lines.append("(first render: in a fresh process with matplotlib already imported; text: week_text, the fallback)")
    report = "\n".join(lines)
    print(report)
    path = common.write_results("week_chart", {
        "machine": common.machine(), "matplotlib_import_s": matplotlib_import, "chart_module_import_s": chart_import,
        "texts_module_import_s": texts_import,
        "languages": per_language, "renders": args.renders,
    }, report)
    print(f"\nwrote {path.relative_to(common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
