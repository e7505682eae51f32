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
    for key, i in wanted.items():
        c = np.zeros(len(hidden))
        c[i] = 1.0
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        low = lo.fun if lo.status == 0 else (0.0 if lo.status == 3 else np.nan)
        high = -hi.fun if hi.status == 0 else (np.inf if hi.status == 3 else np.nan)
        out[key] = (float(low), float(high))
    return out


def too_narrow(found: Mapping[Hashable, tuple[float, float]], *, threshold: int,
               cells: Iterable[Hashable] | None = None) -> dict[Hashable, tuple[float, float]]:
    """The cells (all, or `cells`) whose feasible interval is narrower than `threshold`."""
    keys = found.keys() if cells is None else cells
    return {k: found[k] for k in keys if k in found and not found[k][1] - found[k][0] >= threshold - 1e-9}
