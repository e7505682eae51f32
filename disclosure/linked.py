"""The linked tables of people (workforce profile, leavers, caseload bands, conversions, where staff
live, the 80:20 table): how each is built from its metrics.detail frame, what its cells count, and
its protection for the directorate and every service together, decided live or kept per load.

Why here (below ui/): every page's linked tables are protected together for the directorate and
every service (so a hidden figure in one service cannot be worked out as the directorate minus
the others). The 12-month leavers tables are published for the year to 30 September only
(`published_month`), so they are decided and kept at those Septembers only, each alone: years to
30 September do not overlap, so no other month's table bounds them. That
decision is the same for every visitor and rests only on the store's figures (the tables' detail
frames, the published history's totals) and the rules, yet it cost a page's first view 200-450
ms. So a load decides it for the months whose figures changed, in its own transaction (registered
with ingest.loader.AFTER_WRITE after the published history it reads), and keeps it in the store
(store.kept, kind "people") with a fingerprint of the detail frames and history rows it rests on
and a signature of the code and rules, confirmed under the load ledger (`ledger`; the load's
refresh confirms, or decides again, every table the latest month's pages publish). A reader (ui.data.people)
applies a kept decision confirmed under the ledger as it is now and made under today's signature
with one small read (a page's first view: no figures read to check it); any other only when its
fingerprint and signature match what it would decide from now; otherwise it decides live. Either way the published
cells are exactly `disclose_all(frames, table, margins=...)`'s (a family's: `disclose_family`)
(tests/integration/test_kept_people.py).

The builders read their detail frames through a `Source` (the dashboard's is cached per data
version; a load's reads its own cursor), so both sides build from the same code.

A history measure whose numerator counts some of a table's answers is a sum a reader knows
beside that table (`sums`): the known-answer rates of the profile tables (KNOWN_ANSWERS) and
the share of case holders over the caseload threshold, whose numerator is the caseload bands
above it (OVER_THRESHOLD, at the default threshold only).

Public: `Source`, `cursor_source`, `TABLES`, `MARGINS`, `CELL_MARGINS`, `ROLLING`, `published_month`,
`published_note`, `kept_at`, `PROFILE_LABELS`,
`PROFILE_DIMENSIONS`, `RATIO_FIGURES`, `KEPT`, `FAMILIES`, `family_of`, `engine_filters`, `table_for`, `build`,
`frames`, `margins`, `KNOWN_ANSWERS`, `OVER_THRESHOLD`, `sums`, `BY_JOB`, `by_job_rows`, `decide`, `inputs`, `ledger`,
`decision`, `refresh`, `confirm`, `signature`, `register`,
`detail_frame`, `detail_by_service`, `FRAMES_PREFIX`, `keep_frames`, `KeptFrames`, `kept_frames`,
`kept_decision`, `kept_exact`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from disclosure.cells import SuppressionError
from disclosure.policy import DisclosureError, Linked, Table, disclose_all, disclose_family, people
from disclosure.rules import RulesError, decision_signature, rules
from metrics.query import DEFAULT_CASELOAD_THRESHOLD
from metrics.types import SCOPES, MetricError
from metrics.units import is_hidden
from store import frames as store_frames
from store import kept
from store.periods import parse_period, previous_period

KIND = "people"


# ------------------------------------------------------------------------------------------
# where the detail frames come from


def engine_filters(service: str | None, team: str | None) -> dict[str, list[str]] | None:
    """The metrics filters of one view: a service's, a team's, or none (the directorate)."""
    out = {}
    if service:
        out["service"] = [service]
    if team:
        out["team"] = [team]
    return out or None


#: detail frames read whole (every month's rows, not the month's): their tables end at the month
_SERIES = ("conversions_by_month",)


def _at(name: str, period: str, extra: Mapping[str, Any]) -> dict:
    """A detail frame's keyword arguments at the chosen month (monthly series end there)."""
    kwargs = dict(extra)
    if name not in ("conversions_by_month", "ratio_trend"):
        kwargs["period"] = period
    if name == "ratio_trend":
        kwargs["end"] = period
    return kwargs


def detail_frame(con: duckdb.DuckDBPyConnection, name: str, period: str, scope: str,
                 service: str | None, team: str | None, extra: Mapping[str, Any]) -> pd.DataFrame:
    """The metrics.detail frame `name` of one view (the directorate: service None) at `period`."""
    from metrics import detail

    return getattr(detail, name)(con, scope=scope, filters=engine_filters(service, team), **_at(name, period, extra))


