"""Messages in English and Russian.

Catalogs are plain dicts (no compile step); a key missing from a language falls back to
English, and a test keeps both catalogs' keys and placeholders in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import en, ru

DEFAULT_LANGUAGE = "en"
CATALOGS: Mapping[str, Mapping[str, str]] = {"en": en.MESSAGES, "ru": ru.MESSAGES}
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
# Telegram clients in these languages get Russian rather than English by default.
_RUSSIAN_READERS = frozenset({"ru", "uk", "be", "kk", "ky", "uz", "tg", "hy", "az"})


def language_for(telegram_code: str | None, chosen: str | None = None) -> str:
    """The user's explicit choice wins; else their Telegram language; else English."""
    if chosen in CATALOGS:
        return chosen  # type: ignore[return-value]
    base = (telegram_code or "").split("-")[0].lower()
    if base in CATALOGS:
        return base
    if base in _RUSSIAN_READERS:
        return "ru"
    return DEFAULT_LANGUAGE


class Translator:
    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language if language in CATALOGS else DEFAULT_LANGUAGE
        self._catalog = CATALOGS[self.language]

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE].get(key)
        if template is None:
            raise KeyError(f"no message {key!r}")
        return template.format(**params) if params else template

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"
