"""The benchmark import refuses numbers that are not finite ("inf", "-Infinity", "1e999"):
a published figure is never infinite, and one would poison every median it touches."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from store import connect
from ingest import published as bm
from ingest.published import BenchmarkFileError


@pytest.mark.parametrize("text", ["inf", "-Infinity", "1e999"])
def test_an_infinite_dfe_figure_is_refused_and_nothing_imported(tmp_db: Path, reference_dir: Path,
                                                                tmp_path: Path, text: str) -> None:
    frame = pd.read_csv(reference_dir / "dfe" / "csww_indicators_2017_to_2025.csv", dtype=str,
                        keep_default_na=False)
    frame.loc[0, "agency_rate_fte"] = text  # line 2: England, 2025
    bad = tmp_path / "csww_inf.csv"
    frame.to_csv(bad, index=False)
    con = connect(tmp_db)
    try:
        with pytest.raises(BenchmarkFileError, match=rf"agency_rate_fte for England in 2025 is "
                                                     rf"'{text}', not a finite number"):
            bm.import_files(con, paths=[bad], imported_by="test")
        assert con.execute("SELECT count(*) FROM dfe_indicators").fetchall()[0][0] == 0
    finally:
        con.close()


def test_an_infinite_census_observation_is_refused(reference_dir: Path, tmp_path: Path) -> None:
    lines = (reference_dir / "dfe" / "ons-ethnic-population-la.csv").read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",inf"
    bad = tmp_path / "ons_inf.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(BenchmarkFileError, match=r"line 3: .*observation 'inf' not whole numbers"):
        bm.parse_file(path=bad)
