"""ui.db.shared_frame: the measure history's frames are kept as they are (no pickled copy per
read), computed again when the data version moves (a load) and forgotten by clear_caches (an
upload, tests switching stores)."""

from __future__ import annotations

import pandas as pd

from ui import db


def test_a_shared_frame_is_the_one_kept_frame_until_the_version_moves_or_the_caches_clear() -> None:
    calls: list[str] = []

    @db.shared_frame
    def frame(path: str, version: str) -> pd.DataFrame:
        calls.append(version)
        return pd.DataFrame({"version": [version]})

    first = frame("store.duckdb", "v1")
    assert frame("store.duckdb", "v1") is first  # st.cache_data gives an unpickled copy each read
    assert calls == ["v1"]
    moved = frame("store.duckdb", "v2")  # a load moved the data version: computed again
    assert moved is not first and moved["version"].tolist() == ["v2"] and calls == ["v1", "v2"]
    assert frame("other.duckdb", "v1") is not first and calls == ["v1", "v2", "v1"]  # another store
    db.clear_caches()
    again = frame("store.duckdb", "v1")
    assert again is not first and again["version"].tolist() == ["v1"] and calls == ["v1", "v2", "v1", "v1"]


def test_the_history_frames_and_the_linked_decisions_are_shared_frames() -> None:
    from ui.data import breakdowns, measures, people

    shared = set(map(id, db._SHARED))
    assert {id(measures.raw_history), id(measures.public_history), id(measures.evaluated_exact),
            id(people._decided), id(people._kept_frames), id(breakdowns._kept_drill)} <= shared
