"""The generated schema of each census year matches DfE's published XSD element by element."""

from __future__ import annotations

import pytest
import xmlschema

from census import schema
from census.items import LATEST_SCHEMA_YEAR, schema_year

YEARS = (2022, 2023, 2024, 2025)


def _shape(s: xmlschema.XMLSchema10, parent: str) -> list[tuple]:
    """(name, minOccurs, maxOccurs, base, enumeration, patterns, fraction digits, bounds)."""
    complex_type = s.elements["Message"].type.content
    by_name = {e.name: e for e in complex_type.iter_elements()}
    out = []
    for el in by_name[parent].type.content.iter_elements():
        t = el.type
        enum = sorted(t.enumeration or []) if hasattr(t, "enumeration") else []
        patterns = [p.get("value") for p in (getattr(t, "patterns", None) or [])]
        facets = {k.split("}")[-1]: getattr(v, "value", None) for k, v in
                  (getattr(t, "facets", {}) or {}).items() if k}
        base = t.primitive_type.local_name if hasattr(t, "primitive_type") else t.local_name
        out.append((el.name, el.min_occurs, el.max_occurs, base, enum, patterns,
                    facets.get("fractionDigits"), facets.get("minInclusive"),
                    facets.get("maxInclusive")))
    return out


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("block", ["CSWWWorker", "LALevelVacancies"])
def test_generated_schema_matches_dfe(reference_dir, year, block):
    dfe = xmlschema.XMLSchema10(str(reference_dir / "csww-census" /
                                    f"social_work_workforce_{year}.xsd"))
    ours = xmlschema.XMLSchema10(schema.schema_text(year))
    assert _shape(ours, block) == _shape(dfe, block)


def test_header_matches_dfe(reference_dir):
    dfe = schema.schema_from_file(reference_dir / "csww-census" / "social_work_workforce_2025.xsd")
    doc = ('<Message><Header><CollectionDetails><Collection>CSWW</Collection><Year>2025</Year>'
           '<ReferenceDate>2025-09-30</ReferenceDate></CollectionDetails><Source>'
           '<SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source></Header>'
           '<LALevelVacancies/><CSWWWorker/></Message>')
    for lea, problems in (("884", 0), ("88", 1)):
        ours = schema.schema_errors(doc.format(lea=lea), year=2025)
        assert ours == schema.schema_errors(doc.format(lea=lea), year=2025, against=dfe)
        assert len([e for e in ours if "/LEA" in e]) == problems, ours


def test_sample_return_same_errors_as_dfe(reference_dir):
    sample = (reference_dir / "csww-census" / "sample_social_work_workforce_2022.xml").read_text()
    dfe = schema.schema_from_file(reference_dir / "csww-census" / "social_work_workforce_2022.xsd")
    ours = schema.schema_errors(sample, year=2022)
    assert ours and ours == schema.schema_errors(sample, year=2022, against=dfe)


def test_later_years_use_latest_schema():
    assert schema_year(2026) == LATEST_SCHEMA_YEAR
    assert schema.schema(2026) is schema.schema(LATEST_SCHEMA_YEAR)
    assert schema_year(2021) == 2021
