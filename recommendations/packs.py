"""Meeting packs: the figures published for a committee meeting, frozen so they never change.

Why frozen: members minute decisions against the figures in their papers. If a later load
corrects a month, the pack still shows what was published, beside "restated: was X, now Y", so
nobody quietly rewrites the record. Each frozen figure keeps the loads it came from and the
definition version, so it can be traced and explained.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import duckdb
import pandas as pd

from metrics import catalogue, engine
from metrics.targets import STATUS_WORDS as _TARGET_WORDS
from metrics.export import to_xlsx_bytes
from metrics.types import SCOPES
from metrics.units import NOT_AVAILABLE, SUPPRESSED, is_hidden, is_not_available
from recommendations.links import format_value
from recommendations.model import Actor, PackError
from store import record_audit
from store.periods import as_date

def _names() -> tuple[str, str]:
    """The council and committee named in the tracker's config (data/recommendations.json)."""
    from pathlib import Path

    try:
        cfg = json.loads((Path(__file__).resolve().parents[1] / "data" / "recommendations.json").read_text("utf-8"))
    except (OSError, ValueError):
        cfg = {}
    return (cfg.get("council") or "Herefordshire Council",
            cfg.get("committee") or "Children and Young People Scrutiny Committee")


COUNCIL_NAME, COMMITTEE_NAME = _names()
SCOPE_LABELS = {"social_workers": "Qualified social workers", "all_staff": "All staff"}
TOLERANCE = 1e-9


def _definition_version() -> str:
    """The catalogue's DEFINITION_VERSION if it declares one, else a digest of every definition.

    A digest changes whenever any measure's numerator, denominator or definition text changes,
    so a pack always says which wording of the definitions its figures followed.
    """
    declared = getattr(catalogue, "DEFINITION_VERSION", None)
    if declared:
        return str(declared)
    h = hashlib.sha256()
    for m in catalogue.CATALOGUE.values():
        h.update(json.dumps([m.id, m.numerator, m.denominator, m.unit, m.window_months, m.definition]).encode())
    return f"catalogue-{h.hexdigest()[:10]}"


