"""A page's data layer asked as a role on fresh caches, reading what the last load kept whole
(store.frames) or, with its kept reader answering None, working everything out per view: what the
kept-whole tests (test_kept_drill.py, test_kept_compliance_page.py) compare."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st


@contextmanager
def as_role(monkeypatch, role: str, module, reader: str, *, kept: bool) -> Iterator[None]:
    """Within: the data layer asked as `role` on fresh caches; `module.reader` (the kept-whole
    reader, e.g. ui.data.agency._kept_page) as it is, or (kept=False) answering None. Restored and
    the caches cleared again after."""
    from ui import db as ui_db

    monkeypatch.setenv("WORKFORCE_ROLE", role)
    real = getattr(module, reader)
    if not kept:
        monkeypatch.setattr(module, reader, lambda *a, **k: None)
    ui_db.clear_caches()
    st.cache_data.clear()
    try:
        yield
    finally:
        monkeypatch.setattr(module, reader, real)
        ui_db.clear_caches()
        st.cache_data.clear()
