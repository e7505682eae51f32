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
from multiprocessing import process as _mp_process
from datetime import date
from pathlib import Path
from typing import Any

from ingest.problems import ExtractRejected, Problem
from ingest.reader import Limits, read_sheets
from ingest.validate import Validation, parse_period, validate_sheets

__all__ = ["read_and_validate"]

_CTX_LOCK = threading.Lock()
_CTX: Any = None
#: the parent's main script, handed to the forkserver (see `_adopt_parent_main`)
_MAIN_ENV = "WORKFORCE_FORKSERVER_MAIN"


def _adopt_parent_main() -> None:
    """In the forkserver: look like the parent's main script, so children skip re-running it.

    multiprocessing re-executes a script-started parent's main file in every child (for
    `streamlit run` that is Streamlit's launcher: 0.4 s of imports per file checked). Python
    skips that when the child's __main__ already has that file name; the forkserver's own
    __main__ is a `-c` command, so it borrows the name. Nothing of the script is run.
    """
    main_path = os.environ.get(_MAIN_ENV)
    main = sys.modules.get("__main__")
    if main_path and main is not None and getattr(main, "__file__", None) is None:
        main.__file__ = main_path


_adopt_parent_main()


def _publish_parent_main() -> None:
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return  # `python -m ...`: multiprocessing already skips a module main
    path = getattr(main, "__file__", None)
    if path:
        if not os.path.isabs(path) and _mp_process.ORIGINAL_DIR is not None:
            path = os.path.join(_mp_process.ORIGINAL_DIR, path)
        os.environ[_MAIN_ENV] = os.path.normpath(path)


def _context() -> Any:
    """A forkserver context preloaded with this module (spawn where forkserver is missing)."""
    global _CTX
    with _CTX_LOCK:
        if _CTX is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _publish_parent_main()
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
