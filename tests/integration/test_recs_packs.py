"""Meeting packs on a copy of the demo store: freeze, then restate after a later load.

Why: members minute decisions against the figures in their papers. A pack must keep exactly what
was published (with the loads and definition version behind it) and, when a later load changes a
month, say "restated: was X, now Y" with both figures right.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ingest.loader import load_file
from store import connect
from metrics import engine
from recommendations import packs
from recommendations.links import format_value
from recommendations.model import Actor, PackError
from tests.downloaded import head_row
from tests.e2e.workbooks import month_frames, workbook_bytes

IDS = ["agency_rate_fte", "vacancy_rate_fte", "turnover_rate_fte_12m"]


@pytest.fixture
def con(copy_demo_db: Path):
    c = connect(copy_demo_db)
    yield c
    c.close()


def figure(con, metric_id: str, period: date, scope: str = "social_workers") -> float:
    f = engine.compute(con, period=period, scope=scope, metric_ids=[metric_id])
    return float(f[(f["metric_id"] == metric_id) & f["group"].isna()]["value"].iloc[0])


def test_publish_freezes_values_loads_and_definition_version(con):
    latest = engine.latest_period(con)
    meeting = date(latest.year, latest.month, 20)
    pid = packs.publish_pack(con, meeting_date=meeting, metric_ids=IDS, published_by=Actor(name="Scrutiny officer", role="hr"))
    header = con.execute("SELECT meeting_date, period, scope, definition_version, published_by FROM rec_packs WHERE pack_id = ?",
                         [pid]).fetchone()
    assert header == (meeting, latest, "social_workers", packs.DEFINITION_VERSION, "Scrutiny officer")
    items = con.execute("SELECT metric_id, period, value, numerator, denominator, load_ids, definition_version "
                        "FROM rec_pack_items WHERE pack_id = ? ORDER BY position", [pid]).fetchall()
    assert [i[0] for i in items] == IDS
    for metric_id, period, value, num, den, load_ids, version in items:
        assert period == latest and version == packs.DEFINITION_VERSION
        assert value == pytest.approx(figure(con, metric_id, latest))
        assert value == pytest.approx(num / den)
    active = {p: l for l, p in con.execute("SELECT load_id, period FROM loads WHERE active").fetchall()}
    assert json.loads(items[0][5]) == [active[latest]]             # a month-end measure: its month's load
    assert len(json.loads(items[2][5])) == 12                       # turnover: the 12 months to month end
    assert set(json.loads(items[2][5])) <= set(active.values())
    view = packs.get_pack(con, pack_id=pid)
    assert list(view.items["restated"]) == ["", "", ""]
    # a meeting before any data cannot have a pack; nothing is written
    with pytest.raises(PackError, match="No month is loaded at or before"):
        packs.publish_pack(con, meeting_date="2020-01-01", metric_ids=IDS, published_by="officer")
    with pytest.raises(PermissionError):
        packs.publish_pack(con, meeting_date=meeting, metric_ids=IDS, published_by=Actor(name="Cllr", role="scrutiny"))
    with pytest.raises(PackError, match="Unknown measures made_up"):
        packs.publish_pack(con, meeting_date=meeting, metric_ids=["made_up"], published_by="officer")
    assert con.execute("SELECT count(*) FROM rec_packs").fetchone()[0] == 1


def test_a_later_load_is_shown_as_restated_and_the_pack_never_changes(con, tmp_path: Path):
    latest = engine.latest_period(con)
    pid = packs.publish_pack(con, meeting_date=date(latest.year, latest.month, 25), metric_ids=IDS,
                             published_by="Scrutiny officer")
    frozen_rows = con.execute("SELECT * FROM rec_pack_items WHERE pack_id = ? ORDER BY position", [pid]).fetchall()
    was = figure(con, "agency_rate_fte", latest)

    # HR reloads the month with half the agency workers now on permanent contracts
    path = tmp_path / "corrected.xlsx"
    path.write_bytes(workbook_bytes(month_frames(period=latest.strftime("%Y-%m"), convert_agency=True)))
    result = load_file(con=con, path=path, period=latest.strftime("%Y-%m"), loaded_by="hr")
    assert result.outcome == "replaced"
    now = figure(con, "agency_rate_fte", latest)
    assert now < was

    assert con.execute("SELECT * FROM rec_pack_items WHERE pack_id = ? ORDER BY position", [pid]).fetchall() == frozen_rows
    pack = packs.get_pack(con, pack_id=pid)
    agency = pack.items[pack.items["metric_id"] == "agency_rate_fte"].iloc[0]
    assert agency["shown"] == format_value(was, "rate")
    assert agency["restated"] == f"restated: was {format_value(was, 'rate')}, now {format_value(now, 'rate')}"
    assert agency["restated"] == f"restated: was {was * 100:.1f}%, now {now * 100:.1f}%"
    table = packs.pack_table(pack)
    assert table.loc[0, "Restated"] == agency["restated"]
    # what a committee needs, and no internal ids (those are in the provenance table)
    assert list(table.columns) == ["Measure", "Theme", "Month", "Value", "Target", "Status",
                                   "Change on a year ago", "People", "Restated", "Why hidden"]
    assert table.loc[0, "Target"] == "at most 20%"
    assert table.loc[0, "Status"] == ("On target" if was <= 0.20 else
                                      "Close to target" if was <= 0.25 else "Off target")
    assert int(table.loc[0, "People"]) == int(frozen_rows[0][13])
    assert packs.provenance_table(pack).loc[0, "Loads"] == str(json.loads(frozen_rows[0][14])[0])

    from recommendations.seed import seed_if_empty

    seed_if_empty(con)  # the tracker, as the page seeds it, so the pack can summarise it
    html = packs.pack_html(con, pack_id=pid)
    assert "Herefordshire Council" in html and "Children and Young People Scrutiny Committee" in html
    assert f"Meeting date: <strong>{latest:%-d} " not in html  # meeting is the 25th, not the 1st
    assert f"Meeting date: <strong>25 {latest:%B %Y}</strong>" in html
    assert agency["restated"] in html and "<h2>3. Definitions</h2>" in html
    assert "Some figures have been restated" in html
    assert "UTC" not in html and "(UK time)" in html
    assert "<h2>2. The committee's recommendations</h2>" in html and "Of 49 recommendations since September 2023" in html
    body = html[:html.index("<footer>")]
    assert "Definition version" not in body and "catalogue-" not in body and "loads " not in body

    wb = load_workbook(io.BytesIO(packs.pack_xlsx_bytes(con, pack_id=pid)))
    ws = wb["Figures"]
    top = head_row(ws)  # under the header block
    first = top + 1
    header = [c.value for c in ws[top]]
    assert header[:4] == ["Measure", "Theme", "Month", "Value"]
    assert ws.cell(row=first, column=1).value == "Agency share of FTE"
    # a number with a percentage format, not the text "18.3%"
    assert ws.cell(row=first, column=4).value == pytest.approx(was)
    assert ws.cell(row=first, column=4).number_format == "0.0%"
    assert header[4] == "Unit" and ws.cell(row=first, column=5).value == "%"
    assert ws.cell(row=first, column=header.index("Restated") + 1).value == agency["restated"]
    assert ws.cell(row=first, column=1).alignment.wrap_text and ws.column_dimensions["A"].width >= 30
    assert "Definitions" in wb.sheetnames
    prov = wb["Provenance"]
    assert prov.sheet_state == "hidden" and "Loads" in [c.value for c in prov[head_row(prov)]]
    assert "UTC" not in ws.cell(row=1, column=1).value


def test_the_pack_is_a_real_pdf_laid_out_like_a_committee_paper(con):
    from recommendations.model import Actor
    from recommendations.seed import seed_if_empty

    seed_if_empty(con)
    latest = engine.periods(con)[-1]
    pid = packs.publish_pack(con, meeting_date=latest.replace(day=25), metric_ids=["agency_rate_fte", "avg_caseload"],
                             published_by=Actor(name="Scrutiny officer", role="hr"))
    pdf = packs.pack_pdf_bytes(con, pack_id=pid)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    doc = packs.pack_pdf_document(con, pack_id=pid)
    assert doc.metadata.title == f"Workforce figures for the meeting on {latest.replace(day=25):%-d %B %Y}"
    assert 1 <= len(doc.pages) <= 4 and doc.pages[0].width > doc.pages[0].height  # A4 landscape
    text = " ".join(_box_text(doc.pages[0]._page_box))
    assert "Herefordshire Council" in text and "Children and Young People Scrutiny Committee" in text
    assert "Agency share of FTE" in text and "at most 20%" in text


def _box_text(box):
    """Every piece of text laid out in a WeasyPrint box tree."""
    if hasattr(box, "text"):
        yield box.text
    for child in getattr(box, "children", ()):
        yield from _box_text(child)


def test_target_status_and_year_ago_are_frozen_at_publication(con, tmp_path: Path, monkeypatch):
    """A committee paper keeps the target, status and change on a year ago it was published with:
    a later change to the targets file or a reloaded year-ago month does not rewrite it (it did
    when these were re-read on viewing). A pack from before packs froze them reads today's."""
    from metrics import targets

    latest = engine.latest_period(con)
    year_ago = date(latest.year - 1, latest.month, 1)
    pid = packs.publish_pack(con, meeting_date=date(latest.year, latest.month, 25), metric_ids=IDS,
                             published_by="Scrutiny officer")
    before = packs.get_pack(con, pack_id=pid).items.set_index("metric_id")
    table_before = packs.pack_table(packs.get_pack(con, pack_id=pid)).set_index("Measure")
    agency = before.loc["agency_rate_fte"]
    assert agency["target"] == pytest.approx(targets.load_targets()["agency_rate_fte"].value)
    assert agency["year_ago"] == pytest.approx(figure(con, "agency_rate_fte", year_ago))
    assert agency["status"] in ("green", "amber", "red")

    # the targets change (a stricter agency target) and the year-ago month is reloaded corrected
    stricter = tmp_path / "targets.toml"
    stricter.write_text('[agency_rate_fte]\nvalue = 0.01\ndirection = "lower"\n', encoding="utf-8")
    monkeypatch.setattr(targets, "DEFAULT_TARGETS_PATH", stricter)
    assert targets.load_targets()["agency_rate_fte"].value == 0.01
    was_ago = figure(con, "agency_rate_fte", year_ago)
    path = tmp_path / "corrected.xlsx"
    path.write_bytes(workbook_bytes(month_frames(period=year_ago.strftime("%Y-%m"), convert_agency=True)))
    assert load_file(con=con, path=path, period=year_ago.strftime("%Y-%m"), loaded_by="hr").outcome == "replaced"
    assert figure(con, "agency_rate_fte", year_ago) != pytest.approx(was_ago)

    after = packs.get_pack(con, pack_id=pid).items.set_index("metric_id")
    for col in ("target", "direction", "status", "year_ago"):
        assert list(after[col]) == list(before[col]), col
    table_after = packs.pack_table(packs.get_pack(con, pack_id=pid)).set_index("Measure")
    for col in ("Target", "Status", "Change on a year ago"):
        assert list(table_after[col]) == list(table_before[col]), col

    # a pack published before migration 61 has nothing frozen: it is read with today's context
    con.execute("UPDATE rec_pack_items SET target = NULL, status = NULL, year_ago = NULL, "
                "year_ago_hidden = NULL, context_frozen = NULL WHERE pack_id = ?", [pid])
    old = packs.get_pack(con, pack_id=pid).items.set_index("metric_id")
    assert old.loc["agency_rate_fte", "target"] == pytest.approx(0.01)
    assert old.loc["agency_rate_fte", "year_ago"] == pytest.approx(figure(con, "agency_rate_fte", year_ago))


