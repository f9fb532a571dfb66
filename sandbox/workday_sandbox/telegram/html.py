"""Telegram's text formatting, as the fake Bot API needs it.

* `parse_html` turns a ``parse_mode=HTML`` text into plain text plus entities, and fails
  the way Telegram does (``EntityParseError`` carries the part that follows
  ``"Bad Request: can't parse entities: "``).
* `strip_text` trims surrounding whitespace like Telegram, moving the entities along.
* `render_html` turns text plus entities back into HTML, for a chat page.
* `command_entities` finds ``/commands`` in a user's message, as Telegram marks them.

Entity offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EntityParseError",
    "command_entities",
    "parse_html",
    "render_html",
    "strip_text",
    "utf16_len",
]


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML. The message is Telegram's wording."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what entity offsets count)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


# Tag name -> entity type. `a`, `span`, `tg-emoji`, `pre`, `code` and `blockquote` need
# attributes looked at; they are handled in `_open_entity`.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SUPPORTED_TAGS = frozenset(_SIMPLE_TAGS) | {"a", "span", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_ATTR_NAME_CHARS = _TAG_NAME_CHARS | {"_"}
_SPACES = " \t\n\r\f\v"


@dataclass
class _Open:
    tag: str
    offset: int  # UTF-16 offset where the entity starts
    entity: dict[str, Any] | None  # None: the tag produces no entity (e.g. <a> without href)
    order: int
    merge_into_pre: bool = False
    language: str | None = None


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, index: int) -> tuple[str | None, int]:
    """Decode an HTML entity starting at ``source[index] == "&"``.

    Returns ``(None, index)`` when it is not a recognised entity, in which case Telegram
    keeps the ``&`` as a literal character.
    """
    end = source.find(";", index + 1, index + 12)
    if end == -1:
        return None, index
    name = source[index + 1 : end]
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], end + 1
    if name.startswith("#") and len(name) > 1:
        digits = name[1:]
        try:
            code = int(digits[1:], 16) if digits[0] in "xX" else int(digits, 10)
        except ValueError:
            return None, index
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end + 1
    return None, index


def _decode_attr_value(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            char, nxt = _decode_entity(value, i)
            if char is not None:
                out.append(char)
                i = nxt
                continue
        out.append(value[i])
        i += 1
    return "".join(out)


def _open_entity(tag: str, attrs: dict[str, str]) -> dict[str, Any] | None:
    if tag == "a":
        href = attrs.get("href", "")
        if not href:
            return None
        return {"type": "text_link", "url": href}
    if tag == "span":
        if attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        return {"type": "spoiler"}
    if tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id", "")
        if not emoji_id:
            return None
        return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
    if tag == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    return {"type": _SIMPLE_TAGS[tag]}


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into ``(text, entities)``.

    Supports the tags of the Bot API's "HTML style" (b/strong, i/em, u/ins,
    s/strike/del, tg-spoiler, span class="tg-spoiler", a href, tg-emoji, code, pre,
    pre+code class="language-…", blockquote [expandable]), the named entities
    ``&lt; &gt; &amp; &quot;`` and numeric entities. Anything else fails with Telegram's
    error text (``Unsupported start tag "br" at byte offset 5`` and the like).
    """
    out: list[str] = []
    pos = 0  # UTF-16 offset of the end of `out`
    stack: list[_Open] = []
    done: list[tuple[int, int, int, dict[str, Any]]] = []  # (offset, -length, order, entity)
    order = 0
    n = len(source)
    i = 0
    while i < n:
        char = source[i]
        if char == "&":
            decoded, nxt = _decode_entity(source, i)
            if decoded is None:
                out.append("&")
                pos += 1
                i += 1
            else:
                out.append(decoded)
                pos += utf16_len(decoded)
                i = nxt
            continue
        if char != "<":
            j = i + 1
            while j < n and source[j] not in "<&":
                j += 1
            chunk = source[i:j]
            out.append(chunk)
            pos += utf16_len(chunk)
            i = j
            continue

        begin = i
        if i + 1 < n and source[i + 1] == "/":
            close = source.find(">", i + 2)
            if close == -1:
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(source, begin)}"
                )
            name = source[i + 2 : close].rstrip(_SPACES).lower()
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, begin)}"
                )
            top = stack.pop()
            if name != top.tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                    f'expected "</{top.tag}>", found "</{name}>"'
                )
            length = pos - top.offset
            if top.merge_into_pre and stack:
                stack[-1].language = top.language
            elif top.entity is not None and length > 0:
                entity = dict(top.entity)
                if top.tag == "pre" and top.language:
                    entity["language"] = top.language
                done.append((top.offset, -length, top.order, entity))
            i = close + 1
            continue

        j = i + 1
        while j < n and source[j] in _TAG_NAME_CHARS:
            j += 1
        tag = source[i + 1 : j].lower()
        if j >= n:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        if tag not in _SUPPORTED_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while j < n and source[j] in _SPACES:
                j += 1
            if j >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                )
            if source[j] == ">":
                j += 1
                break
            k = j
            while k < n and source[k] in _ATTR_NAME_CHARS:
                k += 1
            attr = source[j:k].lower()
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{_byte_offset(source, begin)}"
                )
            j = k
            while j < n and source[j] in _SPACES:
                j += 1
            if j < n and source[j] == "=":
                j += 1
                while j < n and source[j] in _SPACES:
                    j += 1
                if j >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                    )
                if source[j] in "\"'":
                    quote = source[j]
                    end = source.find(quote, j + 1)
                    if end == -1:
                        raise EntityParseError(
                            f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                        )
                    value = source[j + 1 : end]
                    j = end + 1
                else:
                    k = j
                    while k < n and source[k] not in _SPACES and source[k] != ">":
                        k += 1
                    value = source[j:k]
                    j = k
                attrs[attr] = _decode_attr_value(value)
            else:
                attrs[attr] = ""
        entity = _open_entity(tag, attrs)
        opened = _Open(tag=tag, offset=pos, entity=entity, order=order)
        order += 1
        if tag == "code" and stack and stack[-1].tag == "pre" and stack[-1].offset == pos:
            css = attrs.get("class", "")
            if css.startswith("language-") and len(css) > len("language-"):
                opened.merge_into_pre = True
                opened.language = css[len("language-") :]
        stack.append(opened)
        i = j

    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"'
        )
    done.sort(key=lambda item: (item[0], item[1], item[2]))
    entities = []
    for offset, neg_length, _, entity in done:
        kind = entity.pop("type")
        entities.append({"type": kind, "offset": offset, "length": -neg_length, **entity})
    return "".join(out), entities


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim leading and trailing whitespace like Telegram, clipping entities to the rest."""
    stripped = text.strip(_SPACES)
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip(_SPACES))])
    new_len = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_len)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities for every ``/command`` (or ``/command@bot``) in ``text``."""
    entities = []
    for match in _COMMAND.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return entities