DEFINITION_VERSION = _definition_version()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _to_date(value: Any) -> date:
    try:
        return as_date(value)
    except ValueError:
        raise PackError(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2025-09-23.") from None


def _months_back(p: date, n: int) -> date:
    y, m = p.year, p.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def load_ids_for(con: duckdb.DuckDBPyConnection, *, metric_id: str, period: date) -> list[int]:
    """The active loads a figure rests on: its month, and for 12-month measures the months before."""
    metric = catalogue.get(metric_id)
    first = period
    if metric.window_months:
        first = _months_back(period, metric.window_months if metric_id.startswith("stability") else metric.window_months - 1)
    rows = con.execute(
        "SELECT load_id FROM loads WHERE active AND period BETWEEN ? AND ? ORDER BY load_id", [first, period]
    ).fetchall()
    return [int(r[0]) for r in rows]


def _publisher(published_by: Actor | str) -> str:
    if isinstance(published_by, Actor):
        from recommendations.service import check_editor

        check_editor(published_by)
        return published_by.name
    name = str(published_by or "").strip()
    if not name:
        raise PackError("Say who is publishing the pack (published_by).")
    return name


def _resolve(con: duckdb.DuckDBPyConnection, *, meeting_date: date | str, metric_ids: list[str], scope: str,
             period: date | str | None) -> tuple[date, list[str], date]:
    """(meeting date, measure ids, month) of a pack, checked (PackError naming what is wrong)."""
    mdate = _to_date(meeting_date)
    if scope not in SCOPES:
        raise PackError(f"Scope {scope!r} is not one of: {', '.join(SCOPES)}.")
    ids = list(dict.fromkeys(metric_ids or []))
    if not ids:
        raise PackError("Choose at least one measure to publish in the pack.")
    unknown = [m for m in ids if m not in catalogue.CATALOGUE]
    if unknown:
        raise PackError(f"Unknown measures {', '.join(unknown)}. Known: {', '.join(catalogue.CATALOGUE)}.")
    loaded = engine.periods(con)
    if period is None:
        eligible = [p for p in loaded if p <= mdate]
        if not eligible:
            raise PackError(
                f"No month is loaded at or before the meeting on {mdate:%-d %B %Y}; load an extract first "
                "or choose the period explicitly."
            )
        pdate = eligible[-1]
    else:
        pdate = engine.parse_period(period)
        if pdate not in loaded:
            raise PackError(f"{pdate:%B %Y} is not loaded; choose one of the loaded months.")
    return mdate, ids, pdate


def _headcount(con: duckdb.DuckDBPyConnection, *, scope: str, period: date) -> float | None:
    """People in the scope at the month end (for the not-known answers behind a denominator)."""
    from metrics import detail

    df = detail.ratio_trend(con, scope=scope, end=period)
    row = df[pd.to_datetime(df["period"]) == pd.Timestamp(period)]
    return None if row.empty else float(row["headcount"].iloc[0])


def _hidden_before(con: duckdb.DuckDBPyConnection, *, scope: str, period: date,
                   before: int | None = None) -> set[str]:
    """Measures an earlier pack hid for this population and month (they stay hidden)."""
    sql = ("SELECT DISTINCT metric_id FROM rec_pack_disclosure WHERE scope = ? AND period = ? AND cell = 'value'"
           + (" AND pack_id < ?" if before is not None else ""))
    args = [scope, period] + ([before] if before is not None else [])
    return {r[0] for r in con.execute(sql, args).fetchall()}


def _published(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, scope: str, period: date,
               before: int | None = None) -> dict[str, dict[str, Any]]:
    """metric_id -> what the policy lets the pack publish: value_hidden/reason, counts_hidden/reason."""
    from disclosure import disclose, history, pack_items
    from disclosure.policy import FORCED, NOT_AVAILABLE_COL

    rows = frame[frame["group"].isna()] if "group" in frame.columns else frame
    if rows.empty:
        return {}
    earlier = _hidden_before(con, scope=scope, period=period, before=before)
    table = pack_items(hidden_before=earlier, headcount=_headcount(con, scope=scope, period=period))
    # what the measure history (the cards, Strategy themes) hides for the directorate at the month,
    # across services and months, the pack hides too: one decision, whichever reads it
    shown_hidden = history.hidden_at(con, scope=scope, period=period)
    rows = rows.reset_index(drop=True)
    rows[FORCED] = [(m, None) in shown_hidden for m in rows["metric_id"]]
    pub = disclose(rows, table).published
    why = [shown_hidden.get((m, None), r) if r == "over_time" and m not in earlier else r
           for m, r in zip(pub["metric_id"], pub["suppression"])]
    # a figure the policy publishes for the year to 30 September only reads "x" at any other month
    # (disclosure.policy.YEAR_TO_SEPTEMBER), whatever else would hide it: "c" at such a month
    # would say its few people were few; its people, numerator and denominator are withheld too
    na = pub[NOT_AVAILABLE_COL].to_numpy(dtype=bool) if NOT_AVAILABLE_COL in pub.columns else [False] * len(pub)
    return {m: ({"value_hidden": True, "value_reason": NOT_PUBLISHED, "counts_hidden": True,
                 "counts_reason": NOT_PUBLISHED} if x else
                {"value_hidden": bool(h), "value_reason": r if h else None,
                 "counts_hidden": bool(ch), "counts_reason": (r if cr == "over_time" else cr) if ch else None})
            for m, h, r, ch, cr, x in zip(pub["metric_id"], pub["suppressed"], why,
                                          pub["counts_hidden"], pub["counts_reason"], na)}


#: the reason a pack records for a figure not published for its month (GSS "x")
NOT_PUBLISHED = "not_available"
#: the cell a pack records (rec_pack_disclosure) for a change on a year ago withheld because the
#: figure a year earlier is hidden ("c") or not published ("x": a part year to 30 September),
#: with that figure's reason; a pack published before recorded it reads "c"
YEAR_AGO = "year_ago"


def _symbol(reason: str | None) -> str:
    """The symbol of a figure a pack withholds: "x" (not available) or "c" (confidential)."""
    return NOT_AVAILABLE if reason == NOT_PUBLISHED else SUPPRESSED


WHY = {
    "primary": "rests on fewer than {t} people",
    "class": "everyone in a small group gave the same answer",
    "over_time": "an earlier pack hid this figure for the same month (differencing)",
    "secondary": "hidden so that a small group cannot be worked out",
    NOT_PUBLISHED: "not available (x): published for the 12 months to 30 September only",
}


def _why(reason: str | None) -> str:
    from disclosure import rules

    return "" if not reason else WHY.get(reason, reason).format(t=rules().threshold)


def _context(con: duckdb.DuckDBPyConnection, *, ids: list[str], scope: str, period: date,
             values: dict[str, float | None], partial: dict[str, bool | None]) -> dict[str, dict[str, Any]]:
    """metric_id -> target, direction, status and the figure a year earlier (with whether the
    policy hides that year-ago figure), as they stand now: frozen into the pack when published."""
    from metrics.targets import load_targets, status

    targets = load_targets()
    ago = _months_back(period, 12)
    year_ago: dict[str, float | None] = {}
    ago_hidden: dict[str, dict[str, Any]] = {}
    if ago in set(engine.periods(con)):
        frame = engine.compute(con, period=ago, scope=scope, metric_ids=ids)
        for r in frame.to_dict("records"):
            if r.get("group") is None or pd.isna(r.get("group")):
                year_ago[r["metric_id"]] = _num(r.get("value"))
        ago_hidden = _published(con, frame, scope=scope, period=ago)
    out = {}
    for m in ids:
        out[m] = {
            "target": targets[m].value if m in targets else None,
            "direction": targets[m].direction if m in targets else catalogue.get(m).direction,
            "status": "grey" if partial.get(m) is True else status(metric_id=m, value=values.get(m), targets=targets),
            "year_ago": year_ago.get(m),
            "year_ago_hidden": bool(ago_hidden.get(m, {}).get("value_hidden", False)),
            # why: "x" (not published for its month) or a reason for "c" (`_symbol`)
            "year_ago_reason": ago_hidden.get(m, {}).get("value_reason") if ago_hidden.get(m, {}).get("value_hidden")
            else None,
        }
    return out


def preview_pack(con: duckdb.DuckDBPyConnection, *, meeting_date: date | str, metric_ids: list[str],
                 scope: str = "social_workers", period: date | str | None = None) -> pd.DataFrame:
    """Exactly what `publish_pack` would publish, and why each hidden figure is hidden.

    For HR and leadership before they freeze a pack: Measure, Month, Value and Change on a year
    ago (as they will print), People, Numerator, Denominator (as in the file), Exact value (for
    them only), Published (yes / value only / hidden) and Why (primary, secondary, over time,
    class, and why the change on a year ago is withheld, in words)."""
    _, ids, pdate = _resolve(con, meeting_date=meeting_date, metric_ids=metric_ids, scope=scope, period=period)
    frame = engine.compute(con, period=pdate, scope=scope, metric_ids=ids)
    by_id = {r["metric_id"]: r for r in frame.to_dict("records") if r.get("group") is None or pd.isna(r.get("group"))}
    fate = _published(con, frame, scope=scope, period=pdate)
    ctx = _context(con, ids=ids, scope=scope, period=pdate, values={m: _num(r.get("value")) for m, r in by_id.items()},
                   partial={m: None for m in ids})
    rows = []
    for mid in ids:
        m = catalogue.get(mid)
        r = by_id.get(mid, {})
        f = fate.get(mid, {})
        c = ctx[mid]
        exact = format_value(_num(r.get("value")), m.unit)
        vh, ch = f.get("value_hidden", False), f.get("counts_hidden", False)
        vs, cs = _symbol(f.get("value_reason")), _symbol(f.get("counts_reason") or f.get("value_reason"))
        change, why_ago = change_on_year(value=_num(r.get("value")), year_ago=c["year_ago"],
                                         year_ago_hidden=c["year_ago_hidden"], year_ago_reason=c["year_ago_reason"],
                                         unit=m.unit, direction=c["direction"], hidden=vh)
        why = _why(f.get("value_reason")) if vh else (
            "numerator, denominator and people withheld: " + _why(f.get("counts_reason")) if ch else "")
        rows.append({
            "Measure": m.label, "Month": f"{pdate:%B %Y}",
            "Value": vs if vh else exact,
            "Change on a year ago": change,
            "People": cs if (vh or ch) else ("—" if _int(r.get("base_count")) is None else _int(r.get("base_count"))),
            "Numerator": cs if (vh or ch) else _num(r.get("numerator")),
            "Denominator": cs if (vh or ch) else _num(r.get("denominator")),
            "Exact value": exact,
            "Published": f"hidden ({vs})" if vh else ("value only" if ch else "yes"),
            "Why": "; ".join(w for w in (why, why_ago) if w),
        })
    return pd.DataFrame(rows, columns=["Measure", "Month", "Value", "Change on a year ago", "People", "Numerator",
                                       "Denominator", "Exact value", "Published", "Why"])


def publish_pack(con: duckdb.DuckDBPyConnection, *, meeting_date: date | str, metric_ids: list[str],
                 published_by: Actor | str, scope: str = "social_workers", period: date | str | None = None,
                 title: str | None = None) -> int:
    """Freeze the chosen measures for the meeting on `meeting_date`; returns the pack id.

    The figures are those of `period` (default: the latest month loaded at or before the
    meeting). An `Actor` publisher is role-checked (HR and leadership only); a plain name is for
    trusted callers such as the CLI. Frozen with each figure: its target, status and the figure a
    year earlier as they stood at publication, and the disclosure applied (what is hidden and
    why); figures an earlier pack hid stay hidden. Nothing is written if any step fails.
    """
    who = _publisher(published_by)
    mdate, ids, pdate = _resolve(con, meeting_date=meeting_date, metric_ids=metric_ids, scope=scope, period=period)
    frame = engine.compute(con, period=pdate, scope=scope, metric_ids=ids)
    by_id = {r["metric_id"]: r for r in frame.to_dict("records") if r.get("group") is None or pd.isna(r.get("group"))}
    fate = _published(con, frame, scope=scope, period=pdate)
    partial = {m: (None if r.get("partial") is None or pd.isna(r.get("partial")) else bool(r.get("partial")))
               for m, r in by_id.items()}
    ctx = _context(con, ids=ids, scope=scope, period=pdate,
                   values={m: _num(r.get("value")) for m, r in by_id.items()}, partial=partial)
    version = DEFINITION_VERSION
    heading = title or f"Workforce figures for the meeting on {mdate:%-d %B %Y}"
    con.execute("BEGIN TRANSACTION")
    try:
        pack_id = con.execute("SELECT nextval('rec_pack_id_seq')").fetchone()[0]
        con.execute("INSERT INTO rec_packs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [pack_id, mdate, heading, scope, pdate, version, who, _now()])
        for pos, metric_id in enumerate(ids, start=1):
            m = catalogue.get(metric_id)
            r = by_id.get(metric_id, {})
            c = ctx[metric_id]
            con.execute(
                "INSERT INTO rec_pack_items (pack_id, position, metric_id, label, unit, definition, scope, period, "
                "value, numerator, denominator, months_covered, partial, base_count, load_ids, definition_version, "
                "target, direction, status, year_ago, year_ago_hidden, context_frozen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE)",
                [pack_id, pos, metric_id, m.label, m.unit, m.definition, scope, pdate,
                 _num(r.get("value")), _num(r.get("numerator")), _num(r.get("denominator")),
                 _int(r.get("months_covered")), partial.get(metric_id),
                 _int(r.get("base_count")), json.dumps(load_ids_for(con, metric_id=metric_id, period=pdate)), version,
                 c["target"], c["direction"], c["status"], c["year_ago"], c["year_ago_hidden"]],
            )
            f = fate.get(metric_id, {})
            for cell in ("value", "counts"):
                if f.get(f"{cell}_hidden"):
                    con.execute("INSERT INTO rec_pack_disclosure VALUES (?, ?, ?, ?, ?, ?, ?)",
                                [pack_id, pos, metric_id, scope, pdate, cell, f.get(f"{cell}_reason") or "secondary"])
            if c["year_ago_hidden"]:  # the change on a year ago withheld: why ("x" or "c"), frozen too
                con.execute("INSERT INTO rec_pack_disclosure VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [pack_id, pos, metric_id, scope, pdate, YEAR_AGO, c["year_ago_reason"] or "secondary"])
        record_audit(con, actor=who, role=published_by.role if isinstance(published_by, Actor) else "system",
                     subject=getattr(published_by, "subject", None), action="publish pack", at=_now(),
                     entity="rec_packs", entity_id=pack_id,
                     detail={"after": {"meeting_date": mdate.isoformat(), "period": pdate.isoformat(),
                                       "scope": scope, "metrics": ids, "definition_version": version,
                                       "hidden": {m: f["value_reason"] for m, f in fate.items()
                                                  if f["value_hidden"]}}})
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(pack_id)


def _num(v: Any) -> float | None:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _int(v: Any) -> int | None:
    f = _num(v)
    return None if f is None else int(f)


def list_packs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Published packs, newest meeting first."""
    return con.execute(
        "SELECT p.*, (SELECT count(*) FROM rec_pack_items i WHERE i.pack_id = p.pack_id) AS measures "
        "FROM rec_packs p ORDER BY meeting_date DESC, pack_id DESC"
    ).df()


@dataclass(frozen=True)
class Pack:
    header: dict[str, Any]
    items: pd.DataFrame      # frozen items with now/restated columns


def _recorded(con: duckdb.DuckDBPyConnection, items: pd.DataFrame, pack_id: int
              ) -> dict[int, dict[str, Any]]:
    """position -> the disclosure the pack recorded when it was published; a pack published
    before packs recorded it gets the policy applied to its frozen figures now."""
    rows = con.execute("SELECT position, cell, reason FROM rec_pack_disclosure WHERE pack_id = ?",
                       [int(pack_id)]).fetchall()
    out: dict[int, dict[str, Any]] = {int(p): {} for p in items["position"]}
    if rows or items.empty or bool(items["context_frozen"].fillna(False).any()):
        for pos, cell, reason in rows:
            out[int(pos)][f"{cell}_hidden"] = True
            out[int(pos)][f"{cell}_reason"] = reason
        return out
    frame = items.assign(group=None)[["metric_id", "scope", "period", "group", "value", "numerator",
                                      "denominator", "base_count"]]
    first = items.iloc[0]
    fate = _published(con, frame, scope=first["scope"], period=_to_date(first["period"]), before=int(pack_id))
    for pos, mid in zip(items["position"], items["metric_id"]):
        out[int(pos)] = fate.get(mid, {})
    return out


def get_pack(con: duckdb.DuckDBPyConnection, *, pack_id: int, suppress: bool = True) -> Pack:
    """A pack's frozen figures beside today's figures for the same month ('restated' when they differ).

    With `suppress` (anything shown to scrutiny or published) the disclosure recorded with the
    pack applies: a hidden figure reads "c" then and now, and a figure today's data would hide
    reads "c" now. Target, status and the year-ago figure are those frozen at publication."""
    cur = con.execute("SELECT * FROM rec_packs WHERE pack_id = ?", [int(pack_id)])
    row = cur.fetchone()
    if row is None:
        raise PackError(f"There is no meeting pack with id {pack_id}; pick one from the list of packs.")
    header = dict(zip([d[0] for d in cur.description], row))
    items = con.execute("SELECT * FROM rec_pack_items WHERE pack_id = ? ORDER BY position", [int(pack_id)]).df()
    recorded = _recorded(con, items, int(pack_id)) if suppress else {}
    loaded = set(engine.periods(con))
    now_vals: dict[tuple[str, date], float | None] = {}
    now_hidden: set[tuple[str, date]] = set()
    for (scope, period), grp in items.groupby(["scope", "period"]):
        p = _to_date(period)
        if p not in loaded:
            continue
        frame = engine.compute(con, period=p, scope=scope, metric_ids=list(grp["metric_id"]))
        for r in frame.to_dict("records"):
            if r.get("group") is None or pd.isna(r.get("group")):
                now_vals[(r["metric_id"], p)] = _num(r.get("value"))
        if suppress:
            now_hidden |= {(m, p) for m, f in _published(con, frame, scope=scope, period=p).items()
                           if f["value_hidden"]}
    shown, now_col, restated, counts_hidden, counts_symbol, why = [], [], [], [], [], []
    for it in items.itertuples():
        p = _to_date(it.period)
        fate = recorded.get(int(it.position), {})
        frozen = None if pd.isna(it.value) else float(it.value)
        small = bool(fate.get("value_hidden"))
        counts_hidden.append(small or bool(fate.get("counts_hidden")))
        counts_symbol.append(_symbol(fate.get("value_reason") if small else fate.get("counts_reason")))
        why.append(_why(fate.get("value_reason")) if small else _why(fate.get("counts_reason")))
        shown.append(_symbol(fate.get("value_reason")) if small else format_value(frozen, it.unit) + (
            f" (partial: {int(it.months_covered)} of 12 months)" if it.partial is True else ""))
        if p not in loaded:
            now_col.append("month no longer loaded")
            restated.append(f"restated: {p:%B %Y} is no longer loaded")
            continue
        now = now_vals.get((it.metric_id, p))
        hide_now = small or (it.metric_id, p) in now_hidden
        now_col.append((shown[-1] if small else SUPPRESSED) if hide_now else format_value(now, it.unit))
        differs = (frozen is None) != (now is None) or (frozen is not None and now is not None and abs(frozen - now) > TOLERANCE)
        if differs and not hide_now:
            restated.append(f"restated: was {format_value(frozen, it.unit)}, now {format_value(now, it.unit)}")
        elif differs:
            restated.append("restated (figure suppressed)")
        else:
            restated.append("")
    items = items.copy()
    _add_context(con, items, suppress=suppress)
    # why a change on a year ago is withheld, as recorded with the pack, whether or not this
    # reading suppresses ("x": the year-ago figure is not published for its month, for every role)
    ago = dict(con.execute("SELECT position, reason FROM rec_pack_disclosure WHERE pack_id = ? AND cell = ?",
                           [int(pack_id), YEAR_AGO]).fetchall())
    items["year_ago_reason"] = [ago.get(int(p)) or r for p, r in zip(items["position"], items["year_ago_reason"])]
    items["shown"] = shown
    items["now"] = now_col
    items["restated"] = restated
    items["counts_hidden"] = counts_hidden
    items["counts_symbol"] = counts_symbol
    items["why_hidden"] = why
    return Pack(header=header, items=items)


def _add_context(con: duckdb.DuckDBPyConnection, items: pd.DataFrame, *, suppress: bool = True) -> None:
    """Target, status on the frozen value (none on a part-year figure) and the same month a year
    earlier, for the committee's reading of each row: as frozen at publication (store migration
    61); a pack published before packs froze them gets today's reading."""
    if items.empty:
        return
    frozen = items["context_frozen"].fillna(False).astype(bool).to_numpy()
    items["year_ago_reason"] = None  # frozen packs: recorded with the pack (YEAR_AGO), read by get_pack
    if frozen.all():
        items["year_ago_hidden"] = items["year_ago_hidden"].fillna(False).astype(bool)
        items["year_ago"] = [_num(v) for v in items["year_ago"]]
        items["target"] = [_num(v) for v in items["target"]]
        return
    for (scope, period), grp in items[~frozen].groupby(["scope", "period"]):
        ids = list(grp["metric_id"])
        ctx = _context(con, ids=ids, scope=scope, period=_to_date(period),
                       values={m: _num(v) for m, v in zip(grp["metric_id"], grp["value"])},
                       partial={m: (p is True) for m, p in zip(grp["metric_id"], grp["partial"])})
        for i in grp.index:
            c = ctx[items.at[i, "metric_id"]]
            for col in ("target", "direction", "status", "year_ago", "year_ago_hidden", "year_ago_reason"):
                items[col] = items[col].astype(object)
                items.at[i, col] = c[col]
    items["year_ago_hidden"] = items["year_ago_hidden"].fillna(False).astype(bool)
    items["year_ago"] = [_num(v) for v in items["year_ago"]]
    items["target"] = [_num(v) for v in items["target"]]


#: why a change on a year ago reads "x" (its year-ago figure is not published: a part year)
YEAR_AGO_NOT_AVAILABLE = ("the change on a year ago is not available (x): the figure a year earlier is not "
                          "published (fewer than 12 months of its year to 30 September loaded)")
#: the status in words (metrics.targets), a dash where there is no target
STATUS_WORDS = {**_TARGET_WORDS, "grey": "—"}
XLSX_FORMATS = {"rate": "0.0%", "caseload": "0.0", "count": "#,##0", "score": "0"}


def change_on_year(*, value: float | None, year_ago: float | None, year_ago_hidden: bool,
                   year_ago_reason: str | None, unit: str, direction: str, hidden: bool) -> tuple[str, str]:
    """A pack's "change on a year ago" as it prints, and why it is withheld ("" when it is not):
    the year-ago figure's symbol ("x" not published for its month, "c" hidden) where that figure
    is withheld, "—" where this month's figure is hidden or either is missing. One rule for the
    frozen pack (`pack_table`) and the preview before it is frozen (`preview_pack`)."""
    from metrics.narrative import compare_words

    if year_ago_hidden and not hidden:
        return _symbol(year_ago_reason), (YEAR_AGO_NOT_AVAILABLE if year_ago_reason == NOT_PUBLISHED else
                                          "the change on a year ago would give back a figure hidden a year ago")
    if hidden or value is None or year_ago is None or pd.isna(year_ago):
        return "—", ""
    return compare_words(value=value, other=year_ago, unit=unit, direction=direction, name="a year ago") or "—", ""


def pack_table(pack: Pack) -> pd.DataFrame:
    """The pack as the committee reads it: one row per measure with its value and unit, target,
    status, change on a year ago and the people it rests on; ids and loads are in `provenance_table`."""
    from metrics.narrative import target_words

    it = pack.items
    rows = []
    for r in it.itertuples():
        hidden = is_hidden(r.shown) or is_not_available(r.shown)
        partial = r.partial is True
        change, why_ago = change_on_year(value=None if pd.isna(r.value) else float(r.value), year_ago=r.year_ago,
                                         year_ago_hidden=r.year_ago_hidden, year_ago_reason=r.year_ago_reason,
                                         unit=r.unit, direction=r.direction, hidden=hidden)
        rows.append({
            "Measure": r.label,
            "Theme": catalogue.get(r.metric_id).theme,
            "Month": f"{_to_date(r.period):%B %Y}",
            "Value": r.shown,
            "Target": target_words(r.target, r.unit, r.direction),
            "Status": ("—" if hidden else f"Not enough months loaded (covers {int(r.months_covered)} of 12)"
                       if partial else STATUS_WORDS.get(r.status, "—")),
            "Change on a year ago": change,
            "People": r.counts_symbol if r.counts_hidden else ("—" if pd.isna(r.base_count) else int(r.base_count)),
            "Restated": r.restated,
            "Why hidden": "; ".join(w for w in (r.why_hidden, why_ago) if w),
        })
    return pd.DataFrame(rows, columns=["Measure", "Theme", "Month", "Value", "Target", "Status",
                                       "Change on a year ago", "People", "Restated", "Why hidden"])


def provenance_table(pack: Pack) -> pd.DataFrame:
    """Where each figure came from (for audit, not for the committee): loads, definition version."""
    it = pack.items
    return pd.DataFrame({
        "Measure": it["label"], "Measure id": it["metric_id"],
        "Numerator": [c if h else None if pd.isna(v) else float(v)
                      for h, c, v in zip(it["counts_hidden"], it["counts_symbol"], it["numerator"])],
        "Denominator": [c if h else None if pd.isna(v) else float(v)
                        for h, c, v in zip(it["counts_hidden"], it["counts_symbol"], it["denominator"])],
        "Months covered": [None if pd.isna(v) else int(v) for v in it["months_covered"]],
        "Loads": [", ".join(str(x) for x in json.loads(v)) for v in it["load_ids"]],
        "Definition version": it["definition_version"],
    })


def definitions_table(pack: Pack) -> pd.DataFrame:
    rows = []
    for mid in pack.items["metric_id"]:
        m = catalogue.get(mid)
        rows.append({"Measure": m.label, "Numerator": m.numerator, "Denominator": m.denominator or "—",
                     "Definition": m.definition})
    return pd.DataFrame(rows)


def pack_about(pack: Pack) -> dict[str, str]:
    """The month, population and source of a pack's files (their header block), in words."""
    from metrics.narrative import format_when

    h = pack.header
    return {"month": f"{_to_date(h['period']):%B %Y} (month end)",
            "population": SCOPE_LABELS.get(h["scope"], h["scope"]),
            "source": (f"Meeting pack {int(h['pack_id'])} for {_to_date(h['meeting_date']):%-d %B %Y}: figures "
                       f"from the monthly workforce extracts loaded by HR, frozen when the pack was published "
                       f"({format_when(h['published_at'])}, UK time)")}


def pack_xlsx_bytes(con: duckdb.DuckDBPyConnection, *, pack_id: int) -> bytes:
    """The pack as an Excel workbook: figures as numbers with number formats, definitions, and a
    hidden provenance sheet (loads, definition version); every sheet under the header block."""
    from metrics.export import FileHeader
    from metrics.narrative import format_when

    pack = get_pack(con, pack_id=pack_id)
    h = pack.header
    title = (f"{COUNCIL_NAME} — {COMMITTEE_NAME}, {_to_date(h['meeting_date']):%-d %B %Y}: {h['title']} "
             f"(published {format_when(h['published_at'])} by {h['published_by']})")
    figures = pack_table(pack)
    figures.insert(4, "Unit", [UNIT_WORDS.get(u, "") for u in pack.items["unit"]])
    # the value as a number (rates as fractions shown with a % format); "c" and "x" stay text (the
    # symbol, never the frozen figure behind it)
    figures["Value"] = [s if is_hidden(s) or is_not_available(s) else (None if pd.isna(v) else float(v))
                        for s, v in zip(pack.items["shown"], pack.items["value"])]
    notes = disclosure_notes(pack)
    header = FileHeader(title=title, **pack_about(pack), suppression=tuple(notes))
    widths = {"Measure": 34, "Theme": 30, "Month": 14, "Value": 10, "Unit": 14, "Target": 16,
              "Status": 22, "Change on a year ago": 40, "People": 9, "Restated": 30, "Why hidden": 34}
    return to_xlsx_bytes({"Figures": figures, "Definitions": definitions_table(pack),
                          "Notes": pd.DataFrame({"Note": notes}),
                          "Provenance": provenance_table(pack)}, header=header,
                         formats={"Figures": {"Value": [XLSX_FORMATS.get(u, "0.0") for u in pack.items["unit"]]}},
                         widths={"Figures": widths}, hidden=("Provenance",))


def disclosure_notes(pack: Pack) -> list[str]:
    """The symbols legend and the reasons figures are hidden, for every published pack file."""
    from disclosure import legend, reasons_caption, rules

    counts: dict[str, int] = {}
    for reason in (r for r in WHY if r != NOT_PUBLISHED):  # "x" has its own line below
        n = sum(1 for w in pack.items["why_hidden"] if w and w == _why(reason))
        if n:
            counts[reason] = n
    lines = legend()
    if counts:
        lines.append(reasons_caption(counts))
    ago_hidden = pack.items.get("year_ago_hidden", pd.Series(dtype=bool)).fillna(False).astype(bool).tolist()
    ago_x = [h and r == NOT_PUBLISHED for h, r in zip(ago_hidden, pack.items.get("year_ago_reason", [None] * len(ago_hidden)))]
    if any(is_not_available(v) for v in pack.items.get("shown", [])) or any(ago_x):
        lines.append("x: the figure is published for the 12 months to 30 September only (the year of DfE's "
                     "children's social work workforce census), so that overlapping 12-month figures cannot be "
                     "subtracted to work out a few people.")
    if any(h and not x for h, x in zip(ago_hidden, ago_x)):
        lines.append("A change on a year ago reads c where the figure a year earlier was hidden.")
    if any(ago_x):
        lines.append("A change on a year ago reads x where the figure a year earlier is not available (its year "
                     "to 30 September has fewer than 12 months loaded).")
    if rules().shown_whatever_size:  # the one "Not known" rule, as on the dashboard
        lines.append("People, numerators and denominators are withheld where they would reveal a small group. "
                     "What gives only the number of people whose answer is not recorded is shown, as on "
                     "the dashboard.")
    else:
        lines.append("People, numerators and denominators are withheld where they would reveal a small group "
                     "(for example the few whose answer is not recorded).")
    return lines


UNIT_WORDS = {"rate": "%", "caseload": "cases per FTE", "count": "people", "score": "out of 100"}


_CSS = """
@page { size: A4; margin: 2cm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; color: #0b0c0c; max-width: 60em; margin: 2em auto; }
header .council { font-size: 20pt; font-weight: bold; }
header .committee { font-size: 13pt; margin-top: .2em; }
.meta { margin: .2em 0; }
h1 { font-size: 16pt; margin-top: 1.2em; }
h2 { font-size: 13pt; margin-top: 1.5em; border-bottom: 1px solid #b1b4b6; }
table { border-collapse: collapse; width: 100%; margin-top: .8em; }
th, td { border: 1px solid #505a5f; padding: .35em .5em; text-align: left; vertical-align: top; }
th { background: #f3f2f1; }
td.num { text-align: right; }
td.restated { color: #d4351c; font-weight: bold; }
.classification { text-align: right; font-weight: bold; }
footer { margin-top: 2em; font-size: 9pt; color: #505a5f; }
"""


def pack_html(con: duckdb.DuckDBPyConnection, *, pack_id: int, council: str = COUNCIL_NAME,
              committee: str = COMMITTEE_NAME) -> str:
    """A print-ready HTML page laid out like a committee paper (print to PDF from the browser)."""
    pack = get_pack(con, pack_id=pack_id)
    h = pack.header
    e = html.escape
    table = pack_table(pack)
    cols = list(table.columns)
    rows = []
    for r in table.itertuples(index=False):
        cells = "".join(
            f"<td class='{'num' if c in ('Value', 'People') else 'restated' if c == 'Restated' else ''}'>"
            f"{e(str(v))}</td>" for c, v in zip(cols, r))
        rows.append(f"<tr>{cells}</tr>")
    defs = "".join(
        f"<dt><strong>{e(d.Measure)}</strong></dt><dd>{e(d.Definition)} Numerator: {e(d.Numerator)}. "
        f"Denominator: {e(d.Denominator)}.</dd>"
        for d in definitions_table(pack).itertuples(index=False)
    )
    from metrics.narrative import format_when
    from recommendations import progress, service

    tracker_line = progress.summary_line(service.list_recommendations(con, today=date.today()))
    loads = sorted({int(x) for v in pack.items["load_ids"] for x in json.loads(v)})
    any_restated = any(bool(x) for x in pack.items["restated"])
    restated_note = (
        "<p><strong>Some figures have been restated</strong> since publication because a later load "
        "changed the month's data; the published figure is kept and the current one is shown beside it.</p>"
        if any_restated else "<p>No figure has been restated since publication.</p>"
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(h['title'])}</title><style>{_CSS}</style></head>
<body>
<p class="classification">OFFICIAL</p>
<header><div class="council">{e(council)}</div><div class="committee">{e(committee)}</div>
<p class="meta">Meeting date: <strong>{_to_date(h['meeting_date']):%-d %B %Y}</strong></p></header>
<h1>{e(h['title'])}</h1>
<p class="meta">Population: {e(SCOPE_LABELS.get(h['scope'], h['scope']))}. Figures at month end {_to_date(h['period']):%B %Y}.</p>
<p class="meta">Published {e(format_when(h['published_at']))} (UK time) by {e(str(h['published_by']))}.</p>
<h2>1. Workforce measures</h2>
<table><thead><tr>{''.join(f'<th>{e(c)}</th>' for c in cols)}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>
{restated_note}
<p>Targets are the directorate's (data/targets.toml) as they stood when the pack was published; a
measure covering fewer than 12 months gets no status. People = the people the figure rests on.</p>
{''.join(f"<p>{e(line)}</p>" for line in disclosure_notes(pack))}
<h2>2. The committee's recommendations</h2>
<p>{e(tracker_line)}</p>
<h2>3. Definitions</h2>
<dl>{defs}</dl>
<footer>Figures frozen when published. Appendix (for audit): pack {int(h['pack_id'])}, from loads
{e(', '.join(map(str, loads)) or 'none')} of the workforce store, definition version {e(h['definition_version'])}.</footer>
</body></html>
"""


def pack_pdf_document(con: duckdb.DuckDBPyConnection, *, pack_id: int, council: str = COUNCIL_NAME,
                      committee: str = COMMITTEE_NAME):
    """The committee paper laid out by WeasyPrint (A4 landscape, page numbers): a Document."""
    from weasyprint import HTML

    page = pack_html(con, pack_id=pack_id, council=council, committee=committee)
    page = page.replace("@page { size: A4; margin: 2cm; }", "@page { size: A4 landscape; margin: 1.5cm; "
                        "@bottom-right { content: 'Page ' counter(page) ' of ' counter(pages); font-size: 9pt; } }")
    return HTML(string=page).render()


def pack_pdf_bytes(con: duckdb.DuckDBPyConnection, *, pack_id: int, council: str = COUNCIL_NAME,
                   committee: str = COMMITTEE_NAME) -> bytes:
    """The committee paper as a PDF (the same content as `pack_html`)."""
    return pack_pdf_document(con, pack_id=pack_id, council=council, committee=committee).write_pdf()


def pack_label(packs_frame: pd.DataFrame, pack_id: int) -> str:
    """'Meeting 23 Sep 2025 · pack 3 · 6 measures (published 1 Oct 2025 by …)' for pickers."""
    row = packs_frame.set_index("pack_id").loc[pack_id]
    return (f"Meeting {_to_date(row['meeting_date']):%-d %b %Y} · pack {pack_id} · {int(row['measures'])} measures "
            f"(published {row['published_at']:%-d %b %Y} by {row['published_by']})")
