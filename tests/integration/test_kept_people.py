"""The linked people tables' decisions kept per load (disclosure.linked, store.kept kind "people"):
the Workforce profile's tables, Turnover's 12-month leavers tables, Agency & 80:20's conversions
and the Caseloads page's caseload bands (at the threshold it draws), decided for the
directorate and every service together (the leavers tables only at the Septembers they are
published for: `linked.kept_at`), decided in each load's transaction for the months whose figures
changed, and used by readers only while the figures, the code and the rules are those they were
decided on.

Kept == live: every month of the demo store (a leavers table: each published September), both
scopes, every kept table, every view: the kept
published cells and reasons are exactly what `disclose_all` decides now (the policy's own
`linked.decide`); the pages (the data layer, hr and scrutiny) publish them. Real DuckDB stores
built through the real loader; real workbooks loaded into them.
"""

from __future__ import annotations

from contextlib import nullcontext

import pandas as pd
import pytest

from disclosure import linked
from ingest import loader
from store import connect, kept
from store.periods import parse_period
from tests.integration.test_published_history import _next_month, load_next_month_without  # real next months

SCOPES = ("social_workers", "all_staff")


def _decision(con, name, extra, period, scope):
    return linked.decision(lambda: nullcontext(con), linked.cursor_source(con), name, period, scope, dict(extra))


def _assert_same(got: dict, live: dict, what: str) -> None:
    assert list(got) == list(live), what
    for view in live:
        for a, b in zip(got[view], live[view]):
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=f"{what} {view}")
            for col in b.columns:  # a count shown beside "c" stays an int, a reason None
                assert [type(v) for v in a[col]] == [type(v) for v in b[col]], (what, view, col)


def _periods(con) -> list[str]:
    return linked.cursor_source(con).periods


#: the demo's 36 months (November 2023 to October 2026) publish the leavers tables of two years to
#: 30 September (2025 and 2026; September 2024's year lacks October 2023): each load keeps every
#: table of its month but those, and those at their Septembers only
SEPTEMBERS = ("2025-09", "2026-09")
ROWS = 36 * len(SCOPES) * (len(linked.KEPT) - len(linked.ROLLING)) + len(SEPTEMBERS) * len(SCOPES) * len(linked.ROLLING)


def test_every_month_every_kept_table_is_the_live_decision(demo_db):
    """36 loads each kept their month's decisions; each is exactly the policy's decision now
    (every month, every kept table, every view)."""
    con = connect(demo_db, read_only=True)
    try:
        periods = _periods(con)
        assert len(periods) == 36
        reasons: set = set()
        answered: dict = {}
        assert [p for p in periods if linked.kept_at(periods, "leavers_by_reason", p)] == list(SEPTEMBERS)
        for i, period in enumerate(periods):
            src = linked.cursor_source(con)  # one month's frames read once, as a page does
            # each scope every other month (deciding every table live costs ~1 s a month; the
            # code is the same for both, the figures differ): both scopes' decisions cover all
            # the demo's kinds of hidden cells, the test below reads both scopes' latest month;
            # the leavers tables' Septembers in both
            for scope in SCOPES if period in SEPTEMBERS else (SCOPES[i % 2],):
                for name, extra in linked.KEPT:
                    if not linked.kept_at(periods, name, period):  # (a leavers table between Septembers)
                        assert not [r for r in kept.read_all(con, kind="people", period=parse_period(period))
                                    if r.key == linked._key(name, dict(extra))], (name, period)
                        continue
                    got, was = linked.decision(lambda: nullcontext(con), src, name, period, scope, dict(extra))
                    # a table of every month's series (conversions: a person flagged converted in a
                    # later extract counts in the month they started) may move with a later load:
                    # its older months then decide live; the latest month's is always kept
                    series = linked.TABLES[name].detail in linked._SERIES
                    assert was or (series and period != periods[-1]), \
                        f"nothing kept for {name} {extra} {period} {scope}"
                    answered[name] = answered.get(name, 0) + was
                    live = linked.decide(src, name, period, scope, dict(extra))
                    _assert_same(got, live, f"{name} {extra} {period} {scope}")
                    for _, why in live.values():
                        reasons |= {v for v in why.to_numpy().reshape(-1) if isinstance(v, str)}
        # the demo hides cells for every reason: the comparison is of real decisions
        assert {"primary", "secondary", "class"} <= reasons, reasons
        rows = kept.read_all(con, kind="people")
        assert len(rows) == ROWS == 512
        assert answered["conversions"] >= 10, answered  # the kept series decisions mostly answer
    finally:
        con.close()


