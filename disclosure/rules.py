"""The disclosure rules, read from one file (data/disclosure.toml) so a council can change them.

Why a file: the threshold (5 as DfE's children's social care releases, 10 for stricter councils),
the categories merged before anything is hidden, the GSS symbols and the captions are policy,
not code. Everything in disclosure/ reads them through `rules()`.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from store.kept import source_signature
from store.settings import read_toml, refuse_unknown

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "disclosure.toml"
#: the disclosure package: every module in it (today's and any added later) is part of every
#: kept decision's signature (`decision_signature`)
PACKAGE = Path(__file__).resolve().parent
MERGE_WHEN = ("always", "any small", "fold small")
REASONS = ("primary", "secondary", "over_time", "class")


class RulesError(ValueError):
    """The disclosure rules file is missing, unreadable or has a bad value (the key is named)."""


@dataclass(frozen=True)
class Merge:
    dimension: str
    into: str
    members: tuple[str, ...]
    when: str


@dataclass(frozen=True)
class Rules:
    threshold: int = 5
    class_group_under: int = 10
    unrecorded: tuple[str, ...] = ("Not known", "Prefer not to say", "Not recorded")
    unrecorded_is_sensitive: bool = False
    merges: tuple[Merge, ...] = ()
    symbols: tuple[tuple[str, str], ...] = ()
    reasons: tuple[tuple[str, str], ...] = ()

    def small(self, value: float) -> bool:
        """A count of 1 to threshold-1 (zero is shown: "nobody" identifies nobody)."""
        return 0 < value < self.threshold

    def hidden_why(self) -> str:
        """Why a figure shown as "c" is hidden, where the page cannot name the one reason (a
        card, a chart left with nothing to draw): both reasons, with this file's threshold, e.g.
        "the figure " + 'rests on fewer than 5 people or would let a smaller group be worked out'."""
        return f"rests on fewer than {self.threshold} people or would let a smaller group be worked out"

    @property
    def shown_whatever_size(self) -> frozenset[str]:
        """The answers that record nothing about a person ("Not known"), whose count is shown
        whatever its size; none when `unrecorded_is_sensitive`. ONE rule for every output: a
        table's "Not known" row on screen and in files, and a meeting pack's known-answer rate,
        whose denominator gives the unrecorded rest of the headcount (disclosure.policy)."""
        return frozenset() if self.unrecorded_is_sensitive else frozenset(self.unrecorded)

    def reason_text(self, reason: str) -> str:
        return dict(self.reasons).get(reason, reason).format(threshold=self.threshold)

    def merges_for(self, dimension: str | None) -> tuple[Merge, ...]:
        return tuple(m for m in self.merges if m.dimension == dimension)


def _int(raw: dict, key: str, default: int, path: Path, *, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RulesError(f"{path.name}: '{key}' must be a whole number from {low} to {high}, not {value!r}.")
    return value


_KEYS = ("threshold", "exact_on_screen", "class_group_under", "unrecorded", "unrecorded_is_sensitive",
         "merge", "symbols", "reasons")


def parse(raw: dict, *, path: Path = DEFAULT_PATH) -> Rules:
    """Rules from the parsed TOML (named errors for bad values and unknown settings)."""
    refuse_unknown(path.name, raw, _KEYS, error=RulesError)
    threshold = _int(raw, "threshold", 5, path, low=2, high=100)
    merges = []
    for i, m in enumerate(raw.get("merge", []), start=1):
        if isinstance(m, dict):
            refuse_unknown(f"{path.name} merge {i}", m, ("dimension", "into", "members", "when"), error=RulesError)
        try:
            merge = Merge(str(m["dimension"]), str(m["into"]), tuple(map(str, m["members"])), str(m.get("when", "any small")))
        except (KeyError, TypeError):
            raise RulesError(f"{path.name}: merge {i} needs dimension, into and members.") from None
        if merge.when not in MERGE_WHEN:
            raise RulesError(f"{path.name}: merge {i} 'when' must be one of {', '.join(MERGE_WHEN)}, not {merge.when!r}.")
        merges.append(merge)
    if "exact_on_screen" in raw:
        raise RulesError(f"{path.name}: 'exact_on_screen' is no longer read here: which roles see exact "
                         "figures on screen is the 'exact_figures' action in access/roles.py; remove the key.")
    sensitive = raw.get("unrecorded_is_sensitive", False)
    if not isinstance(sensitive, bool):
        raise RulesError(f"{path.name}: 'unrecorded_is_sensitive' must be true or false.")
    return Rules(
        threshold=threshold,
        class_group_under=_int(raw, "class_group_under", 2 * threshold, path, low=0, high=1000),
        unrecorded=tuple(map(str, raw.get("unrecorded", ()))), unrecorded_is_sensitive=sensitive,
        merges=tuple(merges), symbols=tuple(raw.get("symbols", {}).items()),
        reasons=tuple(raw.get("reasons", {}).items()),
    )


def load(path: Path | str | None = None) -> Rules:
    """Read a rules file ($WORKFORCE_DISCLOSURE or data/disclosure.toml by default)."""
    p = Path(path or os.environ.get("WORKFORCE_DISCLOSURE") or DEFAULT_PATH)
    return parse(read_toml(p, what="disclosure rules", error=RulesError), path=p)


@functools.cache
def _cached(path: str) -> Rules:
    return load(path)


def rules() -> Rules:
    """The rules in force (read once per file path)."""
    return _cached(str(os.environ.get("WORKFORCE_DISCLOSURE") or DEFAULT_PATH))


@functools.cache
def _source(package: Path, extra: tuple[Path, ...]) -> str:
    return source_signature((*sorted(package.glob("*.py")), *extra))


def decision_signature(*extra: Path | str) -> str:
    """What a kept decision must have been made under to be read again (store.kept,
    store.published): the source of EVERY module in the disclosure package (`PACKAGE/*.py`, no
    hand-kept list), the source of the caller's `extra` files (the modules outside disclosure/
    that shape its decisions, e.g. metrics/catalogue.py) and the rules in force as read
    (data/disclosure.toml or $WORKFORCE_DISCLOSURE; RulesError when unreadable). A changed line
    anywhere in them decides again rather than trusting what an older policy kept. The one
    signature of every kept kind (disclosure.history, .linked, .compliance)."""
    code = _source(PACKAGE, tuple(Path(p).resolve() for p in extra))
    return f"{code}|{hashlib.sha256(repr(rules()).encode()).hexdigest()[:16]}"
