"""The cell arithmetic of disclosure control: which cells to hide so none can be worked out.

Why apart from disclosure.policy: this is pure arithmetic on numbers and equations (a table's rows
and columns, linked tables across services); the policy decides what the cells count and which
outputs pass through it. Following the DfE / ONS statistical disclosure practice:

- **Primary**: a count of 1 to threshold-1 people (data/disclosure.toml, 5 by default), or a
  rate resting on one, shows as "c".
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
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from disclosure.rules import rules
from metrics.units import SUPPRESSED, is_hidden  # the symbol "c", defined once with the formatters


def threshold() -> int:
    """The smallest count shown (data/disclosure.toml)."""
    return rules().threshold


class SuppressionError(ValueError):
    """The table cannot be suppressed as asked (missing columns, text in a count column...)."""


# ------------------------------------------------------------------------------------------
# the core: cells, equations, and the iteration


@dataclass
class Equation:
    """Cells `body` adding up to the cell `total` (None: a total published elsewhere, known)."""

    body: list[int]          # cell ids that add up to the total
    total: int | None        # cell id of the total, None when the total is published elsewhere
    own: bool = True         # within one table (False: linking tables, e.g. services to the directorate)


def number(value: object) -> float:
    """A cell's figure as a float: NaN for "c", None and text."""
    if value is None or is_hidden(value):
        return math.nan
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _primary(values: np.ndarray, min_count: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (values > 0) & (values < min_count)


_BLAS: list[ThreadpoolController] = []


def _one_blas_thread():
    """BLAS (numpy's OpenBLAS) on one thread for the SVD below. Its default, a thread per core,
    made the SVDs of one Agency rules first render (six of ~300 x 500) take ~480 ms instead of
    ~25 on this 2-core machine: the threads spin against each other and against the server's
    other work. The same arithmetic on one thread (a process-wide setting for the context's
    length; a concurrent SVD elsewhere in the process may run single-threaded meanwhile)."""
    if not _BLAS:
        _BLAS.append(ThreadpoolController())  # the loaded BLAS libraries, found once (~1 ms)
    return _BLAS[0].limit(limits=1, user_api="blas")


def _determined(hidden: np.ndarray, equations: list[Equation],
                protect: np.ndarray | None = None) -> list[int]:
    """Protected hidden cells whose value follows exactly from the visible cells.

    A hidden cell is determined when its unit vector lies in the row space of the equations
    restricted to the hidden cells, i.e. every vector of the null space is zero there (one SVD)."""
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
    with _one_blas_thread():
        _, sv, vt = np.linalg.svd(a)
    rank = int((sv > 1e-9 * max(1.0, sv[0] if sv.size else 1.0)).sum())
    null = vt[rank:]
    out = []
    for c, k in pos.items():
        if protect is not None and not protect[c]:
            continue
        if null.shape[0] == 0 or np.abs(null[:, k]).max() < 1e-9:
            out.append(c)
    return out


class _Marks(threading.local):
    """The cells the table being protected treats specially, one set of each per thread:
    Streamlit serves each visitor in a thread of one process, and two tables protected at once
    must not read each other's marks (a test runs two in parallel)."""

    def __init__(self) -> None:
        #: cells alone in an equation with a known total (a one-row table): hiding them protects nothing
        self.pinned: set[int] = set()
        #: cells never hidden to protect another table's cells (the directorate's, for a service's)
        self.keep: set[int] = set()
        #: cells a reader knows anyway (published elsewhere): never chosen to protect another
        self.fixed: set[int] = set()


_MARKS = _Marks()


def _pick(values: np.ndarray, hidden: np.ndarray, eq: Equation, *, relax: bool = False) -> int | None:
    """The cell to hide next in `eq`: smallest non-zero visible body cell, else a zero, else the total.
    `relax`: the directorate's own cells may be picked too (last resort, when nothing else widens)."""
    marks = _MARKS
    kept = marks.fixed if eq.own or relax else marks.keep | marks.fixed
    visible = [c for c in eq.body if not hidden[c] and not math.isnan(values[c]) and c not in marks.pinned
               and c not in kept]
    nonzero = [c for c in visible if values[c] != 0]
    if nonzero:
        return min(nonzero, key=lambda c: (values[c], c))
    if visible:
        return min(visible)
    if eq.total is not None and not hidden[eq.total] and eq.total not in marks.pinned and eq.total not in kept:
        return eq.total
    return None


def _captions_narrow(body: Iterable[int], eff: np.ndarray, primary: np.ndarray, residual: float,
                     min_count: int) -> bool:
    """Do the hidden cells of one table's equation with a known total, all primary (so its
    caption tells a reader each is 1 to min_count-1: disclosure.audit.primary_range) and adding
    up to `residual`, pin one within less than that range? Of k such cells each is at least
    residual - (k-1)(min_count-1) and at most residual - (k-1): the range is whole only for a
    residual from k+min_count-2 to 1+(k-1)(min_count-1) (5 for two cells under 5). Demo, social
    workers, October 2026: two caseload bands adding up to 7 were each 3 or 4."""
    hidden = [c for c in body if eff[c]]
    k = len(hidden)
    if k < 2 or not all(primary[c] for c in hidden):
        return False
    return not (k + min_count - 2 <= residual <= 1 + (k - 1) * (min_count - 1))


def _secondary(
    values: np.ndarray, hidden: np.ndarray, equations: list[Equation], min_count: int,
    protect: np.ndarray | None = None, keep: np.ndarray | None = None,
    partner: np.ndarray | None = None, primary: np.ndarray | None = None,
) -> np.ndarray:
    """Extend `hidden` until no protected cell can be recovered from the equations.

    `protect` (default: the cells hidden on entry) are the cells that must not be worked out;
    other hidden cells (e.g. a part never published) may be, as long as no protected one is.
    `partner` (class cells' zero parts, `protect_grid`): an equation whose hidden cells include
    one and add up to 0 gives each of them away as 0 (counts are at least 0), so it is treated
    as a small sum: its smallest visible non-zero cell is hidden too. `primary` (where captions
    give each hidden cell's reason): the cells a caption calls small; a table's equation whose
    hidden cells are all such and pin one within less than its caption's range
    (`_captions_narrow`) has its smallest visible non-zero cell hidden too.
    """
    hidden = hidden.copy()
    marks = _MARKS
    marks.pinned = {eq.body[0] for eq in equations  # alone beside a total a reader knows
                    if len(eq.body) == 1 and (eq.total is None or eq.total in marks.fixed)}
    # cells never chosen to protect another table (the directorate's own figures)
    marks.keep = set() if keep is None else {int(c) for c in np.flatnonzero(keep)}
    # hidden on entry but free to be worked out (a part never published, not itself small);
    # every other hidden cell, secondary ones included, must stay unrecoverable
    free = np.zeros(values.size, dtype=bool) if protect is None else hidden & ~protect
    protect = ~free
    for _ in range(values.size + 1):
        changed = False
        # a free cell alone unknown in some equation is as good as published: treat it as known
        eff = hidden.copy()
        if free.any():
            moved = True
            while moved:
                moved = False
                for eq in equations:
                    members = eq.body + ([eq.total] if eq.total is not None else [])
                    unknown = [c for c in members if eff[c]]
                    if len(unknown) == 1 and free[unknown[0]]:
                        eff[unknown[0]] = False
                        moved = True
        for eq in equations:
            members = eq.body + ([eq.total] if eq.total is not None else [])
            n_hidden = sum(bool(eff[c]) for c in members)
            if n_hidden == 0 or not any(protect[c] and hidden[c] for c in members):
                continue
            need = n_hidden == 1
            total_known = eq.total is None or not eff[eq.total]
            if not need and total_known:
                residual = sum(values[c] for c in eq.body if eff[c] and not math.isnan(values[c]))
                need = 0 < residual < min_count or (
                    residual == 0 and partner is not None and any(partner[c] and eff[c] for c in eq.body)) or (
                    primary is not None and eq.own and _captions_narrow(eq.body, eff, primary, residual, min_count))
            if need:
                c = _pick(values, hidden, eq)
                if c is None:
                    # nothing left to hide here, but a free cell of this equation is known through
                    # another equation: hide a published cell there, so it becomes unknown
                    for f in sorted((m for m in members if hidden[m] and not eff[m]), key=lambda m: values[m]):
                        for eq2 in equations:
                            if eq2 is not eq and f in eq2.body + ([eq2.total] if eq2.total is not None else []):
                                c = _pick(values, hidden, eq2)
                                if c is not None:
                                    break
                        if c is not None:
                            break
                if c is not None:
                    hidden[c] = True
                    changed = True
        if changed:
            continue
        # rows-and-columns together: hide a neighbour of any cell still determined
        determined = _determined(hidden, equations, protect)
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
    return frame.apply(lambda s: s.map(is_hidden)).astype(bool)


def suppress_counts(
    frame: pd.DataFrame,
    *,
    count_cols: Sequence[str],
    total_row_label: object | None = None,
    total_col: str | None = None,
    label_col: str | None = None,
    min_count: int | None = None,
    column_totals_known: bool = True,
    row_totals_known: bool = False,
) -> pd.DataFrame:
    """Counts of people with primary and secondary suppression applied (hidden cells hold "c").

    `total_row_label` names the total row (matched against `label_col`, else the index);
    `total_col` the column holding each row's total. Without a total row, each column's total is
    assumed to be known anyway (`column_totals_known`: the overall figure is published elsewhere),
    which is the safe assumption for a breakdown of a published figure.
    """
    min_count = min_count or threshold()
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
    values = np.array([[number(v) for v in raw[c]] for c in cols], dtype=float).T  # rows x cols
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

    equations: list[Equation] = []
    for j in range(n_cols):
        if t_row is not None:
            equations.append(Equation([cid(i, j) for i in body_rows], cid(t_row, j)))
        elif column_totals_known:
            equations.append(Equation([cid(i, j) for i in body_rows], None))
    for i in range(n_rows):
        if t_col is not None:
            equations.append(Equation([cid(i, j) for j in body_cols], cid(i, t_col)))
        elif row_totals_known:
            equations.append(Equation([cid(i, j) for j in body_cols], None))

    flat = values.reshape(-1)
    hidden = _secondary(flat, _primary(flat, min_count), equations, min_count)
    mask = pd.DataFrame(hidden.reshape(n_rows, n_cols), index=frame.index, columns=cols)
    return _apply(frame, mask)


def suppress_rates(
    frame: pd.DataFrame,
    *,
    rate_col: str | Sequence[str],
    base_col: str,
    min_base: int | None = None,
    count_cols: Sequence[str] = (),
) -> pd.DataFrame:
    """Rates resting on fewer than `min_base` people (or on a hidden base or count) shown as "c".

    A base of 1-4 people is itself hidden too. Run `suppress_counts` on the base and count columns
    first when the table has totals, so the bases get secondary suppression.
    """
    min_base = min_base or threshold()
    rates = [rate_col] if isinstance(rate_col, str) else list(rate_col)
    _check_cols(frame, rates + [base_col] + list(count_cols), "suppress_rates")
    base_raw = frame[base_col]
    base = np.array([number(v) for v in base_raw], dtype=float)
    base_hidden = np.array([is_hidden(v) for v in base_raw])
    small = _primary(base, min_base)
    hide = small | base_hidden
    for c in count_cols:
        hide |= np.array([is_hidden(v) for v in frame[c]])
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
    min_count: int | None = None,
) -> pd.DataFrame:
    """Counts (with the bases of rates) suppressed with secondary protection, then the rates.

    `rate_cols` is a list of rate columns all resting on `base_col`, or a mapping rate -> base.
    A rate is hidden when its base, or any count in its row, is hidden (the rate times its base
    could give the count back).
    """
    min_count = min_count or threshold()
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
# a grid of cells with reasons (the one routine tables and metric frames both use)

