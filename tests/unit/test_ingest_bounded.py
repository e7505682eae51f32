"""Crafted workbooks that declare more than they hold are refused before the reader allocates,
and whatever gets past the declarations is read in a child under a memory and time cap.

Every file is written by the test: a valid extract with one XML part changed. The reader is
the real one (calamine, in the forkserver child); each test finishes in a second or two.
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest

from ingest.bounded import read_and_validate
from ingest.loader import load_file, validate_file
from ingest.reader import Limits
from store import connect
from tests.unit.ingest_files import PERIOD, base_sheets, write_xlsx

_SST_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
             b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')


def craft(tmp_path: Path, name: str, *, member: str = "xl/worksheets/sheet1.xml",
          change=None, add: dict[str, bytes] | None = None) -> Path:
    """A valid extract with `member` passed through `change` and `add` parts added."""
    good = write_xlsx(tmp_path / f"good-{name}", base_sheets())
    out = tmp_path / name
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member and change is not None:
                data = change(data)
            zout.writestr(info.filename, data)
        for part, data in (add or {}).items():
            zout.writestr(part, data)
    return out


def last_cell(tmp_path: Path, ref: str) -> Path:
    row = "".join(ch for ch in ref if ch.isdigit())
    return craft(tmp_path, f"last-{ref}.xlsx", change=lambda d: d.replace(
        b"</sheetData>", f'<row r="{row}"><c r="{ref}" t="n"><v>1</v></c></row></sheetData>'
        .encode()))


def declared_strings(tmp_path: Path) -> Path:
    sst = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
           b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="4294967295" '
           b'uniqueCount="4294967295"><si><t>x</t></si></sst>')
    return craft(tmp_path, "strings.xlsx", member="[Content_Types].xml",
                 change=lambda d: d.replace(b"</Types>", _SST_TYPE),
                 add={"xl/sharedStrings.xml": sst})


def only_error(path: Path, **kw) -> str:
    started = time.monotonic()
    result = validate_file(path=path, period=PERIOD, **kw)
    assert time.monotonic() - started < 10
    assert len(result.errors) == 1, result.report()
    assert result.errors[0].sheet is None
    return result.errors[0].message


def test_declared_four_billion_strings_is_refused_before_reading(tmp_path: Path) -> None:
    path = declared_strings(tmp_path)
    assert path.stat().st_size < 20_000
    message = only_error(path)
    assert "4,294,967,295 pieces of text" in message and "new workbook" in message


@pytest.mark.parametrize("ref, column", [("XFD1048576", "XFD"), ("CV1048576", "CV")])
def test_one_cell_at_the_far_corner_is_refused_before_reading(tmp_path: Path, ref: str,
                                                              column: str) -> None:
    message = only_error(last_cell(tmp_path, ref))
    assert f"says its Staff sheet reaches row 1,048,576, column {column}" in message
    assert "save only the rows that hold data" in message


def test_a_declared_dimension_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = craft(tmp_path, "dimension.xlsx", change=lambda d: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d))
    assert "says its Staff sheet reaches row 1,048,576, column XFD" in only_error(path)


def test_the_memory_cap_stops_the_reader_when_the_declarations_get_past(tmp_path: Path) -> None:
    """With the declaration check switched off, calamine asks for ~550 GB: the child is stopped
    by its 1 GB cap and the caller (this process) gets a sentence, in well under a second."""
    path = last_cell(tmp_path, "XFD1048576")
    message = only_error(path, limits=Limits(max_cells=10**13))
    assert "needed more than 1 GB of memory" in message


def test_the_memory_cap_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKFORCE_PARSE_MEMORY_MB", "2048")
    assert Limits().max_memory_bytes == 2048 * 1024 * 1024
    path = last_cell(tmp_path, "CV1048576")  # ~3.4 GB for calamine: still over 2 GB
    assert "more than 2 GB of memory" in only_error(path, limits=Limits(max_cells=10**13))


def test_the_time_limit_stops_a_slow_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKFORCE_PARSE_SECONDS", "0.001")
    path = write_xlsx(tmp_path / "fine.xlsx", base_sheets())
    assert "longer than 0.001 seconds" in only_error(path)


def test_a_valid_file_reads_the_same_through_the_child(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "fine.xlsx", base_sheets())
    result = read_and_validate(path, period=PERIOD)
    assert result.ok, result.report()
    assert result.rows["staff"] == 4
    assert list(result.frames["staff"]["employee_id"]) == ["E001", "E002", "A003", "E004"]


def test_crafted_file_leaves_the_store_unchanged(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    try:
        with pytest.raises(Exception) as info:
            load_file(con=con, path=last_cell(tmp_path, "XFD1048576"), period=PERIOD,
                      loaded_by="test")
        assert "column XFD" in str(info.value)
        assert con.execute("SELECT count(*) FROM loads").fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM staff").fetchall()[0][0] == 0
    finally:
        con.close()
