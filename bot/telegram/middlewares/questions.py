"""A command ends a pending question whose typed answer would go to Bitrix24.

A report, a finish time or a reason is asked for on one card. Once the user moves on with
a command, that card loses its buttons to the newer one, and the question must end too:
else a word typed an hour later ("lunch") would close the day as its report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject

from bot.telegram.states import end_bitrix24_question


class CommandsEndQuestions(BaseMiddleware):
    """Outer middleware on messages: it runs before the state filters pick a handler."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state = data.get("state")
        if isinstance(event, Message) and (event.text or "").startswith("/") and isinstance(state, FSMContext):
            await end_bitrix24_question(state)
        return await handler(event, data)
