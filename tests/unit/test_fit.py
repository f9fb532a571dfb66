"""The size guard: what it returns always parses as Telegram HTML and fits."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from workday_sandbox.telegram.html import parse_html, strip_text
from bot.telegram.fit import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    fit_html,
    fit_plain,
    html_length,
    quote,
    units,
)

words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400)
pieces = st.one_of(
    words.map(lambda w: html.escape(w, quote=False)),
    words.map(lambda w: f"<b>{html.escape(w, quote=False)}</b>"),
    words.map(lambda w: f"<i>x <code>{html.escape(w, quote=False)}</code></i>"),
    words.map(lambda w: f'<a href="https://example.com/?a=1&amp;b=2">{html.escape(w, quote=False)}</a>'),
    st.just("\n"),
    st.just("😀"),
)
documents = st.lists(pieces, min_size=1, max_size=60).map("".join)


@settings(max_examples=200, deadline=None)
@given(document=documents, limit=st.sampled_from([TEXT_LIMIT, CAPTION_LIMIT, 50]))
def test_fitted_html_parses_and_fits(document: str, limit: int) -> None:
    fitted = fit_html(document, limit)
    text, entities = parse_html(fitted)  # raises if a tag were left broken
    assert units(text) <= limit
    if html_length(document) <= limit:
        assert fitted == document
    else:
        assert strip_text(text, entities)[0].endswith("…")


def test_length_counts_what_telegram_shows() -> None:
    assert html_length("<b>a&amp;b</b> 😀") == 6  # the emoji is two UTF-16 units
    assert units(parse_html("<b>a&amp;b</b> 😀")[0]) == 6


def test_plain_text_is_cut_without_splitting_a_character() -> None:
    fitted = fit_plain("😀" * 3000)
    assert units(fitted) <= TEXT_LIMIT and fitted.endswith("…")
    fitted.encode("utf-8")  # no lone surrogate half


def test_quote_escapes_and_shortens() -> None:
    assert quote("<b>") == "&lt;b&gt;"
    long = quote("y" * 500)
    assert long.endswith("…") and len(long) == 64
