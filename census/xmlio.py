"""Read a census return safely, and write one.

Why so careful: a past return is a file someone uploads, and XML can be hostile (entity
expansion, external entities, absurd depth or size). We refuse any DOCTYPE outright (a DfE
return never has one), check size before parsing, stop at the first element deeper than a return
can be, and parse in a child process with memory and time limits. Every refusal is a
`ReturnRejected` whose message says what to do; nobody sees a traceback.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET  # noqa: S405 - building output only; input uses defusedxml

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from census.model import CensusReturn, Worker

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


def _parse(data: bytes, max_depth: int) -> Parsed:
    """Stream through the document, refusing DTDs, entities and excessive depth."""
    out = Parsed()
    path: list[str] = []
    current: dict[str, list[str]] | None = None
    try:
        for event, elem in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            tag = elem.tag if isinstance(elem.tag, str) else str(elem.tag)
            if "}" in tag:
                tag = tag.split("}", 1)[1]
            if event == "start":
                path.append(tag)
                if len(path) > max_depth:
                    raise ReturnRejected(
                        f"The file nests elements {len(path)} deep (at {'/'.join(path[:6])}/...); "
                        f"a census return is at most {max_depth} deep. This is not a CSWW "
                        "return: export it again from your HR system.")
                if len(path) == 1 and tag != "Message":
                    raise ReturnRejected(
                        f"The file's top element is <{tag}>, not <Message>: this is not a CSWW "
                        "census return.")
                if len(path) == 2 and tag == "CSWWWorker":
                    current = {}
                    out.workers.append(current)
                continue
            text = (elem.text or "").strip()
            if len(text) > MAX_TEXT:
                raise ReturnRejected(
                    f"<{tag}> holds {len(text):,} characters; no census item is that long. "
                    "This is not a CSWW return.")
            depth = len(path)
            parent = path[-2] if depth >= 2 else None
            if depth == 3 and parent == "CSWWWorker" and current is not None:
                current.setdefault(tag, []).append(text)
            elif depth == 3 and parent == "LALevelVacancies":
                out.la.setdefault(tag, []).append(text)
            elif depth == 4 and path[1] == "Header":
                out.header.setdefault(tag, text)
            elif depth == 2 and tag not in ("Header", "LALevelVacancies", "CSWWWorker"):
                out.unexpected.append(tag)
            path.pop()
            if depth == 2:
                elem.clear()
    except ReturnRejected:
        raise
    except DefusedXmlException as exc:
        raise ReturnRejected(
            f"The file declares a DTD or entities ({type(exc).__name__}); a CSWW return never "
            "does, and such files can be used to attack the reader. Export the return again "
            "without a DOCTYPE.") from None
    except ET.ParseError as exc:
        raise ReturnRejected(
            f"The file is not well-formed XML ({exc}). Export the return again; do not edit "
            "it by hand.") from None
    if not path == []:  # pragma: no cover - iterparse raises on unclosed tags
        raise ReturnRejected("The file ends before the return does.")
    return out


def _child(conn, data: bytes, max_depth: int) -> None:  # pragma: no cover - runs in the child
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
        conn.send(("ok", _parse(data, max_depth)))
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
                timeout: float = MAX_SECONDS) -> Parsed:
    """Parse a return's bytes in a bounded child process; ReturnRejected for anything unsafe."""
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
    proc = ctx.Process(target=_child, args=(child, data, max_depth), daemon=True)
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


def read_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> tuple[Parsed, bytes]:
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
    return parse_bytes(data, max_bytes=max_bytes), data


# --------------------------------------------------------------------------- writing


def to_xml(ret: CensusReturn, *, software: str = "childrens-workforce-dashboard",
           generated_at: datetime | None = None) -> bytes:
    """The return as CSWW XML (items in schema order; values exactly as the model holds them)."""
    from census.items import la_items, worker_items

    root = ET.Element("Message")
    header = ET.SubElement(root, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    ET.SubElement(details, "Collection").text = "CSWW"
    ET.SubElement(details, "Year").text = str(ret.year)
    ET.SubElement(details, "ReferenceDate").text = f"{ret.year}-09-30"
    source = ET.SubElement(header, "Source")
    ET.SubElement(source, "SourceLevel").text = "L"
    ET.SubElement(source, "LEA").text = ret.lea or ""
    ET.SubElement(source, "SoftwareCode").text = software
    stamp = (generated_at or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(source, "DateTime").text = stamp
    la = ET.SubElement(root, "LALevelVacancies")
    for it in la_items(ret.year):
        for value in ret.la.get(it.tag, []):
            ET.SubElement(la, it.tag).text = value
    order = worker_items(ret.year)
    for w in ret.workers:
        el = ET.SubElement(root, "CSWWWorker")
        for it in order:
            for value in w.items.get(it.tag, []):
                ET.SubElement(el, it.tag).text = value
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


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
