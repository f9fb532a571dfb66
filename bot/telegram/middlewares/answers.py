"""Answer every tap, without letting the answer decide whether the tap is acted on.

aiogram's `CallbackAnswerMiddleware` awaits the answer before (or after) the handler and
lets its error propagate: a tap answered late ("query is too old", e.g. while a slow
Bitrix24 call of the same user holds the isolation lock) or throttled (429) never
reached its handler. The answer only stops the client's spinner; the action matters more.
"""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

log = logging.getLogger(__name__)


async def answer_quietly(query: CallbackQuery, text: str | None = None, *, show_alert: bool | None = None,
                         url: str | None = None, cache_time: int | None = None) -> bool:
    """Answer the tap; a failure is logged (the spinner stops by itself after a few seconds)."""
    try:
        await query.answer(text=text, show_alert=show_alert, url=url, cache_time=cache_time)
    except (TelegramAPIError, TelegramNetworkError) as error:
        log.info("tap not answered", extra={"ctx_error": type(error).__name__,
                                            "ctx_detail": getattr(error, "message", "")[:120]})
        return False
    return True


class SafeCallbackAnswerMiddleware(CallbackAnswerMiddleware):
    async def answer(self, event: CallbackQuery, callback_answer: CallbackAnswer) -> None:  # type: ignore[override]
        await answer_quietly(event, callback_answer.text, show_alert=callback_answer.show_alert,
                             url=callback_answer.url, cache_time=callback_answer.cache_time)