@pytest.mark.parametrize("role", ["hr", "scrutiny"])
def test_the_pages_publish_the_kept_decision(copy_demo_db, monkeypatch, role):
    """The data layer's tables (every view) publish the kept cells (a 12-month leavers table's of
    the latest year to 30 September: disclosure.linked.published_month); hr sees the exact table
    of the month, a scrutiny member the published one. A kept decision is really read: one changed
    in the store is what the page publishes; at the latest month the one kept whole
    (linked.keep_frames) and the directorate's exact table kept whole (hr), else the kept decision
    (`linked.decision`)."""
    import streamlit as st

    from store import frames as kept_frames
    from ui import data
    from ui import db as ui_db
    from ui.filters import Filters

    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    monkeypatch.setenv("WORKFORCE_ROLE", role)
    con = connect(copy_demo_db)
    try:
        period = _periods(con)[-1]
        services = linked.cursor_source(con).services
        at = {n: linked.published_month(_periods(con), n, period) for n, _ in linked.KEPT}
        assert at["leavers_by_reason"] == "2026-09" and at["profile"] == period == "2026-10"
        live = {(n, e, s): linked.decide(linked.cursor_source(con), n, at[n], s, dict(e))
                for n, e in linked.KEPT for s in SCOPES}
        # tamper with one kept decision: the directorate's first leavers-by-reason count 100 more (a
        # figure of its column's type: September 2026's column holds no "c" to read another as)
        row = next(r for r in kept.read_all(con, kind="people", period=parse_period(at["leavers_by_reason"]))
                   if r.key.startswith("leavers_by_reason") and r.scope == "social_workers")
        import json

        data_ = json.loads(row.decision)
        first = next(c for c in data_["frames"]["p0"]["columns"] if c["name"] == "Leavers")
        was = first["values"][0]
        assert isinstance(was, int) and was >= 5
        first["values"][0] = was + 200
        kept.write(con, [kept.Kept(**{**row.__dict__, "decision": json.dumps(data_)})])
        # and the same decision kept whole (what the latest month's pages read first): 100 more there
        whole = kept_frames.bodies(con, linked.FRAMES_PREFIX)
        name = linked._frames_name("decision", "leavers_by_reason", "social_workers", {})
        key, body = whole[name]
        frames_ = kept_frames.loads_map(body)
        assert list(frames_)[:2] == ["pnull", "rnull"] and frames_["pnull"]["Leavers"].iloc[0] == was
        frames_["pnull"].iloc[0, list(frames_["pnull"].columns).index("Leavers")] = was + 100
        kept_frames.write(con, name, key, frames_)
        # the directorate's exact conversions (all staff) kept whole: 1000 more in its first month
        name = linked._frames_name("exact", "conversions", "all_staff", {})
        key, body = whole[name]
        exact_conv = kept_frames.loads(body)
        exact_conv.iloc[0, list(exact_conv.columns).index("Conversions")] += 1000
        kept_frames.write(con, name, key, exact_conv)
    finally:
        con.close()
    ui_db.clear_caches()
    st.cache_data.clear()
    calls = {"profile": lambda f, e: data.profile(f, dimension=dict(e)["dimension"]),
             "local_by_job": lambda f, e: data.local_by_job(f),
             "leavers_by_reason": lambda f, e: data.leavers_by_reason(f),
             "length_of_service": lambda f, e: data.length_of_service(f),
             "conversions": lambda f, e: data.conversions(f),
             # the Caseloads page's call, at its threshold: the load kept that table (`linked.decide`
             # fails below), and what the page publishes is the live decision
             "caseload_bands": lambda f, e: data.caseload_bands(f, threshold=data.caseload_threshold())}
    assert set(calls) == {n for n, _ in linked.KEPT}
    decide = linked.decide
    monkeypatch.setattr(linked, "decide", lambda *a, **k: pytest.fail("decided live"))
    try:
        for scope in SCOPES:
            for name, extra in linked.KEPT:
                for i, service in enumerate([None, *services]):
                    d = calls[name](Filters(period=period, scope=scope, service=service), extra)
                    pub, why = live[(name, extra, scope)][service]
                    if name == "leavers_by_reason" and scope == "social_workers" and service is None:
                        assert d.published["Leavers"].iloc[0] == was + 100  # the kept decision, read
                        pub = pub.copy()
                        pub.iloc[0, list(pub.columns).index("Leavers")] = was + 100
                    pd.testing.assert_frame_equal(d.published, pub, check_exact=True)
                    pd.testing.assert_frame_equal(d.reasons, why, check_exact=True)
                    if role == "hr":
                        assert d.exact
                        with connect(copy_demo_db, read_only=True) as c:
                            exact = linked.build(linked.cursor_source(c), name, period, scope, service, None,
                                                 **dict(extra))
                        if name == "conversions" and scope == "all_staff" and service is None:
                            pd.testing.assert_frame_equal(d.shown, exact_conv, check_exact=True)  # kept, read
                            assert d.shown["Conversions"].iloc[0] == exact["Conversions"].iloc[0] + 1000
                            continue
                        pd.testing.assert_frame_equal(d.shown, exact, check_exact=True)
                    else:
                        assert not d.exact and d.shown is not None
                        pd.testing.assert_frame_equal(d.shown, d.published, check_exact=True)
        # without the frames kept whole, the kept decision (JSON) is what the page publishes
        with connect(copy_demo_db) as c:
            kept_frames.forget(c, linked.FRAMES_PREFIX)
        st.cache_data.clear()
        ui_db.clear_caches()
        d = data.leavers_by_reason(Filters(period=period, scope="social_workers"))
        assert d.published["Leavers"].iloc[0] == was + 200
    finally:
        monkeypatch.setattr(linked, "decide", decide)
        st.cache_data.clear()
        ui_db.clear_caches()


