"""Read an uploaded extract into raw sheets, refusing hostile or unreadable files first.

Why the checks come before parsing: an .xlsx is a zip of XML, so a crafted file can inflate to
gigabytes (zip bomb) or expand entities without end (billion laughs) inside the parser. We look
at the bytes ourselves, with hard limits, and only hand the file to calamine when it is safe.
Every refusal is an `ExtractRejected` whose message says what to do; nobody sees a traceback.

Output: `RawSheet` per tab/CSV: every cell as the object calamine (or the CSV text) gave, with
no typing done, so that the validator controls types and can report Excel row numbers.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

from ingest.problems import ExtractRejected, Problem

MAX_FILE_BYTES = 20 * 1024 * 1024  # upload size limit
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # a workbook may inflate to at most this
MAX_MEMBERS = 1000  # members in the zip (a real workbook has a few dozen)
MAX_RATIO = 200  # uncompressed / compressed per member; XML compresses ~10-30x
_RATIO_FLOOR = 1024 * 1024  # members smaller than this inflated are never "bombs"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), b"EncryptedPackage",
                      "EncryptionInfo".encode("utf-16-le"))


@dataclass
class RawSheet:
    """One tab (or CSV) as read: untyped cells, row 0 of `cells` is Excel row 1."""

    name: str  # the tab name or CSV file name as in the file
    cells: pd.DataFrame  # header=None, dtype=object; index 0 == Excel row 1


@dataclass
class Limits:
    """Hostile-file limits; the defaults suit a directorate's monthly extract."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_members: int = MAX_MEMBERS
    max_ratio: float = MAX_RATIO


def _reject(message: str) -> ExtractRejected:
    return ExtractRejected(Problem(None, None, None, None, message))


def _mb(n: float) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def check_file(path: Path, *, limits: Limits | None = None) -> str:
    """Check the bytes of `path` before any parser sees them; returns "xlsx" or "csv-zip".

    Raises ExtractRejected with an actionable message for anything unsafe or unreadable.
    """
    limits = limits or Limits()
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _reject(f"The file could not be opened ({exc.strerror or exc}).") from None
    if size == 0:
        raise _reject("The file is empty. Export the extract again and upload the saved .xlsx.")
    if size > limits.max_file_bytes:
        raise _reject(
            f"The file is {_mb(size)}, over the {_mb(limits.max_file_bytes)} upload limit. "
            "Remove extra sheets, images or formatting and save it again as .xlsx."
        )
    if head.startswith(_OLE2_MAGIC):
        with path.open("rb") as fh:
            data = fh.read()
        if any(marker in data for marker in _ENCRYPTED_MARKERS):
            raise _reject(
                "This workbook is password-protected: remove the password (File > Info > "
                "Protect Workbook > Encrypt with Password, clear it) and save as .xlsx."
            )
        raise _reject(
            "This is an old-style Excel file (.xls) or another Office format: open it in Excel "
            "and save as .xlsx (Excel Workbook)."
        )
    if head.startswith(b"%PDF"):
        raise _reject("This is a PDF, not a workbook: upload the extract as .xlsx "
                      "(or a .zip of CSV files, one per sheet).")
    if not head.startswith(_ZIP_MAGICS):
        what = "a CSV file" if path.suffix.lower() == ".csv" else "not an Excel workbook"
        raise _reject(
            f"This file is {what}. Upload the extract as .xlsx, or put one CSV per sheet "
            "(Staff.csv, Leavers.csv, Vacancies.csv, ...) in a .zip."
        )
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _reject("The file is damaged or not a real .xlsx/.zip: save it again from Excel "
                      "as .xlsx and upload that.") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise _reject(
                f"The file holds {len(infos)} parts, more than the {limits.max_members} a "
                "workbook needs: it is not a normal extract. Save it again as .xlsx."
            )
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_uncompressed_bytes:
            raise _reject(
                f"The file would unpack to {_mb(declared)}, over the "
                f"{_mb(limits.max_uncompressed_bytes)} limit. Upload a smaller extract "
                "(data only, no images)."
            )
        for info in infos:
            if info.flag_bits & 0x1:
                raise _reject("The file is encrypted: remove the password and save as .xlsx.")
            if (info.file_size > _RATIO_FLOOR
                    and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
                raise _reject(
                    f"The file inflates suspiciously ({info.filename}: "
                    f"{info.file_size // max(info.compress_size, 1)}x): it looks like a zip "
                    "bomb, so it was not opened. Save the extract again as .xlsx."
                )
        names = {i.filename for i in infos}
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            if "xl/workbook.bin" in names:
                raise _reject("This is an Excel binary workbook (.xlsb): save it as .xlsx.")
            _scan_members(zf, [i for i in infos if i.filename.lower().endswith((".xml", ".rels",
                                                                               ".vml"))], limits)
            return "xlsx"
        csvs = [i for i in infos if not i.is_dir() and i.filename.lower().endswith(".csv")
                and not PurePosixPath(i.filename).name.startswith(("._", "~$"))]
        if csvs:
            _scan_members(zf, csvs, limits, look_for_dtd=False)
            return "csv-zip"
        if "[Content_Types].xml" in names:
            raise _reject("This is an Office file but not an Excel workbook: upload the extract "
                          "as .xlsx.")
        raise _reject("The .zip holds no CSV files: put one CSV per sheet (Staff.csv, "
                      "Leavers.csv, Vacancies.csv, ...) in the zip, or upload the .xlsx.")


def _scan_members(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits,
                  *, look_for_dtd: bool = True) -> None:
    """Inflate members in chunks, counting real bytes (headers can lie) and looking for DTDs."""
    total = 0
    for info in infos:
        first = True
        try:
            with zf.open(info) as fh:
                while True:
                    chunk = fh.read(4 << 20)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > limits.max_uncompressed_bytes:
                        raise _reject(
                            f"The file unpacks to more than {_mb(limits.max_uncompressed_bytes)}: "
                            "it looks like a zip bomb, so it was not opened."
                        )
                    if look_for_dtd and first:
                        first = False
                        if _prolog_declares_dtd(chunk):
                            raise _reject(
                                "The workbook contains XML entity declarations (<!DOCTYPE/"
                                "<!ENTITY), which Excel never writes and which can be used "
                                "to attack the server; it was not opened. Save the data into "
                                "a new workbook as .xlsx."
                            )
        except ExtractRejected:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
                ValueError) as exc:
            if "encrypted" in str(exc).lower() or "password" in str(exc).lower():
                raise _reject("The file is encrypted: remove the password and save as "
                              ".xlsx.") from None
            raise _reject("The file is damaged (a part could not be unpacked): save it again "
                          "from Excel as .xlsx.") from None


