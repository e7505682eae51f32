"""Whole frames kept per load (migration 88, table `kept_frames`): written once by a load, read by
pages while the key they were kept under is the one the reader would build them under now.

Why: the measure history's frames (disclosure.history.keep_frames) are the same for every visitor
until the next load, yet building them cost every page's first view after a load 90-170 ms (the
stored values read, evaluated against the targets, the kept decisions matched and applied); read
from here they cost a few ms.

How they are kept: pickled (protocol 5), the one codec that gives back a frame equal in every
column, dtype, value type and index (the published history mixes floats and "c" in one column,
which Arrow and JSON cannot carry as they are; store.kept's JSON codec took ~40 ms on these). A
store is a file anyone with its folder can write, and unpickling runs what a pickle names: so
`loads` resolves only the few pandas/numpy/pyarrow names a DataFrame of plain columns needs
(`ALLOWED`) and refuses any other (`FrameError`; the reader then builds the frame itself).

Public: `read(con, name, key) -> DataFrame | None`, `write(con, name, key, frame)` (`frame` may be
a {label: frame} mapping, kept as one body: frames one reader reads together), `bodies` + `picked`
(several read in one query, each rebuilt when asked for), `forget(con, prefix)`, `dumps`, `loads`,
`loads_map`, `FrameError`, `ALLOWED`, and `code_key(*patterns)`: the code a kept frame was built by,
part of every owner's key. SQL lives here; what a frame means lives with
its owner (no project imports).
"""

from __future__ import annotations

import functools
import io
import pickle
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

import duckdb
import pandas as pd

from store.kept import source_signature

TABLE = "kept_frames"

#: the globals a pickled DataFrame of plain columns (numbers, strings, dates, pandas' nullable and
#: string dtypes) names; `loads` refuses any other
ALLOWED = frozenset({
    ("builtins", "slice"), ("datetime", "date"), ("datetime", "datetime"),
    ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy.core.numeric", "_frombuffer"),
    ("pandas", "DataFrame"), ("pandas", "Index"), ("pandas", "RangeIndex"), ("pandas", "NA"),
    ("pandas", "Float64Dtype"), ("pandas", "Int64Dtype"), ("pandas", "BooleanDtype"), ("pandas", "StringDtype"),
    ("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"), ("pandas._libs.internals", "_unpickle_block"),
    ("pandas._libs.tslibs.timestamps", "_unpickle_timestamp"),
    ("pandas.arrays", "ArrowStringArray"), ("pandas.arrays", "DatetimeArray"), ("pandas.arrays", "FloatingArray"),
    ("pandas.arrays", "IntegerArray"), ("pandas.arrays", "BooleanArray"), ("pandas.arrays", "StringArray"),
    ("pandas.core.indexes.base", "_new_Index"), ("pandas.core.internals.managers", "BlockManager"),
    ("pyarrow.lib", "_restore_array"), ("pyarrow.lib", "py_buffer"), ("pyarrow.lib", "type_for_alias"),
})


#: the libraries whose versions shape a pickled frame
_LIBRARIES = ("pandas", "numpy", "pyarrow")


@functools.cache
def code_key(*patterns: str) -> str:
    """The code a kept frame was built by: the source of every project file matching `patterns`
    (globs from the project's root, e.g. "metrics/*.py"; each pattern's files sorted, the patterns
    in the order given: store.kept.source_signature) and the versions of the libraries that pickle
    frames. Part of the key of every frame kept here: a changed line, or another pandas, leaves
    what was kept unread. Worked out once per process."""
    root = Path(__file__).resolve().parent.parent
    paths = [p for pattern in patterns for p in sorted(root.glob(pattern))]
    libs = ",".join(f"{n} {metadata.version(n)}" for n in _LIBRARIES)
    return f"{source_signature(paths)}|{libs}"


class FrameError(ValueError):
    """A kept body that is not a DataFrame `loads` may rebuild (refused, never run)."""


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED:
            raise FrameError(f"store.frames: a kept frame names {module}.{name}, which is not allowed")
        return super().find_class(module, name)