def detail_by_service(con: duckdb.DuckDBPyConnection, name: str, period: str, scope: str,
                      services: tuple[str, ...], extra: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Every service's detail frame `name` from one query (metrics.detail.by_service)."""
    from metrics import detail

    return detail.by_service(con, name, services=services, scope=scope, **_at(name, period, extra))


@dataclass(frozen=True)
class Source:
    """What the tables are built from: `raw(name, period, scope, service, team, **extra)` (a
    metrics.detail frame of one view), the store's `services` and loaded `periods` ("YYYY-MM",
    oldest first), and `history(scope, metric_id, period)`: the published history's overall rows
    of one measure at one month for every view (`service` None for the directorate; columns
    `suppressed`, `base_count`, `numerator`, `denominator`); `windows(name, period, scope)`: a
    12-month leavers table's detail frames for every view, this month's 12 months (and last
    month's and this month's own), from one query (metrics.detail.leavers_windows; None: each read
    alone)."""

    raw: Callable[..., pd.DataFrame]
    services: tuple[str, ...]
    periods: tuple[str, ...]
    history: Callable[[str, str, str], pd.DataFrame]
    windows: Callable[[str, str, str], Mapping[str, Mapping[Hashable, pd.DataFrame]]] | None = None


@dataclass
class _CursorSource:
    con: duckdb.DuckDBPyConnection
    memo: dict = field(default_factory=dict)

    def services(self) -> tuple[str, ...]:
        from metrics import detail

        if "services" not in self.memo:
            self.memo["services"] = tuple(sorted({s for s, _ in detail.dimension_pairs(self.con)}))
        return self.memo["services"]

    def periods(self) -> tuple[str, ...]:
        from metrics import engine

        if "periods" not in self.memo:
            self.memo["periods"] = tuple(p.strftime("%Y-%m") for p in engine.periods(self.con))
        return self.memo["periods"]

    def raw(self, name, period, scope, service, team, **extra) -> pd.DataFrame:
        key = tuple(sorted(extra.items()))
        if service is not None and team is None:  # as the dashboard reads it: one query for all
            at = ("by_service", name, period, scope, key)
            if at not in self.memo:
                self.memo[at] = detail_by_service(self.con, name, period, scope, self.services(), extra)
            if service in self.memo[at]:
                return self.memo[at][service]
        at = ("one", name, period, scope, service, team, key)
        if at not in self.memo:
            self.memo[at] = detail_frame(self.con, name, period, scope, service, team, extra)
        return self.memo[at]

    def windows(self, name: str, period: str, scope: str) -> dict:
        from metrics import detail

        at = ("windows", name, period, scope)
        if at not in self.memo:
            self.memo[at] = detail.leavers_windows(self.con, name, period=period, services=self.services(),
                                                   scope=scope)
        return self.memo[at]

    def history(self, scope: str, metric_id: str, period: str) -> pd.DataFrame:
        from disclosure import history

        if ("history", scope) not in self.memo:  # the figures the decisions rest on (no targets)
            self.memo[("history", scope)] = history.published(
                self.con, scope=scope, frame=history.raw(self.con, scope=scope, evaluated=False))
        return history_rows(self.memo[("history", scope)], metric_id, period=period)


def history_rows(h: pd.DataFrame, metric_id: str, *, period: str | None = None,
                 service: Any = ...) -> pd.DataFrame:
    """The published history `h`'s rows of one measure overall (no group): for every view (`...`,
    the default), the directorate (None) or one service; every month or at `period` ("YYYY-MM").
    `service` reads None for the directorate (object dtype)."""
    keep = (h["metric_id"] == metric_id).to_numpy() & _is_none(h["group"])
    if period is not None:
        keep &= (h["period"] == pd.Timestamp(period + "-01")).to_numpy()
    if service is not ...:
        keep &= _is_none(h["service"]) if service is None else (h["service"] == service).to_numpy()
    out = h[keep].copy()
    out["service"] = pd.Series([v if isinstance(v, str) else None for v in out["service"]], index=out.index,
                               dtype=object)
    return out.reset_index(drop=True)


def _is_none(series: pd.Series):
    import numpy as np

    return np.array([not isinstance(v, str) for v in series], dtype=bool)


def cursor_source(con: duckdb.DuckDBPyConnection) -> Source:
    """A `Source` reading `con` (a load's cursor, a command line's connection), each frame once."""
    s = _CursorSource(con)
    return Source(raw=s.raw, services=s.services(), periods=s.periods(), history=s.history, windows=s.windows)


# ------------------------------------------------------------------------------------------
# the tables: (detail frame, its keywords, the shape a page draws, what the cells count)


def _window(months: int) -> dict:
    """The leavers' tables' window as a detail keyword (none for the usual 12 months: one cache key)."""
    return {} if months == 12 else {"months": months}


def _conversions(df: pd.DataFrame, period: str) -> pd.DataFrame:
    df = df[pd.to_datetime(df["period"]) <= pd.Timestamp(period + "-01")]
    return pd.DataFrame({"Month": pd.to_datetime(df["period"]).dt.strftime("%b %Y"),
                         "Conversions": df["conversions"].astype(int)}).iloc[::-1].reset_index(drop=True)


def _band_edges(threshold: float) -> tuple[list[float], list[str]]:
    """The caseload bands' edges and labels at a threshold (bands end at it)."""
    edges = sorted({0.0, 10.0, 15.0, float(threshold), float(threshold) + 5, float("inf")})
    labels = [f"Up to {edges[1]:g}"] + [
        f"Over {lo:g} to {hi:g}" for lo, hi in zip(edges[1:-2], edges[2:-1])
    ] + [f"Over {edges[-2]:g}"]
    return edges, labels


def _bands(df: pd.DataFrame, period: str, *, threshold: float) -> pd.DataFrame:
    edges, labels = _band_edges(threshold)
    bands = pd.cut(df["caseload_per_fte"], bins=edges, labels=labels, right=True)
    counts = bands.value_counts().reindex(labels, fill_value=0)
    return pd.DataFrame({"Cases per FTE": labels, "Case holders": counts.astype(int).to_list()})


def _reasons(df: pd.DataFrame, period: str, *, months: int = 12) -> pd.DataFrame:
    return pd.DataFrame({"Reason": df["reason"], "Leavers": df["leavers"].astype(int), "FTE": df["fte"].round(1)})


def _service_length(df: pd.DataFrame, period: str, *, months: int = 12) -> pd.DataFrame:
    return pd.DataFrame({"Length of service": df["band"], "Leavers": df["leavers"].astype(int)})


PROFILE_LABELS = {"age_band": "Age", "gender": "Gender", "ethnicity": "Ethnic group",
                  "disability": "Disabled", "lives_in_county": "Lives in the county"}
#: the merge rules (data/disclosure.toml) of each profile dimension
PROFILE_DIMENSIONS = {"age_band": "age", "gender": "gender", "ethnicity": "ethnicity",
                      "disability": "disability", "lives_in_county": "lives_in_county"}


def _profile(df: pd.DataFrame, period: str, *, dimension: str, by_job: bool) -> pd.DataFrame:
    from ingest import contract
    from metrics import detail

    label = PROFILE_LABELS[dimension]
    if by_job:
        frame = df.rename(columns={"role_group": "Job type", "category": label, "headcount": "People"})
        frame = frame[["Job type", label, "People"]].copy()
        base = frame.groupby("Job type")["People"].transform("sum")
    else:
        frame = df.groupby("category", as_index=False)["headcount"].sum().rename(
            columns={"category": label, "headcount": "People"})
        base = frame["People"].sum()
    frame["Share (%)"] = (frame["People"] / base * 100).round(1)
    orders = {"age_band": detail.AGE_BANDS, "gender": contract.GENDERS,
              "ethnicity": contract.ETHNIC_GROUPS, "disability": ("Yes", "No", "Not known"),
              "lives_in_county": ("Yes", "No", "Not known")}
    order = {b: i for i, b in enumerate(orders[dimension])}
    frame = frame.sort_values((["Job type"] if by_job else []) + [label],
                              key=lambda s: s.map(lambda v: order.get(v, 99)) if s.name == label else s)
    frame["People"] = frame["People"].astype(int)
    return frame.reset_index(drop=True)


def _local(df: pd.DataFrame, period: str) -> pd.DataFrame:
    known = df[df["category"].isin(["Yes", "No"])]
    wide = known.pivot_table(index="role_group", columns="category", values="headcount",
                             aggfunc="sum", fill_value=0)
    for col in ("Yes", "No"):
        if col not in wide.columns:
            wide[col] = 0
    frame = pd.DataFrame({
        "Job type": wide.index.astype(str),
        "Living in county": wide["Yes"].astype(int).to_numpy(),
        "People recorded": (wide["Yes"] + wide["No"]).astype(int).to_numpy(),
    })
    frame["Share living in county (%)"] = (frame["Living in county"] / frame["People recorded"] * 100).round(1)
    return frame[["Job type", "Share living in county (%)", "Living in county", "People recorded"]]


def _ratio(df: pd.DataFrame, period: str) -> pd.DataFrame:
    out = pd.DataFrame({
        "Month": [p.strftime("%b %Y") for p in df["period"]],
        "Employed FTE": df["employed_fte"].round(1),
        "Agency FTE": df["agency_fte"].round(1),
        "Permanent share (%)": ((1 - df["agency_rate"]) * 100).round(1),
        "Agency share (%)": (df["agency_rate"] * 100).round(1),
        "People": df["headcount"].astype(int),
    })
    return out.iloc[::-1].reset_index(drop=True)


RATIO_FIGURES = ("Employed FTE", "Agency FTE", "Permanent share (%)", "Agency share (%)")


@dataclass(frozen=True)
class _Spec:
    detail: str                                      # the metrics.detail frame it is built from
    reads: Callable[[dict], dict]                    # its options -> that frame's keywords
    shape: Callable[..., pd.DataFrame]               # (frame, period, **options) -> the table
    table: Callable[[dict], Table]                   # its options -> what its cells count


def _profile_table(extra: dict) -> Table:
    dimension, by_job = extra["dimension"], extra["by_job"]
    return people(counts=["People"], shares={"Share (%)": "People"}, within="Job type" if by_job else None,
                  category=PROFILE_LABELS[dimension], dimension=PROFILE_DIMENSIONS[dimension])


_NONE: Callable[[dict], dict] = lambda extra: {}  # noqa: E731
_WINDOW: Callable[[dict], dict] = lambda extra: _window(extra.get("months", 12))  # noqa: E731

TABLES: dict[str, _Spec] = {
    "conversions": _Spec("conversions_by_month", _NONE, _conversions,
                         lambda e: people(counts=["Conversions"], additive=False)),
    "caseload_bands": _Spec("caseload_distribution", lambda e: {"threshold": e["threshold"]}, _bands,
                            lambda e: people(counts=["Case holders"], category="Cases per FTE",
                                             dimension="caseload band")),
    "leavers_by_reason": _Spec("leavers_by_reason", _WINDOW, _reasons,
                               lambda e: people(counts=["Leavers"], follow={"FTE": "Leavers"}, category="Reason",
                                                dimension="reason", rolling=True)),
    "length_of_service": _Spec("length_of_service_at_leaving", _WINDOW, _service_length,
                               lambda e: people(counts=["Leavers"], rolling=True)),
    "local_by_job": _Spec("profile", lambda e: {"dimension": "lives_in_county"}, _local,
                          lambda e: people(counts=["Living in county"], row_total="People recorded",
                                           rates={"Share living in county (%)": "People recorded"},
                                           follow={"Share living in county (%)": "Living in county"})),
    "ratio_table": _Spec("ratio_trend", _NONE, _ratio,
                         lambda e: people(counts=["People"], additive=False,
                                          follow={c: "People" for c in RATIO_FIGURES})),
    "profile": _Spec("profile", lambda e: {"dimension": e["dimension"]}, _profile, _profile_table),
}

#: where the measure history (cards, themes, trends, by-service tables) publishes a linked table's
#: column totals for the directorate and each service: the measure counting the same people and
#: the history's column for each of the table's count columns
MARGINS: dict[str, tuple[str, dict[str, str]]] = {
    "profile": ("agency_rate_fte", {"People": "base_count"}),  # everyone in post
    "caseload_bands": ("avg_caseload", {"Case holders": "base_count"}),
    "leavers_by_reason": ("early_leaver_rate_12m", {"Leavers": "denominator"}),
    "length_of_service": ("early_leaver_rate_12m", {"Leavers": "denominator"}),
    "local_by_job": ("local_residence_rate", {"People recorded": "denominator", "Living in county": "numerator"}),
}

#: profile tables (by dimension) whose answers a measure of the history counts: (the measure, the
#: answers its numerator counts, the answers its denominator leaves out). Where the history shows
#: the measure for a view, a reader knows both sums of that view's table (disclosure.Sums): demo,
#: social workers, June 2026, Youth's "Staff from ethnic minorities" 0 of 10 beside its 11 people
#: gave its hidden "Not known" (1), which, with the directorate's "Not known" 2, held the other
#: services' "Not known" to 1 and Children in Care's hidden "Mixed, Asian, Black or Other" (4)
#: within [0, 4] (the directorate's 10 less Safeguarding's 79 - 72 less its "Not known")
KNOWN_ANSWERS: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "ethnicity": ("ethnic_minority_rate", frozenset({"Mixed", "Asian", "Black", "Other"}), frozenset({"Not known"})),
    "age_band": ("aged_55_plus_rate", frozenset({"55 to 64", "65 and over"}), frozenset({"Not known"})),
}

