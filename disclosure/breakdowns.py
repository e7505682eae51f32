"""The drill: a measure at the month by service, team or job type with each group's published fate
(`breakdown`), and the groups that moved it most since a year ago (`what_changed`), worked out
below ui/ from a cursor and the measure history, so that a load can keep the latest month's
default view whole.

Why here: every workforce page draws its drill section's default view (its first measure, by
service, the directorate, the latest month) on its first render, and working it out cost each
of them ~85-90 ms of CPU (two engine queries by service over 13 months, then the frames), the
same for every visitor until the next load. A load now works it out once for each section's
first measure (DEFAULT_MEASURES: the one it opens on) and both scopes (`keep_frames`, registered
with ingest.loader.AFTER_WRITE after the history's frames it reads) and keeps it whole
(store.frames); ui.data.breakdowns reads it (`kept`, `picked`) for that view and works out any
other (another month or measure, a service, the team or job-type breakdown) per view with the
same functions. The role only picks
one of two kept copies: exact with each row's published fate (roles with exact figures) or the
published one (`suppressed`).

Public: `DRILL_PAGES`, `DEFAULT_MEASURES`, `grouped`, `is_none`, `exact_rows`, `view_rows`,
`with_published`, `not_available`, `fte_of`, `fte_rows`, `breakdown`, `published_fate`,
`what_changed`, `PARTS`, `TOP`, `FRAMES_PREFIX`, `frames_key`, `default_view`, `keep_frames`,
`KeptDrill`, `kept`, `picked`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from disclosure.cells import FTE_OF_PEOPLE, SuppressionError
from disclosure.linked import engine_filters
from disclosure.policy import NOT_AVAILABLE_COL, DisclosureError, fte_people, rests_on
from disclosure.rules import RulesError
from metrics import engine
from metrics.types import SCOPES, MetricError
from metrics.units import is_hidden, is_not_available
from store import periods

#: Where each measure's breakdowns are: page key (dashboard.PAGES), the drill section's key.
#: The Overview's cards link here; the first measure of a page's section is its own measure.
DRILL_PAGES: dict[str, tuple[str, str]] = {
    "agency_rate_fte": ("agency", "agency"),
    "vacancy_rate_fte": ("agency", "agency"),
    "permanent_team_manager_rate": ("agency", "agency"),
    "avg_caseload": ("caseloads", "caseload"),
    "caseload_over_threshold_rate": ("caseloads", "caseload"),
    "absence_rate": ("caseloads", "caseload"),
    "turnover_rate_fte_12m": ("turnover", "turnover"),
    "stability_index_12m": ("turnover", "turnover"),
    "early_leaver_rate_12m": ("turnover", "turnover"),
    "ethnic_minority_rate": ("profile", "profile"),
    "aged_55_plus_rate": ("profile", "profile"),
    "local_residence_rate": ("profile", "profile"),
}

#: the measure each drill section opens on (its first: the page's own), whose default view a load
#: keeps (`keep_frames`); another measure, picked on the page, is worked out when asked for
DEFAULT_MEASURES: tuple[str, ...] = tuple(dict.fromkeys(
    next(m for m, (_, k) in DRILL_PAGES.items() if k == key) for _, key in DRILL_PAGES.values()))

#: the columns of an engine frame row that `rests_on` reads
PARTS = ("value", "numerator", "denominator", "base_count")
#: the groups "what changed" lists (the drill's default)
TOP = 5


def grouped(con: duckdb.DuckDBPyConnection, metric_id: str, by: str, period: str, scope: str,
            service: str | None, team: str | None) -> pd.DataFrame:
    """The measure by `by` at the month and the same month a year earlier, with target, status
    and change on the year (one query, exact): what the breakdown and "what changed" both read."""
    p = periods.parse_period(period)
    frame = engine.history(con, scope=scope, by=by, metric_ids=[metric_id], filters=engine_filters(service, team),
                           start=periods.year_ago(p), end=p)
    return engine.add_targets(frame)


def exact_rows(both: pd.DataFrame, every: pd.DataFrame, metric_id: str, period: str) -> pd.DataFrame:
    """The overall figure (from `every`: the view's evaluated history, every measure and month)
    and the groups (from `both`: `grouped`) at the month, exact (never shown as it is)."""
    p = periods.parse_period(period)
    groups = both[both["period"] == p]
    overall = every[(every["metric_id"] == metric_id) & (every["period"] == p)]
    out = pd.concat([overall, groups], ignore_index=True)
    out["period"] = pd.to_datetime(out["period"])
    return out


def is_none(series: pd.Series) -> np.ndarray:
    """True where a value is None or a float NaN (not pd.NA nor NaT). Only the values pd.isna
    calls missing are looked at one by one (a loop over every row of the history cost 1-2 ms)."""
    values = series.to_numpy(dtype=object)
    out = np.asarray(pd.isna(values), dtype=bool)
    if out.any():
        out[out] = [v is None or (isinstance(v, float) and np.isnan(v)) for v in values[out]]
    return out


def view_rows(grid: pd.DataFrame, service: str | None, by: str | None) -> pd.DataFrame:
    """The published rows (`grid`: the published history, or its rows by job type) of one view: a
    service (None = directorate) overall, or by service (the overall row's group None) or by job
    type."""
    no_service = is_none(grid["service"])
    no_group = is_none(grid["group"])
    here = no_service if service is None else (grid["service"] == service).to_numpy()
    if by == "service":
        out = grid[no_group].copy()
        out["group"] = out["service"]
        if service:
            out = out[is_none(out["service"]) | (out["service"] == service).to_numpy()]
    elif by == "role_group":
        out = grid[here].copy()
    else:
        out = grid[here & no_group].copy()
    return out.drop(columns=["service"]).reset_index(drop=True)


def with_published(exact: pd.DataFrame, public: pd.DataFrame) -> pd.DataFrame:
    """The exact frame with each row's published fate beside it (for the downloads)."""
    def key(f: pd.DataFrame) -> list:
        # months as integers: iterating Timestamps cost ~0.1 s per page view on the history
        when = pd.to_datetime(f["period"]).to_numpy().astype("datetime64[ns]").view("int64").tolist()
        return list(zip(f["metric_id"].tolist(), when,
                        [None if g is None or (isinstance(g, float) and np.isnan(g)) else g for g in f["group"]]))

    fate = {k: (bool(h), r) for k, h, r in zip(key(public), public["suppressed"], public["suppression"])}
    out = exact.copy()
    keys = key(out)
    out["published_hidden"] = [fate.get(k, (True, "secondary"))[0] for k in keys]
    out["published_reason"] = [fate.get(k, (True, "secondary"))[1] for k in keys]
    na = set(k for k, n in zip(key(public), not_available(public)) if n)
    out["published_not_available"] = [k in na for k in keys]
    # a hidden row's People the policy publishes anyway (disclosure.policy._counts_published_anyway)
    people = {k: is_hidden(b) for k, b in zip(key(public), public["base_count"])}
    out["published_people_hidden"] = [people.get(k, True) for k in keys]
    return out


def not_available(public: pd.DataFrame) -> list[bool]:
    """Each row of a published engine frame: True where its figure reads "x" for its month
    (disclosure.policy.NOT_AVAILABLE_COL, or the value itself)."""
    flagged = (public[NOT_AVAILABLE_COL].eq(True).tolist() if NOT_AVAILABLE_COL in public.columns
               else [False] * len(public))  # eq: True for True and numpy's True, False for None and NaN
    return [bool(f) or is_not_available(v) for f, v in zip(flagged, public["value"].tolist())]


def fte_of(metric_id: str) -> str | None:
    """The measure counting the people a rate's FTE numerator is of (disclosure.cells.FTE_OF_PEOPLE:
    turnover's leavers), whose `grouped` frame `fte_rows` reads; None for any other measure."""
    return FTE_OF_PEOPLE[metric_id][0] if metric_id in FTE_OF_PEOPLE else None


def fte_rows(metric_id: str, both: pd.DataFrame | None) -> dict:
    """{(month, group): {measure: its exact row}} from `both`, the `grouped` frame of
    `fte_of(metric_id)` (None: no such measure, {}), for `rests_on`'s `people`
    (disclosure.policy.fte_people)."""
    of = fte_of(metric_id)
    if of is None or both is None:
        return {}
    return {(pd.Timestamp(p), g): {of: row}
            for p, g, row in zip(both["period"], both["group"], both.to_dict("records"))}


def breakdown(exact: pd.DataFrame, public: pd.DataFrame, *, suppressed: bool, metric_id: str, period: str,
              fte: dict) -> pd.DataFrame:
    """The drill's breakdown from the view's `exact` rows (`exact_rows`) and `public` ones at the
    month: group, value, base_count, status, each row's published fate and the people its figure
    rests on; the exact figures with their fate for roles that see them, else (`suppressed`) the
    published ones; largest first."""
    when = pd.Timestamp(period + "-01")
    if not suppressed:
        frame = with_published(exact, public)
    else:
        frame = public.copy()
        frame["published_hidden"] = frame["suppressed"]
        frame["published_reason"] = frame["suppression"]
        frame["published_not_available"] = not_available(frame)
        frame["published_people_hidden"] = [is_hidden(b) for b in frame["base_count"]]
    frame = frame[frame["group"].notna()]
    # the people each group's figure and People rest on (exact, for the captions' true reasons
    # only: disclosure.policy.published_rows `sizes`; never shown)
    rest = {g: (rests_on(metric_id, **row, people=fte_people(metric_id, fte.get((when, g), {}))), (row["base_count"],))
            for g, row in zip(exact["group"], exact[list(PARTS)].to_dict("records")) if g is not None}
    frame = frame.assign(value_rests_on=[rest.get(g, ((), ()))[0] for g in frame["group"]],
                         people_rests_on=[rest.get(g, ((), ()))[1] for g in frame["group"]])
    # largest first (hidden "c" groups last), so the chart and table read as a ranking
    order = pd.to_numeric(frame["value"], errors="coerce")
    frame = frame.assign(_v=order.fillna(float("-inf"))).sort_values(["_v", "group"], ascending=[False, True])
    frame = frame.drop(columns="_v").reset_index(drop=True)
    return frame[["group", "value", "base_count", "target", "status", "partial", "months_covered",
                  "published_hidden", "published_reason", "published_not_available", "published_people_hidden",
                  "value_rests_on", "people_rests_on"]]


def published_fate(public: pd.DataFrame, groups: Iterable, *, suppressed: bool) -> list[tuple[object, bool, object]]:
    """(group, published_hidden, published_reason) of each group, as `breakdown` gives them, from
    the published rows alone (`public`: one measure at one month by service or job type): a role
    with exact figures gets one for each of its exact `groups` (a group the published rows lack is
    hidden, "secondary", as `with_published` says), any other role one for each published group."""
    public = public[public["group"].notna()]
    if suppressed:
        return list(zip(public["group"], public["suppressed"], public["suppression"]))
    fate = {g: (bool(h), r) for g, h, r in zip(public["group"], public["suppressed"], public["suppression"])}
    return [(g, *fate.get(g, (True, "secondary"))) for g in groups]


def what_changed(both: pd.DataFrame, *, metric_id: str, period: str, fte: dict, suppressed: bool, top: int,
                 fate_now: Callable[[], pd.DataFrame],
                 fates_then: Callable[[pd.Series], Iterable[tuple[object, bool, object]]]) -> pd.DataFrame:
    """The groups that moved the figure most since a year ago (from `both`: `grouped`), biggest
    people-weighted movement first, with `published_hidden` / `published_reason` (hidden now,
    `fate_now()`: the month's `breakdown`, or a year ago, `fates_then(groups a year ago)`). For a
    role without exact figures (`suppressed`) a group hidden now or a year ago is left out (its
    change would give its figure away); how many were left out is in `.attrs["left_out"]`."""
    cols = ["group", "value", "year_ago_value", "change_on_year", "base_count", "base_then",
            "published_hidden", "published_reason", "now_rests_on", "then_rests_on"]
    p = periods.parse_period(period)
    both = both[both["group"].notna()]
    then = both[both["period"] == periods.year_ago(p)]
    if then.empty:  # the same month a year earlier is not loaded: nothing to compare with
        return pd.DataFrame(columns=cols)
    now = both[both["period"] == p]
    year_ago = pd.Timestamp(periods.year_ago(p))
    ago = {g: rests_on(metric_id, **row, people=fte_people(metric_id, fte.get((year_ago, g), {})))
           for g, row in zip(then["group"], then[list(PARTS)].to_dict("records"))}
    frame = now.merge(then[["group", "base_count"]].rename(columns={"base_count": "base_then"}),
                      on="group", how="left")
    frame = frame.dropna(subset=["change_on_year"])
    # the people each figure rests on, now and a year ago (exact, for the captions' true reasons)
    frame["now_rests_on"] = [rests_on(metric_id, **row, people=fte_people(metric_id, fte.get((pd.Timestamp(p), g), {})))
                             for g, row in zip(frame["group"], frame[list(PARTS)].to_dict("records"))]
    frame["then_rests_on"] = [ago.get(g, ()) for g in frame["group"]]
    # each group's published fate now and a year ago (the breakdown's, so both read the same)
    now_frame = fate_now()
    now_fates = zip(now_frame["group"], now_frame["published_hidden"], now_frame["published_reason"])
    hidden: dict[object, str] = {}
    for fates in (now_fates, fates_then(then["group"])):
        for g, h, r in fates:
            if bool(h) and g not in hidden:
                hidden[g] = r if isinstance(r, str) else "secondary"
    frame["published_hidden"] = np.array([g in hidden for g in frame["group"]], dtype=bool)
    frame["published_reason"] = [hidden.get(g) for g in frame["group"]]
    left_out = 0
    if suppressed:
        left_out = int(frame["published_hidden"].sum())
        frame = frame.loc[~frame["published_hidden"].to_numpy(dtype=bool)]
    weight = frame["change_on_year"].abs() * frame["base_count"].astype(float)
    frame = frame.assign(_w=weight).sort_values("_w", ascending=False).head(top)
    out = frame[cols].reset_index(drop=True)
    out.attrs["left_out"] = left_out  # groups with a year-ago figure left out as hidden (c)
    return out


# ------------------------------------------------------------------------------------------
# the latest month's default view kept whole per load (store.frames)

#: the kept frames' names start so (then the scope and the measure)
FRAMES_PREFIX = "drill."


def frames_key(con: duckdb.DuckDBPyConnection, period: str) -> str:
    """What the kept default views at `period` must have been worked out under to be read: what
    the history's kept frames they are worked out from are (disclosure.history.frames_key: the
    ledger, code, rules, library versions, targets and agency rules files) and the month."""
    from disclosure import history

    return f"{history.frames_key(con)}|{period}"


def _name(scope: str, metric_id: str) -> str:
    return f"{FRAMES_PREFIX}{scope}.{metric_id}"


def default_view(con: duckdb.DuckDBPyConnection, raw: pd.DataFrame, published: pd.DataFrame, metric_id: str,
                 period: str, scope: str) -> dict[str, pd.DataFrame]:
    """The drill's default view of `metric_id` at `period` (by service, the directorate, "what
    changed" top TOP), worked out from the history's frames `raw` and `published` (one scope):
    {"breakdown.exact", "breakdown.published", "changed.exact", "changed.published"}: for roles
    with exact figures and for the others (`suppressed`)."""
    p = pd.Timestamp(period + "-01")
    every = raw[is_none(raw["service"])].drop(columns="service").reset_index(drop=True)

    def public_at(month: str) -> pd.DataFrame:
        at = pd.Timestamp(month + "-01")
        grid = published[(published["metric_id"] == metric_id).to_numpy() & (published["period"] == at).to_numpy()]
        return view_rows(grid, None, "service")

    both = grouped(con, metric_id, "service", period, scope, None, None)
    of = fte_of(metric_id)
    fte = fte_rows(metric_id, None if of is None else grouped(con, of, "service", period, scope, None, None))
    exact = exact_rows(both, every, metric_id, period)
    public = public_at(period)
    public = public[(public["metric_id"] == metric_id) & (public["period"] == p)]
    then = periods.year_ago(periods.parse_period(period)).strftime("%Y-%m")
    out = {}
    for suppressed, label in ((False, "exact"), (True, "published")):
        b = breakdown(exact, public, suppressed=suppressed, metric_id=metric_id, period=period, fte=fte)
        out[f"breakdown.{label}"] = b
        out[f"changed.{label}"] = what_changed(
            both, metric_id=metric_id, period=period, fte=fte, suppressed=suppressed, top=TOP,
            fate_now=lambda b=b: b,
            fates_then=lambda groups, s=suppressed: published_fate(public_at(then), groups, suppressed=s))
    return out


def keep_frames(con: duckdb.DuckDBPyConnection) -> int:
    """Work out the drill's default view of each section's first measure (DEFAULT_MEASURES) at the
    latest month, both
    scopes, from the history's kept frames (disclosure.history.kept_history; built when not kept),
    and keep each whole under `frames_key`, in the caller's transaction (a load's, after the
    history's frames are kept); returns the bytes kept. A measure that cannot be worked out keeps
    nothing (its readers work it out per view and show the error)."""
    from disclosure import history
    from store import frames as kept_frames
    from store import loaded_periods

    kept_frames.forget(con, FRAMES_PREFIX)
    months = loaded_periods(con)
    if not months:
        return 0
    period = months[-1].strftime("%Y-%m")
    try:
        key = frames_key(con, period)
    except (RulesError, MetricError):
        return 0
    size = 0
    for scope in SCOPES:
        try:
            got = history.kept_history(con, scope=scope)
            raw, published = got if got is not None else (None, None)
            if raw is None:
                raw = history.raw(con, scope=scope)
                published = history.published(con, scope=scope, frame=raw)
        except (RulesError, MetricError, SuppressionError, DisclosureError):
            continue
        for metric_id in DEFAULT_MEASURES:
            try:
                frames = default_view(con, raw, published, metric_id, period, scope)
                size += kept_frames.write(con, _name(scope, metric_id), key, frames)
            except (MetricError, SuppressionError, DisclosureError, ValueError, TypeError, KeyError):
                continue  # (a FrameError is a ValueError: a frame the allow-list could not read back)
    return size


@dataclass(frozen=True)
class KeptDrill:
    """The default views `keep_frames` kept, as read in one query (`kept`): the key they must have
    been kept under now (None: none can be read) and the bodies (store.frames.bodies)."""

    key: str | None
    bodies: Mapping[str, tuple[str, bytes]]


def kept(con: duckdb.DuckDBPyConnection, period: str) -> KeptDrill:
    """Every kept default view, unread till picked, with the key a view at `period` is read under."""
    from store import frames as kept_frames

    try:
        key = frames_key(con, period)
    except (RulesError, MetricError):
        return KeptDrill(None, {})
    return KeptDrill(key, kept_frames.bodies(con, FRAMES_PREFIX))


def picked(got: KeptDrill | None, metric_id: str, scope: str, *,
           suppressed: bool) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(breakdown, what changed) of `metric_id`'s default view as kept for this role class
    (`suppressed`: the published copy); None when not kept under the key read now."""
    from store import frames as kept_frames

    if got is None or got.key is None:
        return None
    frames = kept_frames.picked(got.bodies, _name(scope, metric_id), got.key, many=True)
    if frames is None:
        return None
    label = "published" if suppressed else "exact"
    return frames[f"breakdown.{label}"], frames[f"changed.{label}"]


def _after_load(cur: duckdb.DuckDBPyConnection) -> None:
    keep_frames(cur)


def register() -> None:
    """Have every load in this process keep the drill's default views in its own transaction,
    after the history's frames they are worked out from (disclosure.history registers those);
    idempotent. Imported by the commands that load (ingest, demo) and by the dashboard."""
    from disclosure import history
    from ingest import loader

    history.register()
    if _after_load not in loader.AFTER_WRITE:
        loader.AFTER_WRITE.append(_after_load)


register()
