"""`batch` the way `CRestProvider::methodsBatch` runs it (docs/bitrix24.md#batch).

Commands run one after another under the batch's auth; each has its own scope check and
operating-time accounting; #51 and later get ERROR_BATCH_LENGTH_EXCEEDED; PHP-truthy
`halt` stops after the first failure; `$result[key][...]` and friends refer to earlier
commands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workday_sandbox.portal.errors import TEXT_BATCH_LENGTH, TEXT_BATCH_METHOD, RestError
from workday_sandbox.portal.params import (
    is_numeric,
    items,
    parse_php_query,
    php_key,
    php_string,
    php_truthy,
    upper_keys,
)

BATCH_MAX_LENGTH = 50
NOT_BATCHABLE = frozenset({"batch", "upload", "download"})
_REFERENCE = re.compile(r"\$(result|next|total|time|error)([^\s]*)", re.IGNORECASE)
_PATH = re.compile(r"\[([^\]]+)\]")
_MISSING = object()


@dataclass
class InnerResult:
    result: Any
    total: int | None
    next: int | None
    time: dict[str, Any]


# run(method, params) -> InnerResult, raising RestError
InnerRunner = Callable[[str, dict[Any, Any]], InnerResult]


def _index(value: Any, segment: str) -> Any:
    """PHP `isset($value[$segment]) ? $value[$segment] : missing`."""
    key = php_key(segment)
    if isinstance(value, dict):
        found = value.get(key, _MISSING)
    elif isinstance(value, list):
        found = value[key] if isinstance(key, int) and 0 <= key < len(value) else _MISSING
    elif isinstance(value, str):
        found = value[key] if isinstance(key, int) and 0 <= key < len(value) else _MISSING
    else:
        found = _MISSING
    return _MISSING if found is None else found


def substitute(text: Any, done: dict[str, dict[Any, Any]]) -> Any:
    """`processBatchElement`: resolve `$result[a][B]...` placeholders in one value."""
    if not isinstance(text, str):
        return text
    value: Any = text
    for match in list(_REFERENCE.finditer(text)):
        segments = _PATH.findall(match.group(2))
        if not segments:
            continue
        ref: Any = done.get(match.group(1))  # case-sensitive, like `$arResult[$m[1]]`
        for segment in segments:
            step = _index(ref, segment)
            if step is _MISSING:
                break
            ref = step
        if match.group(0) == value:
            return ref  # the whole value: inserted with its type
        if not isinstance(value, str):
            break
        if is_numeric(ref) or isinstance(ref, float):
            ref = php_string(ref)
        if not isinstance(ref, str):
            continue
        value = value.replace(match.group(0), ref)
    return value


def _resolve(params: Any, done: dict[str, dict[Any, Any]]) -> Any:
    if isinstance(params, dict):
        return {k: _resolve(v, done) for k, v in params.items()}
    return substitute(params, done)


def parse_command(call: str, done: dict[str, dict[Any, Any]]) -> tuple[str, dict[Any, Any]]:
    """`"method?query"` -> (method, params with references resolved)."""
    method, _, query = call.partition("?")
    query = query.split("#", 1)[0]
    return method, _resolve(parse_php_query(query), done)


def command_methods(params: dict[Any, Any]) -> tuple[str, ...]:
    """The lower-case methods a batch's commands call, in order."""
    commands = upper_keys(params).get("CMD")
    return tuple(call.partition("?")[0].lower() for _, call in items(commands) if isinstance(call, str))


def run_batch(params: dict[Any, Any], run: InnerRunner) -> dict[str, Any]:
    query = upper_keys(params)
    halt = php_truthy(query.get("HALT"))
    done: dict[str, dict[Any, Any]] = {
        "result": {},
        "next": {},
        "total": {},
        "time": {},
        "error": {},
    }
    commands = query.get("CMD")
    count = 0
    for key, call in items(commands):
        count += 1
        if count <= BATCH_MAX_LENGTH:
            if not isinstance(call, str):
                continue
            method, command_params = parse_command(call, done)
            try:
                if method.lower() in NOT_BATCHABLE:
                    raise RestError("ERROR_BATCH_METHOD_NOT_ALLOWED", TEXT_BATCH_METHOD)
                outcome = run(method.lower(), command_params)
            except RestError as exc:
                done["error"][key] = {"error": exc.code, "error_description": exc.description}
                if exc.code and halt:
                    break
                continue
        else:
            done["error"][key] = {
                "error": "ERROR_BATCH_LENGTH_EXCEEDED",
                "error_description": TEXT_BATCH_LENGTH,
            }
            if halt:
                break
            continue
        done["result"][key] = outcome.result
        if outcome.total is not None:
            done["total"][key] = outcome.total
        if outcome.next is not None:
            done["next"][key] = outcome.next
        done["time"][key] = outcome.time
    return {
        "result": done["result"],
        "result_error": done["error"],
        "result_total": done["total"],
        "result_next": done["next"],
        "result_time": done["time"],
    }
