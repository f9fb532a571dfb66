"""/team's message for one department: counts and names by state, in pages that fit.

A page stays well under Telegram's 4096 characters; each repeats the department's name
and says which page it is, so a long team reads page by page with ◀ ▶.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, tzinfo

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.team.day import STATE_ORDER, DepartmentDay, MemberDay, MemberState
from bot.telegram import formatting as fmt
from bot.telegram.callbacks import TeamAction
from bot.telegram.fit import quote
from bot.telegram.keyboards import Button, button, keyboard

PAGE_BUDGET = 3500  # characters of the lists on one page, leaving room for the header and footer
NAME_LIMIT = 60


def _since(moment: datetime, zone: tzinfo, now: datetime, t: Translator) -> str:
    """"09:02", or "Mon, 1 Dec 22:00" for a day begun on an earlier date."""
    if moment.astimezone(zone).date() == now.astimezone(zone).date():
        return fmt.clock(moment, zone)
    return f"{fmt.date(moment, zone, t)} {fmt.clock(moment, zone)}"


def member_line(member: MemberDay, zone: tzinfo, t: Translator, now: datetime) -> str:
    name = quote(member.name, NAME_LIMIT) if member.name else f"#{member.bitrix_id}"
    if member.state is MemberState.WORKING and member.since is not None:
        return t("team.line_working", name=name, since=_since(member.since, zone, now, t),
                 worked=fmt.duration(member.worked or timedelta(0), t))
    if member.state is MemberState.ON_BREAK:
        if member.break_for is not None and member.since is not None:
            return t("team.line_on_break", name=name, duration=fmt.duration(member.break_for, t),
                     since=fmt.clock(member.since, zone))
        return t("team.line_on_break_unknown", name=name)
    if member.state is MemberState.FINISHED and member.worked is not None:
        return t("team.line_finished", name=name, worked=fmt.duration(member.worked, t))
    if member.state is MemberState.LEFT_OPEN and member.open_since is not None:
        return t("team.line_left_open", name=name,
                 date=t("fmt.date", weekday=member.open_since.weekday(), day=member.open_since.day,
                        month=member.open_since.month))
    return t("team.line_plain", name=name)


def chunked(entries: list[str], budget: int = PAGE_BUDGET) -> list[list[str]]:
    """Lines in pages of at most `budget` characters (always at least one page)."""
    chunks: list[list[str]] = [[]]
    used = 0
    for entry in entries:
        if chunks[-1] and used + len(entry) + 1 > budget:
            chunks.append([])
            used = 0
        chunks[-1].append(entry)
        used += len(entry) + 1
    return chunks


def team_pages(day: DepartmentDay, zone: tzinfo, t: Translator) -> list[str]:
    """The department's day as pages of text; always at least one."""
    groups = day.by_state()
    entries: list[str] = []
    for state in STATE_ORDER:
        members = groups[state]
        if not members and state is MemberState.UNKNOWN:
            continue
        entries.append(t(f"team.state_{state.value}", count=len(members)))
        entries.extend(member_line(member, zone, t, day.as_of) for member in members)
    chunks = chunked(entries)
    pages = []
    name = html.escape(day.name) if day.name else f"#{day.department_id}"
    for index, chunk in enumerate(chunks):
        header = t("team.header", name=name, count=len(day.members) + day.not_linked)
        if len(chunks) > 1:
            header += " " + t("team.page", page=index + 1, pages=len(chunks))
        footer = []
        if day.not_linked:
            footer.append(t("team.not_linked", count=day.not_linked))
        footer.append(f"<i>{t('card.updated', time=fmt.clock(day.as_of, zone))}</i>")
        pages.append("\n".join([header, "", *chunk, "", *footer]))
    return pages


def team_keyboard(department_id: int, page: int, pages: int, t: Translator, *, can_pick: bool,
                  digest_label: str | None = None) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = []
    if pages > 1:
        nav: list[Button] = []
        if page > 0:
            nav.append(button("◀", TeamAction(action="page", dept=department_id, page=page - 1)))
        nav.append(button(f"{page + 1}/{pages}", TeamAction(action="page", dept=department_id, page=page)))
        if page < pages - 1:
            nav.append(button("▶", TeamAction(action="page", dept=department_id, page=page + 1)))
        rows.append(nav)
    bottom = [button(t("btn.refresh"), TeamAction(action="refresh", dept=department_id, page=page))]
    if can_pick:
        bottom.append(button(t("btn.team_departments"), TeamAction(action="pick")))
    rows.append(bottom)
    if digest_label is not None:
        rows.append([button(digest_label, TeamAction(action="digest", dept=department_id))])
    return keyboard(*rows)


PICKER_PAGE = 40  # departments per picker page: Telegram takes at most 100 buttons


def picker_keyboard(departments: list[tuple[int, str, int]], t: Translator, page: int = 0) -> InlineKeyboardMarkup:
    """One button per department (id, name, depth in the tree), indented by depth, in pages."""
    pages = max(1, -(-len(departments) // PICKER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = departments[page * PICKER_PAGE:(page + 1) * PICKER_PAGE]
    rows = [[button(("· " * depth) + ((name or "").strip() or f"#{dept}")[:40], TeamAction(action="page", dept=dept))]
            for dept, name, depth in shown]
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(button("◀", TeamAction(action="pick", page=page - 1)))
        nav.append(button(f"{page + 1}/{pages}", TeamAction(action="pick", page=page)))
        if page < pages - 1:
            nav.append(button("▶", TeamAction(action="pick", page=page + 1)))
        rows.append(nav)
    return keyboard(*rows)