def dumps(frame: pd.DataFrame | Mapping[str, pd.DataFrame]) -> bytes:
    """`frame` (or a {label: frame} mapping) as kept (FrameError when `loads`/`loads_map` could not
    rebuild it: checked here, at the writer)."""
    many = not isinstance(frame, pd.DataFrame)
    body = pickle.dumps(dict(frame) if many else frame, protocol=5)
    (loads_map if many else loads)(body)
    return body


def _load(body: bytes) -> object:
    try:
        return _Unpickler(io.BytesIO(body)).load()
    except FrameError:
        raise
    except Exception as exc:  # a damaged body, or one another library version wrote
        raise FrameError(f"store.frames: a kept frame could not be read ({type(exc).__name__})") from exc


def loads(body: bytes) -> pd.DataFrame:
    """The frame `dumps` kept; FrameError for a body naming anything outside ALLOWED, or not a frame."""
    out = _load(body)
    if not isinstance(out, pd.DataFrame):
        raise FrameError("store.frames: a kept body is not a DataFrame")
    return out


def loads_map(body: bytes) -> dict[str, pd.DataFrame]:
    """The {label: frame} mapping `dumps` kept (in its order); FrameError for a body naming
    anything outside ALLOWED, or not a dict of str to frames."""
    out = _load(body)
    if not isinstance(out, dict) or not all(isinstance(k, str) and isinstance(v, pd.DataFrame)
                                            for k, v in out.items()):
        raise FrameError("store.frames: a kept body is not a mapping of labels to DataFrames")
    return out


def read(con: duckdb.DuckDBPyConnection, name: str, key: str, *,
         many: bool = False) -> pd.DataFrame | dict[str, pd.DataFrame] | None:
    """The frame (`many`: the {label: frame} mapping) kept as `name` under `key`; None when none
    is (another key, nothing kept, a store from before migration 88 opened without migrating, or a
    body `loads`/`loads_map` refuses)."""
    try:
        row = con.execute(f"SELECT body FROM {TABLE} WHERE frame_name = ? AND key = ?", [name, key]).fetchone()
    except duckdb.Error:
        return None
    if row is None:
        return None
    try:
        return (loads_map if many else loads)(row[0])
    except FrameError:
        return None


def bodies(con: duckdb.DuckDBPyConnection, prefix: str, *,
           names: Sequence[str] | None = None) -> dict[str, tuple[str, bytes]]:
    """{name: (key, body)} of every frame kept under a name starting with `prefix` (and, given
    `names`, among them), not yet rebuilt (`picked` rebuilds one), from one query: reading any body
    costs ~3-4 ms (DuckDB reads the table's bodies together), however small, so a reader of
    several reads them at once."""
    where, params = "starts_with(frame_name, ?)", [prefix]
    if names is not None:
        where, params = where + " AND list_contains(?, frame_name)", [prefix, list(names)]
    try:
        rows = con.execute(f"SELECT frame_name, key, body FROM {TABLE} WHERE {where}", params).fetchall()
    except duckdb.Error:
        return {}
    return {name: (key, body) for name, key, body in rows}


def picked(got: Mapping[str, tuple[str, bytes]], name: str, key: str, *,
           many: bool = False) -> pd.DataFrame | dict[str, pd.DataFrame] | None:
    """The frame (`many`: the {label: frame} mapping) kept as `name` under `key` among `got`
    (`bodies`); None when it is not there under that key, or `loads` refuses it."""
    if name not in got or got[name][0] != key:
        return None
    try:
        return (loads_map if many else loads)(got[name][1])
    except FrameError:
        return None


def write(con: duckdb.DuckDBPyConnection, name: str, key: str,
          frame: pd.DataFrame | Mapping[str, pd.DataFrame]) -> int:
    """Keep `frame` (or a {label: frame} mapping, `picked` with many=True) as `name` under `key`
    (replacing what was kept as `name`), in the caller's transaction; returns the bytes kept."""
    body = dumps(frame)
    con.execute(f"DELETE FROM {TABLE} WHERE frame_name = ?", [name])
    con.execute(f"INSERT INTO {TABLE} (frame_name, key, body) VALUES (?, ?, ?)", [name, key, body])
    return len(body)


def forget(con: duckdb.DuckDBPyConnection, prefix: str) -> None:
    """Keep no frame whose name starts with `prefix` (readers then build them)."""
    con.execute(f"DELETE FROM {TABLE} WHERE starts_with(frame_name, ?)", [prefix])
