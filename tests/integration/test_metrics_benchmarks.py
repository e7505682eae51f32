"""Benchmarks imported from the real published files in ../shared/reference (never copied)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from store import connect
from ingest import published
from metrics import benchmarks as bm
from metrics.benchmarks import BenchmarkError, BenchmarkFileError


@pytest.fixture(scope="module")
def files(reference_dir: Path) -> dict[str, Path]:
    d = reference_dir / "dfe"
    return {
        "dfe": d / "csww_indicators_2017_to_2025.csv",
        "sn": d / "sn_model_2025_wide.csv",
        "ons": d / "ons-ethnic-population-la.csv",
        "ons_reg": d / "ons-ethnic-population-reg.csv",
        "sn_2021": d / "New_Statistical_Neighbour_Groupings_April_2021.csv",
    }


@pytest.fixture
def loaded(tmp_db: Path, files) -> duckdb.DuckDBPyConnection:
    con = connect(tmp_db)
    published.import_files(con, paths=[files["dfe"], files["sn"], files["ons"]], imported_by="test")
    yield con
    con.close()


def table_counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("benchmark_imports", "dfe_indicators", "sn_model", "ons_ethnicity")}


def test_herefordshire_2025_agency_rate_and_england(loaded):
    cmp = bm.comparison(loaded, la_code="884", include_ours=False)
    row = cmp[(cmp["indicator"] == "agency_rate_fte") & (cmp["year"] == 2025)].iloc[0]
    assert row["la_value"] == pytest.approx(18.3)
    assert row["england_value"] == pytest.approx(13.0)
    assert row["region_value"] == pytest.approx(10.4)      # West Midlands, same file
    assert row["la_name"] == "Herefordshire, County of"
    assert row["unit"] == "percent" and row["metric_id"] == "agency_rate_fte"
    assert list(cmp.columns[:9]) == ["la_code", "la_name", "indicator", "year", "la_value",
                                     "region_value", "england_value", "sn_median", "sn_count"]
    assert set(cmp["year"]) == set(range(2017, 2026))
    assert len(cmp) == 22 * 9


def test_sn_median_matches_an_independent_pandas_calculation(loaded, files):
    sn = pd.read_csv(files["sn"], dtype=str, encoding="utf-8-sig")
    codes = sn.loc[sn["old_la_code"] == "884", [f"SN_{k}" for k in range(1, 11)]].iloc[0].str.strip().tolist()
    dfe = pd.read_csv(files["dfe"], dtype=str)
    la = dfe[(dfe["geographic_level"] == "Local authority") & dfe["old_la_code"].isin(codes)]
    cmp = bm.comparison(loaded, la_code="884", include_ours=False)
    checked = 0
    for ind in bm.DFE_INDICATORS:
        for year in range(2017, 2026):
            vals = pd.to_numeric(la.loc[la["time_period"] == str(year), ind], errors="coerce").dropna()
            got = cmp[(cmp["indicator"] == ind) & (cmp["year"] == year)].iloc[0]
            assert got["sn_count"] == len(vals)
            if len(vals):
                assert got["sn_median"] == pytest.approx(vals.median()), (ind, year)
                checked += 1
    assert checked > 150
    row = cmp[(cmp["indicator"] == "agency_rate_fte") & (cmp["year"] == 2025)].iloc[0]
    assert row["sn_count"] == 10


def test_new_code_maps_to_the_old_code(loaded):
    a = bm.comparison(loaded, la_code="884", include_ours=False)
    b = bm.comparison(loaded, la_code="E06000019", include_ours=False)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(BenchmarkError, match="999"):
        bm.comparison(loaded, la_code="999")


def test_published_markers_become_null_with_the_marker_kept(loaded, files):
    dfe = pd.read_csv(files["dfe"], dtype=str)
    long = dfe.melt(value_vars=list(bm.DFE_INDICATORS))
    expected = int((long["value"] == "x").sum())
    got = loaded.execute(
        "SELECT count(*) FROM dfe_indicators WHERE marker = 'x' AND value IS NULL"
    ).fetchone()[0]
    assert got == expected > 0
    assert loaded.execute("SELECT count(*) FROM dfe_indicators").fetchone()[0] == len(dfe) * 22


def test_county_ethnicity_against_the_census_file(loaded, files):
    ons = pd.read_csv(files["ons"])
    h = ons[(ons.iloc[:, 0] == "E06000019") & (ons.iloc[:, 2] > 0)]
    white = h[h.iloc[:, 3].str.startswith("White")]["Observation"].sum()
    black = h[h.iloc[:, 3].str.startswith("Black")]["Observation"].sum()
    eth = bm.county_ethnicity(loaded, la_code="884")
    assert eth["group"].tolist() == ["White", "Mixed", "Asian", "Black", "Other"]
    assert eth["share"].sum() == pytest.approx(1.0)
    share = dict(zip(eth["group"], eth["share"]))
    assert share["White"] == pytest.approx(white / h["Observation"].sum())
    assert share["Black"] == pytest.approx(black / h["Observation"].sum())
    pd.testing.assert_frame_equal(eth, bm.county_ethnicity(loaded, la_code="E06000019"))
    pd.testing.assert_frame_equal(eth, bm.county_ethnicity(loaded, la_name="Herefordshire"))
    pd.testing.assert_frame_equal(eth, bm.county_ethnicity(loaded, la_name="Herefordshire, County of"))


def test_default_la_comes_from_the_environment(loaded, monkeypatch):
    monkeypatch.setenv("WORKFORCE_LA_CODE", "893")
    cmp = bm.comparison(loaded, include_ours=False)
    assert cmp["la_name"].iloc[0] == "Shropshire"
    monkeypatch.delenv("WORKFORCE_LA_CODE")
    assert bm.default_la_code() == "884"


def test_neighbours_listed_in_rank_order(loaded):
    n = bm.neighbours(loaded, la_code="884")
    assert n["rank"].tolist() == list(range(1, 11))
    assert n["old_la_code"].iloc[0] == "943"
    assert "Shropshire" in n["la_name"].tolist()


def test_wrong_file_is_rejected_with_nothing_written(tmp_db, files, tmp_path):
    con = connect(tmp_db)
    before = table_counts(con)
    with pytest.raises(BenchmarkFileError, match="Not a benchmark file this dashboard knows"):
        published.import_files(con, paths=[files["dfe"], files["sn_2021"]])
    hr = tmp_path / "staff.csv"
    hr.write_text("employee_id,team,fte\nE1,A,1\n")
    with pytest.raises(BenchmarkFileError, match="staff.csv"):
        published.import_files(con, paths=[hr])
    assert table_counts(con) == before == {k: 0 for k in before}
    con.close()


def test_damaged_dfe_file_names_the_line_and_writes_nothing(tmp_db, files, tmp_path):
    lines = files["dfe"].read_text().splitlines()
    lines[5] = lines[5].replace("2025", "20x5", 1)
    bad = tmp_path / "csww_bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    con = connect(tmp_db)
    with pytest.raises(BenchmarkFileError, match=r"line 6: time_period '20x5'"):
        published.import_files(con, paths=[files["sn"], bad])
    assert table_counts(con)["benchmark_imports"] == 0
    missing = tmp_path / "csww_missing.csv"
    pd.read_csv(files["dfe"], dtype=str).drop(columns=["agency_rate_fte"]).to_csv(missing, index=False)
    with pytest.raises(BenchmarkFileError, match="lacks the columns agency_rate_fte"):
        published.import_files(con, paths=[missing])
    con.close()


def test_failure_while_writing_rolls_back_every_file(tmp_db, files):
    con = connect(tmp_db)
    good = published.parse_file(path=files["sn"])
    broken = published.parse_file(path=files["ons"])
    broken = published.ParsedFile(kind=broken.kind, file_name="broken.csv", sha256="x" * 64,
                           frame=broken.frame.assign(observation="lots"), scope=broken.scope)
    with pytest.raises(duckdb.Error):
        published.import_parsed(con, files=[good, broken])
    assert table_counts(con) == {k: 0 for k in table_counts(con)}
    con.close()


def test_importing_the_same_file_twice_changes_nothing_and_a_new_version_replaces(tmp_db, files, tmp_path):
    con = connect(tmp_db)
    first = published.import_files(con, paths=[files["sn"]])[0]
    assert first.outcome == "imported" and first.rows == 1530
    again = published.import_files(con, paths=[files["sn"]])[0]
    assert again.outcome == "unchanged"
    changed = tmp_path / "sn_model_2026_wide.csv"
    shutil.copy(files["sn"], changed)
    with changed.open("a") as fh:
        fh.write("999,Testshire,8,West Midlands,884,Close,893,Close,,,,,,,,,,,,,,,,\n")
    third = published.import_files(con, paths=[changed])[0]
    assert third.outcome == "replaced" and third.rows == 1532
    ledger = published.imports(con)
    assert ledger["file_name"].tolist() == ["sn_model_2026_wide.csv", "sn_model_2025_wide.csv"]
    assert len(ledger.iloc[0]["sha256"]) == 64
    assert con.execute("SELECT count(*) FROM sn_model").fetchone()[0] == 1532
    con.close()


def test_regional_ons_file_sits_beside_the_la_file(loaded, files):
    res = published.import_files(loaded, paths=[files["ons_reg"]])[0]
    assert res.outcome == "imported"
    levels = dict(loaded.execute(
        "SELECT area_level, count(*) FROM ons_ethnicity GROUP BY 1").fetchall())
    assert set(levels) == {"local authority", "regional"}
    assert bm.county_ethnicity(loaded, la_code="884")["share"].sum() == pytest.approx(1.0)


def test_nothing_imported_gives_a_clear_message(tmp_db):
    con = connect(tmp_db)
    with pytest.raises(BenchmarkError, match="python -m metrics.benchmarks import"):
        bm.comparison(con)
    with pytest.raises(BenchmarkError, match="ons-ethnic-population"):
        bm.county_ethnicity(con)
    con.close()


def test_cli_import_and_show(tmp_db, files, capsys):
    assert bm.main(["import", str(files["dfe"]), str(files["sn"]), "--db", str(tmp_db)]) == 0
    out = capsys.readouterr().out
    assert "imported, 32,186 rows" in out and "imported, 1,530 rows" in out
    assert bm.main(["show", "--la", "884", "--db", str(tmp_db)]) == 0
    out = capsys.readouterr().out
    assert "Herefordshire, County of (884), 30 September 2025" in out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("agency_rate_fte"))
    assert line.split()[2:5] == ["18.3", "10.4", "13"]
    assert bm.main(["import", str(files["sn_2021"]), "--db", str(tmp_db)]) == 2
    assert "error:" in capsys.readouterr().err


def test_download_offline_fails_with_a_clear_message(tmp_path):
    with pytest.raises(BenchmarkError, match="may have no internet"):
        published.download(url="http://127.0.0.1:9/csww.csv", out=tmp_path / "x.csv", timeout=2)
    assert not (tmp_path / "x.csv").exists()


# --- our own 30 September values (the demo store, through the real loader) ----------------


def independent_agency_rate(con, period: str) -> float:
    agency, total = con.execute(
        """SELECT sum(fte) FILTER (WHERE worker_type = 'Agency'), sum(fte)
           FROM staff WHERE period = CAST(? AS DATE) AND qualified_social_worker""",
        [period],
    ).fetchone()
    return agency / total


def test_our_30_september_values_beside_the_published_ones(copy_demo_db, files):
    con = connect(copy_demo_db)
    published.import_files(con, paths=[files["dfe"], files["sn"]])
    ours = bm.our_30_september(con)
    assert set(ours["metric_id"]) == set(bm.DFE_MAPPING)
    assert "starters_fte_12m" not in bm.OUR_TO_DFE  # its value is a rate; DfE publishes the FTE
    years = sorted(set(ours["year"]))
    assert years
    agency = ours[(ours["metric_id"] == "agency_rate_fte") & (ours["year"] == years[0])].iloc[0]
    expected = independent_agency_rate(con, f"{years[0]}-09-01")
    assert agency["value"] == pytest.approx(expected)
    assert agency["published_value"] == pytest.approx(100 * expected)
    cmp = bm.comparison(con, la_code="884")
    got = cmp[(cmp["indicator"] == "agency_rate_fte") & (cmp["year"] == years[0])]
    if years[0] <= 2025:
        assert got["our_value"].iloc[0] == pytest.approx(100 * expected)
    assert cmp[cmp["metric_id"].isna()]["our_value"].isna().all()
    # starters: DfE publishes the FTE (our numerator), so that is what is set beside it, unscaled
    starters = ours[(ours["metric_id"] == "starters_fte_12m") & (ours["year"] == years[0])].iloc[0]
    fte = con.execute(
        """SELECT sum(fte) FROM staff WHERE period = CAST(? AS DATE) AND qualified_social_worker
           AND worker_type <> 'Agency' AND start_date > CAST(? AS DATE) AND start_date <= CAST(? AS DATE)""",
        [f"{years[0]}-09-01", f"{years[0] - 1}-09-30", f"{years[0]}-09-30"]).fetchone()[0]
    assert starters["indicator"] == "starters_fte"
    assert starters["value"] == pytest.approx(fte) and starters["published_value"] == pytest.approx(fte)
    con.close()


# --- download from a local web server (no internet needed) ---------------------------------


@pytest.fixture
def local_server(tmp_path):
    import functools
    import http.server
    import threading

    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_of_the_release_zip_imports_the_indicators(local_server, files, tmp_path, tmp_db, capsys):
    import zipfile

    root, base = local_server
    with zipfile.ZipFile(root / "all-data.zip", "w") as zf:
        zf.write(files["dfe"], "data/csww_indicators_2017_to_2025.csv")
        zf.writestr("data-guidance/guidance.txt", "about the data")
        zf.writestr("data/other.csv", "a,b\n1,2\n")
    (root / "page.html").write_text("<!DOCTYPE html><html><body>EES</body></html>")
    saved = published.download(url=f"{base}/all-data.zip", out=tmp_path / "dl")
    assert [p.name for p in saved] == ["csww_indicators_2017_to_2025.csv"]
    assert saved[0].read_bytes() == files["dfe"].read_bytes()
    with pytest.raises(BenchmarkError, match="returned a web page"):
        published.download(url=f"{base}/page.html", out=tmp_path / "p.csv")
    code = bm.main(["download", "--url", f"{base}/all-data.zip", "--out", str(tmp_path / "cli"),
                    "--db", str(tmp_db)])
    assert code == 0
    assert "imported, 32,186 rows" in capsys.readouterr().out
