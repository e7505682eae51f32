"""SQL generated from the metric declarations (metrics/catalogue.py), and their resolution.

Why generated: a metric's words and its computation are declared once; this module turns a
Ratio/Count/Cohort (built from measures) into one set-based DuckDB query over every loaded period,
so no metric has hand-written SQL in the engine. `resolve` checks every declaration before any
query runs (unknown measure, column, unit, theme, DfE indicator...): a declaration that does not
resolve is refused with a message naming the metric and what is wrong.

Each generated query ends in the CTE `m(period, grp, num, den, base)`; metrics.engine wraps it
with the loaded periods, months covered and the value (num / den, NULL on a zero denominator).
Values travel as bind parameters only ($sw, $f_<filter>, $threshold, $start, $end, and $src_lo:
the earliest month a source is read from, `lookback_months()` before $start, so a query for recent
months never scans the whole history).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from metrics import units
from metrics.query import EMPLOYED_SQL, PER_CTE as PER_CTE_FOR_CUBE, grp, where
from metrics.types import (
    AGGREGATIONS, SOURCES, THEMES, Cohort, Count, Custom, Distinct, Measure, Metric, MetricError,
    Ratio, Ref, Window,
)


#: The longest window a declaration may use (Window/Distinct/Cohort months).
MAX_WINDOW_MONTHS = 60


def lookback_months(metrics: Iterable[Metric]) -> int:
    """How many months before the first month asked for the sources must be read from: the
    longest window or cohort among `metrics` (0 for figures of the month alone)."""
    months = [0]
    for m in metrics:
        c = m.compute
        if isinstance(c, Cohort):
            months.append(c.months)
        months += [r.months for r in _all_refs(c) if isinstance(r, (Window, Distinct))]
        if m.window_months:
            months.append(m.window_months)
    return max(months)


class DeclarationError(MetricError):
    """A metric or measure declaration that does not resolve (says which and why)."""


# --- sources: what a measure's expression and filter may refer to ------------------------------

_STAFF = ("period", "employee_id", "team", "service", "role_group", "qualified_social_worker",
          "worker_type", "fte", "start_date", "cases", "absence_days", "gender", "ethnicity", "age",
          "disability", "lives_in_county", "converted_from_agency")
_LEAVERS = ("period", "employee_id", "leave_date", "reason", "team", "service", "role_group",
            "qualified_social_worker", "worker_type", "fte", "start_date")
_VACANCIES = ("period", "team", "service", "role_group", "qualified_social_worker", "vacant_fte",
              "covered_by_agency_fte")
_TRAINING = ("period", "employee_id", "course", "category", "completed_date")
#: The agency assignments with every rule checked (metrics.agency.checks_frame, registered by the
#: engine as __AGENCY__ for the query: the rules come from data/agency_rules.toml, not the store).
_AGENCY = ("period", "employee_id", "job_type", "hourly_rate", "hours", "spend", "cap",
           "excess_per_hour", "with_cap", "within_cap", "above_cap", "cap_unsigned", "cap_signed",
           "under_experience", "notice_below", "references_incomplete", "cool_off_breach",
           "long_assignment", "project_team")

#: Columns each source offers a measure: the table's, plus `d` (month end) and, where the table
#: has worker_type, `employed`; staff adds `working_days` (Mon-Fri less England bank holidays) and
#: `absence_recorded` (the month's extract has absence days at all).
SOURCE_COLUMNS: dict[str, frozenset[str]] = {
    "staff": frozenset(_STAFF + ("employed", "d", "working_days", "absence_recorded")),
    "leavers": frozenset(_LEAVERS + ("employed", "d")),
    "vacancies": frozenset(_VACANCIES + ("d",)),
    "training": frozenset(_TRAINING + ("d",)),
    "agency": frozenset(_AGENCY + ("d",)),
}
_TABLE_COLUMNS = {"staff": _STAFF, "leavers": _LEAVERS, "vacancies": _VACANCIES, "training": _TRAINING,
                  "agency": _AGENCY}

# SQL words and functions an expression may use besides columns (anything else is a column).
_SQL_WORDS = frozenset("""
and or not is null true false in case when then else end interval month months year years day days
between like ilike as distinct cast date double integer bigint varchar boolean
""".split())
_IDENT = re.compile(r"'(?:[^']|'')*'|\$[a-z_][a-z0-9_]*|\b([A-Za-z_][A-Za-z0-9_]*)\b(\s*\()?")
_PARAMS = frozenset({"threshold"})


def _columns_used(sql: str) -> set[str]:
    """Identifiers in `sql` that are not SQL words, functions, literals or bind parameters."""
    out = set()
    for m in _IDENT.finditer(sql):
        name, call = m.group(1), m.group(2)
        if name is None or call or name.lower() in _SQL_WORDS or name[0].isdigit():
            continue
        out.add(name)
    return out


def _params_used(sql: str) -> set[str]:
    return set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))


#: The cube's group: every dimension a scope, filter or breakdown can use (metrics.aggregates).
DIMS = ("qualified_social_worker", "service", "team", "role_group")
CUBE = "measure_cube"
SOURCES_WITH_CUBE = ("staff", "leavers", "vacancies", "training", "agency")
#: The cube's agency rows come from the checked assignments kept per load (metrics.agency): read
#: only while those answer for the rules in force (`compile_metric(cube_agency=...)`).
AGENCY_SOURCE = "agency"
#: by_col of cube rows kept per breakdown when there is none.
NO_BREAKDOWN = "-"


def distinct_key(r: Distinct) -> str:
    """The cube's measure_id for a Distinct reference (kept per scope and breakdown)."""
    return f"distinct:{r.source}:{r.key}:{r.months}:{r.filter or ''}"


