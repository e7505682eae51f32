"""Accessibility statement (every role, and shown before sign-in too): ui.accessibility words it."""

import streamlit as st

from ui.state import require_page

require_page("accessibility")

from ui import accessibility, org  # noqa: E402
from ui.layout import page_header  # noqa: E402

page_header(f"Accessibility statement for the {accessibility.PRODUCT}",
            "How accessible this dashboard is, what does not work yet, and how to tell us about a problem.")
try:
    st.markdown(accessibility.statement_markdown(org.load()))
except org.OrgConfigError as exc:
    st.error(f"{exc} Until it is fixed, ask the dashboard's administrator for help with accessibility.")
