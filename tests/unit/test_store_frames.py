"""store.frames (migration 88): whole frames kept per load come back identical (every column,
dtype, value and value type), and a kept body that names anything but a plain frame's pieces is
refused, never run."""

from __future__ import annotations

import datetime as dt
import os
import pickle

import numpy as np
import pandas as pd
import pytest

from store import connect
from store import frames


def _frame() -> pd.DataFrame:
    """The kinds of columns the measure history holds: its published `value` mixes floats and "c"."""
    return pd.DataFrame({
        "metric_id": pd.Series(["agency_rate_fte", "vacancy_rate_fte", "avg_caseload"], dtype="str"),
        "period": [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)],
        "when": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]).astype("datetime64[s]"),
        "group": [None, None, None],
        "value": pd.Series([0.25, "c", 14.5], dtype=object),
        "base_count": pd.Series([12, pd.NA, 3], dtype="Int64"),
        "target": pd.Series([0.2, pd.NA, 15.2], dtype="Float64"),
        "partial": [False, True, False],
        "numerator": [3.0, np.nan, 43.5],
        "service": [None, "Early Help", "SEND"],
    })


def _cell_types(f: pd.DataFrame) -> dict:
    return {c: [type(v).__name__ for v in f[c]] for c in f.columns}


def test_a_frame_comes_back_identical() -> None:
    f = _frame()
    back = frames.loads(frames.dumps(f))
    assert back.equals(f) and list(back.dtypes) == list(f.dtypes) and _cell_types(back) == _cell_types(f)
    assert back.at[1, "value"] == "c" and back.at[0, "value"] == 0.25 and back.at[1, "base_count"] is pd.NA


class _Runs:
    def __reduce__(self):
        return (os.system, ("echo kept-frame-ran",))


def test_a_body_naming_anything_else_is_refused_not_run(tmp_path, capfd) -> None:
    evil = pickle.dumps(_Runs(), protocol=5)
    with pytest.raises(frames.FrameError, match="posix.system|os.system|nt.system"):
        frames.loads(evil)
    with pytest.raises(frames.FrameError, match="not a DataFrame"):
        frames.loads(pickle.dumps([1, 2], protocol=5))
    con = connect(tmp_path / "s.duckdb")
    try:
        con.execute(f"INSERT INTO {frames.TABLE} VALUES ('x', 'k', ?)", [evil])
        assert frames.read(con, "x", "k") is None  # refused: the reader builds the frame itself
    finally:
        con.close()
    assert "kept-frame-ran" not in capfd.readouterr().out


def test_read_answers_only_under_the_key_it_was_kept_under(tmp_path) -> None:
    con = connect(tmp_path / "s.duckdb")
    try:
        assert frames.read(con, "history.raw.all_staff", "k1") is None  # nothing kept
        assert frames.write(con, "history.raw.all_staff", "k1", _frame()) > 0
        assert frames.read(con, "history.raw.all_staff", "k1").equals(_frame())
        assert frames.read(con, "history.raw.all_staff", "k2") is None  # another load, code, targets
        other = _frame().assign(value=pd.Series([1.0, 2.0, 3.0], dtype=object))
        frames.write(con, "history.raw.all_staff", "k2", other)  # replaces what was kept as that name
        assert frames.read(con, "history.raw.all_staff", "k1") is None
        assert frames.read(con, "history.raw.all_staff", "k2")["value"].tolist() == [1.0, 2.0, 3.0]
        frames.forget(con, "history.")
        assert frames.read(con, "history.raw.all_staff", "k2") is None
        con.execute(f"DROP TABLE {frames.TABLE}")  # a store from before migration 88
        assert frames.read(con, "history.raw.all_staff", "k2") is None
    finally:
        con.close()


def test_a_file_signature_tells_missing_empty_and_edited_apart(tmp_path) -> None:
    """The kept frames' key signs the targets and agency-rules files through store.kept's one
    `source_signature`: removing either file, emptying it or editing one character each gives a
    new key, and the same bytes give the same key again."""
    from store.kept import source_signature

    targets, rules = tmp_path / "targets.toml", tmp_path / "agency_rules.toml"
    targets.write_text("[agency_rate_fte]\ntarget = 0.2\n")
    rules.write_text("cap = 1\n")
    seen = {source_signature((targets, rules))}
    targets.write_text("[agency_rate_fte]\ntarget = 0.3\n")
    seen.add(source_signature((targets, rules)))
    targets.write_text("")
    seen.add(source_signature((targets, rules)))
    targets.unlink()
    missing = source_signature((targets, rules))
    seen.add(missing)
    assert len(seen) == 4
    rules.unlink()
    assert source_signature((targets, rules)) not in seen | {missing}
    targets.write_text("[agency_rate_fte]\ntarget = 0.3\n")
    rules.write_text("cap = 1\n")
    assert source_signature((targets, rules)) in seen


