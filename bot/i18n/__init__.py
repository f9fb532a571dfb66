"""Messages in English and Russian: Fluent catalogs in bot/i18n/locales/<language>.ftl.

Why Fluent (and not str.format dicts, nor gettext): a message's grammar lives in its catalog.
Plural and select rules are the translator's, written per language with CLDR's plural
categories, e.g. `{ $minutes -> [one] минута [few] минуты *[many] минут }`, so a call site
stays `t("remind.limit", limit=5)` whatever a language needs. gettext's ngettext would put
the choice in the code instead: one call per counted word, a count picked by the caller.

Keys: call sites name messages with dots and underscores ("card.on_break_since"); Fluent
identifiers allow neither dots nor, by convention, underscores, so the catalogs spell them in
kebab case ("card-on-break-since"): see `message_id`.

The output is what Telegram's HTML parse mode needs, as before: no Unicode isolation marks
around placeables (Telegram shows them as junk), arguments go in untouched (callers escape
user text; Fluent escapes nothing), and integers print as Python prints them, "1000", where
Babel would group them ("1,000", "1 000").

A key missing from a language falls back to English; an unknown key is a KeyError. The
catalogs are parsed once per process, here at import; a Translator is cheap to build.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel import Locale
from fluent.runtime import FluentBundle
from fluent.runtime.resolver import CurrentEnvironment, Pattern, ResolverEnvironment
from fluent.runtime.types import FluentInt, FluentType
from fluent.syntax import FluentParser
from fluent.syntax import ast as ftl

LOCALES = Path(__file__).with_name("locales")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
# Telegram clients in these languages get Russian rather than English by default.
_RUSSIAN_READERS = frozenset({"ru", "uk", "be", "kk", "ky", "uz", "tg", "hy", "az"})


def message_id(key: str) -> str:
    """The catalog's identifier of a message key: "card.on_break_since" -> "card-on-break-since"."""
    return key.replace(".", "-").replace("_", "-")


def parse_catalog(language: str) -> ftl.Resource:
    """A catalog's syntax tree; a line Fluent cannot parse is an error, not a silently lost message."""
    path = LOCALES / f"{language}.ftl"
    resource = FluentParser(with_spans=False).parse(path.read_text(encoding="utf-8"))
    for entry in resource.body:
        if isinstance(entry, ftl.Junk):
            problem = entry.annotations[0].message if entry.annotations else "unparsable"
            raise ValueError(f"{path}: {problem}: {entry.content.strip()[:80]!r}")
    return resource


def _bundle(language: str) -> FluentBundle:
    bundle = FluentBundle([language], use_isolating=False)
    bundle.add_resource(parse_catalog(language))
    return bundle


CATALOGS: Mapping[str, FluentBundle] = {language: _bundle(language) for language in LANGUAGE_NAMES}


class _Integer(FluentInt):
    """An int that prints as str() prints it, while select expressions still see a number
    (for plural rules). A plain FluentInt goes through Babel: grouped, and ~50 µs each."""

    options = FluentInt.default_number_format_options

    def __new__(cls, value: int) -> _Integer:
        return int.__new__(cls, value)

    def format(self, locale: Locale) -> str:
        return int.__repr__(self)


class _Text(str, FluentType):
    """A string argument, printed whole. Fluent refuses a placeable's plain string over 2500
    characters, a guard for translations, but callers may pass longer user text (the replies
    are cut to fit Telegram later). Formatting returns the _Text itself, still not plain."""

    def format(self, locale: Locale) -> str:
        return self


def _argument(value: Any) -> FluentType:
    if type(value) is int:
        return _Integer(value)
    return _Text(value if type(value) is str else format(value))  # format(): what str.format did


def _render(bundle: FluentBundle, pattern: Pattern, arguments: dict[str, FluentType]) -> tuple[str, list]:
    # FluentBundle.format_pattern, minus its conversion of arguments, which would turn our
    # integers back into Babel-formatted ones.
    errors: list[Exception] = []
    environment = ResolverEnvironment(context=bundle, current=CurrentEnvironment(args=arguments),
                                      errors=errors)
    return pattern(environment), errors


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
        self._bundle = CATALOGS[self.language]

    def __call__(self, key: str, /, **params: Any) -> str:
        identifier = message_id(key)
        bundle = self._bundle
        if not bundle.has_message(identifier):
            bundle = CATALOGS[DEFAULT_LANGUAGE]
            if not bundle.has_message(identifier):
                raise KeyError(f"no message {key!r}")
        arguments = {name: _argument(value) for name, value in params.items()}
        text, errors = _render(bundle, bundle.get_message(identifier).value, arguments)
        if errors:
            # A message needing an argument the call did not pass: str.format said KeyError too.
            raise KeyError(f"message {key!r} in {bundle.locales[0]!r}: {errors[0]}")
        return text

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"
