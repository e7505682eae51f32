"""Kept decisions: what a load decided once for every visitor, read back by pages (migration 83).

Why: some decisions are the same for every visitor and rest only on the store's figures and the
rules, yet cost a page's first view hundreds of milliseconds (the disclosure policy's protection
of a page's linked people tables: disclosure.linked). A load decides them in its own transaction
for the months whose figures changed and keeps them here, one row per (kind, period, scope, key),
beside a `signature` of the code and rules it was made under and an `inputs` fingerprint of the
figures it rests on. A reader passes the signature and fingerprint it would decide from now and
gets the decision only when both match; otherwise (nothing kept, a store from before migration
83, other figures, other code or rules) it decides live. The decision itself is the owner's:
here it is a JSON text; `encode_frames` / `decode_frames` carry DataFrames through it exactly
(columns, dtypes, values, index), and `fingerprint` makes the inputs' fingerprint.

Migration 85 adds `confirmed`: a fingerprint of the load ledger under which `inputs` last held
(the owner's; `read(..., confirmed=)` answers from it with one small read, `confirm` sets it again after a
load checked the inputs).

Public: `read`, `read_all`, `write`, `confirm`, `forget`, `digest`, `fingerprint`, `encode_frames`, `decode_frames`,
`Kept`. SQL lives here; what a decision means lives with its owner (no project imports).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

TABLE = "kept_decisions"


@dataclass(frozen=True)
class Kept:
    """One kept decision (`decision`: the owner's JSON text)."""

    kind: str
    period: date
    scope: str
    key: str
    signature: str
    inputs: str
    decision: str
    confirmed: str | None = None  # migration 85: the ledger under which `inputs` last held (None: never)


def read(con: duckdb.DuckDBPyConnection, *, kind: str, period: date, scope: str, key: str,
         signature: str, inputs: str | None = None, confirmed: str | None = None) -> str | None:
    """The kept decision for (kind, period, scope, key) when it was made under `signature` from
    the inputs fingerprinted `inputs`, or (`confirmed` given instead) confirmed under `confirmed`
    (the owner's fingerprint of the load ledger now, migration 85: one small read, no figures
    fingerprinted); None otherwise (or when the store has no such table or column: a store from
    before migration 83 or 85 opened without migrating)."""
    if (inputs is None) == (confirmed is None):
        raise ValueError("store.kept.read: give exactly one of inputs and confirmed")
    column, value = ("inputs", inputs) if confirmed is None else ("confirmed", confirmed)
    try:
        row = con.execute(
            f"SELECT decision FROM {TABLE} WHERE kind = ? AND period = ? AND scope = ? AND key = ? "
            f"AND signature = ? AND {column} = ?", [kind, period, scope, key, signature, value]).fetchone()
    except duckdb.Error:
        return None
    return None if row is None else row[0]


def confirm(con: duckdb.DuckDBPyConnection, rows: Iterable[Kept]) -> int:
    """Set each of `rows`' `confirmed` (its decision, signature and inputs unchanged) where the store
    still keeps that row under the same signature and inputs, in the caller's transaction; returns
    the rows confirmed."""
    n = 0
    for r in rows:
        got = con.execute(
            f"UPDATE {TABLE} SET confirmed = ? WHERE kind = ? AND period = ? AND scope = ? AND key = ? "
            "AND signature = ? AND inputs = ? RETURNING 1",
            [r.confirmed, r.kind, r.period, r.scope, r.key, r.signature, r.inputs]).fetchall()
        n += len(got)
    return n


def read_all(con: duckdb.DuckDBPyConnection, *, kind: str, period: date | None = None) -> list[Kept]:
    """Every kept decision of `kind` (at `period`, or every month), in no particular order; []
    when the store has no such table."""
    where, params = ("kind = ?", [kind]) if period is None else ("kind = ? AND period = ?", [kind, period])
    for cols in ("kind, period, scope, key, signature, inputs, decision, confirmed",
                 "kind, period, scope, key, signature, inputs, decision"):  # before migration 85
        try:
            rows = con.execute(f"SELECT {cols} FROM {TABLE} WHERE {where}", params).fetchall()
        except duckdb.Error:
            continue
        return [Kept(*r) for r in rows]
    return []


def write(con: duckdb.DuckDBPyConnection, rows: Iterable[Kept]) -> int:
    """Keep each of `rows`, replacing what was kept for its (kind, period, scope, key), in the
    caller's transaction; returns the rows written."""
    rows = list(rows)
    for r in rows:
        con.execute(f"DELETE FROM {TABLE} WHERE kind = ? AND period = ? AND scope = ? AND key = ?",
                    [r.kind, r.period, r.scope, r.key])
    if rows:
        con.executemany(f"INSERT INTO {TABLE} (kind, period, scope, key, signature, inputs, decision, confirmed) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [[r.kind, r.period, r.scope, r.key, r.signature, r.inputs, r.decision, r.confirmed]
                         for r in rows])
    return len(rows)