def test_a_new_month_is_decided_in_its_load_and_stale_inputs_decide_live(copy_demo_db, changed_disclosure):
    path, period = _next_month(copy_demo_db)
    con = connect(copy_demo_db)
    try:
        before = _periods(con)[-1]
        assert loader.load_file(con=con, path=path, period=period, loaded_by="test").outcome == "loaded"
        periods = _periods(con)
        for scope in SCOPES:
            for name, extra in linked.KEPT:
                at = linked.published_month(periods, name, period)  # (a leavers table: September 2026's)
                assert (at == period) != (name in linked.ROLLING), (name, at)
                got, was = _decision(con, name, extra, at, scope)
                assert was, (name, extra, scope)
                _assert_same(got, linked.decide(linked.cursor_source(con), name, at, scope, dict(extra)),
                             f"{name} {at} {scope}")
        # the 12-month tables read from one query decide exactly as from their own two queries
        # (the directorate's, by service)
        for scope in SCOPES:
            for name in linked.ROLLING:
                one = linked.cursor_source(con)
                six = linked.Source(raw=one.raw, services=one.services, periods=one.periods, history=one.history)
                _assert_same(linked.decide(one, name, period, scope, {}), linked.decide(six, name, period, scope, {}),
                             f"{name} {scope} one query")
        # a kept decision whose figures are not today's (kept as of another month): decided live
        row = next(r for r in kept.read_all(con, kind="people", period=parse_period(
                   linked.published_month(periods, "length_of_service", before)))
                   if r.key.startswith("length_of_service"))
        kept.write(con, [kept.Kept(**{**row.__dict__, "period": parse_period(period)})])
        got, was = _decision(con, "length_of_service", (), period, row.scope)
        assert not was
        _assert_same(got, linked.decide(linked.cursor_source(con), "length_of_service", period, row.scope, {}),
                     "stale")
        # other code or rules: decided live
        changed_disclosure("audit.py")  # a disclosure module no kind used to sign by name
        assert not _decision(con, "leavers_by_reason", (), period, "all_staff")[1]
    finally:
        con.close()


