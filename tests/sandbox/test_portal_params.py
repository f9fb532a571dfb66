"""PHP-style parameter handling: parse_str, truthiness, intval, loose ==, json arrays."""

from __future__ import annotations

import pytest

from workday_sandbox.portal.params import (
    is_numeric,
    merge,
    parse_json_object,
    parse_php_query,
    php_intval,
    php_json,
    php_loose_equals_int,
    php_truthy,
    upper_keys,
)


def test_parse_str_with_brackets_and_appends():
    parsed = parse_php_query("a=1&FILTER[EMAIL]=a%40b.c&b[]=x&b[]=y&c[d][e]=f&plus=a+b&empty")
    assert parsed == {
        "a": "1",
        "FILTER": {"EMAIL": "a@b.c"},
        "b": {0: "x", 1: "y"},
        "c": {"d": {"e": "f"}},
        "plus": "a b",
        "empty": "",
    }


def test_parse_str_php_quirks():
    # Dots and spaces in the base name become underscores; numeric keys become ints.
    assert parse_php_query("user.id=1&my+key=2") == {"user_id": "1", "my_key": "2"}
    assert parse_php_query("cmd[0]=a&cmd[10]=b&cmd[]=c") == {"cmd": {0: "a", 10: "b", 11: "c"}}
    assert parse_php_query("x[01]=a") == {"x": {"01": "a"}}
    assert parse_php_query("[a]=1&=2") == {}
    assert parse_php_query("a=1&a=2") == {"a": "2"}


def test_json_objects_and_invalid_json():
    assert parse_json_object('{"cmd": {"0": "a", "k": "b"}, "n": [1, 2]}') == {
        "cmd": {0: "a", "k": "b"},
        "n": [1, 2],
    }
    assert parse_json_object("{broken") is None
    assert parse_json_object('"a string"') is None


def test_merge_lets_the_body_win_and_upper_keys():
    assert merge({"a": "q", "b": "q"}, {"b": "body"}) == {"a": "q", "b": "body"}
    assert upper_keys({"user_id": 1, "Time": "t", 0: "x"}) == {"USER_ID": 1, "TIME": "t", 0: "x"}


@pytest.mark.parametrize(
    ("value", "truthy"),
    [(0, False), ("0", False), ("", False), (False, False), (None, False), ([], False), ({}, False),
     (0.0, False), ("false", True), ("0.0", True), (" ", True), (1, True), ("no", True), ([0], True)],
)
def test_php_truthiness(value, truthy):
    assert php_truthy(value) is truthy


@pytest.mark.parametrize(
    ("value", "number"),
    [("12abc", 12), ("abc", 0), (" 7", 7), ("3.9", 3), (3.9, 3), (True, 1), (None, 0), ([], 0), ("-4x", -4), ("1e3", 1000)],
)
def test_php_intval(value, number):
    assert php_intval(value) == number


@pytest.mark.parametrize(
    ("value", "equal"),
    [("1", True), (1, True), ("01", True), ("1.0", True), (" 1", True), ("1abc", False),
     ("abc", False), (True, True), (None, False), ([1], False), (2, False)],
)
def test_php_loose_equality_with_an_int(value, equal):
    assert php_loose_equals_int(value, 1) is equal


def test_is_numeric():
    assert is_numeric("1.5e3") and is_numeric(" 2 ") and is_numeric(3)
    assert not is_numeric("1a") and not is_numeric("") and not is_numeric(True)


def test_php_json_arrays():
    assert php_json({}) == []
    assert php_json({0: "a", 1: "b"}) == ["a", "b"]
    assert php_json({1: "b"}) == {"1": "b"}
    assert php_json({"k": {}, "l": [{}]}) == {"k": [], "l": [[]]}