def distinct_sql(r: Distinct, *, by: str | None) -> str:
    """Distinct `r` per period and group of `by`, scoped by $sw: rows for the cube."""
    plan = _Plan(by=by, filters={}, measures={}, ctes={})
    name = plan.ref(r)
    cols = ", ".join(f"{'grp' if d == by else 'NULL'} AS {d}" for d in DIMS)
    return ("WITH " + ",\n".join([PER_CTE_FOR_CUBE, *plan.ctes.values()]) + f"""
        SELECT period, '{distinct_key(r)}' AS measure_id, {cols}, v::DOUBLE AS v, v::BIGINT AS n,
               CASE WHEN $sw THEN 'social_workers' ELSE 'all_staff' END AS scope,
               '{by or NO_BREAKDOWN}' AS by_col
        FROM {name} WHERE list_contains($ps, period)""")


def _dims_grp(alias: str) -> str:
    return "struct_pack(" + ", ".join(f"{d} := {alias}{d}" for d in DIMS) + ")"


def _source_sql(source: str, by: str | None, filters: Mapping[str, list[str]], *,
                extras: Iterable[str] = (), dims: bool = False) -> str:
    """A scoped, filtered subquery of `source` with `grp`, `d` and the derived columns.

    `dims`: no scope or filter, and `grp` is the struct of every dimension (for the cube)."""
    extras = set(extras)
    if dims:
        filters, by = {}, None
    if source == "training":
        # scope and breakdown come from the person's staff row in the month of the completion
        not_null = f" AND st.{by} IS NOT NULL" if by else ""
        g = _dims_grp("st.") if dims else grp("st.", by)
        scope = "TRUE" if dims else where("st.", filters)
        return (f"(SELECT t.*, {g} AS grp, last_day(t.period) AS d FROM training t "
                "LEFT JOIN staff st ON st.period = t.period AND st.employee_id = t.employee_id "
                "AND st.period BETWEEN $src_lo AND $end "
                f"WHERE {scope}{not_null} AND t.period BETWEEN $src_lo AND $end)")
    if source == "agency":
        # like training: scope and breakdown from the worker's staff row that month
        not_null = f" AND st.{by} IS NOT NULL" if by else ""
        g = _dims_grp("st.") if dims else grp("st.", by)
        scope = "TRUE" if dims else where("st.", filters)
        return ("(SELECT t.* REPLACE (t.period::DATE AS period), "
                f"{g} AS grp, last_day(t.period::DATE) AS d FROM __AGENCY__ t "
                "JOIN staff st ON st.period = t.period::DATE AND st.employee_id = t.employee_id "
                f"WHERE {scope}{not_null})")
    cols = [f"{_dims_grp('x.') if dims else grp('', by)} AS grp", "last_day(period) AS d"]
    if source in ("staff", "leavers"):
        cols.append(f"{EMPLOYED_SQL} AS employed")
    if "working_days" in extras:
        cols.append("(SELECT c.working_days FROM __CAL__ c WHERE c.period = x.period) AS working_days")
    if "absence_recorded" in extras:
        cols.append("x.period IN (SELECT period FROM staff WHERE period BETWEEN $src_lo AND $end "
                    "GROUP BY period HAVING count(absence_days) > 0) AS absence_recorded")
    scope = "TRUE" if dims else where("x.", filters)
    return (f"(SELECT x.*, {', '.join(cols)} FROM {source} x WHERE {scope} "
            "AND x.period BETWEEN $src_lo AND $end)")


