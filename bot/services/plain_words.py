"""What people type instead of commands: "lunch", "back", "ушёл", in English or Russian.

Only whole messages count ("lunch" or "на обед", not a sentence that mentions lunch), so
an ordinary remark is never taken for an order. Case, ё/е, punctuation and emoji do not
matter. Which intents act at once and which ask first is the handler's rule; here is only
the table.
"""

from __future__ import annotations

import re
from enum import Enum


class Intent(Enum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"
    STATUS = "status"


_WORDS: dict[Intent, tuple[str, ...]] = {
    Intent.START: (
        "in", "clock in", "check in", "start", "start day", "start work", "starting", "morning",
        "good morning", "at work", "here",
        "начал", "начала", "начинаю", "начать", "начать день", "старт", "пришел", "пришла",
        "на месте", "на работе", "доброе утро",
    ),
    Intent.PAUSE: (
        "pause", "break", "lunch", "lunch break", "coffee", "brb", "afk", "on break", "going to lunch",
        "пауза", "перерыв", "на перерыв", "обед", "на обед", "ушел на обед", "ушла на обед", "кофе",
        "отошел", "отошла", "отойду",
    ),
    Intent.RESUME: (
        "back", "im back", "i am back", "resume", "continue", "back to work",
        "вернулся", "вернулась", "я тут", "я здесь", "снова тут", "продолжить", "продолжаю", "продолжить день",
    ),
    Intent.CLOSE: (
        "out", "clock out", "check out", "stop", "done", "finish", "finished", "bye", "going home",
        "end day", "close day",
        "ушел", "ушла", "стоп", "конец", "закончил", "закончила", "домой", "ухожу", "все на сегодня",
        "завершить", "завершить день", "пока",
    ),
    Intent.STATUS: (
        "status", "day", "my day", "статус", "день", "мой день",
    ),
}

_NOT_A_WORD = re.compile(r"[^\w\s]+")


def normalize(text: str) -> str:
    """Lower case, ё as е, apostrophes dropped ("I'm" → "im"), punctuation and emoji as
    spaces, spaces collapsed."""
    text = text.lower().replace("ё", "е").replace("'", "").replace("’", "")
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


_TABLE: dict[str, Intent] = {normalize(phrase): intent for intent, phrases in _WORDS.items() for phrase in phrases}
assert len(_TABLE) == sum(len(phrases) for phrases in _WORDS.values()), "a phrase is listed twice"


def intent_of(text: str) -> Intent | None:
    return _TABLE.get(normalize(text))
