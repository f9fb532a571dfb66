"""The message catalogs: both languages say the same things, and what the Translator prints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fluent.syntax import ast as ftl
from fluent.syntax.visitor import Visitor

from bot.app import COMMANDS
from bot.i18n import CATALOGS, LANGUAGE_NAMES, Translator, message_id, parse_catalog
from bot.reminders.engine import NoticeKind
from bot.reminders.models import Kind, Mode
from bot.services.workday import Action, Change, Failure
from bot.telegram import formatting as fmt
from bot.telegram.notices import Delivery


class _References(Visitor):
    def __init__(self) -> None:
        self.variables: set[str] = set()
        self.messages: set[str] = set()

    def visit_VariableReference(self, node: ftl.VariableReference) -> None:
        self.variables.add(node.id.name)

    def visit_MessageReference(self, node: ftl.MessageReference) -> None:
        self.messages.add(node.id.name)


def _variables(language: str) -> dict[str, frozenset[str]]:
    """Each message's variables, with those of the messages it refers to."""
    direct: dict[str, _References] = {}
    for entry in parse_catalog(language).body:
        if isinstance(entry, ftl.Message):
            assert entry.value is not None, f"{language}: {entry.id.name} has no text"
            references = direct[entry.id.name] = _References()
            references.visit(entry.value)

    def closure(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        references = direct[name]
        inherited = (closure(other, seen | {name}) for other in references.messages - seen)
        return frozenset(references.variables).union(*inherited)

    return {name: closure(name) for name in direct}


def test_both_languages_have_the_same_messages_with_the_same_variables() -> None:
    english, russian = _variables("en"), _variables("ru")
    assert set(english) == set(russian)
    for name, variables in english.items():
        assert variables == russian[name], name
    assert english["fmt-date"] == {"weekday", "day", "month"}


def _enum_keys() -> set[str]:
    """The keys call sites build from enum values, which no search for t("...") finds."""
    return (
        {f"change.{change.value}" for change in Change}
        | {"change.nothing_to_pause_none", "change.not_paused_none"}  # day_card.change_text
        | {f"fail.{failure.value}" for failure in Failure}
        | {f"admin.notice_{delivery.value}" for delivery in Delivery}
        | {f"notice.{kind.value}" for kind in NoticeKind}
        | {f"remind.name_{kind.value}" for kind in Kind}
        | {f"remind.mode_{mode.value}" for mode in Mode}
        | {f"cmd.{command}" for command in COMMANDS}
    )


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_key_built_from_an_enum_has_a_message_in_every_language(language: str) -> None:
    keys = _enum_keys()
    assert len(keys) > 40
    missing = sorted(key for key in keys if not CATALOGS[language].has_message(message_id(key)))
    assert not missing


def test_the_help_lists_the_reminder_commands() -> None:
    for language in LANGUAGE_NAMES:
        help_text = Translator(language)("help")
        assert "/remind" in help_text and "/timezone" in help_text


def test_html_and_arguments_pass_through_untouched() -> None:
    t = Translator("en")
    text = t("link.done", name="A &amp; B <i>x</i>")
    assert text == "✅ Linked to <b>A &amp; B <i>x</i></b> in Bitrix24. Here is your day:"
    assert "\u2068" not in text and "\u2069" not in text  # no Unicode isolation marks
    # Fluent refuses a plain string over 2500 characters; a long description still goes in whole.
    description = "{ $x } " + "y" * 3000
    assert t("fail.refused", action="pause", description=description) == (
        f"Bitrix24 refused to pause your day: {description}. Nothing was changed.")


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_integers_print_as_python_prints_them(language: str) -> None:
    """Not Babel's "1,000" or "1 000": ids are pasted back into commands."""
    text = Translator(language)("admin.linked", telegram_id=1234567890, name="Anna", bitrix_id=10001)
    assert "1234567890" in text and "#10001" in text


def test_a_leading_space_and_leading_blank_lines_are_kept() -> None:
    t = Translator("en")
    assert t("admin.links_by_admin") == " [by admin]"
    assert t("help.admin").startswith("\n\n<b>Admin</b>\n/links")


def test_an_unknown_key_or_a_missing_argument_is_a_key_error() -> None:
    t = Translator("ru")
    with pytest.raises(KeyError, match="no message 'no.such_key'"):
        t("no.such_key")
    with pytest.raises(KeyError, match="name"):
        t("link.done")


def test_an_unknown_language_is_english() -> None:
    assert Translator("de").language == "en"
    assert Translator("de")("cancelled") == "Cancelled."


def test_dates_and_weekday_names() -> None:
    tuesday = datetime(2020, 12, 1, 12, tzinfo=UTC)
    assert fmt.date(tuesday, UTC, Translator("en")) == "Tue, 1 Dec"
    assert fmt.date(tuesday, UTC, Translator("ru")) == "вт, 1 дек"
    assert fmt.date(datetime(2024, 5, 9, 12, tzinfo=UTC), UTC, Translator("ru")) == "чт, 9 мая"
    assert fmt.weekdays(Translator("en")) == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert fmt.weekdays(Translator("ru")) == ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
    months = [fmt.date(datetime(2021, month, 1, 12, tzinfo=UTC), UTC, Translator("ru")).split()[-1]
              for month in range(1, 13)]
    assert months == ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]


