"""Request parameters the way PHP and the Bitrix24 REST server see them (docs/bitrix24.md#request-parameters).

PHP arrays are modelled as Python dicts (bracket keys, JSON objects) or lists (JSON
arrays). Keys that look like canonical integers become ints, as PHP does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote_plus

_INT_KEY = re.compile(r"^(0|-?[1-9]\d*)$")
_NUMERIC = re.compile(r"^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$")
_INT_PREFIX = re.compile(r"^[ \t\n\r\v\f]*([+-]?\d+)")


def php_key(key: Any) -> Any:
    """PHP array key normalisation: "12" -> 12, "012" stays a string."""
    if isinstance(key, bool):
        return int(key)
    if isinstance(key, str) and _INT_KEY.match(key) and len(key) < 19:
        return int(key)
    return key


def normalize(value: Any) -> Any:
    """Normalise decoded JSON: object keys become PHP keys, recursively."""
    if isinstance(value, dict):
        return {php_key(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def items(value: Any) -> Iterator[tuple[Any, Any]]:
    """Iterate a PHP array given as a dict or a list."""
    if isinstance(value, dict):
        yield from value.items()
    elif isinstance(value, list):
        yield from enumerate(value)


def _split_key(raw: str) -> tuple[str, list[str]] | None:
    """`a[b][]` -> ("a", ["b", ""]); PHP turns '.' and ' ' in the base name into '_'."""
    bracket = raw.find("[")
    if bracket == 0 or not raw:
        return None  # PHP drops a variable without a name
    if bracket < 0:
        return raw.replace(".", "_").replace(" ", "_"), []
    base = raw[:bracket].replace(".", "_").replace(" ", "_")
    rest = raw[bracket:]
    parts: list[str] = []
    while rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            # An unmatched '[' : PHP keeps the remainder out of the key path.
            break
        parts.append(rest[1:close])
        rest = rest[close + 1 :]
    if not parts:
        return raw.replace(".", "_").replace(" ", "_").replace("[", "_"), []
    return base, parts


def assign(target: dict[Any, Any], raw_key: str, value: Any) -> None:
    """Set `target[raw_key] = value` with PHP bracket semantics (`a[b][]=v`)."""
    split = _split_key(raw_key)
    if split is None:
        return
    base, parts = split
    keys: list[Any] = [php_key(base)] + parts
    node: Any = target
    for index, key in enumerate(keys):
        last = index == len(keys) - 1
        if isinstance(node, list):  # a JSON list met by a bracket key: treat as a map
            return
        if key == "" and index > 0:
            numeric = [k for k in node if isinstance(k, int)]
            key = max(numeric) + 1 if numeric else 0
        else:
            key = php_key(key)
        if last:
            node[key] = value
        else:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child


def parse_php_query(query: str) -> dict[Any, Any]:
    """PHP `parse_str`: `a=1&b[c]=2&b[]=3` -> {"a": "1", "b": {"c": "2", 0: "3"}}."""
    out: dict[Any, Any] = {}
    if not query:
        return out
    for chunk in query.split("&"):
        if not chunk:
            continue
        key, sep, value = chunk.partition("=")
        assign(out, unquote_plus(key), unquote_plus(value) if sep else "")
    return out


def parse_pairs(pairs: Iterable[tuple[str, Any]]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for key, value in pairs:
        assign(out, key, value)
    return out


def parse_json_object(text: str) -> dict[Any, Any] | None:
    """A JSON body as PHP `json_decode(..., true)`; None when it is invalid or a scalar."""
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(decoded, dict):
        return normalize(decoded)
    if isinstance(decoded, list):
        return {i: normalize(v) for i, v in enumerate(decoded)}
    return None


def merge(query: dict[Any, Any], body: dict[Any, Any]) -> dict[Any, Any]:
    """Query-string parameters overlaid by the body (the body wins on equal keys)."""
    merged = dict(query)
    merged.update(body)
    return merged


def upper_keys(params: dict[Any, Any]) -> dict[Any, Any]:
    """PHP `array_change_key_case(CASE_UPPER)`: later keys win on collisions."""
    out: dict[Any, Any] = {}
    for key, value in params.items():
        out[key.upper() if isinstance(key, str) else key] = value
    return out


def php_truthy(value: Any) -> bool:
    """PHP truthiness: 0, 0.0, "0", "", null, false and empty arrays are false.

    Note that the string "false" is true.
    """
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, str):
        return value not in ("", "0")
    if isinstance(value, (list, dict)):
        return len(value) > 0
    return bool(value)


def is_numeric(value: Any) -> bool:
    """PHP `is_numeric` (PHP 8: leading and trailing whitespace allowed)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and bool(_NUMERIC.match(value))


def php_intval(value: Any) -> int:
    """PHP `intval`: "12abc" -> 12, "abc" -> 0, 3.9 -> 3, true -> 1, [] -> 0."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        try:
            return int(value)
        except (ValueError, OverflowError):
            return 0
    if isinstance(value, str):
        if is_numeric(value):
            try:
                return int(float(value.strip()))
            except (ValueError, OverflowError):
                return 0
        match = _INT_PREFIX.match(value)
        return int(match[1]) if match else 0
    if isinstance(value, (list, dict)):
        return 1 if value else 0
    return 0


def php_loose_equals_int(value: Any, number: int) -> bool:
    """PHP 8 `$value == $number` for an int on the right."""
    if value is None:
        return number == 0
    if isinstance(value, bool):
        return value == (number != 0)
    if isinstance(value, (int, float)):
        return value == number
    if isinstance(value, str):
        if is_numeric(value):
            return float(value.strip()) == number
        return value == str(number)
    return False


def php_string(value: Any) -> str:
    """PHP string conversion of a scalar (arrays become "Array", as PHP warns)."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    if isinstance(value, (list, dict)):
        return "Array"
    return str(value)


def php_json(value: Any) -> Any:
    """Prepare a value for JSON the way PHP `json_encode` would print its arrays.

    An empty array prints as `[]`; a map whose keys are exactly 0..n-1 in order prints as
    a list; anything else prints as an object with string keys.
    """
    if isinstance(value, dict):
        if not value:
            return []
        keys = list(value.keys())
        if keys == list(range(len(keys))):
            return [php_json(v) for v in value.values()]
        return {str(k): php_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [php_json(v) for v in value]
    return value
