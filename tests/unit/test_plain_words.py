from __future__ import annotations

import pytest

from bot.services.plain_words import Intent, intent_of, normalize


@pytest.mark.parametrize(
    ("text", "intent"),
    [("in", Intent.START), ("Start", Intent.START), ("Начал", Intent.START), ("старт", Intent.START),
     ("pause", Intent.PAUSE), ("Break", Intent.PAUSE), ("lunch!", Intent.PAUSE), ("обед", Intent.PAUSE),
     ("ОБЕД", Intent.PAUSE), ("на обед 🍽", Intent.PAUSE), ("пауза", Intent.PAUSE), ("перерыв", Intent.PAUSE),
     ("ушёл на обед", Intent.PAUSE), ("back", Intent.RESUME), ("I'm back", Intent.RESUME),
     ("вернулся", Intent.RESUME), ("Вернулась.", Intent.RESUME), ("out", Intent.CLOSE), ("stop", Intent.CLOSE),
     ("ушёл", Intent.CLOSE), ("ушел", Intent.CLOSE), ("стоп", Intent.CLOSE), ("всё на сегодня", Intent.CLOSE),
     ("status", Intent.STATUS), ("Статус?", Intent.STATUS)],
)
def test_plain_words_in_both_languages(text: str, intent: Intent) -> None:
    assert intent_of(text) is intent


@pytest.mark.parametrize("text", ["hello", "I will take a break later", "обед был вкусный", "", "13:00"])
def test_sentences_and_other_text_are_not_orders(text: str) -> None:
    assert intent_of(text) is None


def test_normalize_folds_case_yo_and_punctuation() -> None:
    assert normalize("  Ушёл,  НА обед!!! ") == "ушел на обед"
