"""Read an uploaded extract into raw sheets, refusing hostile or unreadable files first.

Why the checks come before parsing: an .xlsx is a zip of XML, so a crafted file can inflate to
gigabytes (zip bomb) or expand entities without end (billion laughs) inside the parser. We look
at the bytes ourselves, with hard limits, and only hand the file to calamine when it is safe.
Every refusal is an `ExtractRejected` whose message says what to do; nobody sees a traceback.

Before calamine allocates anything we also read what the workbook *declares* (the shared-string
counts, each sheet's <dimension> and the cell references themselves, streamed in chunks): a
crafted 8 KB file that claims a cell at XFD1048576 or four billion strings would otherwise make
the reader ask for hundreds of gigabytes. The same pass notes the cells Excel marks as errors
(#N/A, #DIV/0!...) and the formulas saved without a value, which calamine reads as blank, so
that the validator reports them instead of storing a blank (`RawSheet.issues`).

Output: `RawSheet` per tab/CSV: every cell as the object calamine (or the CSV text) gave, with
no typing done, so that the validator controls types and can report Excel row numbers.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from ingest.problems import ExtractRejected, Problem

MAX_FILE_BYTES = 20 * 1024 * 1024  # upload size limit
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # a workbook may inflate to at most this
MAX_MEMBERS = 1000  # members in the zip (a real workbook has a few dozen)
MAX_RATIO = 200  # uncompressed / compressed per member; XML compresses ~10-30x
_RATIO_FLOOR = 1024 * 1024  # members smaller than this inflated are never "bombs"
MAX_CELLS = 10_000_000  # a sheet's area from A1 to its last cell (100,000 staff x 100 columns)
MAX_MEMORY_MB = 1024  # the child process that reads a file may use at most this (address space)
MAX_SECONDS = 120  # ... and take at most this long
MEMORY_ENV = "WORKFORCE_PARSE_MEMORY_MB"  # deployment overrides of the two limits above
SECONDS_ENV = "WORKFORCE_PARSE_SECONDS"
_SMALL_PART = 8 * 1024 * 1024  # workbook.xml and its relationships are a few KB
_MAX_ROW_BYTES = 16 * 1024 * 1024  # one <row> (or tag) longer than this is not a worksheet

#: what `RawSheet.issues` holds for a formula whose value was never saved
FORMULA_WITHOUT_VALUE = "formula with no saved value"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), b"EncryptedPackage",
                      "EncryptionInfo".encode("utf-16-le"))


@dataclass
class RawSheet:
    """One tab (or CSV) as read: untyped cells, row 0 of `cells` is Excel row 1."""

    name: str  # the tab name or CSV file name as in the file
    cells: pd.DataFrame  # header=None, dtype=object; index 0 == Excel row 1
    #: "" for a visible tab, else "hidden" or "veryHidden" (its cells are never read)
    hidden: str = ""
    #: (row index, column index) in `cells` -> the Excel error ("#N/A") or FORMULA_WITHOUT_VALUE
    issues: dict[tuple[int, int], str] = field(default_factory=dict)


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass
class Limits:
    """Hostile-file limits; the defaults suit a directorate's monthly extract."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_members: int = MAX_MEMBERS
    max_ratio: float = MAX_RATIO
    max_cells: int = MAX_CELLS
    #: memory (bytes of address space) and wall time for the child process reading the file
    max_memory_bytes: int = field(default_factory=lambda: int(
        _env_number(MEMORY_ENV, MAX_MEMORY_MB) * 1024 * 1024))
    max_seconds: float = field(default_factory=lambda: _env_number(SECONDS_ENV, MAX_SECONDS))


def _reject(message: str) -> ExtractRejected:
    return ExtractRejected(Problem(None, None, None, None, message))


def _mb(n: float) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def check_file(path: Path, *, limits: Limits | None = None) -> str:
    """Check the bytes of `path` before any parser sees them; returns "xlsx" or "csv-zip".

    Raises ExtractRejected with an actionable message for anything unsafe or unreadable.
    """
    return _check(path, limits or Limits())[0]


def _check(path: Path, limits: Limits) -> tuple[str, dict[str, "_SheetFacts"]]:
    """check_file, also returning what each visible worksheet declares (xlsx only)."""
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
            xml = [i for i in infos if i.filename.lower().endswith((".xml", ".rels", ".vml"))]
            _scan_members(zf, xml, limits)  # sizes and DTDs first: the parts below are safe
            facts = _workbook_sheets(zf, names)
            _scan_declarations(zf, facts, names, limits)
            return "xlsx", facts
        csvs = [i for i in infos if not i.is_dir() and i.filename.lower().endswith(".csv")
                and not PurePosixPath(i.filename).name.startswith(("._", "~$"))]
        if csvs:
            _scan_members(zf, csvs, limits, look_for_dtd=False)
            return "csv-zip", {}
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
    """Check, then read every tab (xlsx) or CSV (zip) into untyped `RawSheet`s.

    Untrusted files go through `ingest.bounded.read_and_validate`, which calls this in a child
    process with a memory and time limit; calling it directly trusts the file that far.
    """
    path = Path(path)
    kind, facts = _check(path, limits or Limits())
    if kind == "xlsx":
        return _read_xlsx(path, facts)
    return _read_csv_zip(path)


