"""Page furniture shared by every page: header, data-as-at line, charts with text alternatives,
tables with downloads, and the sidebar filters.

Why: every chart gets a one-sentence text alternative under it and every table its downloads,
because pages call these helpers instead of Streamlit directly.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from disclosure import Disclosed, Table, legend
from ui import auth, state
from ui.downloads import About, download_table, file_stem

#: what a table cell with no figure shows (Streamlit would print "None")
MISSING = "—"
#: no Plotly tool bar: on a phone it covered the chart titles, and the figures are in the table
#: under every chart (with its Excel/CSV downloads)
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}
STYLE = Path(__file__).with_name("style.css")
REPAIRS = Path(__file__).with_name("a11y.js")


#: every character that can start Markdown, HTML, a link or image, an emoji or icon shortcode
#: (:material/x:), coloured text (:red[...]) or LaTeX ($...$) in Streamlit's Markdown
_MARKUP = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&@])")
#: a web or e-mail address in people's text: kept whole and made a working link (an address
#: never becomes an image, and nothing around it becomes Markdown); a trailing full stop, comma,
#: colon or the like ends the sentence, not the address
_ADDRESS = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\\()\[\]\"'`]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TRAILING = ".,;:!?"


def _escape(text: str) -> str:
    return _MARKUP.sub(r"\\\1", text)


def _link(address: str) -> str:
    """A bare address as a Markdown link showing exactly the address typed."""
    if "@" in address and "://" not in address:
        target = f"mailto:{address}"
    elif address.lower().startswith("www."):
        target = f"https://{address}"
    else:
        target = address
    return f"[{_escape(address)}](<{target}>)"


def _plain_line(line: str) -> str:
    out, at = [], 0
    for match in _ADDRESS.finditer(line):
        address = match.group(0).rstrip(_TRAILING)
        if not address or address.lower() in ("www.",):
            continue
        out.append(_escape(line[at:match.start()]))
        out.append(_link(address))
        at = match.start() + len(address)
    out.append(_escape(line[at:]))
    return "".join(out)


def plain(text: object) -> str:
    """Text written by people or read from files, made inert inside Markdown: shown as typed.

    Tracker entries, file names, load warnings and sign-in names pass through here before any
    st.markdown / st.info / st.error / label, so "![x](http://...)" shows those characters and no
    browser fetches the address. A bare web or e-mail address becomes a link that works (the
    address shown as typed, nothing inserted into it). Line breaks are kept.
    """
    if text is None:
        return ""
    return "  \n".join(_plain_line(line) for line in str(text).splitlines())


def style() -> None:
    """The dashboard's styles (ui/style.css: GOV.UK keyboard focus, the current page in the menu,
    the header, readable contrast), drawn once per run before anything else, and the repairs to
    Streamlit's own markup that the accessibility scan asks for (ui/a11y.js: our file, no input)."""
    st.html(f"<style>{STYLE.read_text(encoding='utf-8')}</style>")
    st.html(f"<script>{REPAIRS.read_text(encoding='utf-8')}</script>", unsafe_allow_javascript=True)


def masthead() -> None:
    """The council's and the service's names at the top of every page (data/organisation.toml and
    the council named in data/recommendations.json, through ui.org)."""
    from ui import org

    try:
        who = org.load()
    except org.OrgConfigError as exc:
        st.error(plain(exc), icon=":material/error:")
        return
    st.html(f'<div class="cwd-masthead"><p class="cwd-council">{html.escape(who.council)}</p>'
            f'<p class="cwd-service">{html.escape(who.service)} · Children\'s Workforce Dashboard</p></div>')


def page_header(title: str, intro: str) -> None:
    """Title and one or two plain-English sentences saying what the page answers, with the
    legend of the symbols tables and files use (GSS: c, z, x, low)."""
    st.title(title)
    st.markdown(intro)
    st.caption("Symbols: " + "; ".join(legend()) + ".")


def chart(fig: go.Figure, alt: str, *, key: str | None = None) -> None:
    """A Plotly chart in the app style, with its one-sentence text alternative shown under it."""
    st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG, key=key, alt=alt)
    st.caption(alt)


