"""Every table leaves the app as xlsx and csv, made safe to open in Excel.

Why through metrics.export: one place neutralises formula injection (cells starting with
= + - @ tab or CR) while numbers stay numbers.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from metrics.export import to_csv_bytes, to_xlsx_bytes

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_stem(name: str) -> str:
    """'Leavers by reason (Oct 2026)' -> 'leavers-by-reason-oct-2026' (safe in any file system)."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return stem[:80] or "table"


def download_table(frame: pd.DataFrame, *, name: str, key: str) -> None:
    """Two buttons (Excel and CSV) under a table; the files are built only when clicked."""
    stem = file_stem(name)
    snapshot = frame.copy()
    with st.container(horizontal=True):
        st.download_button(
            "Download Excel", data=lambda: to_xlsx_bytes(snapshot, title=name),
            file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{key}-xlsx",
            icon=":material/download:", on_click="ignore",
        )
        st.download_button(
            "Download CSV", data=lambda: to_csv_bytes(snapshot), file_name=f"{stem}.csv",
            mime="text/csv", key=f"{key}-csv", icon=":material/download:", on_click="ignore",
        )
