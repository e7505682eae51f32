"""Herefordshire's published 2024 and 2025 figures, reproduced from a synthetic return."""

from __future__ import annotations

import pytest
import xmlschema

from census import figures
from census.importer import read_return
from census.xmlio import to_xml
from tests.census.synthetic import build, published

CHECKED = ("agency_rate_fte", "turnover_rate_fte", "vacancy_rate_fte", "caseload_fte",
           "absence_rate_fte")


@pytest.mark.parametrize("year", [2024, 2025])
def test_synthetic_return_reproduces_published_rates(reference_dir, tmp_path, year):
    pub = published(reference_dir, la_code="884", year=year)
    path = tmp_path / f"herefordshire_{year}.xml"
    path.write_bytes(to_xml(build(pub, year=year, lea="884")))
    dfe = xmlschema.XMLSchema10(str(reference_dir / "csww-census" /
                                    f"social_work_workforce_{year}.xsd"))
    dfe.validate(str(path))  # the synthetic return is a valid return of its year
    imported = read_return(path)
    assert imported.ret.year == year and imported.gaps == []
    got = figures.compute(imported.ret)
    for measure in CHECKED:
        value = got[measure].value
        shown = value if measure == "caseload_fte" else value * 100
        assert abs(shown - pub[measure]) <= 0.1, (measure, shown, pub[measure])
    assert got["inpost_headcount"].value == pub["inpost_headcount"]
    assert round(got["inpost_fte"].value, 1) == pub["inpost_fte"]
    assert round(got["leavers_fte"].value, 1) == pub["leavers_fte"]
    assert got["cases"].value == pub["cases"]
