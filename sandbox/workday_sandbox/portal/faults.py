"""Injected failures: 5xx, HTML pages, slow answers, dropped connections, moves (docs/bitrix24.md#injected-faults).

"slow" waits before the portal does anything; "late_answer" does the work first and only
then waits before answering: the request is applied while the client is still waiting
(and may die, or give up, before it learns so). "lost_answer" does the work and then
drops the connection: the answer never arrives (a proxy timeout, a cut on the way back).
"""

from __future__ import annotations

from dataclasses import dataclass

FAULT_KINDS = (
    "http_500",
    "http_502",
    "http_503",
    "html",
    "html_200",
    "slow",
    "lost_answer",
    "reset",
    "redirect",
    "portal_deleted",
    "query_limit",
    "late_answer",
)
# Kinds that act after the method ran; the others act before anything happens.
AFTER_KINDS = frozenset({"late_answer", "lost_answer"})

# Name under which the token endpoint can be targeted (method=None never matches it).
TOKEN_ENDPOINT = "oauth.token"


@dataclass
class Fault:
    kind: str
    method: str | None = None  # lower-case REST method; None = any REST method
    times: int | None = 1  # None = until cleared
    delay: float = 0.0
    location: str | None = None  # redirect target (a base URL); default: the other loopback name
    inner: str | None = None  # only a `batch` with a command calling this (lower-case) method

    def matches(self, method: str, inner: tuple[str, ...] = ()) -> bool:
        if self.inner is not None and self.inner not in inner:
            return False
        if self.method is None:
            return method != TOKEN_ENDPOINT
        return self.method == method


class FaultInjector:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.fired: list[tuple[str, str]] = []  # (kind, method) in firing order

    def inject(
        self,
        kind: str,
        method: str | None = None,
        times: int | None = 1,
        delay: float = 0.0,
        location: str | None = None,
        inner: str | None = None,
    ) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for 'until cleared')")
        if delay < 0:
            raise ValueError("delay must not be negative")
        fault = Fault(
            kind=kind,
            method=method.lower() if method else None,
            times=times,
            delay=float(delay),
            location=location,
            inner=inner.lower() if inner else None,
        )
        self._faults.append(fault)
        return fault

    def take(self, method: str) -> Fault | None:
        """The first pending fault for `method` that acts before it runs, counted as used."""
        return self._take(method, (), after=False)

    def take_after(self, method: str, inner: tuple[str, ...] = ()) -> Fault | None:
        """The first pending fault that acts after `method` ran (`inner`: a batch's commands)."""
        return self._take(method, inner, after=True)

    def _take(self, method: str, inner: tuple[str, ...], *, after: bool) -> Fault | None:
        for fault in self._faults:
            if (fault.kind in AFTER_KINDS) == after and fault.matches(method, inner):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                self.fired.append((fault.kind, method))
                return fault
        return None

    @property
    def pending(self) -> list[Fault]:
        return list(self._faults)

    def clear(self) -> None:
        self._faults.clear()