#: where the measure history publishes one cell of a linked table (at a month it publishes the
#: figure: a year to 30 September, `published_month`): the measure, the row's label, the table's
#: column and the history's column. The early leavers (leave date before the first anniversary of
#: the start date, employed leavers in the 12 months to the month: metrics.catalogue) are the
#: length-of-service table's "Under 1 year" leavers, so the two get one decision.
CELL_MARGINS: dict[str, tuple[str, str, str, str]] = {
    "length_of_service": ("early_leaver_rate_12m", "Under 1 year", "Leavers", "numerator"),
}

#: measures whose rows by job type (the drill's breakdown by job type: disclosure.history.by_job)
#: are a table's rows: {measure: (table, its (numerator, denominator) columns)}. One figure, one
#: decision: the measure's rows by job type are published as the table decides them
#: (`by_job_rows`). Decided apart, the table showed the directorate's social workers (35 of 72
#: living in the county) and hid Safeguarding's 39, the drill the other way round, and together
#: two hidden counts of 1 and 2 lay in [0, 3] (demo, social workers, January 2024; issue 10)
BY_JOB: dict[str, tuple[str, tuple[str, str]]] = {
    "local_residence_rate": ("local_by_job", ("Living in county", "People recorded")),
}


def by_job_rows(metric_id: str, decided: Mapping[Hashable, tuple[pd.DataFrame, pd.DataFrame]]
                ) -> dict[Hashable, dict[str, str | None]]:
    """{view: {job type: None where the table (BY_JOB) shows the row's numerator and denominator,
    else the reason it hides one}} from the table's decision for every view (`decide`)."""
    from disclosure.cells import REASON_ORDER

    _, columns = BY_JOB[metric_id]
    out: dict = {}
    for view, (published, reasons) in decided.items():
        rows = {}
        for i, job in enumerate(published.iloc[:, 0].astype(str)):
            why = [reasons[c].iat[i] if c in reasons.columns else None for c in columns
                   if isinstance(published[c].iat[i], str)]
            rows[job] = None if not why else min((w or "secondary" for w in why),
                                                 key=lambda r: REASON_ORDER.index(r) if r in REASON_ORDER else 9)
        out[view] = rows
    return out


