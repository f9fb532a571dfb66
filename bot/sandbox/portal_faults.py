"""Injected failures: 5xx, HTML pages, slow answers, dropped connections, moves (§9.18).

`lost_answer` does the work and then drops the connection: the request was applied, but
its answer never arrives (a proxy timeout, a network cut on the way back)."""

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
)

# Name under which the token endpoint can be targeted (method=None never matches it).
TOKEN_ENDPOINT = "oauth.token"


@dataclass
class Fault:
    kind: str
    method: str | None = None  # lower-case REST method; None = any REST method
    times: int | None = 1  # None = until cleared
    delay: float = 0.0
    location: str | None = None  # redirect target (a base URL); default: the other loopback name

    def matches(self, method: str) -> bool:
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
        )
        self._faults.append(fault)
        return fault

    def take(self, method: str) -> Fault | None:
        """The first pending fault for `method`, counted as used."""
        for fault in self._faults:
            if fault.matches(method):
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
