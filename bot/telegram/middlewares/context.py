"""Who is acting: their link, profile, language and a log context for the whole update."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.clock import Clock
from bot.i18n import Translator, language_for
from bot.logging_setup import log_context
from bot.storage.links import LinkRepository
from bot.storage.profiles import Profile, ProfileRepository
from bot.telegram.view import UserView


class UserContextMiddleware(BaseMiddleware):
    """Outer middleware on updates, after aiogram's own (which sets `event_from_user`)."""

    def __init__(self, *, links: LinkRepository, profiles: ProfileRepository, clock: Clock,
                 default_zone: str) -> None:
        self._links = links
        self._profiles = profiles
        self._clock = clock
        self._default_zone = default_zone

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        update_id = event.update_id if isinstance(event, Update) else None
        if user is None:
            # No sender (a channel, or a group speaking as itself): handlers still get a
            # view in the default language, and nothing is looked up or stored.
            t = Translator(language_for(None, None))
            nobody = Profile(telegram_id=0)
            data.update(profile=nobody, link=None, t=t,
                        view=UserView(t=t, profile=nobody, default_zone=self._default_zone, clock=self._clock))
            with log_context(update=update_id):
                return await handler(event, data)
        profile, link = await asyncio.gather(self._profiles.get(user.id), self._links.get(user.id))
        if link is not None and user.language_code and profile.telegram_language != user.language_code:
            # Reminders are sent outside any update; they need to know the language too.
            await self._profiles.remember_telegram_language(user.id, user.language_code)
        if profile.blocked and isinstance(event, Update) and (event.message or event.callback_query):
            # Someone writing to us can be written to. Telegram sends no "unblocked" update
            # when a user opens the bot for the first time after a failed message to them.
            await self._profiles.set_blocked(user.id, False)
        t = Translator(language_for(user.language_code, profile.language))
        data["profile"] = profile
        data["link"] = link
        data["t"] = t
        data["view"] = UserView(t=t, profile=profile, default_zone=self._default_zone, clock=self._clock)
        with log_context(update=update_id, tg_user=user.id, b24_user=link.bitrix_id if link else None):
            return await handler(event, data)
