"""Class disclosure in the published measure history across services (issue 10): a class cell
hidden in the history must not be given away by the sums the history itself publishes.

Hand-worked on a store of one month loaded through the real loader, shaped like the demo's social
workers in July 2026 (the case found there): staff of known ethnicity by service,

    Children in Care  20 (5 from ethnic minorities)
    Safeguarding      20 (6)
    SEND               9 (0: all White, a group under class_group_under = 10: "class")
    Youth             10 (0)
    directorate       59 (11)

SEND's "Staff from ethnic minorities" row is hidden (class) and Youth's with it (its 0 was the
smallest cell that kept SEND's hidden White staff from being the directorate's less the others).
But the directorate's 11 less Children in Care's 5 and Safeguarding's 6 is 0: SEND's and Youth's
minorities add up to 0, so each is 0 (no count is below 0) and SEND's all-White group is known.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from disclosure import history
from disclosure.audit import intervals
from store import connect
from tests.integration.agency_fixtures import ASSIGNMENT_COLS, LEAVER_COLS, STAFF_COLS

PERIOD = "2026-07"
SERVICES = {"Children in Care": (20, 5), "Safeguarding and Family Support": (20, 6), "SEND": (9, 0),
            "Youth": (10, 0)}
MINORITIES = ("Asian", "Black", "Mixed")


def _frames() -> dict[str, pd.DataFrame]:
    staff = []
    for service, (known, minorities) in SERVICES.items():
        for k in range(known):
            staff.append([f"{service[:3].upper()}{k:03d}", f"{service} 1", service, "Social worker", "Y",
                          "Permanent", 1.0, date(2020, 1, 6), MINORITIES[k % 3] if k < minorities else "White"])
    return {"Staff": pd.DataFrame(staff, columns=[*STAFF_COLS, "ethnicity"]),
            "Leavers": pd.DataFrame([], columns=LEAVER_COLS),
            "Vacancies": pd.DataFrame(columns=["team", "service", "role_group", "qualified_social_worker",
                                               "vacant_fte", "covered_by_agency_fte"]),
            "Agency assignments": pd.DataFrame([], columns=ASSIGNMENT_COLS)}


def _store(tmp_path):
    from ingest.loader import load_frames

    path = tmp_path / "workforce.duckdb"
    con = connect(path)
    try:
        load_frames(con=con, frames=_frames(), period=PERIOD, loaded_by="test", file_name=f"{PERIOD}.xlsx")
    finally:
        con.close()
    return path


def _as_a_reader(rows: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each hidden service's minorities as a reader of the published rows works them out: the
    shown services' numerators, the directorate's, the services adding up to it, none below 0."""
    whole = rows[rows["service"].isna()].iloc[0]
    parts = rows[rows["service"].notna()]
    hidden = [s for s, n in zip(parts["service"], parts["numerator"]) if n == "c"]
    known = {s: float(n) for s, n in zip(parts["service"], parts["numerator"]) if n != "c"}
    eqs = [([(s, 1) for s in parts["service"]], float(whole["numerator"]))]
    return intervals(known=known, hidden=hidden, equations=eqs)


def test_a_class_the_history_hides_is_not_given_away_by_the_directorate_less_the_other_services(tmp_path):
    path = _store(tmp_path)
    con = connect(path, read_only=True)
    try:
        for scope in ("social_workers", "all_staff"):
            h = history.published(con, scope=scope)
            rows = h[(h["metric_id"] == "ethnic_minority_rate") & h["group"].isna()
                     & (h["period"] == pd.Timestamp(f"{PERIOD}-01"))]
            assert len(rows) == 5
            by = {s if isinstance(s, str) else None: r for s, r in zip(rows["service"], rows.to_dict("records"))}
            # the figures as hand-worked above
            assert (by[None]["numerator"], by[None]["denominator"]) == (11.0, 59.0)
            assert by["SEND"]["suppression"] == "class" and by["SEND"]["numerator"] == "c"
            # SEND's minorities could be more than 0, as far as any reader can tell
            low, high = _as_a_reader(rows)["SEND"]
            assert low == 0 and high >= 1, (scope, low, high)
            # the smallest cell that protects: Children in Care's 5 (not Safeguarding's 6, nor the
            # directorate's own figure); Safeguarding and the directorate stay on show
            assert by["Children in Care"]["numerator"] == "c"
            assert by["Children in Care"]["suppression"] == "secondary"
            assert by["Safeguarding and Family Support"]["numerator"] == 6.0
            assert high == 5.0
    finally:
        con.close()


def test_the_audit_finds_the_class_when_the_decision_does_not_protect_its_partner(tmp_path, monkeypatch):
    """Mutation: the history decided without the protection of the class cells' zero partners
    (disclosure.cells.class_partners finding none, as before the fix) gives SEND's all-White group
    away, and the audit's history check (tests/app/disclosure_audit.history_classes) says so; the
    history as decided passes it."""
    from disclosure import cells
    from disclosure.policy import MEASURES_ACROSS_SERVICES, disclose
    from tests.app.disclosure_audit import history_classes

    path = _store(tmp_path)
    con = connect(path, read_only=True)
    try:
        raw = history.raw(con, scope="social_workers")
        assert history_classes("unit", "social_workers", history.published(con, scope="social_workers"), raw) == []
        monkeypatch.setattr(cells, "class_partners", lambda values, *a, **k: np.zeros(values.size, dtype=bool))
        before = disclose(raw, MEASURES_ACROSS_SERVICES).published
        found = history_classes("unit", "social_workers", before, raw)
        assert [f.split(":")[0] for f in found] == ["unit social_workers 2026-07 ethnic_minority_rate SEND"]
    finally:
        con.close()