# --- compiling a metric ------------------------------------------------------------------------


def _cube_read(name: str, key: str, value: str, by: str | None,
               filters: Mapping[str, list[str]]) -> str:
    """CTE `name`(period, grp, v): `value` (sum(v) or sum(n)) of cube rows `key`, scoped."""
    not_null = f" AND {by} IS NOT NULL" if by else ""
    return (f"{name} AS (SELECT period, {grp('', by)} AS grp, {value} AS v FROM {CUBE} "
            f"WHERE measure_id = '{key}' AND {where('', filters)}{not_null} "
            "AND period BETWEEN $src_lo AND $end GROUP BY period, grp)")


@dataclass
class _Plan:
    by: str | None
    filters: Mapping[str, list[str]]
    measures: Mapping[str, Measure]
    ctes: dict[str, str]
    cube: bool = False
    cube_agency: bool = True

    def _kept(self, r: str) -> bool:
        """Whether the per-load aggregates keep this measure (its source is in the cube)."""
        source = self.measures[r.removesuffix("#rows")].source
        return source in SOURCES_WITH_CUBE and (source != AGENCY_SOURCE or self.cube_agency)

    def ref(self, r: Ref) -> str:
        """The CTE (period, grp, v) for a reference; added on first use."""
        if isinstance(r, str) and self.cube and self._kept(r):
            base, rows = (r[:-len("#rows")], True) if r.endswith("#rows") else (r, False)
            name = f"c_{base}{'_rows' if rows else ''}"
            if name not in self.ctes:
                self.ctes[name] = _cube_read(name, base, "sum(n)" if rows else "sum(v)",
                                             self.by, self.filters)
            return name
        if isinstance(r, str):
            name = f"q_{r}"
            if name not in self.ctes:
                ms = self.measures[r]
                value = "count(*)" if ms.agg == "count" else f"sum({ms.expr})"
                extras = _columns_used(f"{ms.expr} {ms.filter or ''}")
                self.ctes[name] = (
                    f"{name} AS (SELECT period, grp, {value} AS v "
                    f"FROM {_source_sql(ms.source, self.by, self.filters, extras=extras)} "
                    f"WHERE {ms.filter or 'TRUE'} GROUP BY period, grp)")
            return name
        if isinstance(r, Window):
            inner = self.ref(r.measure)
            name = f"w{r.months}_{inner}"
            if name not in self.ctes:
                self.ctes[name] = (
                    f"{name} AS (SELECT p.period, a.grp, sum(a.v) AS v FROM per p JOIN {inner} a "
                    f"ON a.period > p.period - INTERVAL {int(r.months)} MONTH AND a.period <= p.period "
                    "GROUP BY p.period, a.grp)")
            return name
        if isinstance(r, Distinct) and self.cube and not self.filters:
            name = f"cdk{r.months}_{r.source}_{r.key}"
            if name not in self.ctes:
                # kept per scope and breakdown (distinct people do not add up across groups)
                self.ctes[name] = (
                    f"{name} AS (SELECT period, {grp('', self.by)} AS grp, sum(v) AS v FROM {CUBE} "
                    f"WHERE measure_id = '{distinct_key(r)}' AND by_col = '{self.by or NO_BREAKDOWN}' "
                    "AND scope = CASE WHEN $sw THEN 'social_workers' ELSE 'all_staff' END "
                    "AND period BETWEEN $src_lo AND $end GROUP BY period, grp)")
            return name
        if isinstance(r, Distinct):
            name = f"dk{r.months}_{r.source}_{r.key}"
            if name not in self.ctes:
                src = _source_sql(r.source, self.by, self.filters)
                last = f"(period + INTERVAL {int(r.months) - 1} MONTH)::DATE"
                # each key's months [q, q+months-1] cut at its next month seen: no overlaps, so the
                # people in a window are a plain sum (no distinct count over a range join)
                self.ctes[name] = f"""{name}_p AS (SELECT DISTINCT period, grp, {r.key} AS k FROM {src}
                    WHERE {r.filter or 'TRUE'}),
        {name}_i AS (SELECT grp, period AS a,
                      least({last}, coalesce((lead(period) OVER (PARTITION BY grp, k ORDER BY period)
                                              - INTERVAL 1 MONTH)::DATE, {last})) AS b
                     FROM {name}_p),
        {name}_n AS (SELECT grp, a, b, count(*) AS n FROM {name}_i GROUP BY ALL),
        {name} AS (SELECT p.period, x.grp, sum(x.n) AS v FROM per p
                   JOIN {name}_n x ON p.period BETWEEN x.a AND x.b GROUP BY ALL)"""
            return name
        raise DeclarationError(f"Not a measure reference: {r!r}")

    def rows_of(self, r: Ref) -> Ref:
        """The row count behind a reference (the default `base`: people the figure rests on)."""
        if isinstance(r, Window):
            return Window(self.rows_of(r.measure), r.months)  # type: ignore[arg-type]
        if isinstance(r, str) and self.cube and self._kept(r):
            return r if self.measures[r].agg == "count" else f"{r}#rows"
        if isinstance(r, str):
            ms = self.measures[r]
            if ms.agg == "count":
                return r
            rid = f"{r}__rows"
            if rid not in self.measures:
                self.measures = {**self.measures, rid: Measure(
                    id=rid, source=ms.source, agg="count", filter=ms.filter)}
            return rid
        return r