def _read_xlsx(path: Path, facts: dict[str, "_SheetFacts"]) -> list[RawSheet]:
    visible = [name for name, f in facts.items() if not f.hidden]
    try:
        book = pd.read_excel(path, engine="calamine", sheet_name=visible or None, header=None,
                             dtype=object)
    except Exception as exc:  # calamine raises its own error types; the message is what matters
        raise _reject(
            "The workbook could not be read (" + str(exc).splitlines()[0][:200] + "). "
            "Open it in Excel, check it is not damaged, and save it again as .xlsx."
        ) from None
    out = []
    for name, frame in book.items():
        f = facts.get(str(name))
        out.append(RawSheet(str(name), frame, issues=dict(f.issues) if f else {}))
    # hidden tabs are listed (the validator says which contract sheet is hidden), never read
    out += [RawSheet(name, pd.DataFrame(dtype=object), hidden=f.hidden)
            for name, f in facts.items() if f.hidden]
    return out


# --------------------------------------------------------------------------- declarations

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix (x:c, x:row)
_ATTR_RE = re.compile(r'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_SHEET_TAG = re.compile(r"<(?:[\w.-]+:)?sheet\b([^>]*)/?>")
_REL_TAG = re.compile(r"<(?:[\w.-]+:)?Relationship\b([^>]*)/?>")
_DIMENSION = re.compile(rb"<" + _NS + rb'dimension\b[^>]*?\bref="([^"]*)"')
_SST_TAG = re.compile(rb"<" + _NS + rb"sst\b([^>]*)>")
# Excel writes ' r="B7"'; the literal space makes these fast. A reference written otherwise
# (legal XML that Excel never writes) escapes this check but not the child's memory limit.
_REF_COLS = re.compile(rb' r="([A-Za-z]{1,7})\d')
_REF_ROWS = re.compile(rb' r="[A-Za-z]{0,7}(\d{1,12})"')
_CELL_REF = re.compile(rb'\br="([A-Za-z]{1,7})(\d{1,12})"')
_ERROR_CELL = re.compile(
    rb"<" + _NS + rb'c\s([^>]*\bt="e"[^>]*)>\s*(?:<' + _NS + rb"f\b[^>]*(?:/>|>[^<]*</"
    + _NS + rb"f>))?\s*<" + _NS + rb"v>([^<]*)</")
_FORMULA_CELL = re.compile(  # a formula followed by an empty <v/> or no <v> at all
    rb"<" + _NS + rb"c\s([^>]*)>\s*<" + _NS + rb"f\b[^>]*(?:/>|>[^<]*</" + _NS + rb"f>)\s*"
    rb"(?:<" + _NS + rb"v\s*/>|<" + _NS + rb"v>\s*</" + _NS + rb"v>|</" + _NS + rb"c>)")
_TEXT_TYPES = frozenset({"str", "s", "inlineStr"})  # an empty saved value is a real "" result


@dataclass
class _SheetFacts:
    """What one worksheet part declares, found before calamine reads it."""

    part: str | None  # the zip member holding the sheet XML
    hidden: str = ""
    max_row: int = 0
    max_col: int = 0
    cells: int = 0
    dimension: tuple[int, int] = (0, 0)  # (last row, last column) of <dimension ref>
    issues: dict[tuple[int, int], str] = field(default_factory=dict)


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).split(":")[-1]: m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR_RE.finditer(text)}


def _read_small(zf: zipfile.ZipFile, name: str) -> str:
    with zf.open(name) as fh:
        data = fh.read(_SMALL_PART + 1)
    if len(data) > _SMALL_PART:
        raise _reject("The workbook's sheet list is far larger than Excel writes: the file is "
                      "damaged or crafted. Save the data into a new workbook as .xlsx.")
    return data.decode("utf-8", "replace")


def _workbook_sheets(zf: zipfile.ZipFile, names: set[str]) -> dict[str, _SheetFacts]:
    """Tab name -> its worksheet part and visibility, from xl/workbook.xml and its rels."""
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for m in _REL_TAG.finditer(_read_small(zf, "xl/_rels/workbook.xml.rels")):
            a = _attrs(m.group(1))
            target = a.get("Target", "")
            if target.startswith("/"):
                target = target.lstrip("/")
            elif target:
                target = str(PurePosixPath("xl") / target)
            parts: list[str] = []
            for piece in target.split("/"):  # resolve ../ without touching the file system
                if piece == "..":
                    if parts:
                        parts.pop()
                elif piece not in ("", "."):
                    parts.append(piece)
            targets[a.get("Id", "")] = "/".join(parts)
    facts: dict[str, _SheetFacts] = {}
    for m in _SHEET_TAG.finditer(_read_small(zf, "xl/workbook.xml")):
        a = _attrs(m.group(1))
        state = a.get("state", "visible")
        name = _xml_unescape(a.get("name", ""))
        part = targets.get(a.get("id", ""))
        facts[name] = _SheetFacts(part if part in names else None,
                                  "" if state == "visible" else state)
    return facts


