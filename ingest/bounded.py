"""Read and validate an untrusted file in a child process, under a memory and a time limit.

Why a child: the reader (calamine) allocates what a workbook declares, and a crafted 8 KB file
can declare hundreds of gigabytes; a failed allocation aborts the whole process. The checks in
`ingest.reader` refuse what the XML declares before reading, and this is the second wall: the
parse runs in a child whose address space is capped (RLIMIT_AS) and whose run time is bounded,
so whatever the file does, the server (or the CLI) lives on and says what happened.

The child is forked from a forkserver that has already imported pandas and calamine (Linux), so
a check costs milliseconds of process start, not the seconds of a fresh interpreter. It returns
the `Validation` (typed frames, problems), never raw cells; the caller adds the checks that need
the store (previous month's headcount, a month loaded twice).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

from ingest.problems import ExtractRejected, Problem
from ingest.reader import Limits, read_sheets
from ingest.validate import Validation, parse_period, validate_sheets

__all__ = ["read_and_validate"]

_CTX_LOCK = threading.Lock()
_CTX: Any = None


class _EveryPath(str):
    """A __main__.__file__ equal to any path (see `_skip_main_fixup`)."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = str.__hash__


def _skip_main_fixup() -> None:
    """In the forkserver: make every child skip re-running the parent's __main__.

    multiprocessing re-executes a parent's main *file* in each child unless the child's own
    __main__ has that file name. Under Streamlit the parent's __main__ is whichever page script
    is running (so a child would run the page), and under `streamlit run` the launcher (0.4 s of
    imports). The child needs neither: it only runs `_child`. The forkserver's __main__ is a
    `-c` command with no file, so it is given one that equals every path.
    """
    main = sys.modules.get("__main__")
    if (main is not None and getattr(main, "__file__", None) is None
            and getattr(main, "__spec__", None) is None and sys.argv[:1] == ["-c"]
            and "multiprocessing.forkserver" in sys.modules):
        main.__file__ = _EveryPath("<forkserver>")


_skip_main_fixup()


def _context() -> Any:
    """A forkserver context preloaded with this module (spawn where forkserver is missing)."""
    global _CTX
    with _CTX_LOCK:
        if _CTX is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(["ingest.bounded"])
            else:  # pragma: no cover - not Linux
                ctx = multiprocessing.get_context("spawn")
            _CTX = ctx
        return _CTX


def _child(path: str, period: str, limits: Limits, conn: Any) -> None:
    """In the child: cap memory, read and validate, send one message back."""
    # pyarrow's default allocator reserves ~1 GB of address space up front; the system one
    # allocates what it uses, so the cap measures the file and not the allocator.
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    os.environ["RUST_BACKTRACE"] = "0"  # an aborted reader says one line, not forty
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limits.max_memory_bytes, limits.max_memory_bytes))
    except (ValueError, OSError):  # pragma: no cover - a hard limit already lower
        pass
    try:
        result = validate_sheets(read_sheets(Path(path), limits=limits), period=period)
        message: tuple[str, Any] = ("ok", result)
    except ExtractRejected as exc:
        message = ("rejected", exc.problems)
    except MemoryError:
        message = ("memory", None)
    except Exception as exc:  # noqa: BLE001 - a bug must not become a traceback for HR
        message = ("failed", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}")
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("memory", None))
    finally:
        conn.close()


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024 * 1024):g} GB" if n >= 1 << 30 else f"{n / (1024 * 1024):.0f} MB"


def _refusal(message: str) -> list[Problem]:
    return [Problem(None, None, None, None, message)]


def read_and_validate(path: str | Path, *, period: str | date,
                      limits: Limits | None = None) -> Validation:
    """Validate the file at `path` in a bounded child; problems come back in `.errors`.

    Never raises for anything the file does: refusals, a crash of the reader, running out of
    memory or time all come back as one file-level error saying what to do.
    """
    first = parse_period(period)
    limits = limits or Limits()
    ctx = _context()
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(str(path), f"{first:%Y-%m}", limits, send),
                       daemon=True, name="workforce-read")
    outcome: tuple[str, Any] | None = None
    timed_out = False
    try:
        proc.start()
    except Exception:
        send.close()
        recv.close()
        raise
    try:
        send.close()
        if recv.poll(limits.max_seconds):
            try:
                outcome = recv.recv()
            except (EOFError, OSError):  # the child died before it could answer
                outcome = None
        else:
            timed_out = True
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(10)
        recv.close()
    result = Validation(period=f"{first:%Y-%m}")
    if outcome is not None and outcome[0] == "ok":
        return outcome[1]
    if outcome is not None and outcome[0] == "rejected":
        result.errors = list(outcome[1])
    elif timed_out:
        result.errors = _refusal(
            f"Reading the file took longer than {limits.max_seconds:g} seconds, so it was "
            "stopped. Save only the sheets and rows of the extract (no formulas, images or "
            "formatting) and upload it again.")
    elif outcome is not None and outcome[0] == "failed":
        result.errors = _refusal(
            f"The file could not be read ({outcome[1]}). Open it in Excel, check it is not "
            "damaged, and save it again as .xlsx.")
    else:  # out of memory, in Python or in the reader (which then aborts the child)
        result.errors = _refusal(
            f"Reading the file needed more than {_mb(limits.max_memory_bytes)} of memory, so it "
            "was stopped: the workbook declares far more cells or text than an extract holds. "
            "Save only the rows that hold data (copy them into a new workbook) and upload it "
            "again.")
    return result