#: tables over the 12 months to the month, published (to suppressed roles and in every file) only
#: for the year to 30 September (`published_month`; two months' tables would differ by the month's
#: leavers less those of 12 months before). So each is decided, and kept, only at those
#: Septembers (`kept_at`), alone: the years do not overlap, so a September's table and another
#: September's share nobody, and no other month's table is published to bound it; its totals
#: and its "Under 1 year" are the history's figures of that September (MARGINS, CELL_MARGINS)
ROLLING = ("leavers_by_reason", "length_of_service")


def published_month(periods: tuple[str, ...] | list[str], name: str, period: str) -> str | None:
    """The month ("YYYY-MM") whose figures table `name` publishes when `period` is asked for:
    the month itself, except for a 12-month leavers table (ROLLING), which is published for the
    latest year to 30 September (disclosure.cells.CENSUS_MONTH) on or before `period` whose 12
    months are all loaded (`periods`), as the measure history publishes the early leavers
    (disclosure.cells.YEAR_TO_SEPTEMBER); None before the first such year (nothing published).

    Why: successive 12-month windows overlap, so the tables of two months differ by the month's
    leavers less those of 12 months before, by category (the "Under 1 year" row is the early
    leavers the history withholds as "x" at such months); a reader chaining them works small
    counts out. Years to 30 September do not overlap, and are DfE's census year."""
    if name not in ROLLING:
        return period
    from disclosure.cells import CENSUS_MONTH

    loaded = set(periods)
    when = parse_period(period)
    year = when.year if when.month >= CENSUS_MONTH else when.year - 1
    while True:
        end = date(year, CENSUS_MONTH, 1)
        months, p = [], end
        for _ in range(12):
            months.append(p.strftime("%Y-%m"))
            p = previous_period(p)
        if all(m in loaded for m in months):
            return months[0]
        if not loaded or min(loaded) > months[-1]:
            return None
        year -= 1


def published_note(name: str, month: str | None) -> str | None:
    """What a 12-month leavers table's published version says of itself: the year to 30
    September it is of (`month`, from `published_month`), or, None, that none is published yet."""
    if name not in ROLLING:
        return None
    why = ("published once a year, as DfE does, so that month-to-month differences cannot reveal "
           "individuals")
    if month is None:
        return ("x: not available yet. Leavers are published for the year to 30 September once all 12 "
                f"months of it are loaded, {why}.")
    return f"Leavers in the year to 30 September {month[:4]}: {why}."


def kept_at(periods: tuple[str, ...] | list[str], name: str, period: str) -> bool:
    """Whether loads decide and keep table `name` at `period` ("YYYY-MM"; `periods` the loaded
    months): every KEPT table at every month, but a 12-month leavers table (ROLLING) only at the
    months it is published for (`published_month`: a September whose 12 months are loaded), the
    only decisions of it any page or file reads."""
    return name not in ROLLING or published_month(periods, name, period) == period

#: the tables whose decisions each load keeps (the Workforce profile's, Turnover's, Agency &
#: 80:20's and scrutiny's Caseloads first views; the caseload bands at the threshold the page
#: draws, the engine's default: another threshold is decided live)
KEPT: tuple[tuple[str, tuple], ...] = (
    *(("profile", (("by_job", False), ("dimension", d))) for d in ("ethnicity", "age_band", "gender", "disability")),
    ("local_by_job", ()),
    ("leavers_by_reason", ()),
    ("length_of_service", ()),
    ("conversions", ()),
    ("caseload_bands", (("threshold", float(DEFAULT_CASELOAD_THRESHOLD)),)),
)


def table_for(name: str, extra: Mapping[str, Any]) -> Table:
    """What the cells of table `name` (with its options `extra`) count."""
    return TABLES[name].table(dict(extra))


def _windowed(src: Source, name: str, period: str, scope: str, service: str | None, team: str | None,
              extra: Mapping[str, Any]) -> pd.DataFrame | None:
    """A 12-month table's detail frame of one view from the one query of its windows (this
    month's 12 months, or this month alone with months=1); None where it is read alone (another
    table, window or view, a team)."""
    if name not in ROLLING or src.windows is None or team is not None:
        return None
    if service is not None and service not in src.services:
        return None
    window = {12: "now", 1: "month"}.get(extra.get("months", 12))
    if window is None:
        return None
    return src.windows(TABLES[name].detail, period, scope)[window][service]


