"""Strategy themes: which theme is failing? A summary first, then each theme with its measures."""

import streamlit as st

from ui import cards, data, layout, state

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

by_theme = data.themes(filters)
summary = data.theme_summary(by_theme)
st.header("Which themes are on track", anchor="summary")
st.markdown(layout.theme_summary_markdown(summary))
st.caption("Worst first. **Off**, **Close** and **On** compare a measure with its target; **Not enough data** "
           "means too few months are loaded (or the figure is hidden for small numbers); measures with **no "
           "target** are judged by their direction of travel over 12 months against their usual month-to-month "
           "variation (better, worse or steady). Select a theme to go to its measures.")

# each theme compact, worst first (the summary's order): its counts in one line, the cards of the
# measures that are off or close to target, and the rest (cards and the table) in a closed box
counts = summary.set_index("Theme") if not summary.empty else None
order = list(summary["Theme"]) if not summary.empty else list(by_theme)
for theme in order:
    rows = by_theme[theme]
    st.header(theme, anchor=data.slug(theme))
    if rows.empty:
        st.info("No success measures are defined for this theme yet.")
        continue
    if counts is not None and theme in counts.index:
        st.markdown(layout.theme_counts_line(counts.loc[theme]))
    trouble = rows[[data.verdict(r) in ("Off", "Close") for r in rows.to_dict("records")]]
    rest = rows.drop(trouble.index)
    if not trouble.empty:
        cards.card_grid(trouble, per_row=4)
    label = (f"The other {len(rest)} measure{'s' if len(rest) != 1 else ''}, and the table"
             if not trouble.empty else f"The {len(rows)} measure{'s' if len(rows) != 1 else ''} and the table")
    with st.expander(label, icon=":material/monitoring:"):
        if not rest.empty:
            cards.card_grid(rest, per_row=4)
        table = data.measures_table(rows)
        layout.show_table(table, f"{theme} measures", key=f"theme-{data.slug(theme)}",
                          disclosure=None, column_config=layout.measure_columns(table.shown))