def _join(keys_from: list[str], cols: dict[str, str], ctes: dict[str, str]) -> str:
    """CTE m: one row per (period, grp) any of `keys_from` has, with each column's expression."""
    union = " UNION ".join(f"SELECT period, grp FROM {c}" for c in dict.fromkeys(keys_from))
    used = " ".join(cols.values())
    names = [n for n in ctes if re.search(rf"\b{re.escape(n)}\.v\b", used)]
    joins = "".join(
        f" LEFT JOIN {n} ON {n}.period = k.period AND {n}.grp IS NOT DISTINCT FROM k.grp" for n in names
    )
    select = ", ".join(f"{e} AS {c}" for c, e in cols.items())
    return f"k AS ({union}),\n        m AS (SELECT k.period, k.grp, {select} FROM k{joins})"


def cube_key(metric: Metric) -> str | None:
    """The cube rows a Cohort or additive Custom metric keeps (None: computed from raw rows)."""
    c = metric.compute
    if isinstance(c, Cohort) or (isinstance(c, Custom) and c.additive):
        return f"metric:{metric.id}"
    return None


def compile_metric(metric: Metric, *, measures: Mapping[str, Measure], by: str | None,
                   filters: Mapping[str, list[str]], cube: bool = False,
                   dims: bool = False, cube_agency: bool = True) -> tuple[list[str], str]:
    """(CTEs ending in m(period, grp, num, den, base), kind) for one metric.

    `cube`: read measures, cohorts and additive custom figures from the per-load aggregates
    (metrics.aggregates) instead of the raw rows; `cube_agency` False: the agency measures from
    the checked assignments (__AGENCY__) even then. `dims`: group by every dimension (a struct),
    no scope or filter: what a refresh stores for a Cohort or additive Custom metric."""
    c = metric.compute
    key = cube_key(metric)
    if cube and key is not None:
        num = _cube_read("cn", key, "sum(v)", by, filters)
        den = _cube_read("cd", key, "sum(n)", by, filters)
        kind = "count" if isinstance(c, Custom) else "ratio"
        return [num, den, f"""m AS (SELECT cd.period, cd.grp, coalesce(cn.v, 0) AS num,
              {'NULL::DOUBLE' if kind == 'count' else 'cd.v'} AS den, cd.v AS base
              FROM cd LEFT JOIN cn ON cn.period = cd.period AND cn.grp IS NOT DISTINCT FROM cd.grp)"""], kind
    if isinstance(c, Custom):
        src = {"staff": "s", "leavers": "l", "vacancies": "v"}
        ctes = [f"{src[n]} AS {_source_sql(n, by, filters, dims=dims)}" for n in c.sources]
        return ctes + [c.build(by, dict(filters)).strip()], c.kind
    if isinstance(c, Cohort):
        tbl = c.source
        still = f"(SELECT *, {EMPLOYED_SQL} AS employed, last_day(period) AS d FROM {tbl})"
        return [f"""ca AS (SELECT p12, grp, k FROM (
                    SELECT (period + INTERVAL {int(c.months)} MONTH)::DATE AS p12, grp, {c.key} AS k
                    FROM {_source_sql(tbl, by, filters, dims=dims)} WHERE {c.member})
                  WHERE p12 IN (SELECT period FROM per)),
        cb AS (SELECT period, {c.key} AS k FROM {still}
               WHERE {c.still} AND period IN (SELECT DISTINCT p12 FROM ca)),
        m AS (SELECT ca.p12 AS period, ca.grp, count(cb.k) AS num, count(*) AS den, count(*) AS base
              FROM ca LEFT JOIN cb ON cb.k = ca.k AND cb.period = ca.p12 GROUP BY ALL)"""], "ratio"
    plan = _Plan(by=by, filters=filters, measures=dict(measures), ctes={}, cube=cube,
                 cube_agency=cube_agency)
    if isinstance(c, Ratio):
        den_refs = c.denominator if isinstance(c.denominator, tuple) else (c.denominator,)
        num = plan.ref(c.numerator)
        dens = [plan.ref(r) for r in den_refs]
        base = plan.ref(c.base if c.base is not None else plan.rows_of(den_refs[0]))
        den = (f"{dens[0]}.v" if len(dens) == 1
               else " + ".join(f"coalesce({d}.v, 0)" for d in dens))
        cols = {"num": f"coalesce({num}.v, 0)", "den": den, "base": f"coalesce({base}.v, 0)"}
        keys = [num, *dens]
        kind = "ratio"
    elif isinstance(c, Count):
        num = plan.ref(c.measure)
        base = plan.ref(c.base if c.base is not None else plan.rows_of(c.measure))
        cols = {"num": f"{num}.v", "den": "NULL::DOUBLE", "base": f"{base}.v"}
        keys = [num]
        kind = "count"
    else:
        raise DeclarationError(f"Metric {metric.id!r}: unknown computation {c!r}")
    return list(plan.ctes.values()) + [_join(keys, cols, plan.ctes)], kind


