"""Telegram HTML parsing and rendering used by the fake Bot API."""

from __future__ import annotations

import pytest

from workday_sandbox.telegram.html import (
    EntityParseError,
    command_entities,
    parse_html,
    render_html,
    strip_text,
    utf16_len,
)


def test_plain_text_and_entities_decode() -> None:
    assert parse_html("a &lt;b&gt; &amp; &quot;c&quot; &#65;&#x42; &nbsp; & done") == (
        'a <b> & "c" AB &nbsp; & done',
        [],
    )


def test_nested_tags_give_utf16_offsets() -> None:
    text, entities = parse_html("😀 <b>bold <i>both</i></b> <u>u</u>")

    assert text == "😀 bold both u"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "underline", "offset": 13, "length": 1},
    ]


def test_synonyms_links_spoilers_and_quotes() -> None:
    text, entities = parse_html(
        '<strong>s</strong><em>e</em><ins>i</ins><del>d</del><tg-spoiler>x</tg-spoiler>'
        '<span class="tg-spoiler">y</span><a href=\'https://t.me/x?a=1&amp;b=2\'>l</a>'
        "<blockquote expandable>q</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )

    assert text == "seidxylq👍"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "spoiler",
        "text_link",
        "expandable_blockquote",
        "custom_emoji",
    ]
    assert entities[6]["url"] == "https://t.me/x?a=1&b=2"
    assert entities[8]["custom_emoji_id"] == "5368324170671202286"


def test_pre_with_code_language_is_one_entity() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">print(1)</code></pre> <code>x</code>'
    )

    assert text == "print(1) x"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 8, "language": "python"},
        {"type": "code", "offset": 9, "length": 1},
    ]


def test_empty_tags_and_links_without_href_add_no_entity() -> None:
    assert parse_html("<b></b>x<a>y</a>") == ("xy", [])


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("ü<p>", 'Unsupported start tag "p" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ],
)
def test_errors_use_telegram_wording(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(source)
    assert str(info.value) == message


def test_strip_moves_and_clips_entities() -> None:
    text, entities = parse_html("\n  <b> hi</b> <i>there </i>\n")
    stripped, moved = strip_text(text, entities)

    assert stripped == "hi there"
    assert moved == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 3, "length": 5},
    ]
    assert strip_text(" \n ", [{"type": "bold", "offset": 0, "length": 3}]) == ("", [])


def test_command_entities() -> None:
    assert command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert command_entities("😀 /pause@workday_bot now /x") == [
        {"type": "bot_command", "offset": 3, "length": 18},
        {"type": "bot_command", "offset": 26, "length": 2},
    ]
    assert command_entities("a/b http://x/y") == []


def test_render_round_trips_formatting() -> None:
    source = '😀 <b>bold <i>both</i></b> &lt;&amp;&gt; <a href="https://e.x/?a=1&amp;b=2">l</a>'
    text, entities = parse_html(source)

    assert render_html(text, entities) == source
    assert parse_html(render_html(text, entities)) == (text, entities)
    assert render_html("a<b", None) == "a&lt;b"


def test_utf16_len() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("я😀") == 3