def test_a_replaced_month_decides_the_months_it_moves(copy_demo_db, tmp_path):
    """Replacing an older month (July 2026) moves its own tables and the 12-month tables of its year
    to 30 September (September 2026's): the load decides those again; each reads a kept decision
    equal to live."""
    from demo import generate, write_workbook

    con = connect(copy_demo_db)
    try:
        months = _periods(con)
        target = months[-4]
        period, frames = generate(months=36, end_period=months[-1])[-4]
        assert period == target
        small = {k: v.head(60) for k, v in frames.items() if "assignment" not in k.lower()}
        path = write_workbook(path=tmp_path / "m.xlsx", frames=small, period=period)
        assert loader.load_file(con=con, path=path, period=period, loaded_by="test").outcome == "replaced"
        assert (target, months[-2]) == ("2026-07", "2026-09")
        for p in months[-4:]:  # the replaced month's tables; the 12-month tables of its September
            for scope in SCOPES:
                for name, extra in linked.KEPT:
                    if p != (months[-2] if name in linked.ROLLING else target):
                        continue
                    got, was = _decision(con, name, extra, p, scope)
                    assert was, (name, p, scope)
                    _assert_same(got, linked.decide(linked.cursor_source(con), name, p, scope, dict(extra)),
                                 f"{name} {p} {scope}")
    finally:
        con.close()


def test_a_load_without_the_hook_is_never_read_stale(copy_demo_db, monkeypatch):
    period = load_next_month_without(copy_demo_db, linked._after_load, monkeypatch)
    con = connect(copy_demo_db)
    try:
        periods = _periods(con)
        whole = linked.kept_frames(con)  # kept whole under the ledger before that load: never read
        assert len(whole.bodies) == 2 * len(SCOPES) * len(linked.KEPT)
        for name, extra in linked.KEPT:
            for at in {periods[-2], period, linked.published_month(periods, name, period)}:
                assert linked.kept_decision(whole, name, at, "social_workers", dict(extra)) is None, (name, at)
                assert linked.kept_exact(whole, name, at, "social_workers", dict(extra)) is None, (name, at)
        for name, extra in linked.KEPT:  # the month's tables (nothing kept for them) and September
            at = linked.published_month(periods, name, period)  # 2026's leavers tables: what is read is live
            got, was = _decision(con, name, extra, at, "social_workers")
            assert not was or at != period, (name, at)
            _assert_same(got, linked.decide(linked.cursor_source(con), name, at, "social_workers", dict(extra)),
                         f"{name} {at} live")
    finally:
        con.close()


def test_a_bad_rules_file_does_not_stop_a_load(copy_demo_db, tmp_path, monkeypatch):
    path, period = _next_month(copy_demo_db)
    bad = tmp_path / "disclosure.toml"
    bad.write_text("threshold = 'five'\n", "utf-8")
    monkeypatch.setenv("WORKFORCE_DISCLOSURE", str(bad))
    con = connect(copy_demo_db)
    try:
        assert loader.load_file(con=con, path=path, period=period, loaded_by="test").outcome == "loaded"
        assert kept.read_all(con, kind="people", period=parse_period(period)) == []
    finally:
        con.close()


# --- confirmed under the load ledger (migration 85): a page's first view reads one small row ------