def test_a_septembers_change_on_a_year_ago_reads_x_where_the_year_before_is_not_published(con):
    """The early-leaver rate is published for the year to 30 September with all 12 months loaded
    (disclosure.policy.YEAR_TO_SEPTEMBER). Demo, all staff, September 2025: 25 early leavers of 90
    (27.8%, published); a year earlier, September 2024, covers 11 loaded months (the demo starts
    in November 2023), so its figure reads "x": the change on a year ago reads "x" (not
    available) with the legend's words, not "c" (which says a figure was hidden to protect a few
    people). It did read "c". Social workers, September 2026 (31.3%, 5 of 16): the year before,
    September 2025, is published but hidden ("c", secondary: the measure history hides it), so
    the change reads "c" as before. A pack published before packs recorded why (no year_ago
    row) reads "c", as it was published."""
    from disclosure import legend

    early = "early_leaver_rate_12m"
    # the preview before freezing shows the same change and why (issue 10 item 3)
    preview = packs.preview_pack(con, meeting_date=date(2025, 10, 20), metric_ids=[early, "agency_rate_fte"],
                                 scope="all_staff", period="2025-09").set_index("Measure")
    pid = packs.publish_pack(con, meeting_date=date(2025, 10, 20), metric_ids=[early, "agency_rate_fte"],
                             published_by="Scrutiny officer", scope="all_staff", period="2025-09")
    pack = packs.get_pack(con, pack_id=pid)
    table = packs.pack_table(pack).set_index("Measure")
    label = dict(zip(pack.items["metric_id"], pack.items["label"]))[early]
    row = table.loc[label]
    assert row["Value"] == "27.8%" and row["Change on a year ago"] == "x"
    assert "not available (x)" in row["Why hidden"] and "30 September" in row["Why hidden"]
    assert preview.loc[label, "Value"] == "27.8%" and preview.loc[label, "Change on a year ago"] == "x"
    assert "not available (x)" in preview.loc[label, "Why"] and "30 September" in preview.loc[label, "Why"]
    # the agency share a year earlier is published: the preview prints the change the pack prints
    agency = dict(zip(pack.items["metric_id"], pack.items["label"]))["agency_rate_fte"]
    assert preview.loc[agency, "Change on a year ago"] == table.loc[agency, "Change on a year ago"]
    assert preview.loc[agency, "Change on a year ago"] not in ("x", "c", "—")
    recorded = con.execute("SELECT metric_id, cell, reason FROM rec_pack_disclosure WHERE pack_id = ?", [pid]).fetchall()
    assert (early, "year_ago", "not_available") in recorded
    notes = packs.disclosure_notes(pack)
    assert any(n.startswith("x = not available") for n in legend()) and set(legend()) <= set(notes)
    assert any("change on a year ago reads x" in n for n in notes)
    assert not any("reads c where" in n for n in notes)
    wb = load_workbook(io.BytesIO(packs.pack_xlsx_bytes(con, pack_id=pid)))
    sheet = [[c.value for c in r] for r in wb["Figures"].iter_rows()]
    head = next(r for r in sheet if r and "Change on a year ago" in r)
    assert next(r for r in sheet if r and r[0] == label)[head.index("Change on a year ago")] == "x"
    assert ">x<" in packs.pack_html(con, pack_id=pid)
    # read without suppression (exact figures) the year before is still not published: "x"
    exact = packs.pack_table(packs.get_pack(con, pack_id=pid, suppress=False)).set_index("Measure")
    assert exact.loc[label, "Change on a year ago"] == "x" and "not available (x)" in exact.loc[label, "Why hidden"]

    # the year before published but hidden: "c", as before
    sw = packs.publish_pack(con, meeting_date=date(2026, 10, 20), metric_ids=[early], published_by="Scrutiny officer",
                            period="2026-09")
    row = packs.pack_table(packs.get_pack(con, pack_id=sw)).iloc[0]
    assert row["Value"] == "31.3%" and row["Change on a year ago"] == "c"
    assert "would give back a figure hidden a year ago" in row["Why hidden"]
    ahead = packs.preview_pack(con, meeting_date=date(2026, 10, 20), metric_ids=[early], period="2026-09").iloc[0]
    assert ahead["Change on a year ago"] == "c" and "would give back a figure hidden a year ago" in ahead["Why"]

    # a pack published before packs recorded why (its context frozen, no year_ago cell): "c", as it
    # was published
    con.execute("DELETE FROM rec_pack_disclosure WHERE pack_id = ? AND cell = 'year_ago'", [pid])
    assert packs.pack_table(packs.get_pack(con, pack_id=pid)).set_index("Measure").loc[label, "Change on a year ago"] == "c"
