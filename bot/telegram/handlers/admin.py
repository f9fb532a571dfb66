"""Admin commands: link or unlink someone directly, and list the links."""

from __future__ import annotations

import html
import math

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.services.linking import AdminOutcome, AdminResult, Identity, parse_identity
from bot.telegram.callbacks import AdminLinkAction
from bot.telegram.deps import Services
from bot.telegram.keyboards import button, keyboard
from bot.telegram.notices import language_of, notify
from bot.telegram.replies import show
from bot.telegram.view import UserView
from bot.telegram.fit import quote


PAGE_SIZE = 25  # rows of at most ~110 characters: a page stays well under 4096
NAME_LIMIT = 64


class IsAdmin(Filter):
    async def __call__(self, event: Message | CallbackQuery, services: Services) -> bool:
        return event.from_user is not None and event.from_user.id in services.admin_ids


ADMIN_COMMANDS = ("links", "admin_link", "admin_unlink", "admin_unlock")


async def not_admin(message: Message, view: UserView) -> None:
    await message.answer(view.t("admin.only"))


async def list_links(message: Message, command: CommandObject, view: UserView,
                     services: Services) -> None:
    links = await services.linking.all_links()
    if not links:
        await message.answer(view.t("admin.links_empty"))
        return
    pages = math.ceil(len(links) / PAGE_SIZE)
    wanted = (command.args or "1").strip()
    page = int(wanted) if wanted.isdigit() and len(wanted) <= 6 else 0
    if not 1 <= page <= pages:
        await message.answer(view.t("admin.links_no_page", page=quote(wanted, 12), pages=pages))
        return
    lines = [view.t("admin.links_header", count=len(links))]
    for link in links[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]:
        lines.append(view.t(
            "admin.links_row", telegram_id=link.telegram_id, name=quote(link.name or "?", NAME_LIMIT),
            bitrix_id=link.bitrix_id, admin_mark=view.t("admin.links_by_admin") if link.by_admin else "",
        ))
    if pages > 1:
        lines.append("")
        lines.append(view.t("admin.links_page", page=page, pages=pages))
        if page < pages:
            lines.append(view.t("admin.links_next", next=page + 1))
    await message.answer("\n".join(lines))


async def admin_link(message: Message, bot: Bot, command: CommandObject, view: UserView,
                     services: Services) -> None:
    parts = (command.args or "").split()
    identity = parse_identity(parts[1]) if len(parts) == 2 else None
    if len(parts) != 2 or not parts[0].isdigit() or identity is None or not 0 < int(parts[0]) <= 2**53:
        await message.answer(view.t("admin.link_usage"))
        return
    telegram_id = int(parts[0])
    result = await services.linking.admin_link(telegram_id, identity)
    if result.outcome is AdminOutcome.NO_SUCH_USER:
        await message.answer(view.t("admin.no_such_user", identity=quote(parts[1])))
        return
    if result.outcome is AdminOutcome.MOVES_A_LINK:
        text, markup = _ask_to_move(telegram_id, result, view)
        await message.answer(text, reply_markup=markup)
        return
    await message.answer(await _linked(bot, message.chat.id, telegram_id, result, view, services))


def _ask_to_move(telegram_id: int, result: AdminResult, view: UserView) -> tuple[str, InlineKeyboardMarkup]:
    """Who loses their link if the admin goes on: said before anything changes."""
    user = result.user
    assert user is not None
    lines = [view.t("admin.move_header", telegram_id=telegram_id, name=html.escape(user.full_name),
                    bitrix_id=user.id)]
    if result.employee_link is not None:
        lines.append(view.t("admin.move_employee", name=html.escape(user.full_name),
                            telegram_id=result.employee_link.telegram_id))
    if result.account_link is not None:
        lines.append(view.t("admin.move_account", telegram_id=telegram_id,
                            name=quote(result.account_link.name or "?", NAME_LIMIT),
                            bitrix_id=result.account_link.bitrix_id))
    lines.append(view.t("admin.move_question"))
    markup = keyboard([
        button(view.t("btn.admin_move"), AdminLinkAction(action="confirm", tg=telegram_id, b24=user.id)),
        button(view.t("btn.cancel"), AdminLinkAction(action="cancel", tg=telegram_id, b24=user.id)),
    ])
    return "\n".join(lines), markup


