"""The tracker seed against the committee's own papers.

Why: the tracker is only useful if it holds every recommendation the committee made and what the
executive said. The expected counts below were established by reading Appendix 1 (seeds/004) and
the 13 June 2024 executive response (seeds/000) by hand, independently of the seed file.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from metrics.catalogue import CATALOGUE
from recommendations.model import SeedError
from recommendations.seed import SEED_PATH, load_seed_file, seed_if_empty
from store import ensure_schema

TABLES = ("rec_meetings", "rec_recommendations", "rec_responses", "rec_actions", "rec_updates",
          "rec_links", "rec_packs", "rec_pack_items")

# Read off Appendix 1 (September 2023 - March 2025, version 7, 17/07/25), meeting by meeting.
EXPECTED_PER_MEETING = {
    date(2023, 9, 26): 2,    # Early Help 1; "New Herefordshire Local Transport Plan" 1
    date(2023, 11, 14): 4,   # Co-opted members 2; CAMHS 1; SEND action plan 1 (unnumbered)
    date(2024, 1, 23): 8,    # Safeguarding partnership 1; budget task and finish group 7 (unnumbered)
    date(2024, 3, 12): 5,    # Corporate parenting service 1-2; board 3 and two unnumbered
    date(2024, 5, 7): 7,     # Introduction to fostering 1-7
    date(2024, 6, 13): 8,    # Workforce challenges 1-8
    date(2024, 7, 30): 10,   # Complaints 3; Families' Commission 2; Quality assurance 3; Improvement plan 2
    date(2024, 11, 26): 2,   # Including children's voices 1-2
    date(2025, 1, 21): 3,    # Safeguarding partnership review of effectiveness 1-3
}
EXPECTED_TOPICS = {
    date(2023, 9, 26): 2, date(2023, 11, 14): 3, date(2024, 1, 23): 2, date(2024, 3, 12): 2,
    date(2024, 5, 7): 1, date(2024, 6, 13): 1, date(2024, 7, 30): 4, date(2024, 11, 26): 1,
    date(2025, 1, 21): 1,
}
# Accepted/Rejected column of Appendix 1 (Partially/Partly accepted counted together; the two
# rows with no or an unclear entry are 'Unclear'; the one row reading only 'Noted' is 'Noted').
EXPECTED_RESPONSES = {"Accepted": 37, "Partly accepted": 4, "Rejected": 5, "Noted": 1, "Unclear": 2}
WORKFORCE = "2024-06-13/workforce-challenges-in-childrens-services"


@pytest.fixture
def con(tmp_db: Path):
    c = duckdb.connect(str(tmp_db))
    assert seed_if_empty(c) is True
    yield c
    c.close()


def _rec(con, ref: str) -> dict:
    cur = con.execute("SELECT * FROM rec_recommendations WHERE ref = ?", [ref])
    row = cur.fetchone()
    assert row is not None, ref
    return dict(zip([d[0] for d in cur.description], row))


def test_every_appendix_1_recommendation_is_seeded_per_meeting(con):
    got = dict(con.execute(
        "SELECT meeting_date, count(*) FROM rec_recommendations WHERE kind = 'recommendation' GROUP BY 1"
    ).fetchall())
    assert got == EXPECTED_PER_MEETING
    assert sum(got.values()) == 49
    topics = dict(con.execute(
        "SELECT meeting_date, count(DISTINCT topic) FROM rec_recommendations GROUP BY 1").fetchall())
    assert topics == EXPECTED_TOPICS
    assert [r[0] for r in con.execute("SELECT meeting_date FROM rec_meetings ORDER BY 1").fetchall()] == sorted(EXPECTED_PER_MEETING)


def test_current_responses_match_appendix_1(con):
    got = dict(con.execute(
        "SELECT p.category, count(*) FROM rec_responses p JOIN rec_recommendations r USING (rec_id) "
        "WHERE p.current AND r.kind = 'recommendation' GROUP BY 1").fetchall())
    assert got == EXPECTED_RESPONSES
    # every recommendation has exactly one current response
    assert con.execute("SELECT count(*) FROM rec_responses WHERE current").fetchone()[0] == 49


def test_workforce_recommendations_as_printed(con):
    r7 = _rec(con, f"{WORKFORCE}/7")
    assert r7["text"] == "Additional information required: Number of agency staff who have become permanent members of staff."
    r8 = _rec(con, f"{WORKFORCE}/8")
    assert r8["text"].endswith("Number of permanent staff living in the local area, split by job type.")
    for rec in (r7, r8):
        cat, text = con.execute("SELECT category, text FROM rec_responses WHERE rec_id = ? AND current",
                                [rec["rec_id"]]).fetchone()
        assert cat == "Rejected"
        assert text.startswith("The Statutory Scrutiny Officer has requested this information from the service and has received no reply.")
    fostering1 = _rec(con, "2024-05-07/introduction-to-fostering/1")
    cat, printed = con.execute("SELECT category, as_printed FROM rec_responses WHERE rec_id = ?",
                               [fostering1["rec_id"]]).fetchone()
    assert (cat, printed) == ("Partly accepted", "Partially accepted")


def test_rec_4_disagreement_keeps_the_later_record_and_notes_it(con):
    r4 = _rec(con, f"{WORKFORCE}/4")
    rows = con.execute(
        "SELECT category, source, current FROM rec_responses WHERE rec_id = ? ORDER BY response_id", [r4["rec_id"]]
    ).fetchall()
    assert [(c, cur) for c, _, cur in rows] == [("Accepted", False), ("Partly accepted", True)]
    assert "executive responses" in rows[0][1] and rows[1][1].startswith("Appendix 1")
    assert "differ" in r4["note"] and "'Accepted'" in r4["note"] and "'Partly Accepted'" in r4["note"]
    # where the papers agree (rec 3: 'Accepted in part' and 'Partly Accepted') there is no note
    assert _rec(con, f"{WORKFORCE}/3")["note"] is None


def test_every_action_of_the_executive_response(con):
    rows = con.execute(
        "SELECT r.number, a.description, a.owner, a.due_date, a.due_text, a.success_criteria, a.progress, a.status "
        "FROM rec_actions a JOIN rec_recommendations r USING (rec_id) ORDER BY r.number, a.action_id"
    ).fetchall()
    assert [r[0] for r in rows] == [1, 2, 3, 3, 4, 5, 6]  # 000: one action each, two for rec 3
    by = {(r[0], i): r for i, r in enumerate(rows)}
    assert rows[0][2:5] == ("HR Business Partner", date(2024, 9, 30), "30 September 2024")
    assert rows[0][6:] == ("Complete", "Complete")
    assert rows[2][1] == "Promote local government and children's services careers with schools and colleges."
    assert rows[2][2:6] == ("Head of Learning and Organisational Development", date(2025, 3, 31), "Mar 2025",
                            "Established links are in place")
    assert rows[3][3] == date(2024, 12, 31) and rows[3][6].startswith("A revised work experience offer")
    assert rows[4][1].startswith("Use the Spirit of Herefordshire microsite") and rows[4][5] is None
    assert rows[6][2:4] == ("Director for strategy and transformation", date(2025, 12, 31))
    assert len(by) == 7


def test_seed_links(con):
    def links(ref):
        return con.execute(
            "SELECT metric_id, scope, breakdown, answers FROM rec_links l JOIN rec_recommendations r USING (rec_id) "
            "WHERE r.ref = ? ORDER BY link_id", [ref]).fetchall()

    assert {m for m, *_ in links(f"{WORKFORCE}/1")} == set(CATALOGUE)
    assert links(f"{WORKFORCE}/7") == [("agency_conversions_12m", "all_staff", None, True)]
    assert links(f"{WORKFORCE}/8") == [("local_residence_rate", "all_staff", "role_group", True)]
    commitment = con.execute("SELECT ref, text, note FROM rec_recommendations WHERE kind = 'commitment'").fetchall()
    assert len(commitment) == 1 and "80:20" in commitment[0][1]
    assert links(commitment[0][0]) == [("agency_rate_fte", "social_workers", None, False)]


def test_seed_text_is_in_the_paper(con, reference_dir: Path):
    """Every word of each recommendation appears, in order, in Appendix 1 (a transcription check).

    The paper is a scanned two-column table, so the response column interleaves with the
    recommendation text; the words must still follow one another within a short span.
    """
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "", text.lower())

    papers = norm((reference_dir / "seeds" / "004_4a992c78603b6882.txt").read_text(encoding="utf-8"))

    def found_in_order(text: str) -> bool:
        words = re.findall(r"[a-z0-9]+", text.lower())
        start = papers.find("".join(words[:3]))
        while start != -1:
            pos, ok = start, True
            for w in words:
                nxt = papers.find(w, pos)
                if nxt == -1 or nxt - pos > 400:
                    ok = False
                    break
                pos = nxt + len(w)
            if ok:
                return True
            start = papers.find("".join(words[:3]), start + 1)
        return False

    missing = [ref for ref, text in con.execute(
        "SELECT ref, text FROM rec_recommendations WHERE kind = 'recommendation'").fetchall()
        if not found_in_order(text)]
    assert missing == []


def test_seed_is_loaded_once(con):
    n = con.execute("SELECT count(*) FROM rec_recommendations").fetchone()[0]
    assert seed_if_empty(con) is False
    assert con.execute("SELECT count(*) FROM rec_recommendations").fetchone()[0] == n == 50


def test_broken_seed_file_loads_nothing(tmp_db: Path, tmp_path: Path):
    doc = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    doc["meetings"][-1]["topics"][0]["recommendations"][0]["response"] = "Maybe"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    con = duckdb.connect(str(tmp_db))
    with pytest.raises(SeedError, match="Unknown response 'Maybe'"):
        seed_if_empty(con, path=bad)
    assert con.execute("SELECT count(*) FROM rec_recommendations").fetchone()[0] == 0
    with pytest.raises(SeedError, match="not found"):
        load_seed_file(tmp_path / "missing.json")


def test_schema_is_idempotent(tmp_db: Path):
    con = duckdb.connect(str(tmp_db))
    ensure_schema(con)
    ensure_schema(con)
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(TABLES) <= names
