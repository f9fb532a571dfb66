"""/team: a department head's view of their people's day, and the digest settings."""

from __future__ import annotations

import logging
from datetime import time

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.bitrix24 import Bitrix24Error
from bot.reminders.models import Kind
from bot.services.team import DIGEST_TIMES, EVENING_AT, Digests
from bot.storage.links import Link
from bot.team.access import TeamScope
from bot.telegram.callbacks import TeamAction
from bot.telegram.deps import Services
from bot.telegram.fit import quote
from bot.telegram.notices import Delivery, language_of, notify
from bot.telegram.team_digest import MAX_DIGEST_DEPARTMENTS
from bot.telegram.keyboards import button, grid, keyboard
from bot.telegram.replies import busy, show
from bot.telegram.team_view import member_line, picker_keyboard, team_keyboard, team_pages
from bot.telegram.view import UserView

log = logging.getLogger(__name__)

# Calls Bitrix24 (throttled), but a bot admin may use it without a link of their own.
TEAM_FLAGS = {"bitrix24": True, "unlinked_ok": True}


def _digest_label(digests: Digests, view: UserView) -> str:
    if digests.daily is None:
        return view.t("btn.team_digest_off")
    return view.t("btn.team_digest_on", time=digests.daily.strftime("%H:%M"))


async def _scope(event: Message | CallbackQuery, link: Link | None, view: UserView,
                 services: Services) -> TeamScope | None:
    user = event.from_user
    assert user is not None
    try:
        scope = await services.team.scope(user.id, link.bitrix_id if link else None)
    except Bitrix24Error as error:
        log.info("the team could not be shown: no structure", extra={"ctx_error": repr(error)})
        await show(event, view.t("team.unavailable"))
        return None
    if not scope.allowed:
        await show(event, view.t("team.not_a_head"))
        return None
    return scope


async def _department(event: Message | CallbackQuery, scope: TeamScope, department_id: int, page: int,
                      view: UserView, services: Services, link: Link | None, *, fresh: bool = False) -> None:
    zone = view.zone()
    if department_id not in scope.departments:  # an old or forged button: the viewer's first one
        department_id = scope.departments[0]
    try:
        day = await services.team.department_day(scope, department_id, zone, fresh=fresh)
    except Bitrix24Error as error:
        log.info("the team's day could not be read", extra={"ctx_error": repr(error)})
        retry = button(view.t("btn.retry"), TeamAction(action="refresh", dept=department_id, page=page))
        await show(event, view.t("team.unavailable"), keyboard([retry]))
        return
    assert day is not None  # the scope holds it
    pages = team_pages(day, zone, view.t)
    page = min(page, len(pages) - 1)
    user = event.from_user
    assert user is not None
    # The digests go through the reminders, which follow linked users only.
    label = _digest_label(await services.team.digests(user.id), view) if link is not None else None
    markup = team_keyboard(department_id, page, len(pages), view.t, can_pick=len(scope.departments) > 1,
                           digest_label=label)
    await show(event, pages[page], markup)


async def team_command(message: Message, bot: Bot, link: Link | None, view: UserView, services: Services) -> None:
    async with busy(bot, message.chat.id):
        scope = await _scope(message, link, view, services)
        if scope is not None:
            await _department(message, scope, scope.departments[0], 0, view, services, link, fresh=True)


