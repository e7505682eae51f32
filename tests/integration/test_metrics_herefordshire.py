"""The engine reproduces Herefordshire's published DfE figures from worker-level rows.

For each of the reporting years 2024 and 2025 we build twelve monthly extracts (October to
September) whose totals at 30 September equal the published in-post FTE, agency FTE, vacancy FTE,
case holders FTE and cases, with the published leavers FTE spread over the year. The engine must
give the published agency rate, turnover rate, vacancy rate and average caseload to 0.1.
DfE: turnover = leavers FTE / in-post FTE; vacancy rate = vacancy FTE / (vacancy FTE + in-post FTE).
"""

from __future__ import annotations

import csv
import math
from datetime import date

import pandas as pd
import pytest

from store import connect
from metrics import engine

LA_CODE = "884"


def published(reference_dir, year: int) -> dict[str, float]:
    path = reference_dir / "dfe" / "csww_indicators_2017_to_2025.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["old_la_code"] == LA_CODE and r["time_period"] == str(year) \
                    and r["geographic_level"] == "Local authority":
                return {k: float(v) for k, v in r.items()
                        if k.endswith(("_fte", "cases")) and v.replace(".", "", 1).isdigit()}
    raise AssertionError(f"Herefordshire {year} not in {path}")


def chunks(total: float) -> list[float]:
    """FTE pieces of at most 1.0 summing to `total` (to 0.1, as published)."""
    whole = math.floor(total + 1e-9)
    rest = round(total - whole, 4)
    return [1.0] * whole + ([rest] if rest > 0 else [])


def build_year(con, year: int, pub: dict[str, float]) -> None:
    months = [d.date() for d in pd.date_range(f"{year - 1}-10-01", f"{year}-09-01", freq="MS")]
    inpost, agency = pub["inpost_fte"], pub["agency_fte"]
    holders, cases = pub["case_holders_fte"], int(pub["cases"])
    held_by_employed = min(holders, inpost)
    groups = [  # (worker type, FTE pieces, holds cases)
        ("Permanent", chunks(held_by_employed), True),
        ("Permanent", chunks(round(inpost - held_by_employed, 4)), False),
        ("Agency", chunks(round(holders - held_by_employed, 4)), True),
        ("Agency", chunks(round(agency - (holders - held_by_employed), 4)), False),
    ]
    people = []
    for gi, (wt, pieces, holds) in enumerate(groups):
        for i, fte in enumerate(pieces):
            people.append((f"Y{year}-G{gi}-{i}", wt, fte, holds))
    n_holders = sum(1 for p in people if p[3])
    base, extra = divmod(cases, n_holders)
    case_of, k = {}, 0
    for pid, _, _, holds in people:
        if holds:
            case_of[pid] = base + (1 if k < extra else 0)
            k += 1
    rows = []
    for m in months:
        for pid, wt, fte, holds in people:
            rows.append({"period": m, "load_id": 1, "employee_id": pid, "team": "T", "service": "S",
                         "role_group": "Social worker", "qualified_social_worker": True,
                         "worker_type": wt, "fte": fte, "start_date": date(2015, 1, 1),
                         "cases": case_of.get(pid)})
    staff = pd.DataFrame(rows)
    con.register("_hs", staff)
    con.execute("INSERT INTO staff BY NAME SELECT * FROM _hs")
    con.unregister("_hs")
    for i, fte in enumerate(chunks(pub["leavers_fte"])):
        m = months[i % 12]
        con.execute("INSERT INTO leavers (period, load_id, employee_id, leave_date, reason, team, "
                    "service, role_group, qualified_social_worker, worker_type, fte, start_date) "
                    "VALUES (?, 1, ?, ?, 'Resignation', 'T', 'S', 'Social worker', "
                    "TRUE, 'Permanent', ?, DATE '2015-01-01')",
                    [m, f"L{year}-{i}", m.replace(day=15), fte])
    for fte in chunks(pub["vacancy_fte"]):
        con.execute("INSERT INTO vacancies VALUES (?, 1, 'T', 'S', 'Social worker', TRUE, ?, 0)",
                    [months[-1], fte])
    # sanity: the rows at 30 September total the published inputs
    tot = con.execute("""SELECT sum(fte) FILTER (WHERE worker_type <> 'Agency'),
                                sum(fte) FILTER (WHERE worker_type = 'Agency'),
                                sum(fte) FILTER (WHERE cases >= 1), sum(cases)
                         FROM staff WHERE period = ?""", [months[-1]]).fetchone()
    assert tot[0] == pytest.approx(inpost) and tot[1] == pytest.approx(agency)
    assert tot[2] == pytest.approx(holders) and tot[3] == cases


@pytest.mark.parametrize("year", [2024, 2025])
def test_engine_reproduces_published_figures(tmp_db, reference_dir, year):
    pub = published(reference_dir, year)
    con = connect(tmp_db)
    build_year(con, year, pub)
    f = engine.compute(con, period=f"{year}-09", metric_ids=[
        "agency_rate_fte", "turnover_rate_fte_12m", "vacancy_rate_fte", "avg_caseload"])
    got = {r.metric_id: r for r in f.itertuples(index=False)}
    assert got["turnover_rate_fte_12m"].months_covered == 12
    assert not got["turnover_rate_fte_12m"].partial
    # published rates are percentages with one decimal; ours are fractions
    assert abs(got["agency_rate_fte"].value * 100 - pub["agency_rate_fte"]) <= 0.1
    assert abs(got["turnover_rate_fte_12m"].value * 100 - pub["turnover_rate_fte"]) <= 0.1
    assert abs(got["vacancy_rate_fte"].value * 100 - pub["vacancy_rate_fte"]) <= 0.1
    assert abs(got["avg_caseload"].value - pub["caseload_fte"]) <= 0.1
    con.close()


def test_the_published_inputs_are_the_ones_we_expect(reference_dir):
    # guard against a different file: Herefordshire 2025 in-post 125.5, agency 28.2 (18.3%)
    pub = published(reference_dir, 2025)
    assert pub["inpost_fte"] == 125.5 and pub["agency_fte"] == 28.2 and pub["agency_rate_fte"] == 18.3
