"""The rule registry: one function per DfE-style check, each with its code, kind and fix.

Why this shape (after the open-source children-in-need validator): a rule is a small function
that can be read, tested and switched per collection year on its own; the checker runs every
rule that applies to the return's year and never stops at the first problem. Errors would make
DfE's collection system reject the return; queries are what it asks a council to confirm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from census import figures
from census.items import FIRST_YEAR
from census.model import CensusReturn, Worker

SEVERITIES = ("error", "query")


@dataclass(frozen=True)
class CensusProblem:
    """One problem: which rule, which worker (employee id or record), which item, what to fix."""

    code: str
    severity: str
    worker: str | None  # "employee P123" / "record 4"; None for the LA-level block
    item: str
    message: str

    def __str__(self) -> str:
        who = self.worker or "LA-level block"
        return f"{self.code} {self.severity.upper():5} {who}, {self.item}: {self.message}"

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "severity": self.severity, "worker": self.worker,
                "item": self.item, "message": self.message}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    item: str
    title: str
    years: tuple[int, int | None]  # first and last census year (None = still applies)
    scope: str  # "worker" (fn(ret, w) -> message | None) or "return" (fn(ret, prev) -> [(w, msg)])
    fn: Callable

    def applies(self, year: int) -> bool:
        first, last = self.years
        return year >= first and (last is None or year <= last)


RULES: dict[str, Rule] = {}


def _register(code: str, severity: str, item: str, title: str, scope: str,
              years: tuple[int, int | None]) -> Callable[[Callable], Callable]:
    if severity not in SEVERITIES:
        raise ValueError(severity)

    def deco(fn: Callable) -> Callable:
        if code in RULES:
            raise ValueError(f"rule {code} declared twice")
        RULES[code] = Rule(code, severity, item, title, years, scope, fn)
        return fn
    return deco


def worker_rule(code: str, severity: str, item: str, title: str, *,
                years: tuple[int, int | None] = (FIRST_YEAR, None)) -> Callable:
    """Declare a check of one worker record: fn(ret, worker) -> message or None."""
    return _register(code, severity, item, title, "worker", years)


def return_rule(code: str, severity: str, item: str, title: str, *,
                years: tuple[int, int | None] = (FIRST_YEAR, None)) -> Callable:
    """Declare a check of the whole return: fn(ret, previous) -> [(worker | None, message)]."""
    return _register(code, severity, item, title, "return", years)


def check(ret: CensusReturn, *, previous: CensusReturn | None = None,
          codes: Iterable[str] | None = None) -> list[CensusProblem]:
    """Every problem the rules of `ret.year` find (errors first, then queries)."""
    from census.rules import continuity, la, workers  # noqa: F401 - registers the rules

    with figures.remembered():
        return _check(ret, previous, set(codes) if codes is not None else None)


def _check(ret: CensusReturn, previous: CensusReturn | None,
           wanted: set[str] | None) -> list[CensusProblem]:
    found: list[CensusProblem] = []
    for rule in RULES.values():
        if not rule.applies(ret.year) or (wanted is not None and rule.code not in wanted):
            continue
        if rule.scope == "worker":
            for w in ret.workers:
                message = rule.fn(ret, w)
                if message:
                    found.append(CensusProblem(rule.code, rule.severity, w.ref, rule.item,
                                               message))
        else:
            for w, message in rule.fn(ret, previous):
                found.append(CensusProblem(rule.code, rule.severity,
                                           w.ref if isinstance(w, Worker) else None, rule.item,
                                           message))
    found.sort(key=lambda p: (p.severity != "error", p.code))
    return found