def show_table(table: Disclosed | pd.DataFrame, name: str, *, disclosure: Table | None,
               key: str | None = None, column_config: dict | None = None, caption: str | None = None,
               about: About | None = None) -> None:
    """A table as this role may see it, the true reason for each "c", and its Excel/CSV downloads
    (always the published version); an empty table says so instead.

    Tables of people reach the screen only as a `Disclosed` (from ui.data, through the disclosure
    policy; pass disclosure=None). A DataFrame is accepted with an `exempt` declaration (no
    counts of people), or with a people declaration for a role that sees exact figures on screen
    (its download still passes the policy); for any other role it is refused (TypeError). `about`
    fills the files' header block where the shared filters do not say what the table is about
    (ui.downloads.About)."""
    if isinstance(table, Disclosed):
        if disclosure is not None:
            raise TypeError(f"show_table('{name}'): a Disclosed carries its own declaration.")
        shown_table = table
    elif isinstance(table, pd.DataFrame) or table is None:
        if not isinstance(disclosure, Table):
            raise TypeError(f"show_table('{name}') needs a Disclosed, or a DataFrame with its declaration.")
        if table is not None and disclosure.suppresses and disclosure.export is None \
                and state.is_suppressed():
            raise TypeError(
                f"show_table('{name}'): a table of people reaches a {state.current_role()} user only "
                "through the disclosure policy (a Disclosed from ui.data), not as a DataFrame."
            )
        shown_table = None if table is None else _disclosed(table, disclosure, name)
    else:
        raise TypeError(f"show_table('{name}') needs a Disclosed, not {type(table).__name__}.")
    if shown_table is None or shown_table.empty:  # (a table not published yet says why: its note)
        st.info(f"{plain(name)}: {(shown_table.caption() if shown_table is not None else '') or 'no data for this selection.'}")
        return
    shown = display_frame(shown_table.shown)
    st.dataframe(shown, hide_index=True, column_config={**decimal_columns(shown), **(column_config or {})},
                 placeholder=MISSING)
    why = shown_table.caption()
    if caption or why:
        st.caption(" ".join(x for x in (caption, why) if x))
    download_table(shown_table, name=name, key=key or f"dl-{file_stem(name)}", disclosure=None, about=about)


def _disclosed(frame: pd.DataFrame, table: Table, name: str) -> Disclosed:
    from disclosure import disclose

    return disclose(frame, table, role=state.current_role(), name=name)


def _cell_text(value: object, places: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, str):
        return value
    return f"{float(value):,.{places}f}"


def _numbers(column: pd.Series) -> list[float]:
    return [float(v) for v in column if not isinstance(v, str) and not pd.isna(v)]  # None, NaN, NA


