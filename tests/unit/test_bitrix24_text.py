"""User text sent to Bitrix24 shows as typed and never as markup."""

from __future__ import annotations

import re

import pytest

from bot.bitrix24.text import plain_text

LIVE = re.compile(r"\[/?[a-z]+[^\]]*\]|#br#|://|\bwww\.|-{54}|&#?\w+;|<[a-z/]", re.IGNORECASE)


@pytest.mark.parametrize("text", [
    "[URL=https://evil.example/verify]Bitrix24 Security[/URL]",
    "[url]https://evil.example[/url]",
    "[b]bold[/b] [i]i[/i] [u]u[/u] [s]s[/s] [color=#ff0000]red[/color] [size=20]big[/size]",
    "[USER=1]Ada[/USER] [CHAT=5]chat[/CHAT] [ICON=https://evil.example/i.png title=ok]",
    "[SEND=/pay]Pay[/SEND] [PUT=/x]x[/PUT] [CALL=+100]call[/CALL] [ATTACH=1] [RATING=5]",
    "[ B ]spaced[ /B ]",
    "line one#BR#Your new code is 000000#br#",
    "-" * 60 + "quoted" + "-" * 60,
    "visit www.evil.example or ftp://evil.example",
    "&#91;URL=https://evil.example&#93;x&#91;/URL&#93; &lt;b&gt;",
    "<a href='https://evil.example'>x</a>",
])
def test_nothing_renders_as_markup(text: str) -> None:
    assert LIVE.search(plain_text(text)) is None, plain_text(text)


def test_words_stay_readable() -> None:
    shown = plain_text("[URL=https://evil.example/verify]Bitrix24 Security[/URL] & Co")
    assert "Bitrix24 Security" in shown and "evil.example/verify" in shown and "& Co" in shown
    assert plain_text("Anna Berg (@anna), id 5001") == "Anna Berg (@anna), id 5001"


def test_single_line_folds_breaks_and_controls() -> None:
    assert plain_text("Anna\n\nYour code: 1\r\t\u2028x\u202e", single_line=True) == "Anna Your code: 1 x"
    assert plain_text("first\nsecond") == "first\nsecond"  # a report keeps its lines
