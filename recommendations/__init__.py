"""Scrutiny recommendations tracker (DESIGN §5): seeded from the committee's papers, linked to the
measures they should move, with frozen meeting packs. No Streamlit here (views/tracker.py
draws it).

Modules (tables: store/migrations, prefix rec_): `model` (vocabulary, `Actor`, errors,
`is_overdue`), `seed` (`seed_if_empty` from data/recommendations.json), `service` (reads, and
role-checked, audited writes), `links` (value when made / now, answers), `packs`
(`publish_pack`, restatement, xlsx/HTML), `export` (Appendix-1 workbook), `figures` (meeting mark
on a trend). CLI: `python -m recommendations export --db PATH --out FILE.xlsx`.

Decisions where the issue was silent:
- The 80:20 commitment is in neither response paper nor any recommendation: the committee was told
  of it at the 13 June 2024 meeting (meeting summary). It is tracked as a 'commitment' item of that
  meeting (not counted as a recommendation) and linked to agency_rate_fte.
- Unnumbered rows of Appendix 1 are numbered by position and say so in their note; response words
  are normalised ('Partially accepted' -> 'Partly accepted') with the printed word kept.
- "Value when made" is the month of the meeting, or the month after, if loaded; otherwise
  "not loaded then" (no borrowing of a later month). Values are computed from the data as they
  stand; the snapshot taken when a link is added is kept in rec_links.
- Overdue: due date before today and status not Complete/Withdrawn; month-only due dates
  ('Mar 2025') fall due on the month's last day.
- Packs: figures of the latest month loaded at or before the meeting; restated when the value
  computed now for the same month differs from the frozen one by more than 1e-9.
"""