def _fingerprinting_fails(monkeypatch) -> None:
    """From now on the figures cannot be fingerprinted or decided: only a kept decision confirmed
    under the ledger as it is now can answer."""
    monkeypatch.setattr(linked, "inputs", lambda *a, **k: pytest.fail("fingerprinted the figures"))
    monkeypatch.setattr(linked, "decide", lambda *a, **k: pytest.fail("decided live"))


def test_the_latest_month_answers_from_the_ledger_with_the_live_decision(copy_demo_db, monkeypatch):
    """The demo's last load confirmed every table of its month under the ledger: read with no figure
    fingerprinted or decided, each is exactly the policy's decision now (every table, both scopes,
    every view)."""
    con = connect(copy_demo_db)
    try:
        periods = _periods(con)
        at = {n: linked.published_month(periods, n, periods[-1]) for n, _ in linked.KEPT}
        assert at["length_of_service"] == "2026-09" and at["profile"] == periods[-1]
        live = {(n, e, s): linked.decide(linked.cursor_source(con), n, at[n], s, dict(e))
                for n, e in linked.KEPT for s in SCOPES}
        _fingerprinting_fails(monkeypatch)
        for (name, extra, scope), want in live.items():
            period = at[name]
            got, was = _decision(con, name, extra, period, scope)
            assert was, (name, extra, scope)
            _assert_same(got, want, f"{name} {extra} {period} {scope} confirmed")
    finally:
        con.close()


def test_the_latest_month_is_kept_whole_as_the_live_decision_and_exact_table(demo_db):
    """The demo's last load kept whole (linked.keep_frames) every table's decision at the month the
    latest month's pages publish, and the directorate's exact table at the latest month: each is
    exactly the policy's decision now (every view, every cell's type) and `build`'s table, both
    scopes; no other month's is read from them."""
    con = connect(demo_db, read_only=True)
    try:
        periods = _periods(con)
        latest, src = periods[-1], linked.cursor_source(con)
        whole = linked.kept_frames(con)
        hidden = 0
        for scope in SCOPES:
            for name, extra in linked.KEPT:
                at = linked.published_month(periods, name, latest)
                got = linked.kept_decision(whole, name, at, scope, dict(extra))
                assert got is not None, (name, extra, scope)
                live = linked.decide(src, name, at, scope, dict(extra))
                _assert_same(got, live, f"{name} {extra} {at} {scope} kept whole")
                hidden += sum(int(why.notna().to_numpy().sum()) for _, why in live.values())
                exact = linked.kept_exact(whole, name, latest, scope, dict(extra))
                built = linked.build(src, name, latest, scope, None, None, **dict(extra))
                pd.testing.assert_frame_equal(exact, built, check_exact=True)
                assert len(built) and not any(isinstance(v, str) for v in built.iloc[:, 1:].to_numpy().reshape(-1))
                # another month is not what was kept
                assert linked.kept_decision(whole, name, periods[-13], scope, dict(extra)) is None
                assert linked.kept_exact(whole, name, periods[-2], scope, dict(extra)) is None
        assert hidden > 0  # real decisions: cells hidden among them
    finally:
        con.close()


def test_every_month_confirmed_under_the_ledger_reads_its_kept_decision(copy_demo_db, monkeypatch):
    """`linked.confirm` of every demo month: each table then answers from the ledger alone with the
    very decision its inputs' fingerprint reads (which test_every_month_every_kept_table_is_the_live
    _decision shows is the live one), both scopes; a month whose figures moved since it was kept
    (older conversions) is decided again by `confirm`, equal to live."""
    con = connect(copy_demo_db)
    try:
        periods = _periods(con)
        con.execute("BEGIN")
        assert sum(linked.confirm(con, period=p) for p in periods) == ROWS
        con.execute("COMMIT")
        sig = linked.signature()
        by_fingerprint = {}
        for period in periods:
            src = linked.cursor_source(con)
            for scope in SCOPES:
                for name, extra in linked.KEPT:
                    if not linked.kept_at(periods, name, period):
                        continue
                    text = kept.read(con, kind="people", period=parse_period(period), scope=scope,
                                     key=linked._key(name, dict(extra)), signature=sig,
                                     inputs=linked.inputs(src, name, period, scope, dict(extra)))
                    assert text is not None, (name, extra, period, scope)
                    by_fingerprint[(period, scope, name, extra)] = linked._decode(text)
        _fingerprinting_fails(monkeypatch)
        for (period, scope, name, extra), want in by_fingerprint.items():
            got, was = _decision(con, name, extra, period, scope)
            assert was, (name, extra, period, scope)
            _assert_same(got, want, f"{name} {extra} {period} {scope} confirmed")
    finally:
        con.close()


