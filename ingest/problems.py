"""Problems found in an extract, and the named errors the ingest layer raises.

Why a separate module: the reader, the validator and the loader all report problems the same way,
and the UI/CLI print them, so the shape and wording live in one place.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about an extract, as the person fixing it sees it.

    `row` is the row number Excel shows (header row 1 -> first data row 2); `column` is the
    header as written in the file (or the contract label when the column is missing).
    """

    sheet: str | None
    row: int | None
    column: str | None
    value: Any
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.sheet or "File"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", {self.column}"
        if self.value is not None:
            shown = "(blank)" if self.value == "" else str(self.value)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            where += f": {shown}"
        return f"{where} — {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the ledger stores warnings like this)."""
        data = asdict(self)
        if data["value"] is not None and not isinstance(data["value"], (str, int, float, bool)):
            data["value"] = str(data["value"])
        return data


class IngestError(Exception):
    """Base class for every failure of the ingest layer."""


class ExtractRejected(IngestError):
    """The extract cannot be loaded; `problems` says why, all at once. Nothing was written."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(None, None, None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        errors = [p for p in self.problems if p.severity == "error"] or self.problems
        head = str(errors[0]) if errors else "the extract was rejected"
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        super().__init__(head + more)

    def report(self) -> str:
        """Every problem, one per line, errors first."""
        ordered = sorted(self.problems, key=lambda p: p.severity != "error")
        return "\n".join(
            ("ERROR   " if p.severity == "error" else "WARNING ") + str(p) for p in ordered
        )


class PeriodError(IngestError, ValueError):
    """The period given is not a valid 'YYYY-MM' month."""
