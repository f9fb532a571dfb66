"""Keep secrets (webhook codes, tokens, client secrets) out of logs, errors and reprs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "***"

# Shorter strings would redact ordinary words; no real secret of ours is this short.
_MIN_SECRET_LENGTH = 6


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted({s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


_URL_SECRETS = (
    # An incoming webhook's code: /rest/<user id>/<code>/
    (re.compile(r"(/rest/\d+/)([^/\s\"']+)"), r"\1" + REDACTED),
    # OAuth credentials in a query string.
    (re.compile(r"((?:auth|access_token|refresh_token|client_secret|code)=)[^&\s\"']+"), r"\1" + REDACTED),
)


def redact_urls(text: str) -> str:
    """Mask the secret parts of Bitrix24 URLs without knowing the secrets themselves."""
    for pattern, replacement in _URL_SECRETS:
        text = pattern.sub(replacement, text)
    return text


class UrlSecretsFilter(logging.Filter):
    """Installed on httpx's logger, which logs every request URL at INFO."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_urls(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


_url_filter = UrlSecretsFilter()


# Filters on a logger do not apply to its children's records, so each is named.
HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy")


def install_url_redaction(logger_names: Iterable[str] = HTTP_LOGGERS) -> None:
    """Idempotent: the filter guards those loggers whatever logging config the app uses."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if _url_filter not in logger.filters:
            logger.addFilter(_url_filter)


class SecretsFilter(logging.Filter):
    """A last line of defence: scrubs registered secrets from every record that passes.

    Attach it to the handlers (not the loggers), so it sees records from every library.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        self._secrets.update(s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        cleaned = redact(message, self._secrets)
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now, scrubbed, so the formatter prints the clean copy.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info), self._secrets)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        for key, value in list(vars(record).items()):
            if key.startswith("ctx_") and isinstance(value, str):
                setattr(record, key, redact(value, self._secrets))
        return True
