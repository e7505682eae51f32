"""The widening's shortcuts hide exactly what the exhaustive widening hides.

disclosure.cells._widen settles a protected cell's range without its two linear programmes when
a cap (an equation's known total minus its shown cells) already makes it too narrow, or when
two feasible points already seen (the true figures, earlier optima) make it wide enough. Here
every widened grid the data layer builds (the linked people tables, directorate and services
together, and drill measures by job type across services) on the demo store and on an
adversarial store of many small groups, at the latest month and both populations, is widened
both ways (`_EXHAUSTIVE`) and the hidden cells compared; the shortcuts must also have saved
linear programmes (else this test would pass with them removed).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from disclosure import audit, cells
from tests.app.test_app_frame import fresh_caches

SCOPES = ("social_workers", "all_staff")
#: drill measures by job type widened here (each a grid of job types by services; the recorded
#: comparison in bench/README.md "First render, fifth pass" covered all of them, several months)
DRILL = 3


@pytest.fixture(scope="module")
def adversarial_store(tmp_path_factory):
    """Three months of the audit's adversarial directorate (a quarter of the demo, answers spread thin)."""
    import metrics.aggregates  # noqa: F401  (loads refresh the aggregates, as the CLI's do)
    from ingest import loader
    from store import connect
    from tests.app.test_disclosure_audit import adversarial_frames

    path = tmp_path_factory.mktemp("widening") / "adversarial.duckdb"
    con = connect(path)
    try:
        for period, frames in adversarial_frames(months=3):
            loader.load_frames(con=con, frames=frames, period=period, loaded_by="widening test",
                               file_name=f"adversarial-{period}.xlsx", demo=True)
    finally:
        con.close()
    return path


def _both_ways(monkeypatch) -> dict:
    """Every _widen call answered both ways; returns the tallies (grids, differing, programmes)."""
    tally = {"grids": 0, "differ": [], "exhaustive": 0, "shortcut": 0, "outside": 0}
    real_widen, real_bound = cells._widen, audit.System._bound
    mode = {"now": None}

    def counted(self, key, sense):
        # (programmes outside the widening, e.g. disclosure.cells.narrow_anyway: counted apart)
        tally[mode["now"] or "outside"] += 1
        return real_bound(self, key, sense)

    def both(values, hidden, equations, protect, min_count, **kw):
        answers = {}
        for exhaustive, name in ((True, "exhaustive"), (False, "shortcut")):
            monkeypatch.setattr(cells, "_EXHAUSTIVE", exhaustive)
            mode["now"] = name
            answers[name] = real_widen(values, hidden, equations, protect, min_count, **kw)
        mode["now"] = None
        tally["grids"] += 1
        if not np.array_equal(answers["exhaustive"], answers["shortcut"]):
            tally["differ"].append(np.flatnonzero(answers["exhaustive"] != answers["shortcut"]).tolist())
        return answers["shortcut"]

    monkeypatch.setattr(audit.System, "_bound", counted)
    monkeypatch.setattr(cells, "_widen", both)
    return tally


def _data_layer(months: int) -> None:
    """The linked tables and the first DRILL drill measures by job type, for the last `months` months."""
    from tests.app.disclosure_audit import _drill_measures
    from ui import data, db
    from ui.filters import Filters

    opts = data.filter_options()
    for period in opts.periods[-months:]:
        with db.page_view():
            for scope in SCOPES:
                f = Filters(period=period, scope=scope, service=None)
                for dimension in ("ethnicity", "age_band", "gender", "disability"):
                    data.profile(f, dimension=dimension)
                    data.profile(f, dimension=dimension, by_job=True)
                data.local_by_job(f)
                data.leavers_by_reason(f)
                data.length_of_service(f)
                data.caseload_bands(f, threshold=data.caseload_threshold())
                data.ratio_table(f)
                data.conversions(f)
                for mid in list(_drill_measures())[:DRILL]:
                    data.breakdown(mid, f, by="role_group")


@pytest.mark.parametrize("which", ["demo", "adversarial"])
def test_the_shortcuts_hide_what_every_linear_programme_hides(which, demo_db, adversarial_store, tmp_path,
                                                              monkeypatch):
    from ui import db

    path = tmp_path / f"{which}.duckdb"
    shutil.copy(demo_db if which == "demo" else adversarial_store, path)
    monkeypatch.setenv("WORKFORCE_DB", str(path))
    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    db.clear_caches()
    fresh_caches()
    tally = _both_ways(monkeypatch)
    from store import kept

    from disclosure import linked

    # the linked tables decided here, not read from what the store's loads kept (disclosure.linked:
    # the kept decisions, and the latest month's kept whole, `linked.kept_frames`)
    monkeypatch.setattr(kept, "read", lambda *a, **k: None)
    monkeypatch.setattr(linked, "kept_frames", lambda *a, **k: None)
    try:
        _data_layer(months=1)
    finally:
        fresh_caches()
    assert tally["grids"] >= 20, tally
    assert tally["differ"] == [], tally["differ"][:5]
    # the shortcuts settled most ranges without their programmes
    assert tally["shortcut"] < 0.8 * tally["exhaustive"], tally
