"""Streamlit entry point: page config, sign-in, the role, the pages this role may see, filters.

Run: `bash scripts/run.sh` (demo mode, no sign-in) or `bash scripts/serve.sh` (sign-in; see
docs/DEPLOY.md). `ui.auth.gate` comes first: until a person has signed in only the sign-in page is
drawn (no menu, no store opened). The menu lists the pages `access.allowed(role, "page:<key>")`
permits, and every page checks again on the server, so a page missing from the menu cannot be
opened by its URL either.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from access import allowed
from store import StoreBusy
from ui import auth, db, layout

ROOT = Path(__file__).resolve().parent

# (section, page key (action 'page:<key>' in access.roles), file, title, icon)
PAGES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Summary", "overview", "views/overview.py", "Overview", ":material/dashboard:"),
    ("Summary", "themes", "views/themes.py", "Strategy themes", ":material/flag:"),
    ("Workforce", "agency", "views/agency.py", "Agency & 80:20", ":material/swap_horiz:"),
    ("Workforce", "agency_rules", "views/agency_rules.py", "Agency rules", ":material/gavel:"),
    ("Workforce", "caseloads", "views/caseloads.py", "Caseloads", ":material/folder_shared:"),
    ("Workforce", "turnover", "views/turnover.py", "Turnover & retention", ":material/sync_alt:"),
    ("Workforce", "profile", "views/profile.py", "Workforce profile", ":material/diversity_3:"),
    ("Compare", "benchmarks", "views/benchmarks.py", "Benchmarks", ":material/leaderboard:"),
    ("Scrutiny", "recommendations", "views/tracker.py", "Recommendations", ":material/checklist:"),
    ("Data", "upload", "views/upload.py", "Upload", ":material/upload_file:"),
    ("Data", "data_quality", "views/data_quality.py", "Data quality", ":material/fact_check:"),
    ("Data", "census", "views/census.py", "Census (CSWW)", ":material/assignment:"),
    ("Help", "accessibility", "views/accessibility.py", "Accessibility", ":material/accessibility:"),
)


def navigation_for(role: str) -> dict[str, list[st.Page]]:
    """The grouped menu for `role`: only pages it may open (and that exist on disk)."""
    menu: dict[str, list[st.Page]] = {}
    for section, key, path, title, icon in PAGES:
        if not allowed(role, f"page:{key}") or not (ROOT / path).is_file():
            continue
        menu.setdefault(section, []).append(
            st.Page(str(ROOT / path), title=title, icon=icon, url_path=key.replace("_", "-"),
                    default=key == "overview")
        )
    return menu


st.set_page_config(
    page_title="Children's Workforce Dashboard",
    page_icon=":material/groups:",
    layout="wide",
    initial_sidebar_state="auto",  # open on a wide screen, folded away on a phone
)
layout.style()  # focus, menu and header styles, on the sign-in page too

# One page view, one unit of work: the store is opened at the view's first read and closed at its end.
with db.page_view():
    try:
        ROLE = auth.gate()  # draws the sign-in / no-access / expired page and stops when it must
        page = st.navigation(navigation_for(ROLE), position="sidebar", expanded=True)
        auth.refuse_page_by_url(ROLE, [key for _, key, *_ in PAGES])
        layout.sidebar(ROLE, page_key={title: key for _, key, _, title, _ in PAGES}.get(page.title))
        layout.masthead()
        layout.demo_banner()
        page.run()
    except StoreBusy as exc:  # a command-line load holds the store for a moment: say so calmly
        layout.store_busy(exc)
