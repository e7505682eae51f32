"""Hostile and unreadable files are refused before parsing, with a message saying what to do.

Each file is built for real in tmp_path; each refusal must leave the store untouched.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from ingest.loader import ExtractRejected, load_file, validate_file
from ingest.reader import Limits, check_file
from store import connect
from tests.unit.ingest_files import PERIOD, base_sheets, write_csv_zip, write_xlsx


def _refusal(path: Path, **kw) -> str:
    """The single file-level message validate_file gives for `path`."""
    result = validate_file(path=path, period=PERIOD, **kw)
    assert not result.ok
    assert len(result.errors) == 1, result.report()
    assert result.errors[0].sheet is None and result.errors[0].row is None
    return result.errors[0].message


def _rewrite_member(src: Path, dst: Path, member: str, transform) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                data = transform(data)
            zout.writestr(info.filename, data)
    return dst


def test_zip_bomb_inflating_past_the_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    good = write_xlsx(tmp_path / "good.xlsx", base_sheets())
    shutil.copy(good, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("xl/media/padding.xml", "w") as fh:
        chunk = b"\0" * (1 << 20)
        for _ in range(110):  # 110 MB of zeros, ~110 KB compressed
            fh.write(chunk)
    assert bomb.stat().st_size < 1_000_000
    message = _refusal(bomb)
    assert "unpack" in message and "100 MB" in message


def test_high_compression_ratio_member_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "ratio.xlsx"
    good = write_xlsx(tmp_path / "good.xlsx", base_sheets())
    shutil.copy(good, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet9.xml", b"\0" * (5 << 20))
    assert "zip bomb" in _refusal(bomb)


def test_billion_laughs_entities_are_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", base_sheets())
    laughs = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
                         for i in range(1, 10))
              + b"]>")

    def inject(data: bytes) -> bytes:
        return laughs + re.sub(rb"^<\?xml[^>]*\?>", b"", data, count=1)

    bad = _rewrite_member(good, tmp_path / "laughs.xlsx", "xl/worksheets/sheet1.xml", inject)
    with zipfile.ZipFile(bad) as zf:
        assert b"<!ENTITY" in zf.read("xl/worksheets/sheet1.xml")
    message = _refusal(bad)
    assert "entity" in message.lower()


def test_entity_declaration_in_the_workbook_part_is_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", base_sheets())
    bad = _rewrite_member(
        good, tmp_path / "xxe.xlsx", "xl/workbook.xml",
        lambda d: b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + d)
    assert "entity" in _refusal(bad).lower()


def test_pdf_renamed_to_xlsx(tmp_path: Path) -> None:
    pdf = tmp_path / "extract.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    assert "PDF" in _refusal(pdf)


def test_text_file_renamed_to_xlsx(tmp_path: Path) -> None:
    txt = tmp_path / "extract.xlsx"
    txt.write_text("employee_id,team\nE1,A\n")
    assert "not an Excel workbook" in _refusal(txt)


def test_lone_csv_is_refused_with_the_zip_hint(tmp_path: Path) -> None:
    txt = tmp_path / "Staff.csv"
    txt.write_text("employee_id,team\nE1,A\n")
    message = _refusal(txt)
    assert "CSV" in message and ".zip" in message


def _cfb(path: Path, *, encrypted: bool) -> Path:
    # an OLE2 compound file header followed by a directory entry name, as Office writes them
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    name = ("EncryptedPackage" if encrypted else "Workbook").encode("utf-16-le")
    path.write_bytes(header + name + b"\0" * (1024 - len(name)))
    return path


def test_password_protected_workbook(tmp_path: Path) -> None:
    message = _refusal(_cfb(tmp_path / "locked.xlsx", encrypted=True))
    assert "password-protected" in message and "save as .xlsx" in message


def test_old_xls_workbook(tmp_path: Path) -> None:
    message = _refusal(_cfb(tmp_path / "old.xls", encrypted=False))
    assert ".xls" in message and "save as .xlsx" in message


def test_file_over_the_upload_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(21 * 1024 * 1024)
    message = _refusal(big)
    assert "21 MB" in message and "20 MB" in message


def test_upload_limit_is_configurable(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", base_sheets())
    with pytest.raises(ExtractRejected, match="upload limit"):
        check_file(good, limits=Limits(max_file_bytes=1000))


def test_too_many_zip_members(tmp_path: Path) -> None:
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        zf.writestr("Staff.csv", "employee_id\n")
        for i in range(1001):
            zf.writestr(f"junk/{i}.txt", "x")
    message = _refusal(many)
    assert "1002 parts" in message


def test_csv_with_an_unreadable_encoding(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        # bytes 0x81/0x8d are invalid in UTF-8 and undefined in Windows-1252
        zf.writestr("Staff.csv", b"employee_id,team\nE1,Caf\x81\x8d\n")
        zf.writestr("Leavers.csv", b"employee_id\n")
        zf.writestr("Vacancies.csv", b"team\n")
    result = validate_file(path=bad, period=PERIOD)
    assert [(p.sheet, p.row) for p in result.errors] == [("Staff.csv", None)]
    assert "CSV UTF-8" in result.errors[0].message


def test_windows_1252_csv_from_excel_is_read(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Staff"][1][1] = "Équipe Café"
    path = write_csv_zip(tmp_path / "cp1252.zip", sheets, encoding="cp1252")
    result = validate_file(path=path, period=PERIOD)
    assert result.ok, result.report()
    assert "Équipe Café" in set(result.frames["staff"]["team"])


def test_zip_without_csvs_or_workbook(tmp_path: Path) -> None:
    z = tmp_path / "photos.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.jpg", b"\xff\xd8\xff")
    assert "no CSV files" in _refusal(z)


def test_damaged_zip(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", base_sheets())
    data = good.read_bytes()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(data[: len(data) // 2])
    assert "damaged" in _refusal(broken) or "not a real" in _refusal(broken)


def test_hostile_file_leaves_the_store_unchanged(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    good = write_xlsx(tmp_path / "good.xlsx", base_sheets())
    first = load_file(con=con, path=good, period=PERIOD, loaded_by="t")
    pdf = tmp_path / "extract.xlsx"
    pdf.write_bytes(b"%PDF-1.4 nothing here")
    with pytest.raises(ExtractRejected) as info:
        load_file(con=con, path=pdf, period=PERIOD, loaded_by="t")
    assert "PDF" in str(info.value)
    assert con.execute("SELECT count(*) FROM staff").fetchall() == [(4,)]
    assert con.execute("SELECT load_id, active FROM loads").fetchall() == [(first.load_id, True)]
    con.close()


@pytest.mark.parametrize("prolog", [
    b'<?xml version="1.0"?>\n<!-- exported -->\n<!DOCTYPE x [<!ENTITY a "b">]>',
    b"\xef\xbb\xbf<!DOCTYPE worksheet SYSTEM 'http://example.org/x.dtd'>",
    b"   <!ENTITY a 'b'>",
    "<?xml version='1.0' encoding='UTF-16'?>".encode("utf-16"),
])
def test_dtd_anywhere_in_the_prolog_is_refused(tmp_path: Path, prolog: bytes) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", base_sheets())
    bad = _rewrite_member(good, tmp_path / "dtd.xlsx", "xl/worksheets/sheet1.xml",
                          lambda d: prolog + d)
    assert "entity" in _refusal(bad).lower()


def test_prolog_check_passes_what_excel_writes() -> None:
    from ingest.reader import _prolog_declares_dtd

    assert not _prolog_declares_dtd(
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="x">')
    assert not _prolog_declares_dtd(b"<!-- c --><Relationships/>")
    assert _prolog_declares_dtd(b"<?xml version='1.0'?" + b" " * 100)  # unterminated prolog
