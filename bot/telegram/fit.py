"""Telegram's size limits, in one place: a message text is at most 4096 characters after
entity parsing, a caption 1024, a tap's answer 200. `quote` shortens user text before it is echoed;
`FitMessages` (on every Bot session) shortens whatever would still be refused, keeping
the HTML valid, so no reply is ever lost to "message is too long".

Lengths are counted in UTF-16 code units, as Telegram counts entity offsets; that is
never less than the number of characters, so a text that fits by this count fits.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    EditMessageCaption,
    EditMessageText,
    Response,
    SendAnimation,
    SendAudio,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVideo,
    SendVoice,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
QUOTE_LIMIT = 64
ELLIPSIS = "…"

_CAPTIONED = (SendPhoto, SendDocument, SendVideo, SendAudio, SendAnimation, SendVoice, EditMessageCaption,
              CopyMessage)
# Our HTML is always escaped, so '<' only opens a tag and '&' only starts an entity; a
# stray one is counted as the single character Telegram would show.
_TOKEN = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]+|[<&]")
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, budget: int) -> str:
    """The longest prefix of `text` within `budget` UTF-16 units (never half a pair)."""
    if units(text) <= budget:
        return text
    out, used = [], 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > budget:
            break
        out.append(char)
        used += size
    return "".join(out)


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """User text to echo inside an HTML message: escaped, and at most `limit` characters
    (then ending in "…")."""
    text = " ".join(text.split())
    if units(text) > limit:
        text = _cut(text, limit - 1).rstrip() + ELLIPSIS
    return html.escape(text, quote=False)


def html_length(text: str) -> int:
    """Visible length of Telegram HTML: tags take no room, an entity takes one character."""
    total = 0
    for token in _TOKEN.findall(text):
        if token.startswith("<") and len(token) > 1:
            continue
        total += units(html.unescape(token)) if token.startswith("&") else units(token)
    return total


def fit_plain(text: str, limit: int = TEXT_LIMIT) -> str:
    if units(text) <= limit:
        return text
    return _cut(text, limit - 1).rstrip() + ELLIPSIS


def fit_html(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` if its visible part fits in `limit`; else as much as fits, then "…", with
    every tag left open closed again."""
    if html_length(text) <= limit:
        return text
    budget = limit - 1  # room for the ellipsis
    out: list[str] = []
    open_tags: list[str] = []
    for token in _TOKEN.findall(text):
        if token.startswith("<") and len(token) > 1:
            match = _TAG.match(token)
            if match is None:
                continue
            closing, name = match.group(1), match.group(2).lower()
            if closing:
                if name in open_tags:
                    while open_tags:
                        top = open_tags.pop()
                        out.append(f"</{top}>")
                        if top == name:
                            break
            elif not token.rstrip(">").endswith("/"):
                open_tags.append(name)
                out.append(token)
            continue
        size = units(html.unescape(token)) if token.startswith("&") else units(token)
        if size <= budget:
            out.append(token)
            budget -= size
            continue
        if not token.startswith("&"):  # a run of plain characters: keep what fits
            out.append(_cut(token, budget))
        break
    out.append(ELLIPSIS)
    out.extend(f"</{name}>" for name in reversed(open_tags))
    return "".join(out)


def _parse_mode(bot: Bot, method: Any) -> str | None:
    mode = getattr(method, "parse_mode", None)
    if isinstance(mode, Default):
        mode = bot.default[mode.name]
    mode = getattr(mode, "value", mode)  # ParseMode is an Enum
    return str(mode) if mode else None


def _fit(text: str, limit: int, parse_mode: str | None) -> str:
    if parse_mode is None:
        return fit_plain(text, limit)
    if parse_mode.upper() == "HTML":
        return fit_html(text, limit)
    return text  # Markdown: not used by this bot


class FitMessages(BaseRequestMiddleware):
    """Shortens a message text or caption that Telegram would refuse as too long.

    Handlers bound what they echo and page long lists; this is the guarantee behind
    them. A shortened message is logged (its size, never its content): it means a
    reply grew beyond what its handler expected."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, SendMessage | EditMessageText):
            self._shorten(bot, method, "text", TEXT_LIMIT)
        elif isinstance(method, _CAPTIONED):
            self._shorten(bot, method, "caption", CAPTION_LIMIT)
        elif isinstance(method, AnswerCallbackQuery) and method.text:
            method.text = fit_plain(method.text, CALLBACK_ANSWER_LIMIT)  # shown as is, never parsed
        return await make_request(bot, method)

    @staticmethod
    def _shorten(bot: Bot, method: Any, field: str, limit: int) -> None:
        text = getattr(method, field, None)
        if not isinstance(text, str):
            return
        parse_mode = _parse_mode(bot, method)
        fitted = _fit(text, limit, parse_mode)
        if fitted is text:
            return
        setattr(method, field, fitted)
        entities_field = "entities" if field == "text" else "caption_entities"
        entities = getattr(method, entities_field, None)
        if parse_mode is None and entities:
            end = units(fitted) - 1
            setattr(method, entities_field, [e for e in entities if e.offset + e.length <= end] or None)
        log.warning("message shortened to fit Telegram's limit",
                    extra={"ctx_method": type(method).__name__, "ctx_length": len(text)})
