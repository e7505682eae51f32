"""Import into a real store, export from real monthly loads, and the round trip between them."""

from __future__ import annotations

import shutil

import pytest
import xmlschema

from census import figures, service
from census.build import CensusConfig
from census.config import load_config
from census.importer import read_return
from census.xmlio import to_xml
from store import connect
from tests.census.synthetic import build, published

CONFIG = CensusConfig(lea="884", pay={t: "0" for t in (
    "RecruitmentBonus", "RetentionBonus", "PerformanceAward", "CarAllowance",
    "RelocationPackage", "RegionalWeighting", "CostSWE", "CostDBS")}, other_allowances="None")


def test_import_stores_snapshot_apart_from_monthly_loads(reference_dir, tmp_path, tmp_db):
    pub = published(reference_dir, la_code="884", year=2025)
    xml = tmp_path / "hereford_2025.xml"
    xml.write_bytes(to_xml(build(pub, year=2025, lea="884")))
    con = connect(tmp_db)
    first = service.import_return(con, path=xml, imported_by="hr-test")
    assert (first.outcome, first.year) == ("imported", 2025)
    assert service.import_return(con, path=xml, imported_by="hr-test").outcome == "unchanged"
    assert con.execute("SELECT count(*) FROM loads").fetchone()[0] == 0  # never a monthly load
    stored = dict(con.execute("SELECT measure, value FROM census_figures").fetchall())
    assert abs(stored["agency_rate_fte"] * 100 - pub["agency_rate_fte"]) <= 0.1
    assert abs(stored["caseload_fte"] - pub["caseload_fte"]) <= 0.1
    # re-import of a changed file replaces the year (one live return per year)
    changed = build(pub, year=2025, lea="884")
    changed.la["NumberOfVacancies"] = ["10.00"]
    xml.write_bytes(to_xml(changed))
    again = service.import_return(con, path=xml, imported_by="hr-test")
    assert again.outcome == "replaced"
    assert con.execute("SELECT count(*) FROM census_returns WHERE active").fetchone()[0] == 1
    assert con.execute("SELECT count(DISTINCT return_id) FROM census_items").fetchone()[0] == 1
    audit = con.execute("SELECT count(*) FROM audit WHERE action = 'census-import'").fetchone()
    assert audit[0] == 2  # "unchanged" writes nothing
    # registration numbers only in the restricted table
    assert con.execute("SELECT count(*) FROM census_items WHERE item = 'SWENo'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM census_items_restricted").fetchone()[0] == len(
        changed.workers)
    con.close()


def test_export_validates_against_dfe_2025_and_round_trips(reference_dir, monthly_db, tmp_path):
    con = connect(monthly_db)
    out = tmp_path / "return.xml"
    done = service.export_return(con, year=2025, out=out, config=CONFIG)
    assert done.written and done.schema_errors == [], done.summary()
    dfe = xmlschema.XMLSchema10(str(reference_dir / "csww-census" /
                                    "social_work_workforce_2025.xsd"))
    dfe.validate(str(out))
    built, _ = service.monthly_return(con, year=2025, config=CONFIG, purpose="census-export")
    # 5 employed in post + 2 agency + 1 leaver; the unqualified worker is not in the census
    assert len(built.workers) == 8
    db2 = tmp_path / "other.duckdb"
    con2 = connect(db2)
    service.import_return(con2, path=out, imported_by="t")
    back = service.imported_return(con2, year=2025, purpose="census-export")
    con2.close()
    assert back.la == built.la
    assert [w.items for w in back.workers] == [w.items for w in built.workers]
    items = {tag for w in built.workers for tag in w.items} | set(built.la)
    assert {"SWENo", "Sex", "Ethnicity", "QualLevel", "StartOrigin", "RoleEndDate",
            "LeaverDestination", "ReasonLeave", "Cases30", "WorkingDaysLost", "ContractWeeks",
            "Absat30Sept", "ReasonAbsence", "BaseSalary", "RRPayments", "OtherPayments",
            "RecruitmentBonus", "OtherAllowances", "FrontlineGrad", "StepUpGrad"} <= items
    con.close()


def test_export_items_follow_the_monthly_rows(monthly_db):
    con = connect(monthly_db)
    ret, ref = service.monthly_return(con, year=2025, config=CONFIG)
    con.close()
    by = {w.employee_id: w for w in ret.workers}
    assert by["E02"].get("StartOrigin") == "4" and by["E02"].get("ContractWeeks") == "39.0"
    assert by["E04"].get("OrgRole") == "4" and by["E04"].get("StartOrigin") == "1"
    assert by["E01"].get("OrgRole") == "5" and by["E05"].get("OrgRole") == "6"
    assert by["E05"].items["ReasonAbsence"] == ["SIC"]
    assert by["E09"].get("RoleEndDate") == "2025-03-14"
    assert by["E09"].get("LeaverDestination") == "3" and by["E09"].get("ReasonLeave") == "1"
    assert by["E09"].get("Ethnicity") == "WOTH"  # from the last Staff row before leaving
    assert by["A01"].get("AgencyWorker") == "1" and "Ethnicity" not in by["A01"].items
    assert ret.la["NumberOfVacancies"] == ["2.00"]  # the unqualified post is not counted
    assert ret.la["NoAgencyFTE"] == ["1.50"] and ret.la["NoAgencyHeadcount"] == ["2"]
    # days lost summed over the year's months (E03: 1.0 a month for 12 months)
    assert by["E03"].get("WorkingDaysLost") == "12.00"
    f = figures.compute(ret)
    assert f["inpost_fte"].value == pytest.approx(1.0 + 0.6 + 1.0 + 1.0 + 0.8)


