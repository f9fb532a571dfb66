"""Whatever no other handler took: a short help, never silence."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services.linking import looks_like_code
from bot.storage.links import Link
from bot.telegram.deps import Services
from bot.telegram.handlers.linking import confirm_code
from bot.telegram.handlers.plain_text import plain_text
from bot.telegram.handlers.workday import BITRIX24
from bot.telegram.view import UserView

ANSWER_AFTER = {"callback_answer": {"pre": False}}


async def membership_changed(update: ChatMemberUpdated, services: Services, link: Link | None) -> None:
    """A user who blocks the bot gets nothing more from it until they come back. Only a
    linked user has anything to stop; nothing is stored about anyone else."""
    if link is None:
        return
    blocked = update.new_chat_member.status in ("kicked", "left")
    await services.profiles.set_blocked(update.from_user.id, blocked)


async def code_without_state(message: Message, bot: Bot, state: FSMContext, view: UserView,
                             services: Services) -> None:
    """A code sent after a restart lost the conversation state still counts."""
    assert message.from_user is not None
    if await services.linking.has_attempt(message.from_user.id):
        await confirm_code(message, bot, state, view, services)
        return
    await message.answer(view.t("stray"))


async def anything_else(message: Message, view: UserView) -> None:
    await message.answer(view.t("stray"))


async def not_text(message: Message, view: UserView) -> None:
    """A sticker, photo, location, contact…: the bot reads only text."""
    await message.answer(view.t("stray_not_text"))


async def unknown_button(query: CallbackQuery, view: UserView, callback_answer: CallbackAnswer) -> None:
    # Answered by the CallbackAnswer middleware after this returns; it only needs the text.
    callback_answer.text = view.t("unknown_button")


def create_router() -> Router:
    router = Router(name="fallback")
    router.my_chat_member.register(membership_changed, F.chat.type == "private")
    router.message.register(not_text, F.chat.type == "private", ~F.text)
    router.message.register(code_without_state, F.chat.type == "private", F.text.func(looks_like_code))
    # Plain words and any other text: the day card (unlinked users get the link hint).
    router.message.register(plain_text, F.chat.type == "private", ~F.text.startswith("/"), flags=BITRIX24)
    router.message.register(anything_else, F.chat.type == "private")
    router.callback_query.register(unknown_button, flags=ANSWER_AFTER)
    return router