# --- resolution --------------------------------------------------------------------------------


def _check_sql(where_: str, sql: str, source: str) -> None:
    if ";" in sql or "--" in sql or "/*" in sql:
        raise DeclarationError(f"{where_}: an expression or filter may not contain ';' or comments")
    unknown = sorted(_columns_used(sql) - SOURCE_COLUMNS[source])
    if unknown:
        raise DeclarationError(
            f"{where_}: unknown column {', '.join(map(repr, unknown))} in {sql!r}; "
            f"{source} has {', '.join(sorted(SOURCE_COLUMNS[source]))}")
    params = _params_used(sql) - _PARAMS
    if params:
        raise DeclarationError(f"{where_}: unknown parameter ${', $'.join(sorted(params))} in {sql!r}")


def _check_measure(ms: Measure) -> None:
    where_ = f"measure {ms.id!r}"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", ms.id):
        raise DeclarationError(f"{where_}: ids are lower_snake_case")
    if ms.source not in SOURCES:
        raise DeclarationError(f"{where_}: unknown source {ms.source!r}; sources are {', '.join(SOURCES)}")
    if ms.agg not in AGGREGATIONS:
        raise DeclarationError(f"{where_}: unknown aggregation {ms.agg!r}; use {' or '.join(AGGREGATIONS)}")
    _check_sql(where_, ms.expr, ms.source)
    if ms.filter is not None:
        _check_sql(where_, ms.filter, ms.source)


def _check_ref(where_: str, r: object, measures: Mapping[str, Measure]) -> None:
    if isinstance(r, Window):
        if not isinstance(r.months, int) or not 1 <= r.months <= MAX_WINDOW_MONTHS:
            raise DeclarationError(f"{where_}: a window is 1 to 60 months, got {r.months!r}")
        r = r.measure
    if isinstance(r, Distinct):
        if r.source not in SOURCES:
            raise DeclarationError(f"{where_}: unknown source {r.source!r}")
        _check_sql(where_, r.key, r.source)
        if r.filter:
            _check_sql(where_, r.filter, r.source)
        return
    if not isinstance(r, str) or r not in measures:
        raise DeclarationError(
            f"{where_}: unknown measure {r!r}; declared measures are {', '.join(sorted(measures))}")


