"""Strategy themes: each theme of the 2024-28 workforce strategy with its success measures."""

import streamlit as st

from ui import cards, data, downloads, layout, state

state.require_page("themes")
filters = state.get_filters()
layout.page_header(
    "Strategy themes",
    "The six themes of the Children and Young People workforce strategy 2024–2028, each with the "
    "success measures scrutiny asked for (June 2024): where we are, the target where one is set, "
    f"and the trend. Figures for **{filters.describe()}**"
    + (f" at the end of **{state.period_label(filters.period)}**." if filters.period else "."),
)
layout.stop_if_nothing_loaded(filters)

for theme, rows in data.themes(filters).items():
    st.header(theme)
    if rows.empty:
        st.info("No success measures are defined for this theme yet.")
        continue
    cards.card_grid(rows)
    layout.show_table(data.measures_table(rows), f"{theme} measures", key=f"theme-{data.slug(theme)}",
                      disclosure=downloads.measures(rows))