_RENDER_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ("<tg-spoiler>", "</tg-spoiler>"),
    "code": ("<code>", "</code>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote expandable>", "</blockquote>"),
}


def _render_open(entity: dict[str, Any]) -> tuple[str, str]:
    kind = entity.get("type")
    if kind in _RENDER_TAGS:
        return _RENDER_TAGS[kind]
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{html.escape(language)}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{html.escape(str(entity.get("url", "")))}">', "</a>"
    if kind == "custom_emoji":
        emoji_id = html.escape(str(entity.get("custom_emoji_id", "")))
        return f'<tg-emoji emoji-id="{emoji_id}">', "</tg-emoji>"
    return "", ""


def render_html(text: str, entities: list[dict[str, Any]] | None) -> str:
    """HTML for ``text`` with its formatting entities (for display; others are ignored)."""
    if not entities:
        return html.escape(text, quote=False)
    if utf16_len(text) == len(text):
        index_of = None  # no astral characters: UTF-16 offsets are string indices
    else:
        index_of = []
        for index, char in enumerate(text):
            index_of.append(index)
            if ord(char) > 0xFFFF:
                index_of.append(index)
        index_of.append(len(text))

    def to_index(offset: int) -> int:
        if index_of is None:
            return min(max(offset, 0), len(text))
        return index_of[min(max(offset, 0), len(index_of) - 1)]

    opens: dict[int, list[tuple[int, int, int, str, str]]] = {}
    points = {len(text)}
    for order, entity in enumerate(entities):
        open_tag, close_tag = _render_open(entity)
        length = int(entity.get("length", 0))
        if length <= 0 or not open_tag:
            continue
        start = to_index(int(entity.get("offset", 0)))
        end = to_index(int(entity.get("offset", 0)) + length)
        opens.setdefault(start, []).append((-(end - start), order, end, open_tag, close_tag))
        points.update((start, end))
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end index, close tag)
    previous = 0
    for point in sorted(points):
        out.append(html.escape(text[previous:point], quote=False))
        previous = point
        while stack and stack[-1][0] <= point:
            out.append(stack.pop()[1])
        for _, _, end, open_tag, close_tag in sorted(opens.get(point, ())):
            out.append(open_tag)
            stack.append((end, close_tag))
    while stack:
        out.append(stack.pop()[1])
    return "".join(out)