def digest(con: duckdb.DuckDBPyConnection, *, kind: str) -> str:
    """A fingerprint of every decision kept of `kind` (each row's month, scope, key, signature,
    inputs and decision), from one query: what a copy worked out from them is kept under, so that
    any change to them (a load, or an edit in place) leaves the copy unread. "" when none is kept
    or the store has no such table."""
    try:
        row = con.execute(
            f"SELECT md5(string_agg(concat_ws(chr(31), strftime(period, '%Y-%m-%d'), scope, key, signature, "
            f"inputs, decision), chr(30) ORDER BY period, scope, key)) FROM {TABLE} WHERE kind = ?",
            [kind]).fetchone()
    except duckdb.Error:
        return ""
    return row[0] or ""


def forget(con: duckdb.DuckDBPyConnection, *, kind: str, period: date | None = None) -> None:
    """Keep nothing of `kind` (at `period`, or any month): readers then decide live."""
    if period is None:
        con.execute(f"DELETE FROM {TABLE} WHERE kind = ?", [kind])
    else:
        con.execute(f"DELETE FROM {TABLE} WHERE kind = ? AND period = ?", [kind, period])


# ------------------------------------------------------------------------------------------
# fingerprints and the frames codec (no SQL; here so that every owner of a kind uses one)


def source_signature(paths: Iterable[Path]) -> str:
    """The source of `paths` (each file's name and bytes, in the order given) as one short hash:
    the code and files a kept thing was made under (disclosure.rules.decision_signature,
    metrics.agency.checks_signature, disclosure.history.frames_key's targets and agency rules). A
    changed line in any of them gives another signature; a missing (or unreadable) file gives
    one of its own, unlike an empty file's."""
    h = hashlib.sha256()
    for path in paths:
        try:
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            h.update(path.name.encode() + b"\0\1")
    return h.hexdigest()[:24]


def fingerprint(*parts: Any) -> str:
    """A fingerprint of the inputs a decision rests on: DataFrames by their columns, dtypes and
    every value (row order counts), mappings by their keys and values, sequences in order, other
    values by their repr. Equal inputs give equal fingerprints in every process."""
    h = hashlib.sha256()

    def feed(x: Any) -> None:
        if isinstance(x, pd.DataFrame):
            h.update(b"F" + repr((list(map(str, x.columns)), [str(t) for t in x.dtypes], len(x))).encode())
            if len(x.columns) and len(x):
                h.update(pd.util.hash_pandas_object(x, index=False).to_numpy().tobytes())
            h.update(repr(list(x.index)).encode() if not _plain_index(x) else b"R")
        elif isinstance(x, Mapping):
            h.update(b"M%d" % len(x))
            for k in sorted(x, key=repr):
                feed(k)
                feed(x[k])
        elif isinstance(x, (list, tuple)):
            h.update(b"L%d" % len(x))
            for v in x:
                feed(v)
        else:
            h.update(b"V" + repr(x).encode() + b";")

    for p in parts:
        feed(p)
    return h.hexdigest()[:32]


def _plain_index(frame: pd.DataFrame) -> bool:
    return isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1


def _value(v: Any) -> Any:
    """One cell as JSON can carry it, type kept (None, bool, int, float incl. NaN, str)."""
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return {"nan": True} if math.isnan(v) else v
    if v is pd.NA:
        return {"na": True}
    raise TypeError(f"store.kept cannot keep a cell of type {type(v).__name__}")


def _cell(v: Any) -> Any:
    if isinstance(v, dict):
        return float("nan") if v.get("nan") else pd.NA
    return v


def encode_frames(frames: Mapping[str, pd.DataFrame]) -> dict:
    """{name: frame} as JSON-ready data that `decode_frames` turns back into equal frames (same
    columns, dtypes, values and value types, index). TypeError for a cell it cannot carry."""
    out = {}
    for name, f in frames.items():
        cols = []
        for c in f.columns:
            s = f[c]
            cols.append({"name": c, "dtype": str(s.dtype), "values": [_value(v) for v in s.tolist()]})
        out[name] = {"columns": cols, "index": None if _plain_index(f) else [_value(v) for v in f.index.tolist()],
                     "attrs": dict(f.attrs)}
    json.dumps(out)  # fails here (TypeError), not in the reader, when something cannot be kept
    return out


def _column(values: list, dtype: str, index: pd.Index) -> np.ndarray | pd.Series:
    """One decoded column: the commonest types straight into a numpy array (each value is a
    scalar `_cell` gave: a Series per column cost a Workforce profile view ~1 ms a decision),
    any other through pandas as it was encoded."""
    if dtype == "object":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return pd.Series(out, index=index, dtype=object, copy=False)  # (an array alone: read as str)
    if dtype in ("int64", "float64"):
        return np.array(values, dtype=dtype)
    return pd.Series(values, index=index).astype(dtype)


def decode_frames(data: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """The frames `encode_frames` encoded."""
    out = {}
    for name, d in data.items():
        n = len(d["columns"][0]["values"]) if d["columns"] else len(d["index"] or [])
        index = pd.RangeIndex(n) if d["index"] is None else pd.Index([_cell(v) for v in d["index"]])
        cols = {}
        for c in d["columns"]:
            values = [_cell(v) for v in c["values"]]
            cols[c["name"]] = _column(values, c["dtype"], index)
        f = pd.DataFrame(cols, index=index, copy=False)
        if not d["columns"]:
            f = pd.DataFrame(index=index)
        f.attrs = dict(d.get("attrs") or {})
        out[name] = f
    return out
