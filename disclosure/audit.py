"""Could a hostile reader work a hidden figure out? The attacker's view, solved exactly.

Why: a rule that "looks" protective is not enough (the issue found three disabled branches left
every test green). Given what was published (the visible numbers), what is known anyway (each
table's total), and the linear constraints between them (a table's rows and columns add up, the
services add up to the directorate, a row total is its parts), each hidden count has a feasible
interval; linear programming finds it. A cell is protected when its interval is at least the
threshold wide (the published "c" could hide anything from 0 to threshold-1 and more), and a
cell its caption calls primary ("fewer than 5 people": a reader knows it is 1 to threshold-1,
`primary_range`) when its interval is the whole of that range (`too_narrow`'s `captioned`).
Used by the disclosure audit tests; no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np

Equation = Sequence[tuple[Hashable, float]]   # sum(coef * cell) == rhs, rhs given separately


def intervals(*, known: Mapping[Hashable, float], hidden: Iterable[Hashable],
              equations: Sequence[tuple[Equation, float]], upper: float | None = None,
              cells: Iterable[Hashable] | None = None,
              bounds: Mapping[Hashable, tuple[float, float]] | None = None) -> dict[Hashable, tuple[float, float]]:
    """Feasible [low, high] of every hidden cell (or only of `cells`, two linear programmes each)
    (each >= 0, at most `upper` when given, within its own `bounds` where given: a cell captioned
    primary, `primary_range`) under `equations` [(terms, rhs)], where terms name known or hidden
    cells."""
    system = System(known=known, hidden=hidden, equations=equations, upper=upper, bounds=bounds)
    wanted = system.pos if cells is None else [k for k in dict.fromkeys(cells) if k in system.pos]
    return {key: (system.low(key), system.high(key)) for key in wanted}


def primary_range(threshold: int) -> tuple[float, float]:
    """What a reader knows of a hidden cell whose caption says it is primary ("fewer than 5
    people"): it is 1 to threshold-1 people. The published figures must teach nothing more of
    it (`too_narrow`'s `captioned`): GSS's protection of a primary cell, its feasible range no
    narrower than the caption's."""
    return 1.0, float(threshold - 1)


class System:
    """One system of `intervals`, asked one bound of one cell at a time (`low`, `high`): the
    widening in disclosure.cells asks only what it cannot settle otherwise. With `points`, every
    optimum's solution (hidden cell -> value, each a feasible point of the system) is appended to
    it. `bounds`: {hidden cell: (lowest, highest)} where a reader knows more than "at least 0"
    (a primary cell's caption: `primary_range`)."""

    def __init__(self, *, known: Mapping[Hashable, float], hidden: Iterable[Hashable],
                 equations: Sequence[tuple[Equation, float]], upper: float | None = None,
                 points: list[dict[Hashable, float]] | None = None,
                 bounds: Mapping[Hashable, tuple[float, float]] | None = None) -> None:
        self.hidden = list(dict.fromkeys(hidden))
        self.pos = {k: i for i, k in enumerate(self.hidden)}
        self.points = points
        self.lower = np.zeros(len(self.hidden))
        self.upper_of = np.full(len(self.hidden), np.inf if upper is None else float(upper))
        for key, (lo, hi) in (bounds or {}).items():
            if key in self.pos:
                self.lower[self.pos[key]], self.upper_of[self.pos[key]] = lo, min(hi, self.upper_of[self.pos[key]])
        rows, rhs = [], []
        for terms, value in equations:
            row = np.zeros(len(self.hidden))
            b = float(value)
            for key, coef in terms:
                if key in self.pos:
                    row[self.pos[key]] += coef
                elif key in known:
                    b -= coef * float(known[key])
                else:
                    raise KeyError(f"cell {key!r} is neither known nor hidden")
            if row.any():
                rows.append(row)
                rhs.append(b)
        self.a_eq = np.vstack(rows) if rows else None
        self.b_eq = np.array(rhs) if rows else None
        self.upper = upper
        self.fast = _Reused(self.a_eq, self.b_eq, self.lower, self.upper_of) \
            if self.a_eq is not None and self.hidden and not _SLOW else None

    def low(self, key: Hashable) -> float:
        return self._bound(key, 1.0)

    def high(self, key: Hashable) -> float:
        return self._bound(key, -1.0)

    def _bound(self, key: Hashable, sense: float) -> float:
        i = self.pos[key]
        found = self.fast._solve(i, sense) if self.fast is not None and self.fast.h is not None else None
        if found is not None:
            if self.points is not None:
                self.points.append(dict(zip(self.hidden, self.fast.solution())))
            return float(found)
        # scipy's linprog (no reusable model, or HiGHS did not reach an optimum)
        from scipy.optimize import linprog

        c = np.zeros(len(self.hidden))
        c[i] = sense
        res = linprog(c, A_eq=self.a_eq, b_eq=self.b_eq, method="highs",
                      bounds=[(lo, None if math.isinf(hi) else hi) for lo, hi in zip(self.lower, self.upper_of)])
        if res.status == 0:
            if self.points is not None:
                self.points.append(dict(zip(self.hidden, res.x)))
            return float(sense * res.fun)
        if res.status == 3:  # unbounded: the lowest is 0, the highest has no end
            return 0.0 if sense > 0 else float(np.inf)
        return float(np.nan)


#: True: every programme through scipy.optimize.linprog (tests compare both ways)
_SLOW = False


class _Reused:
    """One HiGHS model per system, solved again for each cell with only the objective changed
    (warm start): the same answers as linprog's, without its set-up per call (about 8x faster on
    these small systems). HiGHS is the solver linprog itself calls (scipy's bundled copy, pinned
    in requirements.txt); any answer other than an optimum falls back to linprog."""

    def __init__(self, a_eq: np.ndarray, b_eq: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        try:
            from scipy.optimize._highspy import _core
        except ImportError:  # pragma: no cover - another scipy: linprog only
            self.h = None
            return
        from scipy.sparse import csc_matrix

        n = len(lower)
        self.core, self.n = _core, n
        h = _core._Highs()
        h.setOptionValue("output_flag", False)
        lp = _core.HighsLp()
        lp.num_col_, lp.num_row_ = n, a_eq.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.asarray(lower, dtype=float)
        lp.col_upper_ = np.where(np.isinf(upper), _core.kHighsInf, upper).astype(float)
        lp.row_lower_ = lp.row_upper_ = np.asarray(b_eq, dtype=float)
        m = csc_matrix(a_eq)
        lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = m.indptr, m.indices, m.data
        h.passModel(lp)
        self.h, self.cols = h, np.arange(n, dtype=np.int32)

    def _solve(self, i: int, sense: float) -> float | None:
        cost = np.zeros(self.n)
        cost[i] = sense
        self.h.changeColsCost(self.n, self.cols, cost)
        self.h.run()
        if self.h.getModelStatus() != self.core.HighsModelStatus.kOptimal:
            return None
        return sense * self.h.getInfo().objective_function_value

    def solution(self) -> list[float]:
        """The values of the last optimum found."""
        return list(self.h.getSolution().col_value)


def too_narrow(found: Mapping[Hashable, tuple[float, float]], *, threshold: int,
               cells: Iterable[Hashable] | None = None,
               captioned: Iterable[Hashable] = ()) -> dict[Hashable, tuple[float, float]]:
    """The cells (all, or `cells`) whose feasible interval is narrower than `threshold`; of those
    in `captioned` (bounded by their caption: `primary_range`), those whose interval is not the
    whole of the caption's range (the figures teach something more of them)."""
    keys = found.keys() if cells is None else cells
    captioned = set(captioned)
    lo_cap, hi_cap = primary_range(threshold)
    return {k: found[k] for k in keys if k in found and not (
        found[k][0] <= lo_cap + 1e-9 and found[k][1] >= hi_cap - 1e-9 if k in captioned
        else found[k][1] - found[k][0] >= threshold - 1e-9)}
