"""Could a hostile reader work a hidden figure out? The attacker's view, solved exactly.

Why: a rule that "looks" protective is not enough (the issue found three disabled branches left
every test green). Given what was published (the visible numbers), what is known anyway (each
table's total), and the linear constraints between them (a table's rows and columns add up, the
services add up to the directorate, a row total is its parts), each hidden count has a feasible
interval; linear programming finds it. A cell is protected when its interval is at least the
threshold wide (the published "c" could hide anything from 0 to threshold-1 and more).
Used by the disclosure audit tests; no Streamlit.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np

Equation = Sequence[tuple[Hashable, float]]   # sum(coef * cell) == rhs, rhs given separately


def intervals(*, known: Mapping[Hashable, float], hidden: Iterable[Hashable],
              equations: Sequence[tuple[Equation, float]], upper: float | None = None,
              cells: Iterable[Hashable] | None = None) -> dict[Hashable, tuple[float, float]]:
    """Feasible [low, high] of every hidden cell (or only of `cells`, two linear programmes each)
    (each >= 0, at most `upper` when given) under `equations` [(terms, rhs)], where terms name
    known or hidden cells."""
    from scipy.optimize import linprog

    hidden = list(dict.fromkeys(hidden))
    if not hidden:
        return {}
    pos = {k: i for i, k in enumerate(hidden)}
    rows, rhs = [], []
    for terms, value in equations:
        row = np.zeros(len(hidden))
        b = float(value)
        for key, coef in terms:
            if key in pos:
                row[pos[key]] += coef
            elif key in known:
                b -= coef * float(known[key])
            else:
                raise KeyError(f"cell {key!r} is neither known nor hidden")
        if row.any():
            rows.append(row)
            rhs.append(b)
    a_eq = np.vstack(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    bounds = [(0, upper)] * len(hidden)
    out = {}
    wanted = pos if cells is None else {k: pos[k] for k in dict.fromkeys(cells) if k in pos}
    fast = _Reused(a_eq, b_eq, len(hidden), upper) if a_eq is not None and not _SLOW else None
    for key, i in wanted.items():
        found = fast.bounds(i) if fast is not None else None
        if found is None:  # scipy's linprog (no reusable model, or HiGHS did not reach an optimum)
            c = np.zeros(len(hidden))
            c[i] = 1.0
            lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            low = lo.fun if lo.status == 0 else (0.0 if lo.status == 3 else np.nan)
            high = -hi.fun if hi.status == 0 else (np.inf if hi.status == 3 else np.nan)
            found = (float(low), float(high))
        out[key] = found
    return out


#: True: every programme through scipy.optimize.linprog (tests compare both ways)
_SLOW = False


class _Reused:
    """One HiGHS model per system, solved again for each cell with only the objective changed
    (warm start): the same answers as linprog's, without its set-up per call (about 8x faster on
    these small systems). HiGHS is the solver linprog itself calls (scipy's bundled copy, pinned
    in requirements.txt); any answer other than an optimum falls back to linprog."""

    def __init__(self, a_eq: np.ndarray, b_eq: np.ndarray, n: int, upper: float | None) -> None:
        try:
            from scipy.optimize._highspy import _core
        except ImportError:  # pragma: no cover - another scipy: linprog only
            self.h = None
            return
        from scipy.sparse import csc_matrix

        self.core, self.n = _core, n
        h = _core._Highs()
        h.setOptionValue("output_flag", False)
        lp = _core.HighsLp()
        lp.num_col_, lp.num_row_ = n, a_eq.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, _core.kHighsInf if upper is None else float(upper))
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

    def bounds(self, i: int) -> tuple[float, float] | None:
        if self.h is None:
            return None
        low, high = self._solve(i, 1.0), self._solve(i, -1.0)
        return None if low is None or high is None else (float(low), float(high))


def too_narrow(found: Mapping[Hashable, tuple[float, float]], *, threshold: int,
               cells: Iterable[Hashable] | None = None) -> dict[Hashable, tuple[float, float]]:
    """The cells (all, or `cells`) whose feasible interval is narrower than `threshold`."""
    keys = found.keys() if cells is None else cells
    return {k: found[k] for k in keys if k in found and not found[k][1] - found[k][0] >= threshold - 1e-9}