def test_a_mapping_of_frames_is_kept_as_one_body_read_with_others_and_picked_by_key(tmp_path) -> None:
    """A {label: frame} mapping (a linked table's decision, every view) comes back in its order,
    each frame identical; `bodies` reads every frame under a prefix in one query and `picked`
    rebuilds one only under the key it was kept under; a mapping holding anything but frames, or a
    body naming anything else, is refused (None), never run."""
    f, g = _frame(), _frame().iloc[::-1]
    con = connect(tmp_path / "s.duckdb")
    try:
        frames.write(con, "linked.decision.x", "k1", {"pnull": f, 'p"Youth"': g})
        frames.write(con, "linked.exact.x", "k1", g)
        frames.write(con, "history.raw.x", "k1", f)
        got = frames.bodies(con, "linked.")
        assert set(got) == {"linked.decision.x", "linked.exact.x"} and got["linked.exact.x"][0] == "k1"
        many = frames.picked(got, "linked.decision.x", "k1", many=True)
        assert list(many) == ["pnull", 'p"Youth"']
        assert many["pnull"].equals(f) and _cell_types(many["pnull"]) == _cell_types(f)
        assert many['p"Youth"'].equals(g) and list(many['p"Youth"'].index) == [2, 1, 0]
        assert frames.picked(got, "linked.exact.x", "k1").equals(g)
        assert frames.picked(got, "linked.exact.x", "k2") is None  # another load, code, rules
        assert frames.picked(got, "linked.decision.y", "k1", many=True) is None  # nothing kept so
        assert frames.picked(got, "linked.exact.x", "k1", many=True) is None  # a frame is not a mapping
        assert frames.picked(got, "linked.decision.x", "k1") is None  # nor a mapping a frame
        evil = pickle.dumps({"pnull": _Runs()}, protocol=5)
        assert frames.picked({"e": ("k1", evil)}, "e", "k1", many=True) is None
        with pytest.raises(frames.FrameError):
            frames.dumps({"pnull": f, "views": [1, 2]})  # refused at the writer
        with pytest.raises(frames.FrameError, match="not a mapping"):
            frames.loads_map(pickle.dumps({1: f}, protocol=5))
    finally:
        con.close()


def test_bodies_are_stored_uncompressed_and_read_by_name(tmp_path) -> None:
    """Migration 89: the body column is kept uncompressed (compressed as one segment, every read of
    any body decompressed all of them, ~5 ms a read at 1x), and stays so after writes and a
    checkpoint; `bodies(..., names=)` reads only the named ones among a prefix's."""
    con = connect(tmp_path / "s.duckdb")
    try:
        big = pd.DataFrame({"x": np.arange(200_000, dtype="int64") % 7})  # compresses well
        frames.write(con, "history.raw.all_staff", "k1", big)
        frames.write(con, "history.published.all_staff", "k1", _frame())
        frames.write(con, "history.raw.social_workers", "k1", _frame())
        frames.write(con, "history.raw.all_staff", "k2", big)  # replaced in place
        con.execute("CHECKPOINT")
        kinds = {r[0] for r in con.execute(
            f"SELECT compression FROM pragma_storage_info('{frames.TABLE}') "
            "WHERE column_name = 'body' AND segment_type = 'BLOB'").fetchall()}
        assert kinds == {"Uncompressed"}
        got = frames.bodies(con, "history.", names=("history.raw.all_staff", "history.published.all_staff"))
        assert sorted(got) == ["history.published.all_staff", "history.raw.all_staff"]
        assert frames.picked(got, "history.raw.all_staff", "k2").equals(big)
        assert frames.picked(got, "history.published.all_staff", "k1").equals(_frame())
        assert frames.picked(got, "history.raw.all_staff", "k1") is None  # another key
        assert sorted(frames.bodies(con, "history.raw.")) == ["history.raw.all_staff", "history.raw.social_workers"]
    finally:
        con.close()
