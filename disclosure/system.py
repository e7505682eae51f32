"""The one builder of the equation systems the disclosure policy decides (no Streamlit).

Why one: tables that count the same people are decided together, as the cells of one system of
equations (a table's parts add up to its totals, the services' to the directorate's, a count
never exceeds the count it is part of). disclosure.policy lays tables out in it: linked tables
(the directorate's and each service's, with their column totals: `disclose_all`) and tables
published with their totals (the Agency rules compliance tables: `disclose_with_totals`). The
marks (primary, class, hidden or known elsewhere, kept) and the protection
(disclosure.cells.protect_grid) are defined here, once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from disclosure.cells import (
    Equation,
    attack_equations,
    class_answers,
    class_cells,
    class_partners,
    class_zeros,
    protect_grid,
)
from disclosure.rules import Rules


class Builder:
    """Cells and equations, added in order (the order breaks ties in the protection's picks).

    A cell has a value, `sensitive` (it says something about people: False for a count of
    blank records) and `virtual` (never published: a row's rest, a part whose table is not
    shown, a figure hidden upstream). `partition`: the equation splits a group of people into
    their answers (what the class rule reads)."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.sensitive: list[bool] = []
        self.virtual: list[bool] = []
        self.equations: list[Equation] = []
        self.partitions: list[Equation] = []

    def cell(self, value: float, *, sensitive: bool = True, virtual: bool = False) -> int:
        self.values.append(float(value))
        self.sensitive.append(bool(sensitive))
        self.virtual.append(bool(virtual))
        return len(self.values) - 1

    def equation(self, body: Iterable[int], total: int | None, *, own: bool = True,
                 partition: bool = False) -> Equation:
        eq = Equation(list(body), total, own=own)
        self.equations.append(eq)
        if partition:
            self.partitions.append(eq)
        return eq

    def system(self, r: Rules, *, known: np.ndarray | None = None, elsewhere: np.ndarray | None = None,
               keep: np.ndarray | None = None, zeros: np.ndarray | None = None, unpublished: np.ndarray | None = None,
               class_of_virtual: bool = True, lone_zeros: bool = True, kind: type[System] | None = None,
               captions: np.ndarray | None = None, partners: bool = False, **layout) -> System:
        """The cells marked for `r`: primary (1 to threshold-1 people, not `known`), class (a
        group of threshold to class_group_under-1 all in one part; `class_of_virtual` False: only
        published cells), `elsewhere` (another publication hides it: protected), `known` (a
        reader knows it: never hidden, never protected), `keep` (hidden to protect another cell
        only when nothing else will do), `zeros` (protected like a small count), `unpublished`
        (further cells never published), `lone_zeros` (the zeros beside a small group's one
        answer hidden with it: disclosure.cells.class_zeros), `captions` (each cell's caption: its
        table and view, -1 none; see `System.captions`), `partners` (the zeros beside each class
        cell protected with it: `class_partners_of`). `kind` and `layout`: a subclass of System
        that also says where each table's cells are."""
        n = len(self.values)
        none = np.zeros(n, dtype=bool)
        vals = np.array(self.values, dtype=float)
        sens = np.array(self.sensitive, dtype=bool)
        virt = np.array(self.virtual, dtype=bool) | (none if unpublished is None else unpublished)
        known = none if known is None else known
        with np.errstate(invalid="ignore"):
            primary = (vals > 0) & (vals < r.threshold) & sens & ~known
        cls = class_cells(vals, self.partitions, low=r.threshold, under=r.class_group_under,
                          sensitive=sens if class_of_virtual else sens & ~np.array(self.virtual, dtype=bool)) & ~known
        # (published zeros: a 12-month table's zeros hidden beside an unknown total, `unpublished`,
        # are left out of the protection but still read "c", so their caption counts too)
        lone = class_zeros(vals, self.partitions, under=r.class_group_under, sensitive=sens) \
            & ~np.array(self.virtual, dtype=bool) & ~known if lone_zeros else none
        part, exempt, pairs = self.class_partners_of(r, vals, cls, virt, known, sens) if partners else (none, [], [])
        # a small group's one answer, itself small: captioned as the class it is, not "fewer than 5"
        told = class_answers(vals, self.partitions, under=r.class_group_under, sensitive=sens) & primary & ~virt \
            if lone_zeros else none
        return (kind or System)(vals=vals, eqs=list(self.equations), virt=virt, primary=primary, cls=cls,
                                told_class=told,
                                partner=part, exempt=exempt, pairs=pairs,
                                elsewhere=none if elsewhere is None else elsewhere & ~primary,
                                keep=none if keep is None else keep, known=known,
                                zeros=none if zeros is None else zeros, lone=lone, captions=captions, **layout)

    def class_partners_of(self, r: Rules, vals: np.ndarray, cls: np.ndarray, virt: np.ndarray, known: np.ndarray,
                          sens: np.ndarray) -> tuple[np.ndarray, list[tuple[np.ndarray, list[int]]], list[tuple[int, np.ndarray]]]:
        """(partners, exempt, pairs): the zero parts beside each class cell (`cls`) of a partition
        (disclosure.cells.class_partners: a reader who knows them to be 0 knows the group's one
        answer, whatever else is hidden; the history protects them so, and the linked tables did
        not: demo, social workers, September 2026, the history's totals living in the county and
        the social workers' rows left Children in Care's senior practitioners' rest 0, all 8 living
        in the county). Not those of a group whose one answer the directorate's own group of the
        same answer publishes (option (b), docs/DECISIONS.md): a partition whose parts link (an
        equation across views, `own` False) to the parts of another partition, of at least
        class_group_under people, with the same zero parts, its total and all its parts but at
        most one (a row's rest) published or known. "15 of 15" team managers say of each that they
        live in the county: nothing is left to protect, and protecting it would hide the 15.
        `exempt`: [(those partners, the directorate's cells that must stay shown for it)];
        `pairs`: [(a class cell, its protected partners)]."""
        n = vals.size
        out = np.zeros(n, dtype=bool)
        exempt: list[tuple[np.ndarray, list[int]]] = []
        pairs: list[tuple[int, np.ndarray]] = []
        link: dict[int, int] = {}  # a view's cell -> the cell its views add up to (the directorate's)
        for eq in self.equations:
            if not eq.own and eq.total is not None:
                for c in eq.body:
                    link[c] = eq.total
        by_body = {tuple(eq.body): eq for eq in self.partitions}
        for eq in self.partitions:
            zeros = class_partners(vals, [eq], low=r.threshold, under=r.class_group_under)
            answer = [c for c in eq.body if not np.isnan(vals[c]) and vals[c] != 0]
            if not zeros.any() or len(answer) != 1 or not cls[answer[0]]:
                continue
            zeros &= ~known & sens  # (a 0 of an answer that records nothing, "Not known", says nothing)
            parent = by_body.get(tuple(link.get(c, -1) for c in eq.body))
            if parent is not None and parent.total is not None and vals[parent.total] >= r.class_group_under \
                    and all(vals[link[c]] == 0 for c in np.flatnonzero(zeros)) \
                    and (not virt[parent.total] or known[parent.total]) \
                    and sum(bool(virt[c] and not known[c]) for c in parent.body) <= 1:
                shown = [c for c in [*parent.body, parent.total] if not virt[c] and not known[c]]
                exempt.append((zeros, shown))
                continue
            out |= zeros
            pairs.append((answer[0], zeros))
        return out, exempt, pairs


@dataclass
class System:
    """Cells and equations with what the policy knows of each cell (see `Builder.system`)."""

    vals: np.ndarray
    eqs: list[Equation]
    virt: np.ndarray       # never published
    primary: np.ndarray
    cls: np.ndarray
    elsewhere: np.ndarray  # hidden by another publication: protected here too
    keep: np.ndarray       # hidden to protect another cell only when nothing else will do
    known: np.ndarray      # a reader knows it: never hidden, never protected
    zeros: np.ndarray      # a 12-month table's zeros beside a known total: protected like a small count
    lone: np.ndarray       # the zeros beside a small group's one answer (class_zeros): hidden, not widened
    #: each cell's caption (a number per table and view; -1 none): a caption whose hidden cells are
    #: all primary tells its reader each is 1 to threshold-1 (disclosure.cells.protect_grid); None:
    #: no caption gives each cell's reason (every range at least the threshold wide, as before)
    captions: np.ndarray | None
    #: the zeros beside class cells (`Builder.class_partners_of`): protected with them
    partner: np.ndarray | None
    #: the partners option (b) lets stand, with the directorate's cells that must stay shown for it
    exempt: list | None
    #: [(a class cell, its protected partners)]
    pairs: list | None
    #: the one answer of a group of 1 to class_group_under-1 people (disclosure.cells.class_answers)
    #: that is itself 1 to threshold-1 (primary), published: protected as primary, captioned as
    #: class ("everyone in a small group gave the same answer"), as the zeros beside it (`lone`).
    #: Read "fewer than 5 people", it would be at least 1, the zeros the rest: demo, all staff,
    #: October 2026, each service's one senior manager was then known to live in the county or not
    told_class: np.ndarray

    @property
    def as_class(self) -> np.ndarray:
        """The cells captioned "class" whatever hid them (`protect`; disclosure.policy
        `_given_away_anyway`): a small group's one answer (`told_class`) and the zeros beside it
        (`lone`). Another reason would tell them apart: "fewer than 5 people" says at least 1,
        "hidden so that a small group cannot be worked out" 0 or at least the threshold."""
        return self.lone | self.told_class

    @property
    def protected(self) -> np.ndarray:
        out = self.primary | self.cls | self.elsewhere | self.zeros
        return out if self.partner is None else out | self.partner

    def small(self, r: Rules) -> np.ndarray:
        """The cells a caption calls "fewer than 5 people" when hidden: every count of 1 to
        threshold-1 a reader does not know (disclosure.policy.true_reason), a small "Not known"
        (not protected: rules.shown_whatever_size) as well as the primary cells; not a small
        group's one answer, captioned as the class it is (`told_class`)."""
        with np.errstate(invalid="ignore"):
            return (self.vals > 0) & (self.vals < r.threshold) & ~self.known & ~self.told_class

    def _read_with_captions(self, r: Rules, unknown: np.ndarray):
        """(the attacker's system, the cells to watch, the caption's range) of a reader who does not
        know the cells of `unknown` and reads each small one among them (`small`) as its caption
        says, 1 to threshold-1 (disclosure.audit.primary_range); the watched cells are the
        protected ones so bounded, and with none the system is None (`caption_ranges`,
        `short_of_captions`)."""
        from disclosure.audit import System as AttackerSystem, primary_range

        numbers = ~np.isnan(self.vals)
        bounded = self.small(r) & ~self.virt & numbers & unknown
        watch = [int(i) for i in np.flatnonzero(bounded & self.protected)]
        whole = primary_range(r.threshold)
        if not watch:
            return None, watch, whole
        attack = AttackerSystem(known={int(i): float(self.vals[i]) for i in np.flatnonzero(~unknown & numbers)},
                                hidden=[int(i) for i in np.flatnonzero(unknown & numbers)],
                                equations=attack_equations(self.vals, self.eqs),
                                bounds={int(i): whole for i in np.flatnonzero(bounded)})
        return attack, watch, whole

    def caption_ranges(self, r: Rules) -> dict[int, tuple[float, float]]:
        """{cell: (low, high)} of each protected published cell a caption calls "fewer than 5
        people" that the captions alone leave less than 1 to threshold-1: every cell a reader does
        not know hidden, each such cell 1 to threshold-1 (disclosure.audit.primary_range). Hiding
        cannot widen these (three services' hidden 1, 1 and 1 tell the directorate's hidden 3 is 3
        or 4: demo, October 2026, Agency rules, under 3 years); the figures must teach nothing more."""
        attack, watch, whole = self._read_with_captions(r, ~self.known)
        if attack is None:
            return {}
        found = {i: (attack.low(i), attack.high(i)) for i in watch}
        return {i: got for i, got in found.items() if got[0] > whole[0] + 1e-9 or got[1] < whole[1] - 1e-9}

    def short_of_captions(self, hidden: np.ndarray, r: Rules, ranges: dict[int, tuple[float, float]]) -> bool:
        """Does a protected hidden cell a caption calls "fewer than 5 people", read per cell
        (every such hidden cell 1 to threshold-1), keep less than what the captions alone leave it
        (`caption_ranges`, else the whole 1 to threshold-1)?"""
        attack, watch, whole = self._read_with_captions(r, hidden)
        if attack is None:
            return False
        for i in watch:
            low, high = ranges.get(i, whole)
            if attack.high(i) < high - 1e-9 or attack.low(i) > low + 1e-9:
                return True
        return False

    def protect(self, r: Rules, *, columns: tuple[list[Equation], list[Equation], int] | None = None,
                ranges: dict[int, tuple[float, float]] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(hidden, reason) for every cell. `columns` (columns, bounds, number of published
        cells): the system is only columns (parts adding up to a whole, which do not cross) and
        bounds (a count within another, its rest a cell after the published ones); each column is
        then protected alone where that can be shown enough (`_columns_alone`, and, with `ranges`,
        no captioned cell short of its captions: `short_of_captions`), else the whole system by
        linear programming. `ranges` (`caption_ranges`): what the captions alone leave of each
        captioned cell where less than 1 to threshold-1 (disclosure.cells.protect_grid's); not
        given, they are solved here wherever the system has captions (the linked tables: a cell
        the captions alone pin within 1 to threshold-1 is held to that, not chased by hiding
        every figure beside it: docs/DECISIONS.md, "The linked tables read the captions alone")."""
        if ranges is None and self.captions is not None:
            ranges = self.caption_ranges(r) or None
        # (each small cell's caption is read on its own, whatever else its table hides: a zero hidden
        # as class after the protection, `lone`, no longer takes its table's captions out, as when
        # only captions whose hidden cells were all primary were read; demo, all staff, October
        # 2026, Living in the county by job type: Safeguarding's lone zero left Youth's 4 social
        # workers living in the county in [2, 4] read per cell)
        captions = self.captions
        found = None if columns is None else _columns_alone(self.vals, *columns, primary=self.primary, class_=self.cls,
                                                            keep=self.keep, threshold=r.threshold,
                                                            fixed=self.known)
        if found is not None and ranges is not None and captions is not None \
                and self.short_of_captions(found[0], r, ranges):
            found = None
        partner = None if self.partner is None else self.partner.copy()
        small = self.small(r)

        def grid(partner: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
            return protect_grid(self.vals, self.eqs, primary=self.primary, virtual=self.virt & ~self.known,
                                forced=self.elsewhere | self.zeros, class_=self.cls, min_count=r.threshold,
                                keep=self.keep, fixed=self.known, captions=captions, partner=partner,
                                captioned=small, ranges=ranges)

        hidden, reason = found or grid(partner)
        if found is None and self.exempt:
            # option (b) holds only where the directorate's group stays shown: else its partners too
            gone = [zeros for zeros, shown in self.exempt if hidden[shown].any()]
            if gone:
                partner = np.logical_or.reduce([partner, *gone])
                hidden, reason = grid(partner)
        if partner is not None:
            reason[partner & hidden & (reason == None)] = "class"  # noqa: E711
        reason[self.zeros] = "secondary"  # (not "over_time": no earlier publication hid it)
        hidden |= self.lone  # hidden only: hiding more cells widens every other range
        reason[self.as_class & hidden] = "class"  # (whoever hid them: `as_class`)
        return hidden, reason


def _columns_alone(values: np.ndarray, columns: list[Equation], bounds: list[Equation], n_plain: int, *,
                   primary: np.ndarray, class_: np.ndarray, keep: np.ndarray,
                   threshold: int, fixed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """The protection without linear programming where it can be shown enough: each column
    (the parts adding up to the whole) protected as one equation, the smallest cells first
    (disclosure.cells.protect_grid on the columns alone, which do not cross), a protected rest's
    part (the assignments within the cap, where the few above it are protected) protected in its
    column instead. Then every protected hidden cell is shown to move by at least the threshold
    among points a reader cannot rule out: its column's other hidden cells take up the
    difference, each within the bounds its row sets (every other count of the row at its true
    figure: a few of the points a reader must allow, so the range found is never wider than the
    reader's). None where that cannot be shown: the caller protects the whole system (bounds
    included, by linear programming). `fixed`: cells a reader knows (never picked; a protected
    rest whose part is one, or a rest that is one: the whole system)."""
    plain = np.zeros(values.size, dtype=bool)
    plain[:n_plain] = True
    fixed = np.zeros(values.size, dtype=bool) if fixed is None else fixed
    protect = (primary | class_) & plain
    for eq in bounds:  # a protected rest (few above the cap): its part is protected in its column
        part, rest = eq.body
        if fixed[rest]:  # a rest known elsewhere ties the part to its whole: the whole system
            return None
        if primary[rest]:
            if fixed[part]:
                return None
            protect[part] = True
    if not (protect & plain).any():
        none = np.zeros(values.size, dtype=bool)
        return none, np.array([None] * values.size, dtype=object)
    hidden = protect[:n_plain].copy()
    reason = np.array([("class" if class_[i] else "primary") if hidden[i] else None for i in range(n_plain)],
                      dtype=object)
    for eq in columns:
        _one_equation(values, eq, hidden, reason, keep=keep | fixed[:values.size], threshold=threshold)
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

    def give(c: int, eq: Equation, *, up: bool) -> float:
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


def _one_equation(values: np.ndarray, eq: Equation, hidden: np.ndarray, reason: np.ndarray, *,
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
