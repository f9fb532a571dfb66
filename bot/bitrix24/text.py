"""User text for Bitrix24 messages: shown as typed, never rendered as markup.

Bitrix24 renders BB-codes (`[URL=…]`, `[B]`, `[USER=…]`, `[ICON=…]`, `[SEND=…]`, …), the
`#BR#` line break, a quote between two lines of 54 dashes, some HTML and entities, and
turns bare addresses into links. Bitrix24 has no escape for any of these, so markup
characters in user text are swapped for look-alikes that no parser treats as markup:
the reader still sees what was typed, and a forged link or mention is plainly text.
"""

from __future__ import annotations

import re

_LOOKALIKES = str.maketrans({"[": "［", "]": "］", "<": "‹", ">": "›"})
_LINE_BREAK_CODE = re.compile(r"#(?=br#)", re.IGNORECASE)
_QUOTE_RULE = re.compile(r"-{54,}")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_SCHEME = re.compile(r":(?=//)")
_WWW = re.compile(r"(?<![\w.])(www)\.", re.IGNORECASE)
# Bidirectional overrides can reorder what the reader sees ("id 6666" shown as another).
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\s\u2028\u2029]+")


def plain_text(text: str, *, single_line: bool = False) -> str:
    """`text` made safe to put into any Bitrix24 message or report field.

    `single_line` folds every line break and run of spaces into one space, for a name
    that must not add lines of its own to the message around it."""
    text = _INVISIBLE.sub("", text)
    if single_line:
        text = _BREAKS.sub(" ", text).strip()
    text = text.translate(_LOOKALIKES)
    text = _LINE_BREAK_CODE.sub("＃", text)
    text = _QUOTE_RULE.sub(lambda match: "‐" * len(match.group()), text)
    text = _ENTITY.sub("＆", text)
    text = _SCHEME.sub("：", text)
    return _WWW.sub(r"\1․", text)
