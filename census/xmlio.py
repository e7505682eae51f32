"""Read a census return safely, and write one.

Why so careful: a past return is a file someone uploads, and XML can be hostile (entity
expansion, external entities, absurd depth or size). We check size before parsing, then parse
in a child process with memory and time limits, with libxml2 (lxml) told to load no DTD, expand
no entity and fetch nothing (its own depth and text-size limits stay on); we refuse any DOCTYPE
or entity reference outright (a DfE return never has one), anything deeper than a return can
be, and over-long text. The child also validates the parsed document once against the year's
schema (libxml2's C validator), so the parent never parses the file itself. Every refusal is a
`ReturnRejected` whose message says what to do; nobody sees a traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from lxml import etree

from census.model import CensusReturn, Worker
from census.schema import safe_parser, schema_errors

MAX_BYTES = 50 * 1024 * 1024  # a return for 5,000 workers is ~5 MB
MAX_DEPTH = 6  # Message/Header/Source/LEA is 4 deep; nothing legitimate goes deeper
MAX_SECONDS = 60
MAX_MEMORY = 1024 * 1024 * 1024  # extra address space the child may use
MAX_TEXT = 10_000  # characters in one element's text


class ReturnRejected(ValueError):
    """The file cannot be read as a census return; the message says why and what to do."""


@dataclass
class Parsed:
    """What a return holds, as plain text values (picklable: it crosses the process boundary)."""

    header: dict[str, str] = field(default_factory=dict)
    la: dict[str, list[str]] = field(default_factory=dict)
    workers: list[dict[str, list[str]]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    #: schema errors found in the child, and the year whose schema gave them (None: not checked)
    schema_errors: list[str] | None = None
    schema_year: int | None = None


def _local(tag: object) -> str | None:
    """An element's name without its namespace; None for comments and processing instructions."""
    if not isinstance(tag, str):
        return None
    return tag.split("}", 1)[1] if "}" in tag else tag


def _parse(data: bytes, max_depth: int) -> tuple[Parsed, etree._Element]:
    """Parse the whole document in C (lxml), refusing DTDs, entities and excessive depth."""
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        text = str(exc)
        if "depth" in text.lower():
            raise ReturnRejected(
                f"The file nests elements deeper than a census return can be (at most {max_depth}"
                " deep). This is not a CSWW return: export it again from your HR system.") from None
        if "entity" in text.lower():
            raise _dtd_refused("an undeclared entity") from None
        raise ReturnRejected(
            f"The file is not well-formed XML ({text}). Export the return again; do not edit "
            "it by hand.") from None
    doc = root.getroottree().docinfo
    if doc.internalDTD is not None or doc.externalDTD is not None or doc.doctype:
        raise _dtd_refused("DOCTYPE")
    too_deep = root.xpath("/*" + "/*" * max_depth)
    if too_deep:
        path = [_local(e.tag) or "?" for e in reversed(list(too_deep[0].iterancestors()))]
        raise ReturnRejected(
            f"The file nests elements {max_depth + 1} deep (at {'/'.join(path[:6])}/...); "
            f"a census return is at most {max_depth} deep. This is not a CSWW return: export it "
            "again from your HR system.")
    if next(root.iter(etree.Entity), None) is not None:
        raise _dtd_refused("an entity reference")
    top = _local(root.tag)
    if top != "Message":
        raise ReturnRejected(
            f"The file's top element is <{top}>, not <Message>: this is not a CSWW "
            "census return.")
    for el in root.xpath(f"//*[string-length(text()) > {MAX_TEXT}]"):
        text = (el.text or "").strip()
        if len(text) > MAX_TEXT:
            raise ReturnRejected(
                f"<{_local(el.tag)}> holds {len(text):,} characters; no census item is that long. "
                "This is not a CSWW return.")
    out = Parsed()
    for block in root:
        tag = _local(block.tag)
        if tag is None:
            continue
        if tag == "CSWWWorker":
            current: dict[str, list[str]] = {}
            for el in block:
                name = _local(el.tag)
                if name is not None:
                    current.setdefault(name, []).append((el.text or "").strip())
            out.workers.append(current)
        elif tag == "LALevelVacancies":
            for el in block:
                name = _local(el.tag)
                if name is not None:
                    out.la.setdefault(name, []).append((el.text or "").strip())
        elif tag == "Header":
            for group in block:
                for el in group:
                    name = _local(el.tag)
                    if name is not None:
                        out.header.setdefault(name, (el.text or "").strip())
        else:
            out.unexpected.append(tag)
    return out, root


def _dtd_refused(what: str) -> ReturnRejected:
    return ReturnRejected(
        f"The file declares a DTD or entities ({what}); a CSWW return never does, and such "
        "files can be used to attack the reader. Export the return again without a DOCTYPE.")


def _checked(data: bytes, max_depth: int, year: int | None) -> Parsed:
    """Parse, then validate against the schema of `year` (else the year the file gives) once for
    the whole document; the errors travel with the parsed return."""
    from census.items import CensusYearError

    parsed, root = _parse(data, max_depth)
    found = year if year is not None else detect_year(parsed)[0]
    if found is not None:
        try:
            parsed.schema_errors = schema_errors(root, year=found)
            parsed.schema_year = found
        except CensusYearError:
            pass
    return parsed