def build(src: Source, name: str, period: str, scope: str, service: str | None, team: str | None,
          **extra) -> pd.DataFrame:
    """Table `name` of one view (the directorate: service None), exact, at `period`."""
    spec = TABLES[name]
    df = _windowed(src, name, period, scope, service, team, extra)
    if df is None:
        df = src.raw(spec.detail, period, scope, service, team, **spec.reads(extra))
    return spec.shape(df, period, **extra)


def frames(src: Source, name: str, period: str, scope: str, extra: Mapping[str, Any], **more) -> dict:
    """The directorate's table and every service's as built (exact), at `period`."""
    kw = {**dict(extra), **more}
    out = {None: build(src, name, period, scope, None, None, **kw)}
    for s in src.services:
        out[s] = build(src, name, period, scope, s, None, **kw)
    return out


def margins(src: Source, name: str, period: str, scope: str, built: Mapping[Hashable, pd.DataFrame]) -> dict | None:
    """{view: {column: True (the history shows its total), False (the history hides it)}} for the
    policy (disclosure.Margins): a total the history shows is known to any reader; one it hides
    (a small service's, and the second service hidden with it) must not follow from the tables
    either. A total the history shows as another figure counts other people: no word on it.

    Read cell by cell, not by the row's fate: a hidden row whose People the history publishes
    anyway (another row of the same figure: disclosure.policy.published_anyway, shown again in
    the row) has that total known, and the tables are protected against it, as the drill's
    tables by job type are (disclosure.history.by_job, PEOPLE_KNOWN). Taken as hidden, the
    policy would leave cells that the published total gives away."""
    if name not in MARGINS:
        return None
    metric_id, columns = MARGINS[name]
    cell = CELL_MARGINS.get(name) if published_month(src.periods, name, period) == period else None
    out: dict = {}
    for row in src.history(scope, metric_id, period).to_dict("records"):
        key = row["service"]
        if key not in built:
            continue
        said = {}
        for col, source in columns.items():
            if is_hidden(row[source]):
                said[col] = False
            elif col in built[key] and pd.to_numeric(row[source], errors="coerce") == \
                    float(pd.to_numeric(built[key][col]).sum()):
                said[col] = True
        if cell is not None and cell[0] == metric_id:  # the history's figure of one row (its year to September)
            _, label, col, source = cell
            f = built[key]
            mine = [number for lab, number in zip(f.iloc[:, 0].astype(str), pd.to_numeric(f[col], errors="coerce"))
                    if lab == label] if col in f.columns else []
            if is_hidden(row[source]):
                said[(label, col)] = False
            elif len(mine) == 1 and pd.to_numeric(row[source], errors="coerce") == float(mine[0]):
                said[(label, col)] = True
        out[key] = said
    return out


#: the history's share of case holders over the caseload threshold (its default, the bands the
#: Caseloads page draws) counts the bands above it: its numerator is their sum, known to any
#: reader where the history shows it (demo, social workers, October 2026: "6.6% of case holders
#: carried more than 20 cases per FTE", 7 of 106, beside the bands Over 20 to 25 and Over 25)
OVER_THRESHOLD = "caseload_over_threshold_rate"


def _every_answer(dimension: str) -> frozenset[str]:
    """Every answer of a known-answer dimension, as the builders order them (`_profile`)."""
    from ingest import contract
    from metrics import detail

    return frozenset({"ethnicity": contract.ETHNIC_GROUPS, "age_band": detail.AGE_BANDS}[dimension])


def _answers(name: str, extra: Mapping[str, Any]) -> tuple[str, frozenset[str], frozenset[str]] | None:
    """The history's measure counting table `name`'s answers (KNOWN_ANSWERS; the caseload bands
    above the history's threshold: OVER_THRESHOLD), or None."""
    extra = dict(extra)
    if name == "caseload_bands" and float(extra.get("threshold", -1)) == float(DEFAULT_CASELOAD_THRESHOLD):
        edges, labels = _band_edges(DEFAULT_CASELOAD_THRESHOLD)
        return OVER_THRESHOLD, frozenset(lab for lo, lab in zip(edges, labels) if lo >= DEFAULT_CASELOAD_THRESHOLD), \
            frozenset()
    if name != "profile" or extra.get("by_job"):
        return None
    return KNOWN_ANSWERS.get(extra.get("dimension"))


def sums(src: Source, name: str, period: str, scope: str, extra: Mapping[str, Any],
         built: Mapping[Hashable, pd.DataFrame]) -> dict | None:
    """{view: [answers, ...]} for the policy (disclosure.Sums): where the history shows the
    measure counting the table's answers (KNOWN_ANSWERS; the caseload bands: OVER_THRESHOLD) for a view, its numerator (the answers it
    counts) and its denominator (every answer but those it leaves out) are known to any reader.
    A figure that is not the table's sum counts other people: no word on it."""
    said = _answers(name, extra)
    if said is None:
        return None
    metric_id, counted, left_out = said
    table = table_for(name, extra)
    label, count = table.category, table.counts[0]
    recorded = _every_answer(dict(extra)["dimension"]) - left_out if name == "profile" else None
    out: dict = {}
    for row in src.history(scope, metric_id, period).to_dict("records"):
        key = row["service"]
        if key not in built or bool(row["suppressed"]):
            continue
        f = built[key]
        groups = []
        for column, group in (("numerator", counted), ("denominator", recorded)):
            if group is None:  # (every answer: the table's total, a margin)
                continue
            figure = pd.to_numeric(row[column], errors="coerce")
            if figure == float(pd.to_numeric(f.loc[f[label].astype(str).isin(group), count]).sum()):
                groups.append(group)
        if groups:
            out[key] = groups
    return out


#: tables that count the same people, each family decided as one (disclosure.disclose_family):
#: their totals for each view are one figure
FAMILIES: tuple[tuple[tuple[str, tuple], ...], ...] = (
    tuple(("profile", (("by_job", False), ("dimension", d)))
          for d in ("ethnicity", "age_band", "gender", "disability")),
    (("leavers_by_reason", ()), ("length_of_service", ())),
)


def family_of(name: str, extra: Mapping[str, Any]) -> tuple[tuple[str, tuple], ...] | None:
    """The family (FAMILIES) table `name` with options `extra` belongs to, or None."""
    key = (name, tuple(sorted(dict(extra).items())))
    return next((f for f in FAMILIES if key in f), None)


