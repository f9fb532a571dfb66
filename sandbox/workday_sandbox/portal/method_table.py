"""The REST method table: what a handler gets (`CallContext`), may return (`ListResult`),
and how handlers are registered by name with the scopes they need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workday_sandbox.portal.auth import AuthContext
from workday_sandbox.portal.interfaces import HandlerPortal


@dataclass
class CallContext:
    portal: HandlerPortal
    auth: AuthContext
    method: str
    ip: str
    batch: bool = False


@dataclass
class ListResult:
    items: Any
    total: int | None
    next: int | None


Handler = Callable[[CallContext, dict[Any, Any]], Any]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    handler: Handler | None  # None: handled by the dispatcher itself (batch)
    scopes: tuple[str, ...] | None  # None: every caller may call it


@dataclass
class MethodTable:
    methods: dict[str, MethodSpec] = field(default_factory=dict)

    def add(self, name: str, handler: Handler | None, scopes: tuple[str, ...] | None) -> None:
        self.methods[name.lower()] = MethodSpec(name.lower(), handler, scopes)

    def get(self, name: str) -> MethodSpec | None:
        return self.methods.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.methods
