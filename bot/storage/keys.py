"""Redis key names, all under one prefix so a sandbox can never touch a production bot's data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeySpace:
    prefix: str = "b24bot"

    def __call__(self, *parts: object) -> str:
        return ":".join((self.prefix, *(str(part) for part in parts)))