def decide(src: Source, name: str, period: str, scope: str, extra: Mapping[str, Any], *,
           memo: dict | None = None) -> dict:
    """The live decision: {view: (published, reasons)} for the directorate (None) and every
    service, protected together, with the history's figures of the month (`margins`, `sums`); a
    table of a family decided with the rest of its family (`memo`: a dict kept across calls on
    the same figures, so that a family is decided once for all its members). A 12-month leavers
    table is published at its Septembers only (`kept_at`), decided there alone (ROLLING)."""
    family = family_of(name, extra)
    if family is not None:
        got = None if memo is None else memo.get((family, period, scope))
        if got is None:
            tables = {}
            for n, x in family:
                built = frames(src, n, period, scope, dict(x))
                tables[(n, x)] = Linked(built, table_for(n, dict(x)), margins=margins(src, n, period, scope, built),
                                        sums=sums(src, n, period, scope, dict(x), built))
            got = disclose_family(tables)
            if memo is not None:
                memo[(family, period, scope)] = got
        out = got[(name, tuple(sorted(dict(extra).items())))]
        return {k: (d.published, d.reasons) for k, d in out.items()}
    built = frames(src, name, period, scope, extra)
    out = disclose_all(built, table_for(name, extra), name=name, margins=margins(src, name, period, scope, built),
                       sums=sums(src, name, period, scope, extra, built))
    return {k: (d.published, d.reasons) for k, d in out.items()}


# ------------------------------------------------------------------------------------------
# kept per load


def signature() -> str:
    """What kept decisions must have been made under (disclosure.rules.decision_signature): every
    disclosure module, the store's codec, the category orders the builders use and the rules in
    force."""
    from ingest import contract
    from metrics import detail

    return decision_signature(kept.__file__, contract.__file__, detail.__file__)


def _key(name: str, extra: Mapping[str, Any]) -> str:
    return f"{name}|{json.dumps(sorted(dict(extra).items()))}"


def inputs(src: Source, name: str, period: str, scope: str, extra: Mapping[str, Any]) -> str:
    """A fingerprint of everything the decision of table `name` at `period` rests on: the detail
    frame of every view, the published history's rows it reads the totals from, the services and
    (a 12-month table) whether its year to September is whole. Built tables follow from these by this module's code (in the
    signature), so the reader need not build them."""
    family = family_of(name, extra)
    if family is not None:  # a family's decision rests on every member's figures
        return kept.fingerprint(name, sorted(dict(extra).items()),
                                *(_inputs(src, n, period, scope, dict(x)) for n, x in family))
    return _inputs(src, name, period, scope, extra)


def _inputs(src: Source, name: str, period: str, scope: str, extra: Mapping[str, Any]) -> str:
    spec = TABLES[name]
    views = (None, *src.services)

    def reads(at: str, **more) -> list:
        kw = spec.reads({**dict(extra), **more})
        got = [src.raw(spec.detail, at, scope, v, None, **kw) for v in views]
        if spec.detail in _SERIES:  # every month's rows: the table shows those up to `at` only (so a
            # later month's load leaves this month's fingerprint, and kept decision, as they were)
            upto = pd.Timestamp(at + "-01")
            got = [f[pd.to_datetime(f["period"]) <= upto].reset_index(drop=True) for f in got]
        return got

    def said(at: str) -> list:
        if name not in MARGINS:
            return []
        rows = src.history(scope, MARGINS[name][0], at)
        # (a CELL_MARGINS figure follows from the detail frames, `suppressed` and whether the year is
        # whole (below); the history's own column may read "x" to a page)
        out = [rows[c].tolist() for c in ("service", "suppressed", *sorted(set(MARGINS[name][1].values())))]
        answers = _answers(name, extra)
        if answers is not None:  # the known-answer measure's figures (`sums`)
            rows = src.history(scope, answers[0], at)
            out += [rows[c].tolist() for c in ("service", "suppressed", "numerator", "denominator")]
        return out

    parts: list = [name, sorted(dict(extra).items()), period, scope, list(views), said(period)]
    if _windowed(src, name, period, scope, None, None, extra) is not None:  # the 12 months' frames
        w = src.windows(spec.detail, period, scope)  # (of the one query a page reads them from)
        parts.append([w["now"][v] for v in views])
    else:
        parts.append(reads(period))
    if name in ROLLING:  # its "Under 1 year" is the history's early leavers where its year is whole
        parts.append(published_month(src.periods, name, period) == period)
    return kept.fingerprint(*parts)


def _encode(decided: Mapping[Hashable, tuple[pd.DataFrame, pd.DataFrame]]) -> str:
    views = list(decided)
    frames_ = {}
    for i, v in enumerate(views):
        frames_[f"p{i}"], frames_[f"r{i}"] = decided[v]
    return json.dumps({"views": views, "frames": kept.encode_frames(frames_)})


def _decode(text: str) -> dict:
    data = json.loads(text)
    got = kept.decode_frames(data["frames"])
    return {v: (got[f"p{i}"], got[f"r{i}"]) for i, v in enumerate(data["views"])}


def ledger(con: duckdb.DuckDBPyConnection) -> str:
    """What a kept decision is confirmed under: the load ledger (metrics.detail.load_fingerprint).
    Rows only ever enter the store through a ledgered load (ingest.loader), so while the ledger is
    unchanged so are the figures a decision was confirmed on."""
    from metrics import detail

    return detail.load_fingerprint(con)


def _confirmed(version: str, name: str, period: str, scope: str, extra: Mapping[str, Any]) -> str:
    """A kept row's `confirmed`: the ledger `version`, bound to the row's own month, scope and table
    (a row copied to another month or table is never read as confirmed there)."""
    return kept.fingerprint("confirmed", KIND, version, period, scope, _key(name, extra))