#: why a cell is hidden, in the order a caption gives them
REASON_ORDER = ("primary", "class", "over_time", "secondary")


def class_cells(values: np.ndarray, equations: list[Equation], *, low: int, under: int,
                sensitive: np.ndarray | None = None) -> np.ndarray:
    """Class disclosure: in a group of `low` to `under`-1 people that an equation splits into
    parts, all of them in one part (every leaver from a service resigned) reveals that part's
    answer for each of them: that part is marked."""
    out = np.zeros(values.size, dtype=bool)
    for answer, _ in _class_groups(values, equations, low=low, under=under, sensitive=sensitive):
        out[answer] = True
    return out


def class_zeros(values: np.ndarray, equations: list[Equation], *, under: int,
                sensitive: np.ndarray | None = None) -> np.ndarray:
    """The zeros beside the one answer of a group of 1 to `under`-1 people: hidden with it, or
    "c, 0" would still say that everyone in the group gave the hidden answer (every leaver from
    Youth resigned). They need only be hidden, not kept uncertain by the threshold: the reader
    must not know them to be 0, and hiding more cells only widens every other range."""
    out = np.zeros(values.size, dtype=bool)
    for _, zeros, _ in _one_answer_groups(values, equations, under=under, sensitive=sensitive):
        out[[c for c in zeros if sensitive is None or sensitive[c]]] = True
    return out


def class_answers(values: np.ndarray, equations: list[Equation], *, under: int,
                  sensitive: np.ndarray | None = None) -> np.ndarray:
    """The one answer of every group of 1 to `under`-1 people all in one part (`_one_answer_groups`:
    Children in Care's one senior manager, living in the county). Where it is hidden for being
    small, its caption must not say so: a reader who reads "fewer than 5 people" of it knows it is
    at least 1, and of its hidden zero partners (`class_zeros`, captioned "everyone in a small
    group gave the same answer") that they are the zeros; so the group's answer. Both are captioned
    as the class they hide (disclosure.system `System.protect`)."""
    out = np.zeros(values.size, dtype=bool)
    for answer, _, _ in _one_answer_groups(values, equations, under=under, sensitive=sensitive):
        out[answer] = True
    return out


def class_partners(values: np.ndarray, equations: list[Equation], *, low: int, under: int) -> np.ndarray:
    """The zero parts beside each class cell (`class_cells`: SEND's minorities, 0, beside its 9
    White staff). They are what the class cell hides: a reader who knows them to be 0 knows the
    group's one answer, whatever else is hidden, so they are protected with it (`protect_grid`):
    never alone unknown, never determined, and never among hidden cells that add up to 0."""
    out = np.zeros(values.size, dtype=bool)
    for _, zeros in _class_groups(values, equations, low=low, under=under, sensitive=None):
        out[zeros] = True
    return out


def _class_groups(values: np.ndarray, equations: list[Equation], *, low: int, under: int,
                  sensitive: np.ndarray | None):
    """(the answer, its zero parts) for every group of `low` to `under`-1 people all in one part
    (`_one_answer_groups`): the class cells (`class_cells`) and their zero partners (`class_partners`)."""
    if under <= low:
        return
    for answer, zeros, total in _one_answer_groups(values, equations, under=under, sensitive=sensitive):
        if total >= low:
            yield answer, zeros


def _one_answer_groups(values: np.ndarray, equations: list[Equation], *, under: int,
                       sensitive: np.ndarray | None):
    """(the answer, its zero parts, the group's size) for every group of 1 to `under`-1 people
    that an equation splits into parts, all in one part whose answer says something (sensitive)."""
    for eq in equations:
        body = [c for c in eq.body if not math.isnan(values[c])]
        if len(body) < 2:
            continue  # a single part is the group itself, not an answer
        total = values[eq.total] if eq.total is not None else sum(values[c] for c in body)
        nonzero = [c for c in body if values[c] != 0]
        if len(nonzero) == 1 and 1 <= total < under and (sensitive is None or sensitive[nonzero[0]]):
            yield nonzero[0], [c for c in body if values[c] == 0], total