async def team_button(query: CallbackQuery, callback_data: TeamAction, link: Link | None, view: UserView,
                      services: Services) -> None:
    scope = await _scope(query, link, view, services)
    if scope is None:
        return
    if callback_data.action == "pick":
        choices = services.team.choices(scope)
        await show(query, view.t("team.pick"), picker_keyboard([(c.id, c.name, c.depth) for c in choices], view.t,
                                                                 callback_data.page))
        return
    if callback_data.action in ("digest", "daily", "evening") and link is None:
        await show(query, view.t("not_linked"))  # a digest is a reminder: it needs a link
        return
    if callback_data.action == "digest":
        await show(query, *_digest_menu(await services.team.digests(query.from_user.id), callback_data.dept, view))
        return
    if callback_data.action == "ask":
        await _ask_to_close(query, scope, link, view, services)
        return
    if callback_data.action in ("daily", "evening"):
        kind = Kind.TEAM_DIGEST if callback_data.action == "daily" else Kind.TEAM_EVENING
        at = _time_of(callback_data.value, DIGEST_TIMES if kind is Kind.TEAM_DIGEST else (EVENING_AT,))
        digests = await services.team.set_digest(query.from_user.id, kind, at)
        await show(query, *_digest_menu(digests, callback_data.dept, view))
        return
    await _department(query, scope, callback_data.dept, callback_data.page, view, services, link,
                      fresh=callback_data.action == "refresh")


async def _ask_to_close(query: CallbackQuery, scope: TeamScope, link: Link | None, view: UserView,
                        services: Services) -> None:
    """The evening list's button: each person still working (or with a day left open) gets
    a message that their manager asks them to close their day, with their day card a tap away."""
    try:
        people = await services.team.ask_to_close(query.from_user.id, link.bitrix_id if link else None, scope,
                                                  view.zone(), limit=MAX_DIGEST_DEPARTMENTS)
    except Bitrix24Error:
        await show(query, view.t("team.unavailable"))
        return
    if people is None:  # the list stays as it is; the answer comes beside it
        await query.bot.send_message(query.from_user.id, view.t("team.asked_already"))  # type: ignore[union-attr]
        return
    manager = quote(link.name, 60) if link and link.name else view.t("team.your_manager")
    told = 0
    for _, telegram_id in people:
        language = await language_of(services.profiles, telegram_id)
        delivery = await notify(query.bot, telegram_id, language, "team.asked_to_close", manager=manager)  # type: ignore[arg-type]
        told += delivery in (Delivery.TOLD, Delivery.LATER)
    # The list becomes who was asked (its button is spent).
    now = services.team.now()
    lines = [member_line(member, view.zone(), view.t, now) for member, _ in people]
    await show(query, "\n".join([view.t("team.asked", count=told), *lines]))


def _time_of(value: str, offered: tuple[time, ...]) -> time | None:
    """'0930' → 09:30 when it is one of the offered times; anything else switches it off."""
    if len(value) == 4 and value.isdigit():
        chosen = time(int(value[:2]) % 24, int(value[2:]) % 60)
        if chosen in offered:
            return chosen
    return None


def _digest_menu(digests: Digests, department_id: int, view: UserView) -> tuple[str, InlineKeyboardMarkup]:
    t = view.t

    def choice(at: time) -> str:
        label = at.strftime("%H:%M")
        return f"✅ {label}" if digests.daily == at else label

    times = [button(choice(at), TeamAction(action="daily", dept=department_id, value=at.strftime("%H%M")))
             for at in DIGEST_TIMES]
    off = button(t("btn.team_digest_none") if digests.daily is None else t("btn.team_digest_stop"),
                 TeamAction(action="daily", dept=department_id, value="off"))
    evening = (button(t("btn.team_evening_on", time=EVENING_AT.strftime("%H:%M")),
                      TeamAction(action="evening", dept=department_id, value="off"))
               if digests.evening is not None else
               button(t("btn.team_evening_off", time=EVENING_AT.strftime("%H:%M")),
                      TeamAction(action="evening", dept=department_id, value=EVENING_AT.strftime("%H%M"))))
    back = button(t("btn.team_back"), TeamAction(action="page", dept=department_id))
    text = t("team.digest_about") if digests.daily is None else t("team.digest_set", time=digests.daily.strftime("%H:%M"))
    return text, keyboard(*grid(times, 4), [off], [evening], [back])


def create_router() -> Router:
    router = Router(name="team")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(team_command, Command("team"), flags=TEAM_FLAGS)
    router.callback_query.register(team_button, TeamAction.filter(F.action.in_({"page", "pick", "digest", "daily",
                                                                               "evening", "ask", "refresh"})), flags=TEAM_FLAGS)
    return router
