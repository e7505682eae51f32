"""The measure history's two frames (disclosure.history.raw and .published, each scope) built in
every load's transaction and kept whole (disclosure.history.keep_frames, store.frames), so a
page's first view after a load reads them instead of building them. Kept == built now, every
column, dtype and cell type; read only under the key they would be built under now (the load,
the code and rules, the targets file): an edited data/targets.toml shows at once, and a load that
did not keep them is never read stale. Real stores built through the real loader."""

from __future__ import annotations

import shutil

import pandas as pd

from disclosure import history
from metrics import targets
from store import connect
from tests.integration.test_published_history import SCOPES, _next_month, load_next_month_without


def _cell_types(f: pd.DataFrame) -> dict:
    return {c: [type(v).__name__ for v in f[c]] for c in f.columns}


def _assert_identical(kept: pd.DataFrame, built: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(kept, built, check_exact=True)
    assert kept.equals(built) and _cell_types(kept) == _cell_types(built)


def test_every_load_keeps_the_frames_a_page_reads_and_they_are_what_is_built_now(demo_db):
    con = connect(demo_db, read_only=True)
    try:
        for scope in SCOPES:
            kept = history.kept_history(con, scope=scope)
            assert kept is not None, f"the demo's loads kept no history frames for {scope}"
            raw = history.raw(con, scope=scope)
            _assert_identical(kept[0], raw)
            _assert_identical(kept[1], history.published(con, scope=scope, frame=raw))
            # real figures: 36 months, hidden ones among them, shown as "c" (or "x": not available)
            public = kept[1]
            assert public["period"].nunique() == 36 and public["suppressed"].any()
            hidden = set(public.loc[public["suppressed"], "value"])
            assert "c" in hidden and hidden <= {"c", "x"}
    finally:
        con.close()


def test_an_edited_targets_file_is_read_at_once(copy_demo_db, tmp_path, monkeypatch):
    edited = tmp_path / "targets.toml"
    shutil.copy(targets.DEFAULT_TARGETS_PATH, edited)
    monkeypatch.setattr(targets, "DEFAULT_TARGETS_PATH", edited)
    con = connect(copy_demo_db)
    try:
        assert history.kept_history(con, scope="all_staff") is not None  # the same text: kept
        text = edited.read_text()
        assert "[agency_rate_fte]\nvalue = 0.20\n" in text
        edited.write_text(text.replace("[agency_rate_fte]\nvalue = 0.20\n", "[agency_rate_fte]\nvalue = 0.25\n"))
        assert history.kept_history(con, scope="all_staff") is None  # kept under the old target
        raw = history.raw(con, scope="all_staff")
        agency = raw[raw["metric_id"] == "agency_rate_fte"]
        assert set(agency["target"].dropna()) == {0.25}  # what the page builds instead
    finally:
        con.close()


def test_a_load_that_did_not_keep_them_is_never_read_stale_and_the_next_load_keeps_them(copy_demo_db, monkeypatch):
    from ingest import loader
    from tests.e2e.workbooks import day_after_next_month

    every_hook = list(loader.AFTER_WRITE)
    period = load_next_month_without(copy_demo_db, history._frames_after_load, monkeypatch)
    con = connect(copy_demo_db)
    try:
        for scope in SCOPES:
            assert history.kept_history(con, scope=scope) is None  # kept before that load: not read
    finally:
        con.close()
    monkeypatch.setattr(loader, "AFTER_WRITE", every_hook)  # the next load keeps them again
    monkeypatch.setenv("WORKFORCE_TODAY", day_after_next_month(copy_demo_db))
    path, later = _next_month(copy_demo_db)
    con = connect(copy_demo_db)
    try:
        assert loader.load_file(con=con, path=path, period=later, loaded_by="test").outcome == "loaded"
        for scope in SCOPES:
            kept = history.kept_history(con, scope=scope)
            assert kept is not None
            months = set(kept[1]["period"].dt.strftime("%Y-%m"))
            assert {period, later} <= months
            _assert_identical(kept[0], history.raw(con, scope=scope))
    finally:
        con.close()
