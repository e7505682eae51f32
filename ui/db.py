"""Open the store for one unit of work, and the cache key that makes figures refresh after a load.

Why per unit of work: DuckDB lets one process write a file at a time, and while a process has it
open no other process may write it. So the dashboard never keeps the store open: every read or
write (`open_cursor`) opens it, works and closes it, and a command-line load can run while the
dashboard serves. Cached figures are keyed on `data_version()` (the load ledger's fingerprint), so
a month loaded from the command line is shown on the next page view, without a restart.

One page view is one unit of work: dashboard.py runs each view inside `page_view()`, and every
`open_cursor` in it is a cursor on one connection opened at the first read and closed when the
view ends (opening the file costs ~10 ms, and a page reads a dozen times). Outside a page view
(tests, tools) each `open_cursor` opens and closes the store itself.

While another process writes, opening waits up to `$WORKFORCE_PAGE_WAIT` seconds (default 5) and
then raises store.StoreBusy; dashboard.py turns that into a "being updated" message. Writes from
this process also go through `write_lock` (one writer thread at a time). An empty store stays
empty: the pages say no months are loaded (demo data only ever comes from the demo command).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import streamlit as st

from store import connect, default_db_path, load_fingerprint, memo

T = TypeVar("T")


class _WriteLock:
    """`with write_lock:` one writer thread of this process at a time (not re-entrant); inside,
    the page view's remembered store answers are neither used nor kept (store.memo.paused)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused = None  # the holder's store.memo.paused() (one holder at a time)

    def __enter__(self) -> _WriteLock:
        self._lock.acquire()
        try:
            paused = memo.paused()
            paused.__enter__()
        except BaseException:
            self._lock.release()
            raise
        self._paused = paused
        return self

    def __exit__(self, *exc: object) -> None:
        paused, self._paused = self._paused, None
        try:
            paused.__exit__(*exc)
        finally:
            self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()


write_lock = _WriteLock()

PAGE_WAIT_ENV = "WORKFORCE_PAGE_WAIT"
DEFAULT_PAGE_WAIT = 5.0

# (store path, state of its files) -> the ledger fingerprint read when the files were in that
# state: lets `data_version` skip opening the store while nothing has been written.
_FINGERPRINTS: dict[tuple, str] = {}
_FINGERPRINTS_LOCK = threading.Lock()


def db_path() -> str:
    """Absolute path of the store this process uses ($WORKFORCE_DB or data/workforce.duckdb)."""
    return _resolved(str(default_db_path()))


@functools.lru_cache(maxsize=64)
def _resolved(path: str) -> str:
    # resolving walks every folder of the path (a stat each): done once per path, not per call
    return str(Path(path).resolve())


def page_wait() -> float:
    """Seconds a page waits for a store another process is writing: $WORKFORCE_PAGE_WAIT or 5."""
    try:
        return max(0.0, float(os.environ.get(PAGE_WAIT_ENV, "") or DEFAULT_PAGE_WAIT))
    except ValueError:
        return DEFAULT_PAGE_WAIT


# The page view running in this thread (one Streamlit script run per thread at a time):
# `active` while a view runs, `con`/`path` the connection opened at its first read.
_VIEW = threading.local()


@contextmanager
def page_view() -> Iterator[None]:
    """`with page_view():` one page view: every `open_cursor` inside shares one connection,
    opened on first use and always closed when the view ends (a nested call joins the outer one)."""
    if getattr(_VIEW, "active", False):
        yield
        return
    _VIEW.active, _VIEW.con, _VIEW.path, _VIEW.memo = True, None, None, {}
    try:
        with memo.remembering(_store_state):  # the freshness checks of the view's readers, once
            yield
    finally:
        con, path = _VIEW.con, _VIEW.path
        _VIEW.active, _VIEW.con, _VIEW.path, _VIEW.memo = False, None, None, {}
        if con is not None:
            before = _file_state(path)
            con.close()
            _carry_fingerprint(path, before)


def _carry_fingerprint(path: str, before: tuple) -> None:
    """Closing a connection can fold its write-ahead log into the file (a checkpoint, e.g. after
    the view audited a sign-in): the files change, what is loaded does not. The fingerprint known
    for the files just before the close carries to their state after it, so the next view does
    not open the store only to re-read it (which would show "being updated" during a load)."""
    with _FINGERPRINTS_LOCK:
        known = _FINGERPRINTS.get((path, before))
        if known is not None:
            _FINGERPRINTS.setdefault((path, _file_state(path)), known)