def test_durations_keep_the_short_units() -> None:
    assert fmt.duration(timedelta(minutes=21), Translator("ru")) == "21 мин"
    assert fmt.duration(timedelta(hours=2, minutes=5), Translator("en")) == "2 h 5 min"


@pytest.mark.parametrize(("count", "minutes", "reminders", "characters"), [
    (1, "до 1 минуты", "1 напоминание", "в 1 символ"),
    (2, "до 2 минут", "2 напоминания", "в 2 символа"),
    (5, "до 5 минут", "5 напоминаний", "в 5 символов"),
    (11, "до 11 минут", "11 напоминаний", "в 11 символов"),
    (21, "до 21 минуты", "21 напоминание", "в 21 символ"),
    (22, "до 22 минут", "22 напоминания", "в 22 символа"),
    (25, "до 25 минут", "25 напоминаний", "в 25 символов"),
])
def test_russian_counts_take_their_plural_forms(count: int, minutes: str, reminders: str, characters: str) -> None:
    t = Translator("ru")
    assert t("remind.parse_break_length", limit=count).startswith(f"Перерыв может длиться от 1 {minutes}, ")
    assert t("remind.limit", limit=count).startswith(f"У вас уже {reminders} — это максимум.")
    assert f"а у вас {reminders} из 10." in t("remind.limit_close", count=count, limit=10)
    assert t("close.report_too_long", limit=count) == f"Отчёт слишком длинный: уложитесь {characters}."
    abuse = t("admin.link_abuse", name="Anna", bitrix_id=7, codes=count, accounts=count, minutes=count)
    times = "раза" if count in (2, 22) else "раз"
    accounts = "аккаунта" if count in (1, 21) else "аккаунтов"
    assert f"запросили {count} {times} с {count} {accounts} Telegram" in abuse
    assert f"ещё {count} мин." in abuse  # the abbreviation does not inflect


@pytest.mark.parametrize(("count", "noun"), [(1, "reminder"), (2, "reminders"), (21, "reminders")])
def test_english_counts_are_singular_only_for_one(count: int, noun: str) -> None:
    t = Translator("en")
    assert t("remind.limit", limit=count).startswith(f"You already have {count} {noun}, the most I keep.")
    assert f"you have 1 of {count} {noun}." in t("remind.limit_close", count=1, limit=count)
    minute = "minute" if count == 1 else "minutes"
    assert t("remind.parse_break_length", limit=count).startswith(f"A break can last from 1 to {count} {minute}, ")
    character = "character" if count == 1 else "characters"
    assert t("repair.reason_too_long", limit=count).endswith(f"under {count} {character}.")
    abuse = t("admin.link_abuse", name="Anna", bitrix_id=7, codes=count, accounts=count, minutes=count)
    times, accounts = ("time", "account") if count == 1 else ("times", "accounts")
    assert f"asked for {count} {times} in the last hour by {count} Telegram {accounts}, so" in abuse


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_failures_name_each_action_in_words_of_its_own(language: str) -> None:
    """"Your resume was NOT recorded" read as a résumé: each action gets its own phrase."""
    t = Translator(language)
    acts = [action.value for action in Action if action is not Action.STATUS]
    for key in ("fail.unavailable", "fail.unknown_outcome"):
        texts = {t(key, action=action) for action in acts}
        assert len(texts) == len(acts), key
    refusals = {t("fail.refused", action=action, description="x") for action in acts}
    assert len(refusals) == len(acts)


def test_failures_read_naturally() -> None:
    en, ru = Translator("en"), Translator("ru")
    assert "I could <b>not</b> resume your day" in en("fail.unavailable", action="resume")
    assert "Не удалось продолжить день" in ru("fail.unavailable", action="resume")
    assert "whether your day was closed" in en("fail.unknown_outcome", action="close")
    assert "завершён ли рабочий день" in ru("fail.unknown_outcome", action="close")
