"""/link, the one-time code, and /unlink."""

from __future__ import annotations

import html
import math

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, User

from bot.services.linking import Abuse, ConfirmOutcome, StartOutcome, parse_identity
from bot.storage.links import Link
from bot.telegram.callbacks import UnlinkAction
from bot.telegram.deps import Services
from bot.telegram.fit import quote
from bot.telegram.handlers.workday import reply
from bot.telegram.keyboards import button, keyboard
from bot.telegram.notices import language_of, notify
from bot.telegram.replies import busy, show
from bot.telegram.states import LinkStates
from bot.telegram.view import UserView


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def requester_label(user: User) -> str:
    """How the code notification names who asked, so the employee can spot a stranger."""
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    handle = f" (@{user.username})" if user.username else ""
    return f"{name}{handle}, id {user.id}"


async def link_command(message: Message, bot: Bot, command: CommandObject, state: FSMContext,
                       link: Link | None, view: UserView, services: Services) -> None:
    if not command.args:
        if link is not None:
            # One answer: who they are linked to, and the way to change it.
            await state.clear()
            await message.answer(view.t("link.already", name=html.escape(link.name)))
            return
        await state.set_state(LinkStates.identity)
        await message.answer(view.t("link.ask"))
        return
    await _start(message, bot, command.args, state, view, services)


async def identity_entered(message: Message, bot: Bot, state: FSMContext, view: UserView,
                           services: Services) -> None:
    await _start(message, bot, message.text or "", state, view, services)


async def _tell_admins(bot: Bot, abuse: Abuse, services: Services) -> None:
    for admin_id in sorted(services.admin_ids):
        await notify(bot, admin_id, await language_of(services.profiles, admin_id), "admin.link_abuse",
                     name=html.escape(abuse.user.full_name), bitrix_id=abuse.user.id, codes=abuse.codes,
                     accounts=abuse.accounts, minutes=_minutes(abuse.retry_after))


async def _start(message: Message, bot: Bot, text: str, state: FSMContext, view: UserView,
                 services: Services) -> None:
    identity = parse_identity(text)
    if identity is None:
        await state.set_state(LinkStates.identity)
        await message.answer(view.t("link.bad_identity"))
        return
    assert message.from_user is not None
    # The code goes to the employee, in the language of whoever asked (they are one person
    # when the link is legitimate).
    t = view.t
    async with busy(bot, message.chat.id):
        result = await services.linking.start(
            message.from_user.id, identity,
            code_message=lambda code, requester: t("link.code_message", code=code, requester=requester),
            requester=requester_label(message.from_user),
        )
    shown = quote(identity.email or str(identity.bitrix_id), 254)
    if result.outcome is StartOutcome.LOCKED:
        await state.clear()
        await message.answer(t("link.locked", minutes=_minutes(result.retry_after)))
        return
    if result.outcome is StartOutcome.RATE_LIMITED:
        await message.answer(t("link.rate_limited", minutes=_minutes(result.retry_after)))
        return
    if result.outcome is StartOutcome.TARGET_LIMITED:
        await state.clear()
        await message.answer(t("link.target_limited", identity=shown, minutes=_minutes(result.retry_after)))
        if result.abuse is not None:
            # Only after the answer: its timing must not tell the asker the person exists.
            await _tell_admins(bot, result.abuse, services)
        return
    if result.outcome is StartOutcome.UNAVAILABLE:
        await message.answer(t("link.unavailable"))
        return
    if result.outcome is StartOutcome.BOT_REFUSED:
        await message.answer(t("link.bot_refused"))
        return
    await state.set_state(LinkStates.code)
    await message.answer(t("link.code_sent", identity=shown, kind="email" if identity.email else "id"))


async def confirm_code(message: Message, bot: Bot, state: FSMContext, view: UserView,
                       services: Services) -> None:
    assert message.from_user is not None
    t = view.t
    result = await services.linking.confirm(message.from_user.id, message.text or "",
                                            telegram_language=message.from_user.language_code)
    if result.outcome is ConfirmOutcome.NOT_A_CODE:
        await message.answer(t("link.not_a_code"))
        return
    if result.outcome is ConfirmOutcome.WRONG:
        await message.answer(t("link.wrong_code", tries=result.tries_left))
        return
    await state.clear()
    if result.outcome is ConfirmOutcome.LOCKED:
        await message.answer(t("link.locked", minutes=_minutes(result.retry_after)))
        return
    if result.outcome is ConfirmOutcome.NO_ATTEMPT:
        await message.answer(t("link.no_attempt"))
        return
    if result.outcome is ConfirmOutcome.UNAVAILABLE:
        await message.answer(t("link.unavailable"))
        return
    if result.outcome is ConfirmOutcome.BOT_REFUSED:
        await message.answer(t("link.bot_refused"))
        return
    user = result.user
    assert user is not None
    if result.displaced is not None:
        await notify(bot, result.displaced.telegram_id, result.displaced.language, "link.replaced")
    async with busy(bot, message.chat.id):
        report = await services.workday.status(user.id)
    refreshed = UserView(t=t, profile=await services.profiles.get(message.from_user.id),
                         default_zone=view.default_zone, clock=view.clock)
    await reply(message, report, refreshed, services, preface=t("link.done", name=html.escape(user.full_name)))


async def unlink_command(message: Message, state: FSMContext, link: Link | None, view: UserView,
                         services: Services) -> None:
    assert message.from_user is not None
    await state.clear()
    if link is not None:
        # It deletes the link, the reminders and the settings at once: asked first.
        markup = keyboard([button(view.t("btn.unlink_confirm"), UnlinkAction(action="confirm")),
                           button(view.t("btn.cancel"), UnlinkAction(action="cancel"))])
        await message.answer(view.t("unlink.confirm", name=html.escape(link.name)), reply_markup=markup)
        return
    await services.linking.unlink(message.from_user.id)
    await message.answer(view.t("unlink.none"))


async def unlink_confirmed(query: CallbackQuery, view: UserView, services: Services) -> None:
    previous = await services.linking.unlink(query.from_user.id)
    # The profile is gone now: answer in the language the user was just reading.
    await show(query, view.t("unlink.done" if previous else "unlink.none"))


async def unlink_cancelled(query: CallbackQuery, view: UserView) -> None:
    await show(query, view.t("unlink.cancelled"))


def create_router() -> Router:
    router = Router(name="linking")
    router.message.filter(F.chat.type == "private")
    router.message.register(link_command, Command("link"))
    router.message.register(identity_entered, LinkStates.identity, F.text, ~F.text.startswith("/"))
    router.message.register(confirm_code, LinkStates.code, F.text, ~F.text.startswith("/"))
    router.message.register(unlink_command, Command("unlink"))
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(unlink_confirmed, UnlinkAction.filter(F.action == "confirm"))
    router.callback_query.register(unlink_cancelled, UnlinkAction.filter(F.action == "cancel"))
    return router