def resolve(measures: Iterable[Measure], metrics: Iterable[Metric], *,
            dfe_indicators: Iterable[str] | None = None) -> None:
    """Refuse (DeclarationError) any declaration that does not resolve; silent when all do."""
    by_id: dict[str, Measure] = {}
    for ms in measures:
        if ms.id in by_id:
            raise DeclarationError(f"measure {ms.id!r} is declared twice")
        _check_measure(ms)
        by_id[ms.id] = ms
    seen: set[str] = set()
    for m in metrics:
        where_ = f"metric {m.id!r}"
        if m.id in seen:
            raise DeclarationError(f"{where_} is declared twice")
        seen.add(m.id)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", m.id):
            raise DeclarationError(f"{where_}: ids are lower_snake_case")
        for name in ("label", "description", "numerator", "definition"):
            if not str(getattr(m, name) or "").strip():
                raise DeclarationError(f"{where_}: {name} is empty")
        if m.unit not in units.METRIC_UNITS:
            raise DeclarationError(f"{where_}: unknown unit {m.unit!r}; units are {', '.join(units.METRIC_UNITS)}")
        if m.dfe_unit is not None and m.dfe_unit not in units.METRIC_UNITS:
            raise DeclarationError(f"{where_}: unknown dfe_unit {m.dfe_unit!r}")
        if m.theme not in THEMES:
            raise DeclarationError(f"{where_}: unknown theme {m.theme!r}; themes are {'; '.join(THEMES)}")
        if m.direction not in ("lower", "higher", None):
            raise DeclarationError(f"{where_}: direction must be 'lower', 'higher' or None")
        if m.dfe_compare not in ("value", "numerator"):
            raise DeclarationError(f"{where_}: dfe_compare must be 'value' or 'numerator'")
        if m.dfe_indicator is not None and dfe_indicators is not None and m.dfe_indicator not in set(dfe_indicators):
            raise DeclarationError(f"{where_}: {m.dfe_indicator!r} is not a column of the DfE indicators file")
        if m.target is not None and m.direction is None:
            raise DeclarationError(f"{where_}: a default target needs a direction")
        if m.phrase is not None and "{v}" not in m.phrase:
            raise DeclarationError(f"{where_}: the phrase must place the value with {{v}}")
        c = m.compute
        if isinstance(c, Ratio):
            den = c.denominator if isinstance(c.denominator, tuple) else (c.denominator,)
            if not den:
                raise DeclarationError(f"{where_}: a ratio needs a denominator")
            if len(den) > 1 and c.base is None:
                raise DeclarationError(f"{where_}: a denominator of several measures needs an explicit base")
            for r in (c.numerator, *den) + ((c.base,) if c.base is not None else ()):
                _check_ref(where_, r, by_id)
        elif isinstance(c, Count):
            for r in (c.measure,) + ((c.base,) if c.base is not None else ()):
                _check_ref(where_, r, by_id)
        elif isinstance(c, Cohort):
            if c.source not in ("staff", "leavers"):
                raise DeclarationError(f"{where_}: a cohort follows people (staff or leavers)")
            for sql in (c.member, c.still, c.key):
                _check_sql(where_, sql, c.source)
        elif isinstance(c, Custom):
            if c.kind not in ("ratio", "count", "score") or not callable(c.build):
                raise DeclarationError(f"{where_}: a custom computation needs build() and kind ratio|count|score")
        else:
            raise DeclarationError(f"{where_}: compute must be Ratio, Count, Cohort or Custom, got {c!r}")
        windows = [r.months for r in _all_refs(c) if isinstance(r, (Window, Distinct))]
        if isinstance(c, Cohort):
            windows.append(c.months)
        if windows and m.window_months not in windows:
            raise DeclarationError(f"{where_}: window_months {m.window_months!r} does not match its "
                                   f"computation's window ({windows[0]} months)")
        if not isinstance(c, Custom) and m.unit in ("rate", "caseload") and not isinstance(c, (Ratio, Cohort)):
            raise DeclarationError(f"{where_}: unit {m.unit!r} is a ratio; declare compute=Ratio(...)")


def _all_refs(c: object) -> list[object]:
    from metrics.types import refs

    return list(refs(c))