def decision(open_con: Callable[[], AbstractContextManager], src: Source, name: str, period: str, scope: str,
             extra: Mapping[str, Any]) -> tuple[dict, bool]:
    """({view: (published, reasons)}, kept?): the kept decision (read through `open_con()`, a
    context manager giving a connection) when it answers for these figures, code and rules; else
    decided now (exactly `decide`). A row confirmed under the load ledger as it is now answers from
    one small read; any other kept row only when the fingerprint of its inputs (`inputs`: every
    detail frame and history row it rests on, read and hashed) is still the figures'."""
    try:
        sig = signature()
    except RulesError:
        sig = None  # decided live, where the error reaches whoever asks
    if sig is not None:
        key, when = _key(name, extra), parse_period(period)
        with open_con() as con:
            text = kept.read(con, kind=KIND, period=when, scope=scope, key=key, signature=sig,
                             confirmed=_confirmed(ledger(con), name, period, scope, extra))
        got = None if text is None else _decoded(text)
        if got is not None:
            return got, True
        fp = inputs(src, name, period, scope, extra)
        with open_con() as con:
            text = kept.read(con, kind=KIND, period=when, scope=scope, key=key, signature=sig, inputs=fp)
        got = None if text is None else _decoded(text)
        if got is not None:
            return got, True
    return decide(src, name, period, scope, extra), False


def _decoded(text: str) -> dict | None:
    try:
        return _decode(text)
    except (ValueError, KeyError, TypeError):
        return None


def _months_changed(src: Source, loaded: str, moved: set[str] = frozenset()) -> dict[str, tuple[str, ...]]:
    """{month: the tables to decide again} after `loaded` was loaded: that month's tables but the
    12-month ones (ROLLING); those of the September whose year to 30 September holds it (its
    window), where they are published (`kept_at`); and those of the published Septembers whose
    margins the load's history decided again across months (`moved`: disclosure.history.moved)."""
    rolling = {n for n, _ in KEPT if n in ROLLING}
    again: dict[str, set[str]] = {}
    if loaded in src.periods:
        again[loaded] = {n for n, _ in KEPT if n not in ROLLING}
    when = parse_period(loaded)
    from disclosure.cells import CENSUS_MONTH

    september = date(when.year + (when.month > CENSUS_MONTH), CENSUS_MONTH, 1).strftime("%Y-%m")
    for m in {september, *moved}:
        if m in src.periods and all(kept_at(src.periods, n, m) for n in rolling):
            again.setdefault(m, set()).update(rolling)
    return {m: tuple(n for n, _ in KEPT if n in names) for m, names in sorted(again.items())}


def refresh(con: duckdb.DuckDBPyConnection, *, period: str | None = None) -> int:
    """Decide again, and keep, the kept tables of the months a load of `period` (default: the
    latest load in the ledger) changed, both scopes, in the caller's transaction; returns the
    decisions kept. When the rules or figures cannot be read, or a table cannot be decided,
    that month keeps nothing (its readers decide live and show the error)."""
    from metrics import detail

    if period is None:
        last = detail.last_load(con)
        if last is None:
            return 0
        period = last["load_period"].strftime("%Y-%m")
    src = cursor_source(con)
    try:
        sig = signature()
    except RulesError:
        sig = None
    from disclosure import history

    version = ledger(con)
    n = 0
    changed = _months_changed(src, period, history.moved(con))
    for month, names in changed.items():
        when = parse_period(month)
        rows = []
        memo: dict = {}  # each family decided once for its members
        try:
            if sig is None:
                raise RulesError("no rules")
            for scope in SCOPES:
                for name, extra in KEPT:
                    if name not in names:
                        continue
                    ex = dict(extra)
                    rows.append(kept.Kept(kind=KIND, period=when, scope=scope, key=_key(name, ex), signature=sig,
                                          inputs=inputs(src, name, month, scope, ex),
                                          decision=_encode(decide(src, name, month, scope, ex, memo=memo)),
                                          confirmed=_confirmed(version, name, month, scope, ex)))
        except (RulesError, MetricError, DisclosureError, SuppressionError, ValueError, TypeError):
            kept.forget(con, kind=KIND, period=when)
            continue
        kept.write(con, rows)
        n += len(rows)
    if sig is not None and src.periods:  # the latest month's tables (every page's first view: the
        # 12-month ones of its year to September) answer from one read
        for month, names in _published_at(src, src.periods[-1]).items():
            n += _confirm(con, src, month, tuple(x for x in names if x not in changed.get(month, ())), sig, version)
    return n


def _published_at(src: Source, period: str) -> dict[str, tuple[str, ...]]:
    """{month: the KEPT tables a page at `period` publishes that month's decision of}: `period`'s,
    and a 12-month table's year to 30 September's (`published_month`; none before the first)."""
    out: dict[str, list[str]] = {}
    for name, _ in KEPT:
        at = published_month(src.periods, name, period)
        if at is not None and name not in out.get(at, ()):
            out.setdefault(at, []).append(name)
    return {m: tuple(names) for m, names in out.items()}


def confirm(con: duckdb.DuckDBPyConnection, *, period: str) -> int:
    """Confirm under the load ledger now every table kept at `period` ("YYYY-MM"; `kept_at`: a
    12-month table only at its published Septembers) whose inputs are still the figures, and decide
    again and keep the others, both scopes, in the caller's transaction: that month's tables then
    answer a page from one small read. Returns the decisions confirmed or kept (0 when the rules
    cannot be read)."""
    try:
        sig = signature()
    except RulesError:
        return 0
    src = cursor_source(con)
    return _confirm(con, src, period, tuple(n for n, _ in KEPT if kept_at(src.periods, n, period)), sig,
                    ledger(con))


def _confirm(con: duckdb.DuckDBPyConnection, src: Source, month: str, names: tuple[str, ...], sig: str,
             version: str) -> int:
    """Confirm under ledger `version` the kept tables `names` of `month` whose inputs are still the
    figures; decide again and keep those whose are not. Returns the decisions kept or confirmed."""
    if not names:
        return 0
    when = parse_period(month)
    have = {(r.scope, r.key): r for r in kept.read_all(con, kind=KIND, period=when)}
    fresh, again, memo = [], [], {}
    try:
        for scope in SCOPES:
            for name, extra in KEPT:
                if name not in names:
                    continue
                ex = dict(extra)
                row = kept.Kept(kind=KIND, period=when, scope=scope, key=_key(name, ex), signature=sig,
                                inputs=inputs(src, name, month, scope, ex), decision="",
                                confirmed=_confirmed(version, name, month, scope, ex))
                was = have.get((scope, row.key))
                if was is not None and (was.signature, was.inputs) == (sig, row.inputs):
                    fresh.append(row)
                else:
                    again.append(kept.Kept(**{**row.__dict__,
                                              "decision": _encode(decide(src, name, month, scope, ex, memo=memo))}))
    except (MetricError, DisclosureError, SuppressionError, ValueError, TypeError):
        return 0  # those tables stay as they were kept: readers check their inputs, or decide live
    return kept.confirm(con, fresh) + kept.write(con, again)