def protect_grid(values: np.ndarray, equations: list[Equation], *, primary: np.ndarray,
                 virtual: np.ndarray | None = None, forced: np.ndarray | None = None,
                 class_: np.ndarray | None = None, min_count: int | None = None,
                 exact: bool = True, keep: np.ndarray | None = None,
                 fixed: np.ndarray | None = None, partner: np.ndarray | None = None,
                 captions: np.ndarray | None = None, captioned: np.ndarray | None = None,
                 ranges: Mapping[int, tuple[float, float]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(hidden, reason) for every cell: primary, class and forced (hidden in an earlier
    publication) cells are protected, `virtual` cells (never published, e.g. "18 minus 17")
    are hidden but only protected when small; secondary cells are added until no protected cell
    can be worked out. `partner`: the zeros beside class cells (`class_partners`), hidden and
    protected with them, and never left among hidden cells of an equation that add up to 0 (a
    reader knows counts are at least 0: SEND's and Youth's hidden minorities adding up to 0
    are each 0). `captions` (each published cell's caption: its table and view; -1 none): a
    reader of a caption whose hidden cells are all primary knows each is 1 to min_count-1
    (disclosure.audit.primary_range), which the protection must leave them all of (`_widen`'s
    `captions`). A virtual cell has no caption (never published: a row's rest is no "c" a caption
    counts), so neither step reads the bound of it: read of the rests, `_secondary`'s rule hid a
    large cell for them (the demo directorate's team managers 15 of 15, social workers, October
    2026: their rest's 0 was the only cell left to pick). `captioned`: the cells a caption calls
    primary when hidden (default `primary`; disclosure.policy captions every count of 1 to
    min_count-1 so, a small "Not known" that is not itself protected too, but a small group's one
    answer, captioned as its class: disclosure.system `System.small`, `System.as_class`).
    `ranges` {cell: (low, high)}: what the captions alone leave of a captioned cell where that is
    less than the caption's 1 to min_count-1 (`_widen`'s; given, the captions are read per cell
    and the ranges solved even where no two equations cross). `reason` is None for shown cells and for virtual cells not protected."""
    n = values.size
    min_count = min_count or threshold()
    virtual = np.zeros(n, dtype=bool) if virtual is None else virtual
    forced = np.zeros(n, dtype=bool) if forced is None else forced
    class_ = np.zeros(n, dtype=bool) if class_ is None else class_
    partner = np.zeros(n, dtype=bool) if partner is None else partner
    protect = primary | class_ | forced | partner
    _MARKS.fixed = set() if fixed is None else {int(c) for c in np.flatnonzero(fixed)}
    small = primary if captioned is None else captioned
    try:
        hidden = _secondary(values, protect | virtual, equations, min_count, protect, keep,
                            partner if partner.any() else None, None if captions is None else small & ~virtual)
        if exact and (_crossed(hidden, equations) or ranges is not None):  # (captions read per cell: a
            # column alone can pin a captioned cell too, 4 + 3 + 3 hidden of a known 10 each 2 to 4)
            hidden = _widen(values, hidden, equations, protect, min_count,
                            captions=None if captions is None else np.where(virtual, -1, captions), primary=small,
                            ranges=ranges)
    finally:
        _MARKS.fixed = set()
    reason = np.array([None] * n, dtype=object)
    for i in range(n):
        if primary[i]:
            reason[i] = "primary"
        elif class_[i]:
            reason[i] = "class"
        elif forced[i]:
            reason[i] = "over_time"
        elif hidden[i] and not virtual[i]:
            reason[i] = "secondary"
    return hidden, reason


def attack_equations(values: np.ndarray, equations: Iterable[Equation]) -> list[tuple[list[tuple[int, float]], float]]:
    """The `equations` whose cells are all figures (none NaN), as disclosure.audit's System reads
    them ([(cell, coefficient)], right-hand side): a total's equation as body - total = 0, one
    without a total as body = the sum of its figures. The one translation every protection step
    that asks the attacker's linear programmes uses."""
    out = []
    for eq in equations:
        if any(math.isnan(values[c]) for c in [*eq.body, *([eq.total] if eq.total is not None else [])]):
            continue
        terms = [(c, 1.0) for c in eq.body]
        out.append((terms + [(eq.total, -1.0)], 0.0) if eq.total is not None
                   else (terms, float(sum(values[c] for c in eq.body))))
    return out


def _crossed(hidden: np.ndarray, equations: list[Equation]) -> bool:
    """Do equations share hidden cells (a two-way table)? Then the rules per equation are not
    enough: solved together, they can pin a cell to a narrow range."""
    seen: dict[int, int] = {}
    for eq in equations:
        for c in eq.body + ([eq.total] if eq.total is not None else []):
            if hidden[c]:
                seen[c] = seen.get(c, 0) + 1
    return sum(1 for n in seen.values() if n > 1) > 1


#: how far a bound or a point must clear the threshold to settle a range without its linear
#: programmes (their answers are exact to about 1e-9; counts are whole numbers)
_SURE = 1e-6
#: True: every range by its two linear programmes, as before the caps and points (tests compare)
_EXHAUSTIVE = False


def _widen(values: np.ndarray, hidden: np.ndarray, equations: list[Equation], protect: np.ndarray,
           min_count: int, *, rounds: int | None = None, captions: np.ndarray | None = None,
           primary: np.ndarray | None = None, ranges: Mapping[int, tuple[float, float]] | None = None
           ) -> np.ndarray:
    """Hide further cells until every protected cell's feasible range (linear programming over
    all the equations at once, as disclosure.audit attacks it) is at least `min_count` wide.
    `captions` (each published cell's caption, -1 none) and `primary`: a reader of a caption knows
    each cell it calls primary is 1 to min_count-1 (disclosure.audit.primary_range), read per cell
    (the secondary cells beside them in a caption no longer hide which is which); solved with those
    bounds, each must keep the whole of that range too (hiding a cell only widens every range and
    adds no bound: still monotone). `ranges` {cell: (low, high)}: where the captions alone (every
    cell a reader does not know hidden) leave a captioned cell less than that range, what they
    leave is what it keeps (`disclosure.system.caption_ranges`: three services' 1, 1 and 1 under 5
    tell the directorate's total under 5 is 3 or 4, whatever is hidden)."""
    from disclosure.audit import System, primary_range, too_narrow as short_of

    hidden = hidden.copy()
    usable = [eq for eq in equations
              if not any(math.isnan(values[c]) for c in eq.body + ([eq.total] if eq.total is not None else []))]
    eqs = attack_equations(values, usable)

    cells_of = [eq.body + ([eq.total] if eq.total is not None else []) for eq in usable]
    numbers = ~np.isnan(values)
    floor, ceiling = primary_range(min_count)
    small = np.zeros(values.size, dtype=bool) if captions is None or primary is None \
        else primary & numbers & (captions >= 0)

    def captioned(hidden: np.ndarray) -> np.ndarray:
        """The hidden cells a caption calls primary, each read as 1 to min_count-1 on its own, in a
        caption that also counts secondary cells too (a reader who tells which hidden cell is
        which, as the audit's per-cell reading does: docs/DECISIONS.md, captions22)."""
        return small & hidden
    # feasible points of the system (every cell's value), for settling a range without solving
    # for it: the true figures, then every optimum found. Hiding a cell keeps a point feasible;
    # showing one again keeps those points that hold its true value (filtered where read).
    points = [np.where(numbers, values, 0.0)]
    # (a negative figure is not a feasible point: then every range by its linear programmes)
    exhaustive = _EXHAUSTIVE or bool((values[numbers] < 0).any())
    # a cell in the body of an equation whose total is known is at most that total minus the
    # equation's known cells (and at least 0): its range is no wider than that
    capped = [(np.array(eq.body), eq.total, (float(sum(values[c] for c in eq.body)) if eq.total is None else None))
              for eq in usable]
    caps_of: dict[int, list[int]] = {}
    for k, (body, _, _) in enumerate(capped):
        for c in body:
            caps_of.setdefault(int(c), []).append(k)

    def cap(i: int, hidden: np.ndarray) -> float:
        out = math.inf
        for k in caps_of.get(i, ()):
            body, total, published = capped[k]
            if total is not None and hidden[total]:
                continue
            whole = published if total is None else float(values[total])
            out = min(out, whole - float(values[body[~hidden[body]]].sum()))
        return out

    def narrow_of(hidden: np.ndarray, among: list[int] | None = None, *, first: bool = False) -> list[int]:
        """The protected hidden cells (all, or those in `among`) whose range is too narrow;
        `first`: stop at the first one found (when only whether any is narrow matters)."""
        known = {i: float(values[i]) for i in range(values.size) if not hidden[i] and numbers[i]}
        unknown = [i for i in range(values.size) if hidden[i] and numbers[i]]
        watch = [i for i in unknown if protect[i] and (among is None or i in among)]
        # a cell that is the only hidden one in an equation is worked out exactly: no LP needed
        alone = {c for m in cells_of for c in m if hidden[c] and sum(1 for x in m if hidden[x]) == 1}
        if first and any(i in alone for i in watch):
            return [next(i for i in watch if i in alone)]
        # the lowest and highest value of each cell among the points still feasible (those
        # holding every shown cell's true value): a cell's range is at least their difference
        shown = ~hidden & numbers
        pts = np.array(points)
        pts = pts[np.all(np.abs(pts[:, shown] - values[shown]) <= _SURE, axis=1)]
        seen = [pts.min(axis=0), pts.max(axis=0)]
        lp = None

        def solve(i: int, sense: str) -> float:
            nonlocal lp
            if lp is None:  # one system for every cell still to solve (its HiGHS model reused)
                lp = System(known=known, hidden=unknown, equations=eqs, points=[])
            before = len(lp.points)
            bound = lp.low(i) if sense == "low" else lp.high(i)
            for found in lp.points[before:]:  # each optimum: a feasible point of this system
                p = np.where(numbers & ~hidden, values, 0.0)
                p[list(found)] = list(found.values())
                points.append(p)
                seen[0], seen[1] = np.minimum(seen[0], p), np.maximum(seen[1], p)
            return bound

        bounded = captioned(hidden)
        by_caption = None

        def short_of_caption(i: int) -> bool:
            """A captioned cell's range, every captioned cell within its caption's bounds, is not
            the whole of them (disclosure.audit.too_narrow's `captioned`)."""
            nonlocal by_caption
            low, top = (ranges or {}).get(i, (floor, ceiling))
            if cap(i, hidden) < top - _SURE:
                return True
            if by_caption is None:
                by_caption = System(known=known, hidden=unknown, equations=eqs,
                                    bounds={int(c): (floor, ceiling) for c in np.flatnonzero(bounded)})
            high = by_caption.high(i)
            if high < top - 1e-9:
                return True
            if (low, top) != (floor, ceiling):
                return by_caption.low(i) > low + 1e-9
            return bool(short_of({i: (by_caption.low(i), high)}, threshold=min_count, captioned=[i]))

        def too_narrow(i: int) -> bool:
            """The two linear programmes' answer, from them only when neither a cap nor the
            points seen settle it; a captioned cell's also with its caption's bounds."""
            return _too_narrow(i) or bool(bounded[i] and short_of_caption(i))

        def _too_narrow(i: int) -> bool:
            if exhaustive:
                low = solve(i, "low")
                return solve(i, "high") - low < min_count - 1e-9
            if cap(i, hidden) < min_count - _SURE:
                return True
            if seen[1][i] - seen[0][i] >= min_count + _SURE:
                return False
            # the highest first: the lowest is at least 0 and at most the lowest seen
            high = solve(i, "high")
            if high < min_count - _SURE:
                return True
            if high - seen[0][i] >= min_count + _SURE:
                return False
            return high - solve(i, "low") < min_count - 1e-9

        out = []
        for i in watch:
            if i in alone or too_narrow(i):
                out.append(i)
                if first:
                    break
        return out[:1] if first else out

    added: list[int] = []
    narrow = None
    for _ in range(rounds or values.size + 1):  # each round hides one more cell
        # hiding a cell only widens every range (the previous solution stays feasible), so a
        # cell found wide stays wide: only the cells narrow last round are looked at again
        narrow = narrow_of(hidden, narrow)
        if not narrow:
            break
        pick = None
        keep = _MARKS.keep
        for cell in narrow:  # the smallest visible cell in an equation with a narrow cell
            options = [_pick(values, hidden, eq) for eq, members in zip(usable, cells_of) if cell in members]
            options = [o for o in options if o is not None]
            if options:
                pick = min(options, key=lambda c: (values[c] == 0, values[c]))
                if pick in keep:
                    # the directorate's own figure (picked in its own equation): a service's cell
                    # beside another narrow cell, where there is one, first (demo, social workers,
                    # 2024-10: the directorate's 50 social workers living in the county were hidden
                    # for its senior managers' 1 when services' cells also protected it)
                    others = [o for c2 in narrow for eq, members in zip(usable, cells_of) if c2 in members
                              for o in [_pick(values, hidden, eq)] if o is not None and o not in keep]
                    if others:
                        pick = min(others, key=lambda c: (values[c] == 0, values[c]))
                break
        if pick is None:
            # none in their own equations: look along the hidden cells linked to them (a small
            # service's row is all hidden; the cell to hide is in another service's column)
            seen, frontier, options = set(narrow), list(narrow), []
            while frontier and not options:
                nxt = []
                for cell in frontier:
                    for eq, members in zip(usable, cells_of):
                        if cell not in members:
                            continue
                        o = _pick(values, hidden, eq)
                        if o is not None:
                            options.append(o)
                        for m in members:
                            if hidden[m] and m not in seen:
                                seen.add(m)
                                nxt.append(m)
                frontier = nxt
            if options:
                pick = min(options, key=lambda c: (values[c] == 0, values[c]))
        if pick is None:
            # last resort: the directorate's own figures (kept so far) in the narrow cells' equations
            options = [o for cell in narrow for eq, members in zip(usable, cells_of) if cell in members
                       for o in [_pick(values, hidden, eq, relax=True)] if o is not None]
            if options:
                pick = min(options, key=lambda c: (values[c] == 0, values[c]))
        if pick is None:
            # every cell of every equation that holds them is hidden (the whole group): what is
            # left narrow follows from totals published elsewhere, which this table cannot hide
            return hidden
        hidden[pick] = True
        added.append(pick)
    else:
        return hidden
    # the greedy choice may have hidden a cell that a later one made unnecessary: show again,
    # largest first, every cell hidden here whose return leaves every protected cell wide
    for c in sorted(added, key=lambda c: -values[c]):
        hidden[c] = False
        if narrow_of(hidden, first=True):
            hidden[c] = True
    return hidden


# ------------------------------------------------------------------------------------------
# the metric frame from metrics.engine.compute / evaluate

_METRIC_VALUE_COLS = ("value", "numerator", "denominator", "base_count", "change_on_year")

#: rates whose numerator and denominator are both headcounts: the numerator, and the people in
#: the denominator but not the numerator ("17 of 18" reveals 1), are counts of people too. Other
#: measures rest on `base_count` people (their numerator is FTE, days, cases or posts).
PEOPLE_RATES = frozenset({
    "stability_index_12m", "early_leaver_rate_12m", "caseload_over_threshold_rate",
    "ethnic_minority_rate", "aged_55_plus_rate", "local_residence_rate",
    # the agency rules' shares: assignments (agency workers) breaking a rule, of all assignments
    # (within the cap: of those with a cap). The Agency rules page protects the same counts; a
    # card showing "11.1% of 27" gave its hidden 3 cap breaches away (demo, 2026-10)
    "agency_within_cap_rate", "agency_unsigned_cap_breach_rate", "agency_under_experience_rate",
    "agency_short_notice_rate", "agency_references_incomplete_rate", "agency_cool_off_breach_rate",
    "agency_long_assignment_rate", "agency_project_team_rate",
})


#: rates whose denominator is the people with a recorded answer: the scope's headcount minus the
#: denominator is the number whose answer is not recorded (published numerators and
#: denominators would give it away)
KNOWN_ANSWER_RATES = frozenset({"ethnic_minority_rate", "aged_55_plus_rate", "local_residence_rate"})

#: engine frame column: the people in the row's view (its scope, service and group) at the month,
#: beside a known-answer rate when the rules call unrecorded answers sensitive
#: (`Rules.shown_whatever_size` empty): the rate's denominator then rests on the people with no
#: answer recorded (this minus it), protected as a count too. Never published (the policy drops it).
PEOPLE_IN_VIEW = "people_in_view"


#: measures over 12 months published (to suppressed roles and in every file) only for the year to
#: the end of CENSUS_MONTH, and only when all 12 months of that year are loaded; every other month
#: their rate and numerator read "x" (the denominator and base follow the policy). A row hidden
#: at such a month for its unpublished cells alone (a small numerator, its rest, a class) is
#: hidden so that a small group cannot be worked out: "secondary" (`_metric_decisions`), never
#: "primary" ("fewer than 5 people"), which beside an "x" would say the early leavers were few.
#: Why: the early leavers of successive overlapping 12-month windows differ by the month's early
#: leavers less those of 12 months before, and the partial figures of the first loaded year are
#: running totals: a reader chains them and works small counts out (issue 10; chaining them in the
#: policy cost ~90 s a population a load). Non-overlapping years leave nothing to difference (GSS
#: disclosure guidance on differencing); DfE's children's social work workforce release publishes
#: leavers and starters for the year to 30 September (its census year).
YEAR_TO_SEPTEMBER = frozenset({"early_leaver_rate_12m"})
CENSUS_MONTH = 9


def not_available(frame: pd.DataFrame, *, mine: np.ndarray | None = None) -> np.ndarray:
    """True for each row of an engine frame whose rate and numerator are not published
    (YEAR_TO_SEPTEMBER): a measure of them at any month but CENSUS_MONTH, or at CENSUS_MONTH
    with fewer than 12 months of its year loaded (`months_covered`, `partial`; a frame without
    them cannot show its year is whole, so it is not). `mine`: the measure's rows, when known."""
    out = np.zeros(len(frame), dtype=bool)
    if frame.empty or "metric_id" not in frame.columns:
        return out
    if mine is None:
        mine = np.flatnonzero(frame["metric_id"].isin(YEAR_TO_SEPTEMBER).to_numpy(dtype=bool))
    if not mine.size:
        return out
    if "period" not in frame.columns or ("months_covered" not in frame.columns and "partial" not in frame.columns):
        out[mine] = True
        return out
    full = np.array([pd.Timestamp(p).month == CENSUS_MONTH for p in frame["period"].to_numpy()[mine]], dtype=bool)
    if "months_covered" in frame.columns:
        covered = np.array([_unset(v) for v in frame["months_covered"].to_numpy()[mine]], dtype=object)
        full &= np.array([v is not None and float(v) >= 12 for v in covered], dtype=bool)
    if "partial" in frame.columns:
        full &= np.array([_unset(p) is not None and not bool(p) for p in frame["partial"].to_numpy()[mine]], dtype=bool)
    out[mine] = ~full
    return out


def _unset(v: object) -> object:
    """None for a blank cell (None, NaN, pd.NA: `_blank`), else the value: a frame's key as the
    decisions group on it."""
    return None if _blank(v) else v


def _metric_rules(metric_id: str) -> tuple[bool, bool]:
    """(suppress at all, value is itself a count of people) from the catalogue when present."""
    from metrics.catalogue import CATALOGUE

    m = CATALOGUE.get(metric_id)
    if m is None:
        return True, False
    return bool(m.counts_people), m.unit == "count"


def suppress_metric_frame(frame: pd.DataFrame, *, min_count: int | None = None,
                          class_under: int | None = None, across: str | None = None,
                          forced: Sequence[bool] | None = None, known: Sequence[bool] | None = None,
                          people_known: Sequence[bool] | None = None,
                          decided: tuple[Sequence[bool], Sequence[object]] | None = None
                          ) -> pd.DataFrame:
    """The engine's result frame made safe for scrutiny and export.

    Within each metric (and period, scope) the rows form a table of people counts: `base_count`
    (the people a figure rests on), for a count measure its value, and for a rate of headcounts
    (PEOPLE_RATES) the numerator and the rest of the denominator. Rows are keyed by `group`
    (None = the overall figure) and, with `across` (e.g. a "service" column), by that too: a
    two-way table with its margins (service totals, group totals, the grand total), so a group in
    one service cannot be worked out from the directorate minus the other services either.
    A count of 1 to threshold-1 hides the row's value, numerator, denominator and base_count
    ("c"); further rows are hidden until no hidden count can be worked out (a lone group equal to
    its total hides the total); a small group all on one side of a rate (6 of 6) is hidden too
    (class). `forced` rows (hidden in an earlier publication) stay hidden; `people_known` rows
    among them have people a reader knows anyway (their base, for a rate of headcounts its
    denominator, published by a row of the same figure): that cell is known, the rest of the row
    hidden as forced, so the cells beside it are protected with it known. On `evaluate` output
    status becomes "grey". Adds `suppressed` (bool) and `suppression` (primary / secondary /
    class / over_time / None).

    `decided` = (suppressed, suppression) per row, as this function decided them before for the
    same frame and rules (kept per load: disclosure.history): applied as they are, not re-decided.
    """
    _check_cols(frame, ["metric_id", "value", "base_count"] + ([across] if across else []),
                "suppress_metric_frame")
    out = frame.copy()
    if "group" not in out.columns:
        out["group"] = None
    if decided is None:
        hidden, why = _metric_decisions(out, min_count=min_count or threshold(),
                                        class_under=rules().class_group_under if class_under is None else class_under,
                                        across=across, forced=forced, known=known, people_known=people_known)
    else:
        hidden = np.asarray(decided[0], dtype=bool)
        why = np.array(list(decided[1]), dtype=object)
        if hidden.shape != (len(out),) or why.shape != (len(out),):
            raise SuppressionError(f"suppress_metric_frame: {hidden.size} decisions for {len(out)} rows.")
    value_cols = [c for c in _METRIC_VALUE_COLS if c in out.columns]
    mask = pd.DataFrame(False, index=out.index, columns=value_cols)
    for c in value_cols:
        mask[c] = hidden
    out = _apply(out, mask)
    if "status" in out.columns:
        # a RAG colour says which side of the target a hidden value lies: not shown either
        out["status"] = out["status"].astype(object).where(~hidden, "grey")
    out["suppressed"] = hidden
    out["suppression"] = pd.Series(list(why), index=out.index, dtype=object)
    full = out.attrs["suppressed"].reindex(columns=out.columns, fill_value=False)
    out.attrs["suppressed"] = full
    return out


#: the agency rules' share within the price cap: of a view's assignments with a cap. The shares
#: over all of a view's assignments (on the Staff sheet) are published beside it: every assignment
#: of a job type with a cap has one (agency.checks), so all assignments less those with a cap are
#: the assignments of the job types without one ("Other"), a count a reader works out from two
#: published denominators (demo, 2024-10: 47 assignments, 46 with a cap: 1 Other). That rest is
#: protected as a known-answer rate's unrecorded rest is (`_metric_decisions`: a fourth layer, never
#: published, beside the view's assignments, known).
WITHIN_CAP = "agency_within_cap_rate"
#: the £ above the price cap per hour: its denominator (and base) is the view's assignments above
#: the cap, the rest of WITHIN_CAP's numerator in its denominator. One figure published twice: the
#: two rows are decided as one grid (`_metric_decisions`: WITHIN_CAP's rest is a published cell,
#: the £ above the cap's row hidden where it is). Decided apart, each hid a small count alone but
#: not together: A 6 of 11 within the cap shown (5 above), C's 19 above the cap shown, so B's 3
#: above it = 27 - 5 - 19 (issue 10; tests/app/test_disclosure_audit.py, `above_cap_twice`)
ABOVE_CAP = "agency_above_cap_per_hour"
OVER_ALL_ASSIGNMENTS = ("agency_unsigned_cap_breach_rate", "agency_under_experience_rate",
                        "agency_short_notice_rate", "agency_references_incomplete_rate",
                        "agency_cool_off_breach_rate", "agency_long_assignment_rate", "agency_project_team_rate")


def _all_assignments(out: pd.DataFrame, den: np.ndarray, across: str | None) -> np.ndarray | None:
    """For each WITHIN_CAP row of `out`, the view's assignments (the denominator of a share over
    all assignments, OVER_ALL_ASSIGNMENTS, of the same month, population, view and group); NaN
    elsewhere. None when the frame holds no such pair."""
    ids = out["metric_id"].to_numpy(dtype=object)
    mine = np.flatnonzero(ids == WITHIN_CAP)
    over = [m for m in OVER_ALL_ASSIGNMENTS if (ids == m).any()]
    if not mine.size or not over:
        return None
    cols = [c for c in ("period", "scope", "group", across) if c and c in out.columns]
    keys = list(zip(*(out[c].map(_unset) for c in cols))) if cols \
        else [()] * len(out)
    whole = {keys[i]: den[i] for i in np.flatnonzero(ids == over[0]) if not math.isnan(den[i])}
    got = np.full(len(out), np.nan)
    for i in mine:
        got[i] = whole.get(keys[i], np.nan)
    return None if np.isnan(got[mine]).all() else got


def _above_cap_rows(grouped: Mapping, col_of: list, row_of: list) -> dict:
    """{"of": {WITHIN_CAP's group key: {(service, group): the ABOVE_CAP row of the same month,
    population, service and group}}, "decided": those rows} (`_metric_decisions`)."""
    of: dict = {}
    decided: set[int] = set()
    keys = {(k if isinstance(k, tuple) else (k,)): k for k in grouped}  # one key or several
    for norm, key in keys.items():
        if norm[0] != ABOVE_CAP or (WITHIN_CAP, *norm[1:]) not in keys:
            continue
        idx, mine = grouped[key], keys[(WITHIN_CAP, *norm[1:])]
        cells = {(col_of[int(i)], row_of[int(i)]) for i in grouped[mine]}
        pairs = {(col_of[int(i)], row_of[int(i)]): int(i) for i in idx}
        of[mine] = {c: j for c, j in pairs.items() if c in cells}
        decided |= set(of[mine].values())
    return {"of": of, "decided": decided}


def _metric_decisions(out: pd.DataFrame, *, min_count: int, class_under: int, across: str | None,
                      forced: Sequence[bool] | None, known: Sequence[bool] | None,
                      people_known: Sequence[bool] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(hidden, reason) per row of an engine frame (suppress_metric_frame's decision)."""
    keys = [k for k in ("metric_id", "period", "scope") if k in out.columns]
    n = len(out)
    hidden = np.zeros(n, dtype=bool)
    why = np.array([None] * n, dtype=object)
    forced_rows = np.zeros(n, dtype=bool) if forced is None else np.asarray(forced, dtype=bool)
    known_rows = np.zeros(n, dtype=bool) if known is None else np.asarray(known, dtype=bool)
    people_rows = np.zeros(n, dtype=bool) if people_known is None else np.asarray(people_known, dtype=bool)
    base = np.array([number(v) for v in out["base_count"]], dtype=float)
    value = np.array([number(v) for v in out["value"]], dtype=float)
    num = np.array([number(v) for v in out["numerator"]], dtype=float) if "numerator" in out else value * np.nan
    den = np.array([number(v) for v in out["denominator"]], dtype=float) if "denominator" in out else value * np.nan
    # a view nobody left in 12 months (a row with no rate: disclosure.history) says 0 as "no data"
    # did: known, never hidden to protect another month's cells, unless hidden across months
    known_rows = known_rows | ((out["metric_id"] == LEAVERS_12M).to_numpy() & (den == 0) & ~forced_rows)
    people = np.array([number(v) for v in out[PEOPLE_IN_VIEW]], dtype=float) if PEOPLE_IN_VIEW in out else None
    assignments = _all_assignments(out, den, across)  # WITHIN_CAP rows: the view's assignments
    unpublished = not_available(out)  # rows whose rate and numerator read "x" (YEAR_TO_SEPTEMBER)

    row_of = [_unset(v) for v in out["group"]]
    col_of = [_unset(v) for v in out[across]] if across else [None] * n
    grouped = out.groupby(keys, dropna=False, sort=False).indices if keys else {None: np.arange(n)}
    above = _above_cap_rows(grouped, col_of, row_of)  # WITHIN_CAP's cells -> the £ above the cap's row
    for key, idx in grouped.items():
        metric_id = str(key[0] if isinstance(key, tuple) else key)
        applies, is_count = _metric_rules(metric_id)
        if not applies:
            continue
        idx = [int(i) for i in idx]
        at = {(col_of[i], row_of[i]): i for i in idx}     # (service, group) -> frame row
        if metric_id == ABOVE_CAP and all(i in above["decided"] for i in idx):
            continue  # decided with the share within the cap (below), as its rest
        twice = above["of"].get(key, {}) if metric_id == WITHIN_CAP else {}
        unrecorded = metric_id in KNOWN_ANSWER_RATES and people is not None \
            and not np.isnan(people[idx]).all()
        uncapped = metric_id == WITHIN_CAP and assignments is not None and not np.isnan(assignments[idx]).all()
        if unrecorded or uncapped:
            # the people with no answer recorded (the view's people minus the denominator) are a
            # count too: a fourth layer (never published) beside the view's people (known); so
            # are the assignments without a cap beside the view's assignments (WITHIN_CAP)
            whole = people if unrecorded else assignments
            layers = [num, den - num, den, whole - den, whole]
            virtual_layer, total_layer = 1, 2
        elif metric_id in PEOPLE_RATES:
            layers = [num, den - num, den]
            virtual_layer, total_layer = 1, 2
        else:
            # a count's value (courses completed) need not be its people (who completed them):
            # both are protected
            layers = [value, base] if is_count else [base]
            virtual_layer, total_layer = None, None
        k = len(layers)
        pos = {cell: j for j, cell in enumerate(at)}        # cell -> position
        flat = np.array([layers[L][at[cell]] for cell in at for L in range(k)], dtype=float)
        cid = lambda cell, L: pos[cell] * k + L  # noqa: E731
        eqs: list[Equation] = []
        # in a fixed order (not a set's, which follows each process's string hashing): the equations'
        # order picks between equally small cells, and every server process must pick the same
        cols_ = sorted({c for c, _ in at} - {None}, key=str)
        rows_ = sorted({r for _, r in at} - {None}, key=str)
        for L in range(k):
            for c in list(cols_) + [None]:          # within a service (or the whole): groups add up
                body = [cid((c, r), L) for r in rows_ if (c, r) in at]
                if body and (c, None) in at:
                    eqs.append(Equation(body, cid((c, None), L)))
                elif body and c is None:
                    eqs.append(Equation(body, None))
            for r in list(rows_) + [None]:          # across services: the services add up
                body = [cid((c, r), L) for c in cols_ if (c, r) in at]
                if body and (None, r) in at:
                    eqs.append(Equation(body, cid((None, r), L)))
        row_eqs = []
        if total_layer is not None:
            for cell in at:
                row_eqs.append(Equation([cid(cell, 0), cid(cell, 1)], cid(cell, total_layer)))
        prim = _primary(flat, min_count)
        virtual = np.zeros(flat.size, dtype=bool)
        if virtual_layer is not None:
            virtual[[cid(cell, virtual_layer) for cell in at]] = True
        cls = class_cells(flat, row_eqs, low=min_count, under=class_under)
        partners = class_partners(flat, row_eqs, low=min_count, under=class_under)
        frc = np.zeros(flat.size, dtype=bool)
        fix = np.zeros(flat.size, dtype=bool)
        if unrecorded or uncapped:  # recorded + not recorded = the view's people, known to a reader anyway
            for cell in at:
                virtual[cid(cell, 3)] = True
                fix[cid(cell, 4)] = True
                row_eqs.append(Equation([cid(cell, 2), cid(cell, 3)], cid(cell, 4)))
        # the layer that counts the row's people (its base; a rate of headcounts' denominator)
        people_layer = total_layer if total_layer is not None else k - 1
        for cell, i in at.items():
            if forced_rows[i]:
                frc[cid(cell, 0)] = True
            if known_rows[i]:
                fix[[cid(cell, L) for L in range(k)]] = True
            if forced_rows[i] and people_rows[i]:  # hidden elsewhere, its people known anyway
                frc[cid(cell, people_layer)] = False
                fix[cid(cell, people_layer)] = True
        # solved exactly (linear programming) for two-way tables (service by job type); a one-way
        # table (services adding up to the directorate) is safe by the rules per equation
        h, reason = protect_grid(flat, eqs + row_eqs, primary=prim & ~fix, virtual=virtual, forced=frc,
                                 class_=cls & ~fix, min_count=min_count, exact=bool(rows_ and cols_), fixed=fix,
                                 partner=partners & ~fix)
        rests = {cell: j for cell, j in twice.items() if cell in at}
        if rests:
            # the rest is published too (the £ above the cap's base): the grid again, the rest no
            # longer hidden by itself; the rows hidden above stay hidden (hidden but free: their
            # small cells still protected), and the £ above the cap's row is hidden where its rest is
            gone = {cell for cell in at if any((h[c] and not virtual[c]) or (virtual[c] and reason[c] is not None)
                                               for c in (cid(cell, L) for L in range(k)))}
            again = virtual.copy()
            for cell in at:
                if cell in gone:
                    again[[cid(cell, L) for L in range(k) if not fix[cid(cell, L)]]] = True
                if cell in rests:
                    again[cid(cell, 1)] = False
                    frc[cid(cell, 1)] |= bool(forced_rows[rests[cell]])
                    fix[cid(cell, 1)] |= bool(known_rows[rests[cell]])
            h2, reason2 = protect_grid(flat, eqs + row_eqs, primary=prim & ~fix, virtual=again, forced=frc,
                                       class_=cls & ~fix, min_count=min_count, exact=bool(rows_ and cols_),
                                       fixed=fix, partner=partners & ~fix)
            for cell, j in rests.items():
                if h2[cid(cell, 1)]:
                    hidden[j] = True
                    why[j] = reason2[cid(cell, 1)] or "secondary"
            for cell in at:
                for c in (cid(cell, L) for L in range(k)):
                    if cell not in gone and ((h2[c] and not again[c]) or (again[c] and reason2[c] is not None)) \
                            and not (cell in rests and c == cid(cell, 1)):
                        h[c], reason[c] = True, reason2[c] or "secondary"
                        virtual[c] = False
        for cell, i in at.items():
            cells = [cid(cell, L) for L in range(k)]
            if forced_rows[i] and not any(h[c] and not virtual[c] for c in cells):
                hidden[i], why[i] = True, "over_time"  # hidden elsewhere, only its known people left
            elif any((h[c] and not virtual[c]) or (virtual[c] and reason[c] is not None) for c in cells):
                hidden[i] = True
                rs = [reason[c] for c in cells if reason[c] is not None]
                if unpublished[i] and total_layer is not None:
                    # the rate and numerator read "x" here: a small numerator or rest (or a class)
                    # is never published, so the row's published cells (its leavers) are hidden
                    # so that a small group cannot be worked out, not for being few themselves
                    rs = [("secondary" if L != total_layer and r in ("primary", "class") else r)
                          for L, r in enumerate(reason[c] for c in cells) if r is not None]
                why[i] = min(rs, key=REASON_ORDER.index) if rs else "secondary"
    return hidden, why


def widen(values: np.ndarray, hidden: np.ndarray, equations: list[Equation], *, protect: np.ndarray,
          min_count: int, keep: np.ndarray | None = None, fixed: np.ndarray | None = None) -> np.ndarray:
    """`hidden` and the further cells that make every `protect` cell's feasible range at least
    `min_count` wide (the linear-programming step of `protect_grid` alone, on a decision already
    made, solved with more equations: a 12-month table beside last month's). Never hides a `fixed`
    cell (known anyway), nor a `keep` one to protect another table's cells unless nothing else will."""
    marks = _MARKS
    saved = (marks.pinned, marks.keep, marks.fixed)
    marks.fixed = set() if fixed is None else {int(c) for c in np.flatnonzero(fixed)}
    marks.keep = set() if keep is None else {int(c) for c in np.flatnonzero(keep)}
    marks.pinned = {eq.body[0] for eq in equations
                    if len(eq.body) == 1 and (eq.total is None or eq.total in marks.fixed)}
    try:
        return _widen(values, hidden, equations, protect, min_count)
    finally:
        marks.pinned, marks.keep, marks.fixed = saved


# ------------------------------------------------------------------------------------------
# the measure history across months: the 12 months' leavers of every view
#
# Why: the history publishes every month, for the directorate and each service, the people who
# left in the 12 months to the month (early_leaver_rate_12m's denominator, its numerator the early
# leavers among them; turnover's numerator is their FTE). Decided month by month, each month's
# figures were safe alone, but two months together gave a service's leavers away: demo 2024-08,
# social workers, SEND's 12-month leavers were 0 to July (turnover 0.0) and the directorate's went
# from 16 to 17 in the first year (nobody leaving 12 months before), so SEND's hidden 1 lay in
# [0, 1] whatever either month's tables hid. This month's figure minus last month's is the month's
# leavers minus those of 12 months before (both at least 0, the services' adding up to the
# directorate's): every month of every view is one system, solved as a reader would.

#: the history's measure whose numerator and denominator count a view's leavers in the 12 months
#: to the month (the early leavers among them, and all of them)
LEAVERS_12M = "early_leaver_rate_12m"
#: FTE figures and the people counts they come from, {measure: (measure, column counting those
#: people)}: turnover's numerator is the FTE of the 12 months' leavers that the early-leaver rate's
#: denominator counts. A person is more than 0 and at most 1 FTE, so a published FTE bounds the
#: count (`fewest_people`): 0.0 says nobody left, 1.0 of a small service's says one did. The FTE
#: is hidden where its count is a hidden small count or was hidden across months, and where it
#: is shown beside a hidden count the bound is solved with the count (`_leavers_over_months`;
#: the audit's history check reads it the same way).
FTE_OF_PEOPLE = {"turnover_rate_fte_12m": (LEAVERS_12M, "denominator")}
#: measures over the same leavers, hidden where their count is
WITH_LEAVERS_12M = tuple(FTE_OF_PEOPLE)


def fewest_people(fte: float) -> float:
    """The fewest people an FTE of `fte` can be (each more than 0 and at most 1 FTE): 0 for 0,
    else at least 1 and at least the FTE rounded up."""
    return 0.0 if fte <= 1e-9 else float(max(1, math.ceil(fte - 1e-6)))


def protect_over_months(frame: pd.DataFrame, hidden: Sequence[bool], why: Sequence[object], *,
                        min_count: int, class_under: int, across: str) -> tuple[np.ndarray, np.ndarray]:
    """(hidden, reason) per row of a measure history (`frame`: every loaded month from the first,
    the directorate's rows and each service's, `across` naming the service column; `hidden`/`why`
    its month-by-month decision) with the rows that keep every small count of the 12 months'
    leavers (and early leavers) of every view and month uncertain by at least `min_count` across
    months (see above). Only the services' rows are hidden for it, never the directorate's (a
    meeting pack frozen at a month published them; they are never hidden later): a service's rows
    of earlier months may be, zeros first where a zero is what protects (SEND's 0.0 to July).
    Where the count is hidden, so is turnover (WITH_LEAVERS_12M); each month's rows are then
    decided again across services with the hidden ones kept hidden (no hidden row alone). Last,
    the services' rows of months whose early leavers read "x", hidden for those unpublished
    early leavers, are shown again where every small count, the early leavers chained across
    months with the leavers, stays wide (`_show_leavers_again`)."""
    hidden = np.asarray(hidden, dtype=bool).copy()
    why = np.array(list(why), dtype=object)
    need = {"metric_id", "period", "numerator", "denominator", across}
    if not need <= set(frame.columns) or not (frame["metric_id"] == LEAVERS_12M).any():
        return hidden, why
    overall = np.array([_blank(g) for g in frame["group"]], dtype=bool) if "group" in frame else \
        np.ones(len(frame), dtype=bool)
    scopes = frame["scope"].tolist() if "scope" in frame else [None] * len(frame)
    for scope in dict.fromkeys(scopes):
        mine = np.array([s == scope for s in scopes], dtype=bool) & overall
        added: set[int] = set()
        if frame["period"][mine].nunique() > 1:
            # turnover follows a hidden small count first (and each month is decided again with
            # it): a shown FTE beside a hidden count bounds it
            _follow_leavers(frame, mine, hidden, why, added, min_count=min_count, across=across)
            _months_again(frame, mine, hidden, why, min_count=min_count, class_under=class_under, across=across)
        for _ in range(4):  # the month-by-month step may hide more rows of the measure: again
            more = _leavers_over_months(frame, mine, hidden, min_count=min_count, across=across)
            for i in more:
                hidden[i], why[i] = True, "secondary"
            added |= set(more)
            before = hidden.copy()
            _follow_leavers(frame, mine, hidden, why, added, min_count=min_count, across=across)
            _months_again(frame, mine, hidden, why, min_count=min_count, class_under=class_under, across=across)
            if not more and (hidden == before).all():
                break
        for i in _show_leavers_again(frame, mine, hidden, why, min_count=min_count, across=across):
            hidden[i], why[i] = False, None
    return hidden, why


def _blank(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _leavers_over_months(frame: pd.DataFrame, mine: np.ndarray, hidden: np.ndarray, *, min_count: int,
                         across: str) -> list[int]:
    """The LEAVERS_12M rows (of `mine`) to hide further so that, every month and view solved as
    one system, each small hidden count stays wide."""
    rows = np.flatnonzero(mine & (frame["metric_id"] == LEAVERS_12M).to_numpy())
    if rows.size == 0:
        return []
    when = pd.to_datetime(frame["period"].iloc[rows])
    months = sorted(set(when))
    if len(months) < 2:
        return []
    step = {m: k for k, m in enumerate(months)}
    view = [_unset(v) for v in frame[across].iloc[rows]]
    at = {(v, step[m]): int(i) for v, m, i in zip(view, when, rows)}
    services = sorted({v for v in view if v is not None}, key=str)
    values: list[float] = []

    def cell(v: float) -> int:
        values.append(float(v))
        return len(values) - 1

    whole: dict[tuple, int] = {}  # (view, month) -> the cell of its 12 months' leavers
    for key, i in at.items():
        d = number(frame["denominator"].iat[i])
        if not math.isnan(d):
            whole[key] = cell(d)
    eqs: list[Equation] = []
    for k in range(len(months)):
        body = [whole[(s, k)] for s in services if (s, k) in whole]
        if body and (None, k) in whole:
            eqs.append(Equation(body, whole[(None, k)]))
    # the people who left in each month by view (never published, at least 0): this month's
    # 12 months + those who left 12 months before = last month's 12 months + this month's leavers
    flows: dict[tuple, int] = {}
    for v in [None, *services]:
        came: dict[int, float] = {}
        for k in range(len(months)):
            if (v, k) not in whole or (k > 0 and (v, k - 1) not in whole):
                break  # (a view missing a month: its chain is not modelled past the gap)
            before = values[whole[(v, k - 1)]] if k > 0 else 0.0  # nobody before the first month
            came[k] = values[whole[(v, k)]] - before + came.get(k - 12, 0.0)
            if came[k] < -1e-9:
                break  # (figures that do not chain: not modelled)
            flows[(v, k)] = cell(came[k])
            both = _sum_cell(values, [whole[(v, k)], *([flows[(v, k - 12)]] if k >= 12 else [])], eqs)
            eqs.append(Equation([*([whole[(v, k - 1)]] if k > 0 else []), flows[(v, k)]], both))
    for k in range(len(months)):
        body = [flows[(s, k)] for s in services if (s, k) in flows]
        if body and (None, k) in flows and len(body) == len(services):
            eqs.append(Equation(body, flows[(None, k)]))
    # a shown FTE of the same leavers (turnover's numerator) beside a hidden count bounds it from
    # below (FTE_OF_PEOPLE): the count is the fewest people that FTE can be (a published cell,
    # hidden by hiding the FTE) plus a rest (at least 0); an FTE of 0 says the count is 0
    floors: dict[int, tuple[int, int]] = {}  # cell of the fewest people -> (the FTE's row, its count)
    by_fte: list[Equation] = []
    for key, (fte, row) in _fte_shown(frame, mine, hidden, across=across, months=step).items():
        if key not in whole or not hidden[at[key]]:
            continue
        c, low = whole[key], fewest_people(fte)
        if values[c] < low - 1e-9:
            continue  # (figures that do not fit the bound: not modelled)
        floors[cell(low)] = (row, c)
        by_fte.append(Equation([len(values) - 1], c) if low == 0
                      else Equation([len(values) - 1, cell(values[c] - low)], c))
    vals = np.array(values, dtype=float)
    n = vals.size
    counts = np.zeros(n, dtype=bool)
    start = np.ones(n, dtype=bool)  # the flows and sums are never published
    fixed = np.zeros(n, dtype=bool)
    of_fte = np.zeros(n, dtype=bool)
    of_fte[list(floors)] = True
    start[of_fte] = False  # the fewest people a published FTE can be: known
    of_hidden = np.zeros(n, dtype=bool)
    for key, i in at.items():
        if key not in whole:
            continue
        c = whole[key]
        counts[c], start[c], of_hidden[c] = True, hidden[i], hidden[i]
        fixed[c] = key[0] is None  # the directorate's: never hidden here
    for c, (row, _) in floors.items():  # nor the directorate's FTE (as its count)
        fixed[c] = _blank(frame[across].iat[row])
    with np.errstate(invalid="ignore"):
        protect = counts & of_hidden & (vals > 0) & (vals < min_count)
    if not protect.any():
        return []
    out = start
    narrow = narrow_anyway(vals, start, eqs, protect, min_count)
    if narrow.any():
        # none can protect these
        protect &= ~narrow_anyway(vals, start | (counts & ~fixed), eqs, narrow, min_count)
        if protect.any():
            out = widen(vals, start, eqs, protect=protect, min_count=min_count, fixed=fixed)
    if floors and protect.any():
        out = _fte_hidden(vals, out, eqs + by_fte, protect, {c: of for c, (_, of) in floors.items()},
                          {c: k for (_, k), c in whole.items()}, fixed=fixed, min_count=min_count)
        if narrow_anyway(vals, out, eqs + by_fte, protect, min_count).any():
            # the directorate's FTE (never hidden) still floors it: more services' counts, with
            # the floors solved (the widening), for what any choice can protect
            protect &= ~narrow_anyway(vals, out | (counts & ~fixed), eqs + by_fte, protect, min_count)
            if protect.any():
                out = widen(vals, out, eqs + by_fte, protect=protect, min_count=min_count, fixed=fixed)
    return sorted([i for key, i in at.items() if key in whole and not hidden[i] and out[whole[key]]]
                  + [row for c, (row, _) in floors.items() if out[c]])  # a bound hidden: its FTE is


def _show_leavers_again(frame: pd.DataFrame, mine: np.ndarray, hidden: np.ndarray, why: np.ndarray, *,
                        min_count: int, across: str) -> list[int]:
    """The services' LEAVERS_12M rows (of `mine`) at months whose rate and early leavers read "x"
    (`not_available`) to show again: hidden "secondary" (for their unpublished early leavers,
    or beside another's), not themselves a small count, and shown where the early leavers, the
    rest and the 12 months' leavers of every view and month, chained across months as a reader
    solves them (`_early_narrow`), stay wide. All such rows are tried at once; then, while any
    watched cell is narrower than `min_count`, the tried rows of its view (any service's for the
    directorate's, or when its own have all been taken back) within a month of it or of a year
    either side are hidden again, else those at the nearest month; none shown if none can be.
    The first loaded year's rows (`months_covered` < 12) and the directorate's rows keep their
    month's decision (a frozen pack published the directorate's; a later load never hides them)."""
    rows = np.flatnonzero(mine & (frame["metric_id"] == LEAVERS_12M).to_numpy())
    if rows.size == 0:
        return []
    na = not_available(frame)
    den = np.array([number(v) for v in frame["denominator"]], dtype=float)
    views = {int(i): _unset(frame[across].iat[i]) for i in rows}
    month = {int(i): pd.Period(pd.Timestamp(frame["period"].iat[i]), "M") for i in rows}
    # the first loaded year's 12-month figures are running totals from its first month (nobody
    # before it): their chains are short and pin small counts, so its rows keep their decision
    first_year = np.zeros(len(frame), dtype=bool)
    if "months_covered" in frame.columns:
        first_year = np.array([not _blank(c) and float(c) < 12 for c in frame["months_covered"]], dtype=bool)
    tried = {int(i) for i in rows if hidden[i] and na[i] and views[int(i)] is not None and why[i] == "secondary"
             and not math.isnan(den[i]) and not 0 < den[i] < min_count and not first_year[i]}
    if not tried:
        return []
    trial = hidden.copy()
    trial[list(tried)] = False
    for _ in range(4 * len(tried)):
        narrow = _early_narrow(frame, mine, trial, na, min_count=min_count, across=across)
        if not narrow:
            return sorted(tried)
        back = set()
        for _, v, m in narrow:
            # the tried rows of its view (any service's for the directorate's) within a month of
            # it, else the nearest of them, else the nearest of any service
            own = [i for i in tried if v is None or views[i] == v]
            # (a year apart too: this month's figure less last month's is the month's leavers
            # less those of 12 months before)
            close = [i for i in (own or tried) if min(abs((month[i] - m).n - d) for d in (-12, 0, 12)) <= 1]
            if not close:  # (a first year's cell, say): the view's tried rows at the nearest month
                pool = own or list(tried)
                near = min(abs((month[i] - m).n) for i in pool)
                close = [i for i in pool if abs((month[i] - m).n) == near]
            back |= set(close)
        tried -= back
        trial[list(back)] = True
        if not tried:
            break
    return []


def _early_narrow(frame: pd.DataFrame, mine: np.ndarray, hidden: np.ndarray, na: np.ndarray, *,
                  min_count: int, across: str) -> list[tuple]:
    """The watched cells ((kind, view, month): "L" 12 months' leavers, "E" early leavers, "R" the
    rest) of 1 to `min_count`-1 people narrower than `min_count`, with `hidden` rows hidden and
    the `na` rows' early leavers not published, solved as a reader of the whole history: each
    month's 12-month figures are last month's plus the month's leavers (early ones among them)
    less those of 12 months before (all at least 0; nobody before the first month), the services
    add up to the directorate, a row's early leavers and rest make its leavers, and a shown
    turnover bounds its hidden leavers from below (FTE_OF_PEOPLE)."""
    from disclosure.audit import System

    t = min_count
    rows = np.flatnonzero(mine & (frame["metric_id"] == LEAVERS_12M).to_numpy())
    known: dict[tuple, float] = {}
    unknown: list[tuple] = []
    truth: dict[tuple, float] = {}
    watch: list[tuple] = []
    eqs: list[tuple[list, float]] = []
    present: set[tuple] = set()
    for i in rows:
        v = _unset(frame[across].iat[i])
        m = pd.Period(pd.Timestamp(frame["period"].iat[i]), "M")
        d, e = number(frame["denominator"].iat[i]), number(frame["numerator"].iat[i])
        present.add((v, m))
        for kind, x, off in (("L", d, hidden[i]), ("E", e, hidden[i] or na[i])):
            if off:
                unknown.append((kind, v, m))
                if not math.isnan(x):
                    truth[(kind, v, m)] = x
                    if 0 < x < t:
                        watch.append((kind, v, m))
            elif not math.isnan(x):
                known[(kind, v, m)] = x
        unknown.append(("R", v, m))
        eqs.append(([(("L", v, m), 1), (("E", v, m), -1), (("R", v, m), -1)], 0.0))
        rest = (0.0 if math.isnan(d) else d) - (0.0 if math.isnan(e) else e)
        truth[("R", v, m)] = rest
        if (hidden[i] or na[i]) and 0 < rest < t:
            watch.append(("R", v, m))
    if not watch:
        return []
    months = sorted({m for _, m in present})
    views = sorted({v for v, _ in present}, key=lambda v: (v is not None, str(v)))
    services = [v for v in views if v is not None]
    cells = {*known, *unknown}
    for v in views:
        for m in months:
            if (v, m) not in present or (m != months[0] and (v, m - 1) not in present) \
                    or any((k, v, m) not in cells for k in ("L", "E")):
                break  # a view missing a month (or a figure): its chain is not read past the gap
            unknown += [("flow", v, m), ("early flow", v, m), ("later flow", v, m)]
            eqs.append(([(("flow", v, m), 1), (("early flow", v, m), -1), (("later flow", v, m), -1)], 0.0))
            for kind, flow in (("L", "flow"), ("E", "early flow")):
                terms = [((kind, v, m), 1), ((flow, v, m), -1)]
                if m != months[0]:
                    terms.append(((kind, v, m - 1), -1))
                if m - 12 >= months[0]:
                    terms.append(((flow, v, m - 12), 1))
                eqs.append((terms, 0.0))
    cells = {*known, *unknown}
    for m in months:
        for kind in ("L", "E", "flow", "early flow"):
            parts = [(kind, s, m) for s in services]
            if (kind, None, m) in cells and all(p in cells for p in parts):
                eqs.append(([(p, 1) for p in parts] + [((kind, None, m), -1)], 0.0))
    off_cells = set(unknown)
    for fte_of, (of, col) in FTE_OF_PEOPLE.items():
        if of != LEAVERS_12M or col != "denominator":
            continue
        for i in np.flatnonzero(mine & (frame["metric_id"] == fte_of).to_numpy() & ~hidden):
            v = _unset(frame[across].iat[i])
            key = (v, pd.Period(pd.Timestamp(frame["period"].iat[i]), "M"))
            x = number(frame["numerator"].iat[i])
            if ("L", *key) not in off_cells or math.isnan(x):
                continue
            low = fewest_people(x)
            if low == 0:
                eqs.append(([(("L", *key), 1)], 0.0))
            else:
                unknown.append(("above the fewest", *key))
                eqs.append(([(("L", *key), 1), (("above the fewest", *key), -1)], low))
    cells = {*known, *unknown}
    eqs = [(terms, rhs) for terms, rhs in eqs if all(k in cells for k, _ in terms)]
    points: list[dict] = [dict(truth)]  # feasible points seen (the true figures are one)
    system = System(known=known, hidden=unknown, equations=eqs, points=points)
    out = []
    for c in dict.fromkeys(watch):
        seen = [p[c] for p in points if c in p]
        if seen and max(seen) - min(seen) >= t - 1e-9:
            continue  # two feasible points this far apart: wide, no programme needed
        high = system.high(c)
        if high - truth[c] >= t - 1e-9:  # (its lowest is at most its own figure)
            continue
        low = system.low(c)
        if high - low < t - 1e-9 and not (low == high == 0):
            out.append(c)
    return out


def _fte_hidden(vals: np.ndarray, hidden: np.ndarray, eqs: list[Equation], protect: np.ndarray,
                floors: Mapping[int, int], month_of: Mapping[int, int], *, fixed: np.ndarray,
                min_count: int) -> np.ndarray:
    """`hidden` with the fewest-people cells of shown FTE (`floors`: cell -> the count it bounds)
    hidden where, solved with the counts (`eqs`), a `protect` count would otherwise be narrower
    than `min_count`: first those within 12 months of a narrow count's month (its chain across
    months), then every one (never a `fixed` one). One check a step, not a linear programme a cell
    (the widening's): an FTE hidden beside a hidden count costs no count."""
    narrow = narrow_anyway(vals, hidden, eqs, protect, min_count)
    if not narrow.any():
        return hidden
    months = {month_of[c] for c in np.flatnonzero(narrow)}
    out = hidden.copy()
    for c, of in floors.items():
        if not fixed[c] and any(abs(month_of.get(of, -99) - m) <= 12 for m in months):
            out[c] = True
    if narrow_anyway(vals, out, eqs, protect, min_count).any():
        for c in floors:
            out[c] = out[c] or not fixed[c]
    return out


def _fte_shown(frame: pd.DataFrame, mine: np.ndarray, hidden: np.ndarray, *, across: str,
               months: Mapping[pd.Timestamp, int]) -> dict[tuple, tuple[float, int]]:
    """{(view, month step): (the FTE, its row)} of every shown FTE of the 12 months' leavers
    (FTE_OF_PEOPLE) among the rows of `mine`."""
    out = {}
    for mid, (of, col) in FTE_OF_PEOPLE.items():
        if of != LEAVERS_12M or col != "denominator":  # (the one declared: turnover's FTE)
            continue
        rows = np.flatnonzero(mine & (frame["metric_id"] == mid).to_numpy() & ~hidden)
        for i in rows:
            x = number(frame["numerator"].iat[i])
            k = months.get(pd.Timestamp(frame["period"].iat[i]))
            if not math.isnan(x) and k is not None:
                v = frame[across].iat[i]
                out[(_unset(v), k)] = (x, int(i))
    return out


def _sum_cell(values: list[float], body: list[int], eqs: list[Equation]) -> int:
    """A never-published cell holding the sum of `body`, with its equation added to `eqs`."""
    values.append(float(sum(values[c] for c in body)))
    eqs.append(Equation(list(body), len(values) - 1))
    return len(values) - 1


def narrow_anyway(vals: np.ndarray, hidden: np.ndarray, eqs: list[Equation], cells: np.ndarray,
                  threshold: int) -> np.ndarray:
    """The `cells` whose feasible range is narrower than `threshold` with `hidden` hidden (as
    disclosure.audit attacks it; a range pinned at 0 says nothing about anyone): what no choice
    of cells to hide can protect, so nothing is hidden for it."""
    from disclosure.audit import System

    numbers = ~np.isnan(vals)
    equations = attack_equations(vals, eqs)
    out = np.zeros(vals.size, dtype=bool)
    watch = [int(i) for i in np.flatnonzero(cells & numbers & hidden)]
    if not watch:
        return out
    system = System(known={int(i): float(vals[i]) for i in np.flatnonzero(~hidden & numbers)},
                    hidden=[int(i) for i in np.flatnonzero(hidden & numbers)], equations=equations)
    for i in watch:
        high = system.high(i)
        if high - vals[i] >= threshold - 1e-9:  # (its lowest is at most its own figure)
            continue
        low = system.low(i)
        out[i] = high - low < threshold - 1e-9 and not (low == high == 0)
    return out


def _follow_leavers(frame: pd.DataFrame, mine: np.ndarray, hidden: np.ndarray, why: np.ndarray, added: set[int],
                    *, min_count: int, across: str) -> None:
    """Turnover (WITH_LEAVERS_12M) hidden where the view's 12 months' leavers are a hidden small
    count or were hidden across months (`added`): its numerator is their FTE."""
    t = min_count
    key = lambda i: (frame["period"].iat[i], _unset(frame[across].iat[i]))  # noqa: E731
    leavers = {}
    for i in np.flatnonzero(mine & (frame["metric_id"] == LEAVERS_12M).to_numpy()):
        d = number(frame["denominator"].iat[i])
        if hidden[i] and (int(i) in added or 0 < d < t):
            leavers[key(int(i))] = why[i]
    for i in np.flatnonzero(mine & frame["metric_id"].isin(WITH_LEAVERS_12M).to_numpy()):
        k = key(int(i))
        if k in leavers and not hidden[i]:
            hidden[i], why[i] = True, "secondary"


def _months_again(frame: pd.DataFrame, mine: np.ndarray, hidden: np.ndarray, why: np.ndarray, *,
                  min_count: int, class_under: int, across: str) -> None:
    """Each month of the leavers' measures decided again across services with every hidden row
    kept hidden (a row hidden across months must not be worked out as the directorate's figure
    less the other services')."""
    ids = (LEAVERS_12M, *WITH_LEAVERS_12M)
    rows = np.flatnonzero(mine & frame["metric_id"].isin(ids).to_numpy())
    if rows.size == 0:
        return
    sub = frame.iloc[rows].reset_index(drop=True)
    again, _ = _metric_decisions(sub, min_count=min_count, class_under=class_under, across=across,
                                 forced=hidden[rows], known=None)
    for j, i in enumerate(rows):
        if again[j] and not hidden[i]:
            hidden[i], why[i] = True, "secondary"