def _child(conn, data: bytes, max_depth: int, year: int | None) -> None:  # pragma: no cover - runs in the child
    try:
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = used + MAX_MEMORY
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    except (OSError, ValueError):
        pass
    try:
        conn.send(("ok", _checked(data, max_depth, year)))
    except ReturnRejected as exc:
        conn.send(("rejected", str(exc)))
    except MemoryError:
        conn.send(("rejected", "The file needs more memory to read than a census return can: "
                               "it is not a normal return."))
    except Exception as exc:  # noqa: BLE001 - report, never a traceback
        conn.send(("rejected", f"The file could not be read ({type(exc).__name__})."))
    finally:
        conn.close()


def parse_bytes(data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
                timeout: float = MAX_SECONDS, year: int | None = None) -> Parsed:
    """Parse and validate a return's bytes in a bounded child process (memory and time limits);
    ReturnRejected for anything unsafe. Validated against `year`'s schema, else the file's year."""
    if not data.strip():
        raise ReturnRejected("The file is empty. Export the census return again.")
    if len(data) > max_bytes:
        raise ReturnRejected(
            f"The file is {len(data) / 1048576:.0f} MB, over the {max_bytes / 1048576:.0f} MB "
            "limit for a census return. Check you chose the right file.")
    head = data.lstrip()[:200].lower()
    if head.startswith(b"pk") or head.startswith(b"%pdf") or head.startswith(b"\xd0\xcf"):
        raise ReturnRejected("This is not an XML file (it looks like a workbook, zip or PDF). "
                             "Choose the census return's .xml file.")
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, data, max_depth, year), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise ReturnRejected(
                f"Reading the file took more than {timeout:.0f} seconds; a census return "
                "reads in under one. It is not a normal return.")
        status, payload = parent.recv()
    except EOFError:
        raise ReturnRejected("Reading the file used more memory than a census return can; "
                             "it is not a normal return.") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if status != "ok":
        raise ReturnRejected(payload)
    return payload


def read_file(path: str | Path, *, max_bytes: int = MAX_BYTES,
              year: int | None = None) -> tuple[Parsed, bytes]:
    """Parse the return at `path`; returns the parsed return and the file's bytes."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReturnRejected(
                f"The file is {size / 1048576:.0f} MB, over the {max_bytes / 1048576:.0f} MB "
                "limit for a census return. Check you chose the right file.")
        data = path.read_bytes()
    except OSError as exc:
        raise ReturnRejected(f"The file could not be opened ({exc.strerror or exc}).") from None
    return parse_bytes(data, max_bytes=max_bytes, year=year), data


# --------------------------------------------------------------------------- writing


def to_xml(ret: CensusReturn, *, software: str = "childrens-workforce-dashboard",
           generated_at: datetime | None = None) -> bytes:
    """The return as CSWW XML (items in schema order; values exactly as the model holds them).
    Built and indented by lxml (C): a large authority's return is written in well under a second."""
    from census.items import la_items, worker_items

    sub = etree.SubElement
    root = etree.Element("Message")
    header = sub(root, "Header")
    details = sub(header, "CollectionDetails")
    sub(details, "Collection").text = "CSWW"
    sub(details, "Year").text = str(ret.year)
    sub(details, "ReferenceDate").text = f"{ret.year}-09-30"
    source = sub(header, "Source")
    sub(source, "SourceLevel").text = "L"
    sub(source, "LEA").text = ret.lea or ""
    sub(source, "SoftwareCode").text = software
    stamp = (generated_at or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sub(source, "DateTime").text = stamp
    la = sub(root, "LALevelVacancies")
    for it in la_items(ret.year):
        for value in ret.la.get(it.tag, []):
            sub(la, it.tag).text = value
    order = [it.tag for it in worker_items(ret.year)]
    for w in ret.workers:
        el = sub(root, "CSWWWorker")
        for tag in order:
            for value in w.items.get(tag, ()):
                sub(el, tag).text = value
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + etree.tostring(root, encoding="utf-8", pretty_print=True))


def detect_year(parsed: Parsed) -> tuple[int | None, str]:
    """The census year a return is for, and how we know (header, reference date or items)."""
    raw = parsed.header.get("Year", "")
    if raw.isdigit() and len(raw) == 4:
        return int(raw), "the header's Year"
    ref = parsed.header.get("ReferenceDate", "")
    if len(ref) >= 4 and ref[:4].isdigit():
        return int(ref[:4]), "the header's ReferenceDate"
    tags = set(parsed.la) | {t for w in parsed.workers for t in w}
    if tags & {"BaseSalary", "RRPayments", "OtherPayments", "RecruitmentBonus"}:
        return 2025, "its items (2025 pay items)"
    if "Sex" in tags:
        return 2024, "its items (Sex, collected from 2024)"
    return None, ""


def workers_from(parsed: Parsed) -> list[Worker]:
    """Model workers from parsed records (record numbers from 1, in file order)."""
    return [Worker(items=dict(items), record=i) for i, items in enumerate(parsed.workers, 1)]
