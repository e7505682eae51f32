"""Small-number suppression: nothing shown to scrutiny or exported can single out a person.

Why: scrutiny members see aggregates only, and exports leave the council. Following the DfE /
ONS statistical disclosure practice:

- **Primary**: a count of 1-4 people, or a rate resting on fewer than 5 people, shows as "c".
  Zero is shown: "nobody" does not identify anybody (DfE and ONS publish zeros), and hiding it
  would only make the table harder to read.
- **Secondary**: no "c" may be worked out from what is shown. Every row and column of a table is
  an equation (its cells add up to its total, shown or published elsewhere). When an equation has
  exactly one hidden cell, or its hidden cells add up to a small count (1-4, so each is small),
  the next smallest non-zero cell of that equation is hidden too; this repeats until stable, then
  a linear-algebra check confirms that no hidden cell is determined by any combination of rows
  and columns (a rectangle of four hidden cells is safe; a chain that closes on one cell is not).
- A rate whose count or base is hidden is hidden.

The output keeps the table's shape; hidden cells hold the text "c" (object columns) and
`frame.attrs["suppressed"]` (or `suppressed_mask(frame)`) is a boolean mask of them, so pages can
explain each "c".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.types import MetricError

SUPPRESSED = "c"
MIN_COUNT = 5
EXPLANATION = (
    "c = not shown because it rests on fewer than 5 people, or because it could be worked out "
    "from other figures that do."
)


class SuppressionError(MetricError):
    """The table cannot be suppressed as asked (missing columns, text in a count column...)."""


# ------------------------------------------------------------------------------------------
# the core: cells, equations, and the iteration


@dataclass
class _Equation:
    body: list[int]          # cell ids that add up to the total
    total: int | None        # cell id of the total, None when the total is published elsewhere


def _num(value: object) -> float:
    if value is None or (isinstance(value, str) and value == SUPPRESSED):
        return math.nan
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _primary(values: np.ndarray, min_count: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (values > 0) & (values < min_count)


def _determined(hidden: np.ndarray, equations: list[_Equation]) -> list[int]:
    """Hidden cells whose value follows exactly from the visible cells (rank test)."""
    unknown = np.flatnonzero(hidden)
    if unknown.size == 0:
        return []
    pos = {int(c): k for k, c in enumerate(unknown)}
    rows = []
    for eq in equations:
        row = np.zeros(unknown.size)
        for c in eq.body:
            if c in pos:
                row[pos[c]] += 1.0
        if eq.total is not None and eq.total in pos:
            row[pos[eq.total]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return []
    a = np.vstack(rows)
    rank = np.linalg.matrix_rank(a)
    out = []
    for c, k in pos.items():
        unit = np.zeros(unknown.size)
        unit[k] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(c)
    return out


def _pick(values: np.ndarray, hidden: np.ndarray, eq: _Equation) -> int | None:
    """The cell to hide next in `eq`: smallest non-zero visible body cell, else a zero, else the total."""
    visible = [c for c in eq.body if not hidden[c] and not math.isnan(values[c])]
    nonzero = [c for c in visible if values[c] != 0]
    if nonzero:
        return min(nonzero, key=lambda c: (values[c], c))
    if visible:
        return min(visible)
    if eq.total is not None and not hidden[eq.total]:
        return eq.total
    return None


def _secondary(
    values: np.ndarray, hidden: np.ndarray, equations: list[_Equation], min_count: int
) -> np.ndarray:
    """Extend `hidden` until no hidden cell can be recovered from the equations."""
    hidden = hidden.copy()
    for _ in range(values.size + 1):
        changed = False
        for eq in equations:
            members = eq.body + ([eq.total] if eq.total is not None else [])
            n_hidden = sum(bool(hidden[c]) for c in members)
            if n_hidden == 0:
                continue
            need = n_hidden == 1
            total_known = eq.total is None or not hidden[eq.total]
            if not need and total_known:
                residual = sum(values[c] for c in eq.body if hidden[c] and not math.isnan(values[c]))
                need = 0 < residual < min_count
            if need:
                c = _pick(values, hidden, eq)
                if c is not None:
                    hidden[c] = True
                    changed = True
        if changed:
            continue
        # rows-and-columns together: hide a neighbour of any cell still determined
        determined = _determined(hidden, equations)
        for c in determined:
            for eq in equations:
                members = eq.body + ([eq.total] if eq.total is not None else [])
                if c in members:
                    pick = _pick(values, hidden, eq)
                    if pick is not None:
                        hidden[pick] = True
                        changed = True
                        break
            if changed:
                break
        if not changed:
            return hidden
    return hidden  # pragma: no cover - bounded by the number of cells


# ------------------------------------------------------------------------------------------
# tables of counts


def _check_cols(frame: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise SuppressionError(
            f"{what}: column(s) {', '.join(map(repr, missing))} not in the table "
            f"(columns: {', '.join(map(str, frame.columns))})."
        )


def _row_labels(frame: pd.DataFrame, label_col: str | None) -> list[object]:
    return list(frame[label_col]) if label_col is not None else list(frame.index)


def _apply(frame: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in mask.columns:
        if mask[col].any():
            out[col] = out[col].astype(object)
            out.loc[mask[col].to_numpy(), col] = SUPPRESSED
    full = pd.DataFrame(False, index=out.index, columns=out.columns)
    prev = frame.attrs.get("suppressed")
    if isinstance(prev, pd.DataFrame) and prev.shape == full.shape:
        full = full | prev.to_numpy(dtype=bool)
    for col in mask.columns:
        full[col] = full[col].to_numpy() | mask[col].to_numpy()
    out.attrs["suppressed"] = full
    return out


def suppressed_mask(frame: pd.DataFrame) -> pd.DataFrame:
    """Boolean mask of the cells shown as "c" (from attrs when present, else by value)."""
    mask = frame.attrs.get("suppressed")
    if isinstance(mask, pd.DataFrame) and mask.shape == frame.shape:
        return mask.copy()
    return frame.apply(lambda s: s.map(lambda v: isinstance(v, str) and v == SUPPRESSED)).astype(bool)


def suppress_counts(
    frame: pd.DataFrame,
    *,
    count_cols: Sequence[str],
    total_row_label: object | None = None,
    total_col: str | None = None,
    label_col: str | None = None,
    min_count: int = MIN_COUNT,
    column_totals_known: bool = True,
    row_totals_known: bool = False,
) -> pd.DataFrame:
    """Counts of people with primary and secondary suppression applied (hidden cells hold "c").

    `total_row_label` names the total row (matched against `label_col`, else the index);
    `total_col` the column holding each row's total. Without a total row, each column's total is
    assumed to be known anyway (`column_totals_known`: the overall figure is published elsewhere),
    which is the safe assumption for a breakdown of a published figure.
    """
    cols = list(count_cols)
    if total_col is not None and total_col not in cols:
        cols.append(total_col)
    _check_cols(frame, cols + ([label_col] if label_col else []), "suppress_counts")
    if frame.empty:
        return _apply(frame, pd.DataFrame(False, index=frame.index, columns=cols))
    labels = _row_labels(frame, label_col)
    total_rows = [i for i, lab in enumerate(labels) if total_row_label is not None and lab == total_row_label]
    if total_row_label is not None and not total_rows:
        raise SuppressionError(f"suppress_counts: no total row labelled {total_row_label!r}.")
    if len(total_rows) > 1:
        raise SuppressionError(f"suppress_counts: more than one row labelled {total_row_label!r}.")
    t_row = total_rows[0] if total_rows else None

    raw = frame[cols]
    values = np.array([[_num(v) for v in raw[c]] for c in cols], dtype=float).T  # rows x cols
    bad = [
        (labels[i], cols[j])
        for i in range(values.shape[0])
        for j in range(values.shape[1])
        if math.isnan(values[i, j]) and not pd.isna(raw.iat[i, j])
    ]
    if bad:
        raise SuppressionError(
            "suppress_counts: these cells are not numbers: "
            + ", ".join(f"{r!r}/{c!r}" for r, c in bad[:5])
        )
    n_rows, n_cols = values.shape
    cid = lambda i, j: i * n_cols + j  # noqa: E731
    body_rows = [i for i in range(n_rows) if i != t_row]
    t_col = cols.index(total_col) if total_col is not None else None
    body_cols = [j for j in range(n_cols) if j != t_col]

    equations: list[_Equation] = []
    for j in range(n_cols):
        if t_row is not None:
            equations.append(_Equation([cid(i, j) for i in body_rows], cid(t_row, j)))
        elif column_totals_known:
            equations.append(_Equation([cid(i, j) for i in body_rows], None))
    for i in range(n_rows):
        if t_col is not None:
            equations.append(_Equation([cid(i, j) for j in body_cols], cid(i, t_col)))
        elif row_totals_known:
            equations.append(_Equation([cid(i, j) for j in body_cols], None))

    flat = values.reshape(-1)
    hidden = _secondary(flat, _primary(flat, min_count), equations, min_count)
    mask = pd.DataFrame(hidden.reshape(n_rows, n_cols), index=frame.index, columns=cols)
    return _apply(frame, mask)


def suppress_rates(
    frame: pd.DataFrame,
    *,
    rate_col: str | Sequence[str],
    base_col: str,
    min_base: int = MIN_COUNT,
    count_cols: Sequence[str] = (),
) -> pd.DataFrame:
    """Rates resting on fewer than `min_base` people (or on a hidden base or count) shown as "c".

    A base of 1-4 people is itself hidden too. Run `suppress_counts` on the base and count columns
    first when the table has totals, so the bases get secondary suppression.
    """
    rates = [rate_col] if isinstance(rate_col, str) else list(rate_col)
    _check_cols(frame, rates + [base_col] + list(count_cols), "suppress_rates")
    base_raw = frame[base_col]
    base = np.array([_num(v) for v in base_raw], dtype=float)
    base_hidden = np.array([isinstance(v, str) and v == SUPPRESSED for v in base_raw])
    small = _primary(base, min_base)
    hide = small | base_hidden
    for c in count_cols:
        hide |= np.array([isinstance(v, str) and v == SUPPRESSED for v in frame[c]])
    mask = pd.DataFrame(False, index=frame.index, columns=rates + [base_col])
    for r in rates:
        mask[r] = hide
    mask[base_col] = small | base_hidden
    return _apply(frame, mask)


def suppress_table(
    frame: pd.DataFrame,
    *,
    count_cols: Sequence[str] = (),
    rate_cols: Sequence[str] | Mapping[str, str] = (),
    base_col: str | None = None,
    total_row: object | None = None,
    total_col: str | None = None,
    label_col: str | None = None,
    min_count: int = MIN_COUNT,
) -> pd.DataFrame:
    """Counts (with the bases of rates) suppressed with secondary protection, then the rates.

    `rate_cols` is a list of rate columns all resting on `base_col`, or a mapping rate -> base.
    A rate is hidden when its base, or any count in its row, is hidden (the rate times its base
    could give the count back).
    """
    rate_bases = dict(rate_cols) if isinstance(rate_cols, Mapping) else {r: base_col for r in rate_cols}
    if any(b is None for b in rate_bases.values()):
        raise SuppressionError("suppress_table: rate columns need a base_col (people each rate rests on).")
    counts = list(dict.fromkeys(list(count_cols) + list(rate_bases.values())))
    out = frame
    if counts:
        out = suppress_counts(
            frame, count_cols=counts, total_row_label=total_row, total_col=total_col,
            label_col=label_col, min_count=min_count,
        )
    for rate, base in rate_bases.items():
        # conservative: a rate beside a hidden count may be that count divided by its base
        out = suppress_rates(out, rate_col=rate, base_col=base, min_base=min_count, count_cols=counts)
    return out


# ------------------------------------------------------------------------------------------
# the metric frame from metrics.engine.compute / evaluate

_METRIC_VALUE_COLS = ("value", "numerator", "denominator", "base_count", "change_on_year")


def _metric_rules(metric_id: str) -> tuple[bool, bool]:
    """(suppress at all, value is itself a count of people) from the catalogue when present."""
    try:
        from metrics.catalogue import CATALOGUE
    except ImportError:  # pragma: no cover - catalogue being written
        return True, False
    m = CATALOGUE.get(metric_id)
    if m is None:
        return True, False
    return bool(m.counts_people), m.unit == "count"


def suppress_metric_frame(frame: pd.DataFrame, *, min_count: int = MIN_COUNT) -> pd.DataFrame:
    """The engine's result frame made safe for scrutiny and export.

    A figure resting on fewer than 5 people (`base_count` 1-4; for count measures also a value of
    1-4) becomes "c" in value, numerator, denominator and base_count. Within each metric (and
    period, scope), the groups add up to the overall figure, so when one group is hidden the next
    smallest is hidden too (a group cannot be read off as overall minus the others); a lone
    group equal to the overall hides the overall. On `evaluate` output, change_on_year is hidden
    with the value and status becomes "grey". Adds `suppressed` (bool) and `suppression`
    ("primary" / "secondary" / None) columns; `attrs["suppressed"]` is the cell mask.
    """
    _check_cols(frame, ["metric_id", "value", "base_count"], "suppress_metric_frame")
    out = frame.copy()
    if "group" not in out.columns:
        out["group"] = None
    keys = [k for k in ("metric_id", "period", "scope") if k in out.columns]
    value_cols = [c for c in _METRIC_VALUE_COLS if c in out.columns]
    n = len(out)
    primary = np.zeros(n, dtype=bool)
    hidden = np.zeros(n, dtype=bool)
    base = np.array([_num(v) for v in out["base_count"]], dtype=float)
    value = np.array([_num(v) for v in out["value"]], dtype=float)
    grouped = out.groupby(keys, dropna=False, sort=False).indices if keys else {None: np.arange(n)}
    for key, idx in grouped.items():
        metric_id = key[0] if isinstance(key, tuple) else key
        applies, is_count = _metric_rules(str(metric_id))
        if not applies:
            continue
        idx = np.asarray(idx)
        prim = _primary(base[idx], min_count)
        if is_count:
            prim |= _primary(value[idx], min_count)
        is_overall = out["group"].iloc[idx].isna().to_numpy()
        overall = idx[is_overall]
        groups = idx[~is_overall]
        # the secondary equation: groups' bases add up to the overall base (shown or published)
        local = {int(p): k for k, p in enumerate(idx)}
        weights = base[idx].copy()
        if is_count:
            weights = np.where(np.isnan(value[idx]), weights, value[idx])
        eqs = []
        if len(groups):
            total = local[int(overall[0])] if len(overall) == 1 else None
            eqs.append(_Equation([local[int(p)] for p in groups], total))
        h = _secondary(weights, prim, eqs, min_count) if eqs else prim
        primary[idx] = prim
        hidden[idx] = h
    mask = pd.DataFrame(False, index=out.index, columns=value_cols)
    for c in value_cols:
        mask[c] = hidden
    out = _apply(out, mask)
    if "status" in out.columns:
        # a RAG colour says which side of the target a hidden value lies: not shown either
        out["status"] = out["status"].astype(object).where(~hidden, "grey")
    out["suppressed"] = hidden
    out["suppression"] = pd.Series(
        ["primary" if p else "secondary" if h else None for p, h in zip(primary, hidden)],
        index=out.index, dtype=object,
    )
    full = out.attrs["suppressed"].reindex(columns=out.columns, fill_value=False)
    out.attrs["suppressed"] = full
    return out
