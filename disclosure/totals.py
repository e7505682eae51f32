"""Tables by group for a whole and its parts, with each one's totals published too, protected
as one decision.

Why: a page may show, for the directorate and for each service, a one-row summary (its totals)
and a table by group (job type), and the directorate a table of its parts' totals (by service).
Protected each alone, a service's summary showing its own 5 gave a hidden 2 away as the
directorate's 7 minus 5. Here every cell of all of them is one cell of one system of equations
(each table's groups add up to its totals, the parts' groups add up to the whole's, the parts'
totals add up to the whole's total, no count exceeds the count it is part of), with the totals
as cells that secondary suppression may hide, and one protection (disclosure.cells.protect_grid,
linear programming where tables cross) decides them all; every view reads its part of it.
A part whose table by group is never published (assignments of no service, whose job types are
unknown) takes part with its groups as hidden cells (protected where small) and its totals
published. No Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from disclosure.cells import SUPPRESSED, _Equation, _num, class_cells, protect_grid
from disclosure.policy import Disclosed, DisclosureError, Table, _check, _derived, _no_reasons, sees_exact
from disclosure.rules import rules


def disclose_with_totals(frames: Mapping[Hashable, pd.DataFrame], totals: pd.DataFrame, table: Table, *,
                         views: Sequence[Hashable], role: str | None = None, name: str = "this table",
                         unpublished: Iterable[Hashable] = (), within: Mapping[str, str] | None = None,
                         decided: Disclosed | None = None, blocks: Sequence[Hashable] | None = None
                         ) -> tuple[dict[Hashable, Disclosed], Disclosed]:
    """({view: its table by group}, the totals of every view) as Disclosed, decided together.

    `totals`: one row per view (`views`, aligned: None the whole, the other keys its parts; the
    parts' totals add up to the whole's), the group label in the first column; `frames` {view:
    table by group, the same columns} (may be empty: the totals alone). `table` is a
    `people(...)` declaration of the columns (counts, rates with their numerators, followers).
    `unpublished`: parts whose table by group is never shown (only their totals). `within`
    {count: count it is part of}: a count never exceeds the other in its row (a reader knows
    so); where the part is a rate's numerator and the other its base, the rest (the base minus
    the part: the assignments above the price cap) is a count of people protected too.
    `blocks` (totals alone): the rows' independent groups (one per month, each with its whole),
    decided each on its own and published as one table.

    `decided`: the totals as this function decided them before with `frames` empty (cheap: the
    month rows of a trend need only the totals): a shown total is then known, a hidden one
    protected, and only the tables by group are decided (the totals returned are `decided`). The
    hidden totals are what protects the small ones among them, so the tables by group must not
    give them back."""
    if not isinstance(table, Table) or not table.counts or table.category or table.within or table.row_total:
        raise DisclosureError(f"'{name}': disclose_with_totals needs a people(counts=...) declaration "
                              "without category, within or row_total.")
    views = list(views)
    blocks = [None] * len(views) if blocks is None else list(blocks)
    if len(views) != len(totals) or len(blocks) != len(views) or set(frames) - set(views) \
            or sorted((b for b, v in zip(blocks, views) if v is None), key=str) != sorted(set(blocks), key=str) \
            or (frames and len(set(blocks)) > 1):
        raise DisclosureError(f"'{name}': one totals row per view, the whole's (None) in each block, "
                              "every table's view among them (and tables with one block only).")
    within = dict(within or {})
    columns = [*table.counts, *(c for p in table.rates for c in p), *(c for p in table.follow for c in p),
               *within, *within.values()]
    for f in [*frames.values(), totals]:
        _check(f, columns, name)
        if f.columns[0] in table.counts:
            raise DisclosureError(f"'{name}': the first column must be the group label.")
    r = rules()
    counts = list(table.counts)
    block_rows: dict[Hashable, list[int]] = {}
    for i, b in enumerate(blocks):
        block_rows.setdefault(b, []).append(i)
    figures = totals[counts].to_numpy(dtype=float)
    was = None if decided is None else decided.published[counts].to_numpy(dtype=object)
    hidden_total = np.zeros(figures.shape, dtype=bool)
    reason_total = np.full(figures.shape, None, dtype=object)
    rest_total: dict[int, str] = {}
    hidden_rows: dict[Hashable, np.ndarray] = {}
    reason_rows: dict[Hashable, np.ndarray] = {}
    rest_rows: dict[Hashable, dict[int, str]] = {}
    for b, rows in block_rows.items():
        got = _decide(frames, figures[rows], [views[i] for i in rows], counts, table, r, within=within,
                      unpublished=set(unpublished), was=None if was is None else was[rows])
        hidden_total[rows], reason_total[rows] = got["total"][0], got["total"][1]
        rest_total.update({rows[i]: why for i, why in got["total"][2].items()})
        for k in frames:
            hidden_rows[k], reason_rows[k], rest_rows[k] = got[k]
    exact = sees_exact(role)

    def publish(frame: pd.DataFrame, hidden: np.ndarray, reason: np.ndarray, rest_reason: dict) -> Disclosed:
        pub = frame.copy()
        pub.attrs = {}
        why = _no_reasons(pub)
        for j, c in enumerate(counts):  # (disclosure.policy._hide, a column at a time)
            if hidden[:, j].any():
                pub[c] = pd.Series(np.where(hidden[:, j], SUPPRESSED, pub[c].to_numpy(dtype=object)),
                                   index=pub.index, dtype=object)
                why[c] = pd.Series(np.where(hidden[:, j], [x or "secondary" for x in reason[:, j]], None),
                                   index=why.index, dtype=object)
        _derived(pub, why, table, r, rest_reason)
        shown = frame.copy() if exact else pub
        shown.attrs = {}
        return Disclosed(shown=shown, published=pub, reasons=why, table=table, exact=exact)

    by_group = {k: publish(f, hidden_rows[k], reason_rows[k], rest_rows[k]) for k, f in frames.items()
                if k not in set(unpublished)}
    return by_group, decided if decided is not None else publish(totals, hidden_total, reason_total, rest_total)


def _decide(frames: Mapping[Hashable, pd.DataFrame], figures: np.ndarray, views: list, counts: list[str],
            table: Table, r, *, within: Mapping[str, str], unpublished: set, was: np.ndarray | None) -> dict:
    """One block's decision: {"total" or view: (hidden, reason: arrays like its counts, {row: reason
    of a protected rest})}."""
    hidden_parts = unpublished
    rest_of = {num: dict(table.rates)[rate] for rate, num in table.numerators}  # numerator -> its rate's base
    index: dict[tuple, int] = {}
    values: list[float] = []
    sensitive: list[bool] = []
    virtual: list[bool] = []

    def add(key: tuple, value: float, *, sens: bool = True, virt: bool = False) -> int:
        index[key] = len(values)
        values.append(value)
        sensitive.append(sens)
        virtual.append(virt)
        return index[key]

    row = {k: i for i, k in enumerate(views)}
    rows: list[tuple[str, Hashable, int, np.ndarray]] = []  # (table, row, its counts)
    for k, f in frames.items():
        block = f[counts].to_numpy(dtype=float)
        rows += [(k, i, block[i]) for i in range(len(f))]
    rows += [("total", i, figures[i]) for i in range(len(figures))]
    for where, i, fig in rows:
        for c, v in zip(counts, fig):
            add((where, i, c), v, virt=where != "total" and where in hidden_parts)
    eqs: list[_Equation] = []
    partitions: list[_Equation] = []  # a group split into parts (for the class rule)
    for k, f in frames.items():
        for c in counts:
            body = [index[(k, i, c)] for i in range(len(f))]
            if body:
                eq = _Equation(body, index[("total", row[k], c)])
                eqs.append(eq)
                if k not in hidden_parts:
                    partitions.append(eq)
    if None in frames:  # the whole's groups are the parts' groups of the same label
        labels = {k: [str(x) for x in f.iloc[:, 0]] for k, f in frames.items()}
        for i, lab in enumerate(labels[None]):
            for c in counts:
                body = [index[(k, j, c)] for k in frames if k is not None
                        for j, other in enumerate(labels[k]) if other == lab]
                eqs.append(_Equation(body, index[(None, i, c)], own=False))
    columns_eqs = []
    for c in counts:  # the parts' totals add up to the whole's (the whole's table by part)
        eq = _Equation([index[("total", row[k], c)] for k in views if k is not None],
                       index[("total", row[None], c)], own=False)
        columns_eqs.append(eq)
        partitions.append(eq)
    n_plain = len(values)
    bounds: list[_Equation] = []
    rests: dict[tuple, int] = {}
    for where, i, _ in rows:  # a count within another: the rest is a count too (never published)
        for part, whole in within.items():
            rest = values[index[(where, i, whole)]] - values[index[(where, i, part)]]
            protected = rest_of.get(part) == whole  # a rate's numerator in its base
            rests[(where, i, part)] = add((where, i, "rest", part), rest, sens=protected, virt=True)
            bounds.append(_Equation([index[(where, i, part)], rests[(where, i, part)]], index[(where, i, whole)]))
    vals = np.array(values, dtype=float)
    sens = np.array(sensitive, dtype=bool)
    virt = np.array(virtual, dtype=bool)
    with np.errstate(invalid="ignore"):
        primary = (vals > 0) & (vals < r.threshold) & sens
    cls = class_cells(vals, partitions, low=r.threshold, under=r.class_group_under, sensitive=sens & ~virt)
    # the whole's own figures are never hidden to protect a part's (unless nothing else will do)
    keep = np.zeros(vals.size, dtype=bool)
    for (where, i, *_), n in index.items():
        keep[n] = where is None or (where == "total" and views[i] is None)
    fixed = forced = None
    if was is not None:
        fixed, forced = np.zeros(vals.size, dtype=bool), np.zeros(vals.size, dtype=bool)
        for i in range(len(figures)):
            for j, c in enumerate(counts):
                n = index[("total", i, c)]
                forced[n] = isinstance(was[i, j], str) and was[i, j] == SUPPRESSED
                fixed[n] = not forced[n]
        primary &= ~fixed
        cls &= ~fixed
    found = None
    if not frames:  # the totals alone: each count's column is one equation; bounds checked after
        found = _columns_alone(vals, columns_eqs, bounds, primary=primary, class_=cls, keep=keep,
                               n_plain=n_plain, threshold=r.threshold)
    hidden, reason = found or protect_grid(vals, [*eqs, *columns_eqs, *bounds], primary=primary, virtual=virt,
                                           class_=cls, forced=forced, min_count=r.threshold, keep=keep,
                                           fixed=fixed)
    out = {}
    for where, n_rows in [*((k, len(f)) for k, f in frames.items()), ("total", len(figures))]:
        h = np.array([[hidden[index[(where, i, c)]] for c in counts] for i in range(n_rows)], dtype=bool)
        why = np.array([[reason[index[(where, i, c)]] for c in counts] for i in range(n_rows)], dtype=object)
        rest_reason = {i: reason[rests[(where, i, part)]] for i in range(n_rows) for part in within
                       if reason[rests[(where, i, part)]] is not None}
        out[where] = (h.reshape(n_rows, len(counts)), why.reshape(n_rows, len(counts)), rest_reason)
    return out


def _columns_alone(values: np.ndarray, columns: list[_Equation], bounds: list[_Equation], *,
                   primary: np.ndarray, class_: np.ndarray, keep: np.ndarray, n_plain: int,
                   threshold: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The totals' protection without linear programming where it can be shown enough: each
    count's column (the parts adding up to the whole) protected as one equation, the smallest
    cells first (disclosure.cells.protect_grid on the columns alone, which do not cross), a
    protected rest's part (the assignments within the cap, where the few above it are protected)
    protected in its column instead. Then every protected hidden cell is shown to move by at
    least the threshold among points a reader cannot rule out: its column's other hidden cells
    take up the difference, each within the bounds its row sets (every other count of the row
    at its true figure: a few of the points a reader must allow, so the range found is never
    wider than the reader's). None where that cannot be shown: the caller protects the whole
    system (bounds included, by linear programming)."""
    plain = np.zeros(values.size, dtype=bool)
    plain[:n_plain] = True
    protect = (primary | class_) & plain
    for eq in bounds:  # a protected rest (few above the cap): its part is protected in its column
        part, rest = eq.body
        if primary[rest]:
            protect[part] = True
    if not (protect & plain).any():
        none = np.zeros(values.size, dtype=bool)
        return none, np.array([None] * values.size, dtype=object)
    hidden = protect[:n_plain].copy()
    reason = np.array([("class" if class_[i] else "primary") if hidden[i] else None for i in range(n_plain)],
                      dtype=object)
    for eq in columns:
        _one_equation(values, eq, hidden, reason, keep=keep, threshold=threshold)
    # each cell's bounds with every other count of its row at its true figure
    low = np.zeros(n_plain)
    high = np.full(n_plain, math.inf)
    parent: dict[int, int] = {}
    children: dict[int, list[int]] = {}
    for eq in bounds:
        part, _ = eq.body
        whole = eq.total
        if values[whole] < high[part]:
            high[part], parent[part] = values[whole], whole
        low[whole] = max(low[whole], values[part])
        children.setdefault(whole, []).append(part)
    column_of = {c: eq for eq in columns for c in [*eq.body, eq.total]}

    def give(c: int, eq: _Equation, *, up: bool) -> float:
        """How far c can move (up or down) with its column's other hidden cells making room."""
        room = 0.0
        for o in [*eq.body, eq.total]:
            if o == c or not hidden[o]:
                continue
            opposite = (o == eq.total) == (c == eq.total)  # two parts move opposite ways
            room += (values[o] - low[o] if opposite else high[o] - values[o]) if up else \
                (high[o] - values[o] if opposite else values[o] - low[o])
        return room

    unsure: list[int] = []
    for eq in columns:
        for c in [*eq.body, eq.total]:
            if not (hidden[c] and protect[c]):
                continue
            ceiling = high[c]
            p = parent.get(c)
            if p is not None and hidden[p] and p in column_of:  # its hidden bound may rise too
                ceiling = values[p] + min(high[p] - values[p], give(p, column_of[p], up=True))
            floor = low[c]
            if c in children:  # its hidden parts may fall too, each in its own column
                floor = max([0.0, *(values[k] - (min(values[k] - low[k], give(k, column_of[k], up=False))
                                                 if hidden[k] and k in column_of else 0.0)
                                    for k in children[c])])
            up = min(ceiling - values[c], give(c, eq, up=True))
            down = min(values[c] - floor, give(c, eq, up=False))
            if up + down < threshold - 1e-9:
                unsure.append(c)
    full_hidden = np.zeros(values.size, dtype=bool)
    full_hidden[:n_plain] = hidden
    full_hidden[n_plain:] = True  # the rests are never published
    unsure += [eq.body[1] for eq in bounds if primary[eq.body[1]] and eq.body[0] in unsure]  # their rests
    if unsure:  # the rest solved exactly (linear programming), for these cells only
        from disclosure.audit import intervals

        eqs = [([(c, 1.0) for c in eq.body] + [(eq.total, -1.0)], 0.0) for eq in [*columns, *bounds]]
        known = {i: float(values[i]) for i in range(values.size) if not full_hidden[i]}
        found = intervals(known=known, hidden=list(np.flatnonzero(full_hidden)), equations=eqs, cells=unsure)
        if any(hi - lo < threshold - 1e-9 for lo, hi in found.values()):
            return None
    full_reason = np.full(values.size, None, dtype=object)
    full_reason[:n_plain] = reason
    for eq in bounds:
        part, rest = eq.body
        if primary[rest]:
            full_reason[rest] = "primary"
    return full_hidden, full_reason


def _one_equation(values: np.ndarray, eq: _Equation, hidden: np.ndarray, reason: np.ndarray, *,
                  keep: np.ndarray, threshold: int) -> None:
    """disclosure.cells' rule for one equation: while a hidden cell is alone, or the hidden parts
    of a known total add up to less than the threshold, hide the smallest shown part (not zero
    while a larger one is left; the whole's own figures kept), else the total."""
    while True:
        members = [*eq.body, eq.total]
        n_hidden = sum(bool(hidden[c]) for c in members)
        if n_hidden == 0:
            return
        need = n_hidden == 1
        if not need and not hidden[eq.total]:
            need = 0 < sum(values[c] for c in eq.body if hidden[c]) < threshold
        if not need:
            return
        shown = [c for c in eq.body if not hidden[c] and not keep[c]]
        nonzero = [c for c in shown if values[c] != 0]
        pick = min(nonzero, key=lambda c: (values[c], c)) if nonzero else min(shown) if shown else \
            (eq.total if not hidden[eq.total] and not keep[eq.total] else None)
        if pick is None:
            return
        hidden[pick] = True
        reason[pick] = "secondary"
