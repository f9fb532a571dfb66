"""The bot works in private chats only; in a group it points people to a private chat."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.telegram.view import UserView



async def _hint(bot: Bot, view: UserView) -> str:
    me = await bot.me()
    return view.t("group_only_private", username=me.username or "")


async def command_in_group(message: Message, bot: Bot, view: UserView) -> None:
    await message.reply(await _hint(bot, view))


async def button_in_group(query: CallbackQuery, bot: Bot, view: UserView, callback_answer: CallbackAnswer) -> None:
    callback_answer.text = (await _hint(bot, view))[:200]
    callback_answer.show_alert = True


def create_router() -> Router:
    router = Router(name="groups")
    router.message.filter(F.chat.type != "private")
    router.callback_query.filter(F.message.chat.type != "private")
    router.message.register(command_in_group, Command(commands=["start", "help", "status", "open", "pause", "resume", "close",
                                  "link", "unlink", "language", "cancel", "links", "admin_link",
                                  "admin_unlink"]))
    router.callback_query.register(button_in_group, flags={"callback_answer": {"pre": False}})
    return router