def _places(column: pd.Series) -> int:
    """Decimal places for every number of a column: 0 when all are whole, else 1."""
    return 0 if all(v.is_integer() for v in _numbers(column)) else 1


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy safe to show: columns mixing numbers with 'c' become text (downloads keep numbers),
    every number of a column to the same decimal places (a share column reads "19.0" beside
    "80.3", not "19")."""
    out = frame.copy()
    out.attrs = {}  # suppression masks ride in attrs; Arrow cannot carry them
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col] if v is not None and not (isinstance(v, float) and math.isnan(v))}
            if str in kinds and len(kinds) > 1:
                out[col] = out[col].map(lambda v, p=_places(out[col]): _cell_text(v, p))
    return out


def decimal_columns(frame: pd.DataFrame) -> dict:
    """Column settings for numbers as a reader expects them: every number of a fractional column
    to one decimal place (the screen would print 19 per cent as "19" beside "80.3"), and pounds
    grouped in thousands ("69,195", not "69195"). Other columns are left alone."""
    out = {}
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col]):
            continue
        values = _numbers(frame[col])
        if not values:
            continue
        if "£" in str(col) and max(abs(v) for v in values) >= 1000:
            out[col] = st.column_config.NumberColumn(str(col), format="localized")
        elif pd.api.types.is_float_dtype(frame[col]) and _places(frame[col]) == 1:
            out[col] = st.column_config.NumberColumn(str(col), format="%.1f")
    return out


def data_as_at(role: str | None = None) -> str:
    """'Data as at 31 October 2026 · last load 3 Nov 2026, 9:12am by hr' (UK time) (shown in the sidebar).

    Who loaded is named only to the roles that may read the load ledger (HR, admin, leadership);
    a scrutiny member sees when, never who (a command-line load records an account name)."""
    from ui import data

    info = data.load_info()
    if info is None:
        return "No data loaded yet."
    from metrics.narrative import format_when

    role = role or state.current_role()
    who = (f" by {plain(info['loaded_by'])}"
           if state.allowed(role, "page:data_quality") and info.get("loaded_by") else "")
    return f"Data as at {info['as_at']:%-d %B %Y} · last load {format_when(info['loaded_at'])}{who}"


def demo_banner() -> None:
    """One banner on every page while demo data is shown or the app runs in demo mode."""
    from store import is_demo_store
    from ui import db

    if auth.demo_mode():
        st.warning("**Demo mode**: sample data about invented people, and no sign-in. "
                   "Pick a role in the sidebar to see what it sees.", icon=":material/science:")
        return
    with db.open_cursor() as cur:
        demo_data = is_demo_store(cur)
    if demo_data:
        st.warning("**Demo data**: some months shown are invented sample data, not the council's. "
                   "Load the real extracts on the Upload page to replace them.", icon=":material/science:")


def sidebar(role: str | None = None, page_key: str | None = None) -> state.Filters:
    """The data-as-at line and the shared filters `page_key` acts on (ui.state.PAGE_FILTERS: no
    control where it would do nothing), then who is signed in (sign-out, or the demo role
    picker), drawn in the sidebar under the menu on every page. The filters come first: they are
    used on every visit, the account rarely."""
    from ui import data

    role = role or state.current_role()
    if page_key is not None:
        state.set_page(page_key)
    used = state.page_filters()
    choices, account = st.sidebar.container(), st.sidebar.container()
    with account:
        auth.account_panel(role)
    filters = state.sync_filters()
    options = data.filter_options()
    with choices:
        st.markdown(f":material/event: {data_as_at(role)}")
        if not used:
            st.caption("This page has no month, people or service choice: it shows everything "
                       "it describes.")
            return filters
        if not options.periods:
            st.info("No months loaded yet.")
            return filters
        if "period" in used:
            st.selectbox(
                "Month", options=list(options.periods)[::-1], format_func=state.period_label,
                key=state.widget_key("period"), on_change=state.on_filter_change,
                help="The reporting month: figures are at its last day.",
            )
        if "scope" in used:
            st.radio(
                "People", options=list(state.SCOPES), format_func=state.SCOPE_LABELS.get,
                key=state.widget_key("scope"), on_change=state.on_filter_change,
                help="Qualified social workers is the population the DfE publishes figures for.",
            )
        if "service" in used:
            st.selectbox(
                "Service", options=[state.ALL, *options.services],
                format_func=lambda v: "All services" if v == state.ALL else v,
                key=state.widget_key("service"), on_change=state.on_filter_change,
            )
        if "team" in used and state.can_see_teams(role):
            service = st.session_state.get(state.widget_key("service"))
            teams = (
                options.teams.get(service, ())
                if service not in (None, state.ALL)
                else sorted({t for ts in options.teams.values() for t in ts})
            )
            st.selectbox(
                "Team", options=[state.ALL, *teams],
                format_func=lambda v: "All teams" if v == state.ALL else v,
                key=state.widget_key("team"), on_change=state.on_filter_change,
            )
        st.caption("The link in the address bar keeps these choices, so you can share this view.")
    return state.get_filters()


def stop_if_nothing_loaded(filters) -> None:
    """Say so in words and stop the page when no month is loaded yet (never draw empty charts)."""
    if not filters.period:
        st.info("No months are loaded yet.")
        st.stop()


def theme_summary_markdown(summary: pd.DataFrame) -> str:
    """The theme summary as a Markdown table whose theme names link to their sections."""
    from ui.data import slug

    if summary.empty:
        return "No themes are defined."
    cols = [c for c in summary.columns if c != "Theme"]
    lines = ["| Theme | " + " | ".join(cols) + " |", "| --- | " + " | ".join("---:" if c != cols[-1] else "---"
                                                                            for c in cols) + " |"]
    for r in summary.to_dict("records"):
        cells = [str(r[c]) if r[c] not in (0, None) or c == "Measures" else "—" for c in cols]
        lines.append(f"| [{r['Theme']}](#{slug(r['Theme'])}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


#: Screen widths (px) of the measures tables' columns (ui.data.measures_table), so at 1440 px
#: everything up to "Small group" fits beside the sidebar (about 980 px); the measure's name stays pinned when
#: the benchmark columns are scrolled to. Downloads are unaffected.
MEASURE_WIDTHS = {
    "Measure": 220, "Value": 60, "Unit": 100, "Target": 160, "Status": 130, "Over 12 months": 110,
    "Change on a year ago": 130, "Period covered": 140, "People": 65, "Small group": 100,
    "England": 75, "Statistical-neighbour median": 120, "Compared with neighbours": 430,
}
MEASURE_LABELS = {"Statistical-neighbour median": "Neighbours' median", "Period covered": "Period",
                  "Change on a year ago": "Change on a year"}


def measure_columns(frame: pd.DataFrame) -> dict:
    """Column config for a measures table: widths, shorter headings, the measure pinned."""
    out = {}
    for col in frame.columns:
        if col in MEASURE_WIDTHS:
            # a plain Column: a typed one would re-read "%" or "c" cells as numbers
            out[col] = st.column_config.Column(MEASURE_LABELS.get(col, col), width=MEASURE_WIDTHS[col],
                                               pinned=col == "Measure")
    return out


def theme_counts_line(row) -> str:
    """One theme's summary row in a line: '**2 off target** · 1 close · 1 on target · 1 no target
    (steady)'; parts that are zero are left out."""
    parts = []
    for col, words in (("Off", "off target"), ("Close", "close to target"), ("On", "on target"),
                       ("Not enough data", "not enough data"), ("No target", "without a target")):
        n = int(row.get(col, 0) or 0)
        if n:
            text = f"{n} {words}"
            parts.append(f"**{text}**" if col in ("Off", "Close") else text)
    travel = row.get("Without a target, over 12 months")
    if isinstance(travel, str) and travel not in ("", "—") and parts:
        parts[-1] += f" ({travel} over 12 months)" if "without a target" in parts[-1] else ""
    return " · ".join(parts) or "No measures."


BUSY_MESSAGE = ("The dashboard's figures are being updated (a load by {who} is running). Try again "
                "in a moment: the page will then show the new figures.")


def store_busy(exc: Exception) -> None:
    """What a visitor sees while a load holds the store: a calm note and a retry, not an error box."""
    st.info(BUSY_MESSAGE.format(who=getattr(exc, "holder", "another program")),
            icon=":material/hourglass_top:")
    st.button("Try again", key="store_busy_retry", icon=":material/refresh:")