def test_export_writes_nothing_when_invalid(monthly_db, tmp_path):
    copy = tmp_path / "broken.duckdb"
    shutil.copy(monthly_db, copy)
    con = connect(copy)
    con.execute("DELETE FROM staff_restricted WHERE employee_id = 'E01'")  # SWENo is required
    out = tmp_path / "return.xml"
    done = service.export_return(con, year=2025, out=out, config=CONFIG)
    con.close()
    assert not done.written and not out.exists()
    assert any("SWENo" in e for e in done.schema_errors)
    con = connect(copy)
    assert service.export_return(con, year=2025, out=out, config=CONFIG,
                                 produced_by="hr").written is False
    assert con.execute("SELECT count(*) FROM census_produced").fetchone()[0] == 0  # nothing kept
    con.close()
    assert any(p.code == "E10" and p.worker == "employee E01" for p in done.problems)


def test_export_refuses_a_year_whose_september_is_not_loaded(monthly_db, tmp_path):
    con = connect(monthly_db)
    with pytest.raises(service.CensusError, match="September 2026 is not loaded"):
        service.export_return(con, year=2026, out=tmp_path / "r.xml", config=CONFIG)
    con.close()
    assert not (tmp_path / "r.xml").exists()


def test_config_file_is_read(tmp_path):
    cfg = load_config()
    assert cfg.lea == "884" and set(cfg.pay) == set(CONFIG.pay)
    bad = tmp_path / "census.toml"
    bad.write_text('lea = "884"\n[pay]\nCarAllowance = 5\n')
    from census.config import CensusConfigError
    with pytest.raises(CensusConfigError, match="CarAllowance"):
        load_config(bad)


def test_sample_2022_return_imports_with_gaps(reference_dir, tmp_db):
    sample = reference_dir / "csww-census" / "sample_social_work_workforce_2022.xml"
    got = read_return(sample)
    assert got.ret.year == 2022 and "GenderCurrent" in got.ret.workers[0].items
    con = connect(tmp_db)
    done = service.import_return(con, path=sample, imported_by="t")
    con.close()
    assert done.year == 2022 and any("Expected is ( QualInst )" in g for g in done.gaps)
    assert any("PersonBirthDate not kept" in g for g in done.gaps)


def test_a_produced_return_stands_on_the_trends_until_one_is_imported(monthly_db, tmp_path):
    """Exported with a producer, the return's figures are kept as 2025's census figures: 5 LA
    employed in post (E01-E05), FTE 1.0 + 0.6 + 1.0 + 1.0 + 0.8 = 4.4, agency FTE 1.50, so the
    agency rate is 1.5 / 5.9. A return imported for 2025 then takes their place."""
    from census.__main__ import main
    from store.census import IMPORTED, PRODUCED, census_figures

    copy = tmp_path / "produced.duckdb"
    shutil.copy(monthly_db, copy)
    out = tmp_path / "return.xml"
    assert main(["--db", str(copy), "export", "--year", "2025", "--out", str(out),
                 "--produced-by", "census lead"]) == 0
    con = connect(copy)
    got = census_figures(con)
    assert set(got["source"]) == {PRODUCED} and set(got["year"]) == {2025}
    value = dict(zip(got["measure"], got["value"]))
    assert value["inpost_headcount"] == 5 and value["inpost_fte"] == pytest.approx(4.4)
    assert value["agency_rate_fte"] == pytest.approx(1.5 / 5.9)
    assert con.execute("SELECT actor FROM audit WHERE action = 'census-export'").fetchall() == [
        ("census lead",)]
    again = service.export_return(con, year=2025, out=out, config=CONFIG, produced_by="hr")
    assert again.written
    assert len(census_figures(con)) == len(got)  # replaced, not added
    assert con.execute("SELECT count(*) FROM census_produced WHERE active").fetchone()[0] == 1
    service.import_return(con, path=out, imported_by="hr")
    now = census_figures(con)
    assert set(now["source"]) == {IMPORTED} and len(now) == len(got)
    con.close()


def test_migration_21_applies_to_a_store_at_the_latest_version_without_it(tmp_path):
    """A store that applied every other migration (ids after 21 too) and holds an imported
    return gains the produced-return tables; the imported figures read as before."""
    from datetime import datetime

    import duckdb

    from store import migrations
    from store.census import IMPORTED, census_figures

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(migrations.LEDGER_DDL)
    for m in migrations.MIGRATIONS:
        if m.id != 21:
            m.apply(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [m.id, m.name, datetime(2026, 1, 1)])
    con.execute("INSERT INTO census_returns VALUES (1, 2024, '884', 'r.xml', 'x', 3, 'hr', ?, "
                "'imported', '[]', true)", [datetime(2026, 1, 1)])
    con.execute("INSERT INTO census_figures VALUES (1, 2024, 'inpost_headcount', NULL, 3, NULL, NULL)")
    con.close()
    con = connect(path)  # migrates
    try:
        assert 21 in migrations.applied_ids(con)
        got = census_figures(con)
        assert list(zip(got["measure"], got["value"], got["source"])) == [
            ("inpost_headcount", 3.0, IMPORTED)]
    finally:
        con.close()