def _xml_unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def column_index(letters: str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(index: int) -> str:
    """1 -> 'A', 16384 -> 'XFD'."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _scan_declarations(zf: zipfile.ZipFile, facts: dict[str, _SheetFacts], names: set[str],
                       limits: Limits) -> None:
    """Refuse what would make the reader allocate without bound; note error/formula cells."""
    sst = next((n for n in names if n.lower() == "xl/sharedstrings.xml"), None)
    if sst is not None:
        _check_shared_strings(zf, sst, limits)
    for name, f in facts.items():
        if f.hidden or f.part is None:
            continue
        _scan_sheet(zf, name, f, limits)
        for row, col in (f.dimension, (f.max_row, f.max_col)):
            if row * col > limits.max_cells:
                raise _reject(
                    f"The workbook says its {name} sheet reaches row {row:,}, column "
                    f"{column_letters(col)} ({row * col:,} cells, more than the "
                    f"{limits.max_cells:,} this dashboard reads): save only the rows that hold "
                    "data (copy them into a new workbook, or delete the empty rows and columns "
                    "below and to the right of the data) and upload it again."
                )
        if f.cells > limits.max_cells:
            raise _reject(f"The {name} sheet holds {f.cells:,} cells, more than the "
                          f"{limits.max_cells:,} this dashboard reads: save only the rows that "
                          "hold data and upload it again.")


def _check_shared_strings(zf: zipfile.ZipFile, member: str, limits: Limits) -> None:
    head = b""
    size = 0
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            if len(head) < 4096:
                head += chunk[:4096]
            size += len(chunk)
    m = _SST_TAG.search(head)
    if m is None:
        return
    a = _attrs(m.group(1).decode("utf-8", "replace"))
    most = min(limits.max_cells, size // 5)  # each string takes at least "<si/>"
    for key in ("uniqueCount", "count"):
        raw = (a.get(key) or "0").strip()
        declared = int(raw) if raw.isdigit() else 0
        bound = most if key == "uniqueCount" else limits.max_cells * 10
        if declared > bound:
            raise _reject(
                f"The workbook says it holds {declared:,} pieces of text, far more than the "
                "file can contain: it was not saved by Excel as it stands, or it is damaged. "
                "Open it in Excel, copy the data into a new workbook and save that as .xlsx."
            )


def _scan_sheet(zf: zipfile.ZipFile, name: str, f: _SheetFacts, limits: Limits) -> None:
    """Stream one worksheet part: furthest cell, cell count, error and unsaved-formula cells.

    Chunks are cut after the last complete row (`</row>`), so no cell is split between two.
    """
    carry = b""
    first = True
    with zf.open(f.part) as fh:
        while True:
            chunk = fh.read(4 << 20)
            data = carry + chunk
            if chunk:
                cut = data.rfind(b"row>") + 4
                if cut < 4:
                    if len(data) > _MAX_ROW_BYTES:
                        raise _reject(f"The {name} sheet has a row longer than Excel writes: "
                                      "the file is damaged or crafted. Save the data into a "
                                      "new workbook as .xlsx.")
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            if first and data:
                first = False
                m = _DIMENSION.search(data, 0, 65536)
                if m:
                    f.dimension = _last_cell(m.group(1).decode("ascii", "replace"))
            if data:
                _scan_chunk(data, f)
            if not chunk:
                break


def _last_cell(ref: str) -> tuple[int, int]:
    """'A1:XFD1048576' -> (1048576, 16384); anything unreadable -> (0, 0)."""
    m = re.fullmatch(r"\$?([A-Za-z]{1,7})\$?(\d{1,12})", ref.split(":")[-1].strip())
    return (int(m.group(2)), column_index(m.group(1))) if m else (0, 0)


def _scan_chunk(data: bytes, f: _SheetFacts) -> None:
    cols = set(_REF_COLS.findall(data))
    if cols:
        f.max_col = max(f.max_col, max(column_index(c.decode()) for c in cols))
    rows = set(_REF_ROWS.findall(data))
    if rows:
        f.max_row = max(f.max_row, max(int(r) for r in rows))
    f.cells += data.count(b"<c")  # also counts <col>, <cfRule>: a little over, never under
    if b't="e"' in data:
        for m in _ERROR_CELL.finditer(data):
            _note(f, m.group(1), _xml_unescape(m.group(2).decode("utf-8", "replace")).strip()
                  or "#ERROR")
    if b"<f" in data or b":f" in data:
        for m in _FORMULA_CELL.finditer(data):
            t = _attrs(m.group(1).decode("utf-8", "replace")).get("t", "n")
            if t not in _TEXT_TYPES:
                _note(f, m.group(1), FORMULA_WITHOUT_VALUE)


def _note(f: _SheetFacts, attrs: bytes, what: str) -> None:
    m = _CELL_REF.search(attrs)
    if m and len(f.issues) < 10_000:
        f.issues[(int(m.group(2)) - 1, column_index(m.group(1).decode()) - 1)] = what


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