_WS = b" \t\r\n"


def _prolog_declares_dtd(head: bytes) -> bool:
    """True unless the XML prolog (before the root element) is plainly DTD-free.

    Entity declarations can only live in a DOCTYPE, and a DOCTYPE only in the prolog, so
    looking there is enough; anything odd (UTF-16, an endless prolog) counts as unsafe.
    """
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:64]:
        return True  # Excel writes UTF-8 only; UTF-16 XML would hide markup from this check
    pos, n = 0, len(head)
    while pos < n:
        while pos < n and head[pos] in _WS:
            pos += 1
        if head.startswith(b"<?", pos):
            end, close = head.find(b"?>", pos), 2
        elif head.startswith(b"<!--", pos):
            end, close = head.find(b"-->", pos + 4), 3
        elif head.startswith(b"<!", pos):
            return True  # <!DOCTYPE ...> (with or without <!ENTITY inside)
        elif head.startswith(b"<", pos) or pos >= n:
            return False  # the root element: no DTD can follow
        else:
            return True  # text before the root: not XML Excel wrote
        if end < 0:
            return True  # a prolog longer than the first chunk: not what Excel writes
        pos = end + close
    return False


def read_sheets(path: Path, *, limits: Limits | None = None) -> list[RawSheet]:
    """Check, then read every tab (xlsx) or CSV (zip) into untyped `RawSheet`s."""
    path = Path(path)
    kind = check_file(path, limits=limits)
    if kind == "xlsx":
        return _read_xlsx(path)
    return _read_csv_zip(path)


def _read_xlsx(path: Path) -> list[RawSheet]:
    try:
        book = pd.read_excel(path, engine="calamine", sheet_name=None, header=None, dtype=object)
    except Exception as exc:  # calamine raises its own error types; the message is what matters
        raise _reject(
            "The workbook could not be read (" + str(exc).splitlines()[0][:200] + "). "
            "Open it in Excel, check it is not damaged, and save it again as .xlsx."
        ) from None
    return [RawSheet(str(name), frame) for name, frame in book.items()]


def _decode_csv(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
    else:
        text = None
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None or "\x00" in text:
        raise ExtractRejected(Problem(
            name, None, None, None,
            "The CSV file's text encoding could not be read. In Excel use Save As > "
            "'CSV UTF-8 (Comma delimited)' and zip the files again.",
        ))
    return text


def _read_csv_zip(path: Path) -> list[RawSheet]:
    sheets: list[RawSheet] = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            fname = PurePosixPath(info.filename).name
            if info.is_dir() or not fname.lower().endswith(".csv") or fname.startswith(("._", "~$")):
                continue
            text = _decode_csv(zf.read(info), fname)
            try:
                dialect_delim = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
            except csv.Error:
                dialect_delim = ","
            try:
                frame = pd.read_csv(
                    io.StringIO(text), header=None, dtype=object, keep_default_na=False,
                    na_values=[], sep=dialect_delim, skip_blank_lines=False, engine="c",
                )
            except pd.errors.EmptyDataError:
                frame = pd.DataFrame(dtype=object)
            except (pd.errors.ParserError, ValueError) as exc:
                raise ExtractRejected(Problem(
                    fname, None, None, None,
                    f"The CSV could not be read ({str(exc).splitlines()[0][:160]}). Check "
                    "the file has one header row and the same number of columns on every row.",
                )) from None
            sheets.append(RawSheet(os.path.splitext(fname)[0], frame))
    return sheets
