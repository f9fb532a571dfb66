"""/start, /help, /language and /cancel."""

from __future__ import annotations

import html

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import LANGUAGE_NAMES, Translator
from bot.storage.links import Link
from bot.telegram.callbacks import LanguageChoice
from bot.telegram.deps import Services
from bot.telegram.handlers.workday import reply
from bot.telegram.keyboards import button, keyboard
from bot.telegram.replies import busy, show
from bot.telegram.view import UserView



async def start_command(message: Message, bot: Bot, state: FSMContext, link: Link | None, view: UserView,
                        services: Services) -> None:
    assert message.from_user is not None
    await state.clear()
    if link is None:
        # With the id shown, an employee can hand it to an admin for /admin_link.
        await message.answer(view.t("start.unlinked", telegram_id=message.from_user.id))
        return
    async with busy(bot, message.chat.id):
        report = await services.workday.status(link.bitrix_id)
    await reply(message, report, view, services, preface=view.t("start.linked", name=html.escape(link.name)))


async def myid_command(message: Message, view: UserView) -> None:
    assert message.from_user is not None
    await message.answer(view.t("myid", telegram_id=message.from_user.id))


async def help_command(message: Message, view: UserView, services: Services) -> None:
    text = view.t("help")
    if message.from_user and message.from_user.id in services.admin_ids:
        text += view.t("help.admin")
    await message.answer(text)


async def cancel_command(message: Message, state: FSMContext, view: UserView) -> None:
    if await state.get_state() is None:
        await message.answer(view.t("nothing_to_cancel"))
        return
    await state.clear()
    await message.answer(view.t("cancelled"))


async def language_command(message: Message, view: UserView) -> None:
    choices = keyboard([button(name, LanguageChoice(code=code)) for code, name in LANGUAGE_NAMES.items()])
    await message.answer(view.t("language.choose"), reply_markup=choices)


async def language_chosen(query: CallbackQuery, callback_data: LanguageChoice, link: Link | None,
                          services: Services) -> None:
    if callback_data.code not in LANGUAGE_NAMES:
        return
    t = Translator(callback_data.code)
    if link is None:
        # Nothing is stored about someone who has not linked: not even a preference.
        await show(query, t("language.set_unlinked"))
        return
    await services.profiles.set_language(query.from_user.id, callback_data.code)
    await show(query, t("language.set"))


def create_router() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(start_command, CommandStart())
    router.message.register(help_command, Command("help"))
    router.message.register(myid_command, Command("myid"))
    router.message.register(cancel_command, Command("cancel"))
    router.message.register(language_command, Command("language"))
    router.callback_query.register(language_chosen, LanguageChoice.filter())
    return router
