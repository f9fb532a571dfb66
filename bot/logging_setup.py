"""Logging: one line per event, `key=value` context, optional JSON, secrets scrubbed.

Context travels as `extra={"ctx_<name>": value}` (and from `log_context()` for everything
logged while an update is handled), so an admin can grep one user's request end to end.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bot.redaction import SecretsFilter

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_context", default={})


@contextmanager
def log_context(**values: Any) -> Iterator[None]:
    """Attach values to every record logged inside the block (per asyncio task)."""
    token = _context.set({**_context.get(), **{k: v for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def bind_log_context(**values: Any) -> None:
    """Add values to the current context until the enclosing `log_context` ends."""
    current = _context.get()
    current_copy = {**current, **{k: v for k, v in values.items() if v is not None}}
    _context.set(current_copy)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            attribute = f"ctx_{key}"
            if not hasattr(record, attribute):
                setattr(record, attribute, value)
        return True


def _context_items(record: logging.LogRecord) -> list[tuple[str, Any]]:
    return sorted((key[4:], value) for key, value in vars(record).items() if key.startswith("ctx_"))


def _format_value(value: Any) -> str:
    text = str(value)
    if not text or any(ch in text for ch in ' ="'):
        return json.dumps(text, ensure_ascii=False)
    return text


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        context = " ".join(f"{key}={_format_value(value)}" for key, value in _context_items(record))
        if context:
            line = f"{line} | {context}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line = f"{line}\n{record.exc_text}"
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        payload.update(_context_items(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False, default=str)


def setup_logging(level: str = "INFO", fmt: str = "text", secrets: Iterable[str] = ()) -> SecretsFilter:
    """Configure the root logger; returns the secrets filter so more secrets can be added."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    secrets_filter = SecretsFilter(secrets)
    handler.addFilter(ContextFilter())
    handler.addFilter(secrets_filter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and a webhook URL carries its secret code.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # aiogram logs each update at INFO; at 5,000 users that is noise, not signal.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    # APScheduler logs every run of the once-a-second reminder tick.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return secrets_filter
