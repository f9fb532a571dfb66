"""The week in words: the caption under its chart, and the text sent when no chart can be
drawn. Telegram HTML; nothing here comes from the user, so nothing needs escaping."""

from __future__ import annotations

from datetime import date, timedelta, tzinfo

from bot.i18n import Translator
from bot.telegram import formatting as fmt
from bot.worktime.week import DayRow, DayState, WeekSummary

_ZERO = timedelta(0)
MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash before a number


def _minutes(value: timedelta) -> int:
    return int(abs(value).total_seconds()) // 60


def _sign(value: timedelta) -> str:
    if _minutes(value) == 0:
        return ""
    return "+" if value > _ZERO else MINUS


def signed_duration(value: timedelta, t: Translator) -> str:
    """"+40 min", "−1 h 5 min", "0 min": fmt.duration with a sign."""
    return _sign(value) + fmt.duration(abs(value), t)


def hours_minutes(value: timedelta) -> str:
    """"7:45", "32:10": hours may exceed a day's."""
    hours, minutes = divmod(_minutes(value), 60)
    return f"{hours}:{minutes:02d}"


def signed_hours_minutes(value: timedelta) -> str:
    """"+0:40", "−1:05"."""
    return _sign(value) + hours_minutes(value)


def day_name(day: date, t: Translator) -> str:
    """"Mon, 1 Jun"."""
    return t("fmt.date", weekday=day.weekday(), day=day.day, month=day.month)


def week_title(summary: WeekSummary, t: Translator) -> str:
    return t("week.title", first=day_name(summary.monday, t), last=day_name(summary.sunday, t))


def week_caption(summary: WeekSummary, t: Translator, zone: tzinfo) -> str:
    """The title and the figures: totals, balance, today's done-at, and notes."""
    return "\n".join([week_title(summary, t), *_figures(summary, t, zone)])


def week_text(summary: WeekSummary, t: Translator, zone: tzinfo) -> str:
    """The caption's figures with one line per day before them: what /week says without a chart."""
    rows = [_row_line(row, row.day == summary.today, t) for row in summary.rows]
    return "\n".join([week_title(summary, t), *rows, "", *_figures(summary, t, zone)])


def _figures(summary: WeekSummary, t: Translator, zone: tzinfo) -> list[str]:
    worked, target = fmt.duration(summary.worked, t), fmt.duration(summary.target, t)
    lines: list[str] = []
    if summary.is_future:
        lines.append(t("week.target_only", target=target) if summary.target else t("week.no_target"))
        return lines
    if summary.target:
        lines.append(t("week.worked", worked=worked, target=target))
    else:
        lines += [t("week.worked_no_target", worked=worked), t("week.no_target")]
    balance = signed_duration(summary.balance, t)
    lines.append(t("week.balance", balance=balance) if summary.is_past
                 else t("week.balance_so_far", balance=balance))
    if today := _today_line(summary, t, zone):
        lines.append(today)
    for row in summary.left_open:
        lines.append(t("week.left_open", date=day_name(row.day, t)))
    if summary.missed:
        lines.append(t("week.missed", count=len(summary.missed)))
    if summary.untracked:
        lines.append(t("week.untracked", count=len(summary.untracked)))
    if summary.unapproved:
        lines.append(t("week.unapproved", count=len(summary.unapproved)))
    return lines


def _today_line(summary: WeekSummary, t: Translator, zone: tzinfo) -> str | None:
    done, row = summary.done, summary.today_row
    if done is None:
        if row is not None and row.state is DayState.TODAY_NOT_STARTED and row.target:
            return t("week.today_not_started", target=fmt.duration(row.target, t))
        return None
    remaining = fmt.duration(done.remaining, t)
    if done.reached:
        if done.at is None:
            return t("week.done_reached_plain")
        return t("week.done_reached", time=fmt.clock(done.at, zone))
    if row is not None and row.state is DayState.CLOSED:
        return t("week.done_short", remaining=remaining)
    if done.at is None:
        return t("week.done_paused", remaining=remaining)
    later = (done.at.astimezone(zone).date() - summary.today).days > 0  # begun in the evening
    return t("week.done_at", time=fmt.clock(done.at, zone), remaining=remaining,
             day="tomorrow" if later else "today")


_ICONS = {
    DayState.RUNNING: "▶️",
    DayState.PAUSED: "⏸",
    DayState.LEFT_OPEN: "⚠️",
    DayState.NOT_WORKED: "❌",
    DayState.UNTRACKED: "▫️",
    DayState.TODAY_NOT_STARTED: "▫️",
    DayState.FUTURE: "▫️",
}
_NOTES = {
    DayState.RUNNING: "week.state_running",
    DayState.PAUSED: "week.state_paused",
    DayState.LEFT_OPEN: "week.state_left_open",
    DayState.NOT_WORKED: "week.state_not_worked",
    DayState.UNTRACKED: "week.state_untracked",
    DayState.TODAY_NOT_STARTED: "week.state_today_not_started",
}


def _row_line(row: DayRow, today: bool, t: Translator) -> str:
    name = day_name(row.day, t)
    if today:
        name = f"<b>{name}</b>"
    worked = fmt.duration(row.worked, t)
    day_off = not row.target
    if row.state is DayState.CLOSED:
        icon = "✅" if row.reached else "🔸"
        parts = [worked, t("week.day_off")] if day_off else [t("week.of_target", worked=worked,
                                                                target=fmt.duration(row.target, t))]
        if not row.approved:
            parts.append(t("week.state_unapproved"))
    elif day_off and row.state in (DayState.NOT_WORKED, DayState.TODAY_NOT_STARTED, DayState.FUTURE):
        icon, parts = "▫️", [t("week.day_off")]
    elif row.state is DayState.UNTRACKED:
        icon, parts = _ICONS[row.state], [t(_NOTES[row.state])]
    elif row.state is DayState.FUTURE:
        icon, parts = _ICONS[row.state], [t("week.target_day", target=fmt.duration(row.target, t))]
    else:
        figures = worked if day_off else t("week.of_target", worked=worked, target=fmt.duration(row.target, t))
        icon, parts = _ICONS[row.state], [figures, t(_NOTES[row.state])]
    return f"{icon} {name} — {', '.join(parts)}"