def test_a_new_load_code_or_rules_make_the_confirmed_decision_stale(copy_demo_db, monkeypatch, tmp_path,
                                                                    changed_disclosure):
    """What confirms a kept decision is the load ledger, the code and the rules: after a load (even
    one that kept nothing), with other rules, or with a changed line of code, the row no longer
    answers from the ledger; the reader checks the figures (or decides live) and its answer is
    still the live decision."""
    con = connect(copy_demo_db)
    try:
        latest = linked.published_month(_periods(con), "leavers_by_reason", _periods(con)[-1])  # (its September)
        assert latest == "2026-09"
    finally:
        con.close()
    fingerprinted = []
    inputs = linked.inputs

    def counted(*a, **k):
        fingerprinted.append(a[1:5])
        return inputs(*a, **k)

    monkeypatch.setattr(linked, "inputs", counted)
    with connect(copy_demo_db, read_only=True) as con:
        assert _decision(con, "leavers_by_reason", (), latest, "social_workers")[1]
    assert fingerprinted == []  # confirmed: answered from the ledger
    # a new load (the hook left out, so it neither decides nor confirms anything)
    load_next_month_without(copy_demo_db, linked._after_load, monkeypatch)
    with connect(copy_demo_db, read_only=True) as con:
        got, was = _decision(con, "leavers_by_reason", (), latest, "social_workers")
        assert fingerprinted and fingerprinted[-1][1] == latest  # the ledger moved: the figures checked
        _assert_same(got, linked.decide(linked.cursor_source(con), "leavers_by_reason", latest, "social_workers", {}),
                     "after a load")
    # confirmed again under the new ledger: answers from it again
    con = connect(copy_demo_db)
    try:
        con.execute("BEGIN")
        linked.confirm(con, period=latest)
        con.execute("COMMIT")
    finally:
        con.close()
    fingerprinted.clear()
    with connect(copy_demo_db, read_only=True) as con:
        assert _decision(con, "leavers_by_reason", (), latest, "social_workers")[1]
        assert fingerprinted == []
        # other rules: neither the confirmed row nor its fingerprint answers
        from disclosure.rules import DEFAULT_PATH

        other = tmp_path / "rules.toml"
        other.write_text(DEFAULT_PATH.read_text("utf-8").replace("threshold = 5", "threshold = 6"), "utf-8")
        assert other.read_text("utf-8") != DEFAULT_PATH.read_text("utf-8")
        monkeypatch.setenv("WORKFORCE_DISCLOSURE", str(other))
        got, was = _decision(con, "leavers_by_reason", (), latest, "social_workers")
        assert not was and fingerprinted
        _assert_same(got, linked.decide(linked.cursor_source(con), "leavers_by_reason", latest, "social_workers", {}),
                     "other rules")
        monkeypatch.delenv("WORKFORCE_DISCLOSURE")
        fingerprinted.clear()
        assert _decision(con, "leavers_by_reason", (), latest, "social_workers")[1] and fingerprinted == []
        # a changed line of code
        changed_disclosure("cells.py")
        assert not _decision(con, "leavers_by_reason", (), latest, "social_workers")[1]
        assert fingerprinted
