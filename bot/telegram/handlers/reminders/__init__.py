"""/remind, its wizard, and /reminders: commands and list buttons (`commands`), the
step-by-step wizard (`wizard`, its FSM `draft`), and what they show (`views`, `keyboards`)."""

from __future__ import annotations

from aiogram import F, Router

from bot.telegram.handlers.reminders import commands, wizard


def create_router() -> Router:
    router = Router(name="reminders")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    commands.register(router)
    wizard.register(router)
    return router