def view_memo() -> dict:
    """A dict that lives as long as this page view (a fresh, unshared one outside a view): for a
    cached frame a page reads many times, so it is copied out of st.cache_data once per view.
    Whatever is kept here must be treated as read-only."""
    return _VIEW.memo if getattr(_VIEW, "active", False) else {}


def view_once(key: Hashable, read: Callable[[], T]) -> T:
    """`read()` once per page view under `key` (`view_memo`): what a page asks for many times (a
    frame copied out of st.cache_data, a kept copy) is read at its first ask and shared by the
    rest of the view; outside a view, read every time. Read-only, like all of `view_memo`."""
    memo = view_memo()
    if key not in memo:
        memo[key] = read()
    return memo[key]


@contextmanager
def open_cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """`with open_cursor() as cur:` the store, open for one piece of work and always closed after
    (inside `page_view()`: a cursor of the view's connection, closed after; the view closes the store).

    Raises store.StoreBusy when another process holds it for longer than `page_wait()`.
    """
    path = db_path()
    if getattr(_VIEW, "active", False):
        if _VIEW.con is None or _VIEW.path != path:
            if _VIEW.con is not None:
                _VIEW.con.close()
                _VIEW.con = None
            memo.forget()  # another store (tests switch): nothing read from the last one holds
            _VIEW.con, _VIEW.path = connect(path, wait=page_wait()), path
        cur = _VIEW.con.cursor()  # its own transaction and registered views; no file opened
        memo.admit(cur)  # the view's own connection: its freshness checks may be remembered
        try:
            yield cur
        finally:
            cur.close()
        return
    con = connect(path, wait=page_wait())
    try:
        yield con
    finally:
        con.close()


def _store_state() -> tuple:
    """What store.memo compares before reusing an answer in a page view: the view's store and
    the state of its files (any committed write changes them)."""
    path = db_path()
    return path, _file_state(path)


def _file_state(path: str) -> tuple:
    """Size and modification time of the store and its write-ahead log: they change on every write."""
    state = []
    for p in (path, path + ".wal"):
        try:
            s = os.stat(p)
            state.append((s.st_size, s.st_mtime_ns))
        except OSError:
            state.append(None)
    return tuple(state)


def data_version() -> str:
    """Identifies the store's loaded content: changes whenever a load is recorded (here or by the
    command line). Used in every st.cache_data key, so every page sees a new month at once.

    Opens the store only when its files changed since the last look (cheap on every rerun).
    """
    path = db_path()
    key = (path, _file_state(path))
    with _FINGERPRINTS_LOCK:
        known = _FINGERPRINTS.get(key)
    if known is not None:
        return known
    with open_cursor() as cur:
        version = load_fingerprint(cur)
    with _FINGERPRINTS_LOCK:
        if len(_FINGERPRINTS) > 256:
            _FINGERPRINTS.clear()
        _FINGERPRINTS[key] = version
    return version


#: the functions `shared_frame` keeps (cleared with every other cached figure: `clear_caches`)
_SHARED: list = []


def shared_frame(fn):
    """`@shared_frame`: like st.cache_data (keyed on the arguments: the store's path and data
    version among them), but every call returns the one kept frame, never a copy: for a large
    frame each reader only reads (one that changes it copies it first).

    Why: st.cache_data pickles what a function returns on every miss and unpickles it on every
    hit. The measure history's two frames (~0.7 MB pickled each) cost every page's first view
    after a load 8-13 ms of pickling that nothing reads (a miss returns the computed frame).
    At most 64 kept per function (st.cache_data here keeps 512 pickled ones)."""
    kept = st.cache_resource(show_spinner=False, max_entries=64)(fn)
    _SHARED.append(kept)
    return kept


def clear_caches() -> None:
    """Forget cached figures (after an upload, or when tests switch stores)."""
    st.cache_data.clear()
    for kept in _SHARED:
        kept.clear()
    with _FINGERPRINTS_LOCK:
        _FINGERPRINTS.clear()