async def _linked(bot: Bot, admin_chat: int, telegram_id: int, result: AdminResult, view: UserView,
                  services: Services) -> str:
    """Tell whoever lost a link and the newly linked account; the admin's answer."""
    if result.outcome is AdminOutcome.UNAVAILABLE:
        return view.t("admin.unavailable")
    user = result.user
    assert user is not None
    if result.displaced is not None:
        await notify(bot, result.displaced.telegram_id, result.displaced.language, "link.replaced_by_admin")
    answer = view.t("admin.linked", telegram_id=telegram_id, name=html.escape(user.full_name), bitrix_id=user.id)
    if telegram_id != admin_chat:
        delivery = await notify(bot, telegram_id, await language_of(services.profiles, telegram_id), "link.by_admin",
                                name=html.escape(user.full_name))
        answer += "\n" + view.t(f"admin.notice_{delivery.value}")
    return answer


async def admin_move_confirmed(query: CallbackQuery, bot: Bot, callback_data: AdminLinkAction, view: UserView,
                               services: Services) -> None:
    result = await services.linking.admin_link(callback_data.tg, Identity(bitrix_id=callback_data.b24),
                                               confirmed=True)
    if result.outcome is AdminOutcome.NO_SUCH_USER:  # dismissed since the question
        await show(query, view.t("admin.no_such_user", identity=f"#{callback_data.b24}"))
        return
    await show(query, await _linked(bot, query.from_user.id, callback_data.tg, result, view, services))


async def admin_move_cancelled(query: CallbackQuery, view: UserView) -> None:
    await show(query, view.t("admin.move_cancelled"))


async def admin_unlink(message: Message, bot: Bot, command: CommandObject, view: UserView,
                       services: Services) -> None:
    arg = (command.args or "").strip()
    if not arg.isdigit():
        await message.answer(view.t("admin.unlink_usage"))
        return
    telegram_id = int(arg)
    language = await language_of(services.profiles, telegram_id)  # unlinking erases the profile
    previous = await services.linking.unlink(telegram_id)
    if previous is None:
        await message.answer(view.t("admin.not_linked", telegram_id=telegram_id))
        return
    if telegram_id != message.chat.id:
        await notify(bot, telegram_id, language, "link.removed_by_admin")
    await message.answer(view.t("admin.unlinked", telegram_id=telegram_id, bitrix_id=previous))


async def admin_unlock(message: Message, command: CommandObject, view: UserView,
                       services: Services) -> None:
    """Lift the hourly link-code limit for one employee, after a stranger used it up."""
    arg = (command.args or "").strip()
    identity = parse_identity(arg)
    if identity is None:
        await message.answer(view.t("admin.unlock_usage"))
        return
    result = await services.linking.unlock(identity)
    if result.outcome is AdminOutcome.UNAVAILABLE:
        await message.answer(view.t("admin.unavailable"))
        return
    if result.outcome is AdminOutcome.NO_SUCH_USER:
        await message.answer(view.t("admin.no_such_user", identity=html.escape(arg)))
        return
    user = result.user
    assert user is not None
    await message.answer(view.t("admin.unlocked", name=html.escape(user.full_name), bitrix_id=user.id))


def create_router() -> Router:
    router = Router(name="admin")
    router.message.filter(F.chat.type == "private")
    router.message.register(not_admin, Command(*ADMIN_COMMANDS), ~IsAdmin())
    router.message.register(list_links, Command("links"), IsAdmin())
    router.message.register(admin_link, Command("admin_link"), IsAdmin())
    router.message.register(admin_unlink, Command("admin_unlink"), IsAdmin())
    router.message.register(admin_unlock, Command("admin_unlock"), IsAdmin())
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(admin_move_confirmed, AdminLinkAction.filter(F.action == "confirm"), IsAdmin())
    router.callback_query.register(admin_move_cancelled, AdminLinkAction.filter(F.action == "cancel"), IsAdmin())
    return router