# ------------------------------------------------------------------------------------------
# the latest month's tables kept whole (store.frames): what a page's first view reads


#: the kept frames' names start so (store.frames; then "decision."/"exact.", the scope, the table's key)
FRAMES_PREFIX = "linked."


def _frames_name(part: str, name: str, scope: str, extra: Mapping[str, Any]) -> str:
    return f"{FRAMES_PREFIX}{part}.{scope}.{_key(name, extra)}"


def _frames_key(sig: str, version: str, name: str, period: str, scope: str, extra: Mapping[str, Any]) -> str:
    """What a table's kept frames at `period` are read under: what confirms its kept decision (the
    code and rules `sig`, the load ledger `version` bound to the month, scope and table:
    `_confirmed`) and the code and library versions that built and pickled them
    (disclosure.history's kept frames')."""
    from disclosure import history

    return "|".join((sig, _confirmed(version, name, period, scope, extra), history._frames_code()))


def keep_frames(con: duckdb.DuckDBPyConnection) -> int:
    """Keep whole (store.frames) what a page's first view at the latest month reads of every KEPT
    table, both scopes: its decision ({view: (published, reasons)}) at the month it publishes
    (`published_month`), as `decision` reads it, and the directorate's exact table at the latest
    month (what roles with exact figures see: `build`); in the caller's transaction (a load's, after
    `refresh`, which kept and confirmed those decisions). Why: reading them is a few ms; decoding a
    kept decision's JSON cost ~17 ms a table, building the exact table a detail query. Returns the
    bytes kept; a table that cannot be decided or built keeps nothing (its readers work it out)."""
    store_frames.forget(con, FRAMES_PREFIX)
    try:
        sig = signature()
    except RulesError:
        return 0
    src = cursor_source(con)
    if not src.periods:
        return 0
    latest, version, size = src.periods[-1], ledger(con), 0
    for scope in SCOPES:
        for name, extra in KEPT:
            ex = dict(extra)
            at = published_month(src.periods, name, latest)
            try:
                if at is not None:
                    got, _ = decision(lambda: nullcontext(con), src, name, at, scope, ex)
                    size += store_frames.write(con, _frames_name("decision", name, scope, ex),
                                              _frames_key(sig, version, name, at, scope, ex), _labelled(got))
                size += store_frames.write(con, _frames_name("exact", name, scope, ex),
                                          _frames_key(sig, version, name, latest, scope, ex),
                                          build(src, name, latest, scope, None, None, **ex))
            except (MetricError, DisclosureError, SuppressionError, ValueError, TypeError):
                continue  # (a FrameError is a ValueError: a frame the allow-list could not read back)
    return size


def _labelled(decided: Mapping[Hashable, tuple[pd.DataFrame, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """A decision as labelled frames, in its views' order (the view as JSON: None is "null")."""
    out = {}
    for view, (published, reasons) in decided.items():
        out["p" + json.dumps(view)], out["r" + json.dumps(view)] = published, reasons
    return out


@dataclass(frozen=True)
class KeptFrames:
    """What `keep_frames` kept, as read in one query (`kept_frames`), for `kept_decision` and
    `kept_exact` to pick from: the code and rules' signature and the load ledger now (what they
    must have been kept under), and the kept bodies (store.frames.bodies), rebuilt when picked."""

    signature: str
    ledger: str
    bodies: Mapping[str, tuple[str, bytes]]


def kept_frames(con: duckdb.DuckDBPyConnection) -> KeptFrames | None:
    """Every linked table's frames `keep_frames` kept, unread till picked; None when the rules
    cannot be read (readers then decide live, where the error reaches them)."""
    try:
        sig = signature()
    except RulesError:
        return None
    return KeptFrames(sig, ledger(con), store_frames.bodies(con, FRAMES_PREFIX))


def kept_decision(got: KeptFrames | None, name: str, period: str, scope: str,
                  extra: Mapping[str, Any]) -> dict | None:
    """The decision of table `name` at `period` as the last load kept it whole (`keep_frames`):
    {view: (published, reasons)}, what `decision` reads confirmed under the ledger; None when it is
    not kept for the ledger, code and rules as they are now (another month, a load since)."""
    if got is None:
        return None
    frames_ = store_frames.picked(got.bodies, _frames_name("decision", name, scope, extra),
                                  _frames_key(got.signature, got.ledger, name, period, scope, extra), many=True)
    if frames_ is None:
        return None
    labels = list(frames_)
    return {json.loads(p[1:]): (frames_[p], frames_[r]) for p, r in zip(labels[::2], labels[1::2])}


def kept_exact(got: KeptFrames | None, name: str, period: str, scope: str,
               extra: Mapping[str, Any]) -> pd.DataFrame | None:
    """The directorate's exact table `name` at `period` as the last load kept it (`keep_frames`:
    `build(..., None, None)` at the latest month); None when not kept for the ledger, code and
    rules as they are now."""
    if got is None:
        return None
    return store_frames.picked(got.bodies, _frames_name("exact", name, scope, extra),
                               _frames_key(got.signature, got.ledger, name, period, scope, extra))


def _after_load(cur: duckdb.DuckDBPyConnection) -> None:
    refresh(cur)
    keep_frames(cur)


def register() -> None:
    """Have every load in this process keep the linked tables' decisions in its own transaction,
    after the published history they read (disclosure.history registers it first); idempotent.
    Imported by the commands that load (ingest, demo) and by the dashboard."""
    from disclosure import history
    from ingest import loader

    history.register()
    if _after_load not in loader.AFTER_WRITE:
        loader.AFTER_WRITE.append(_after_load)


register()
