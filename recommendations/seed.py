"""Load the committee's own papers (data/recommendations.json) into a fresh tracker.

Why a data file: the recommendations are transcribed once from the published papers (Appendix 1
and the 13 June 2024 executive response) and reviewed as text; the loader only checks and
inserts. `seed_if_empty` runs on first use (page, CLI) so a new store is never an empty tracker.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from recommendations.model import ACTION_STATUSES, KINDS, SeedError, TrackerError, normalise_response
from store import record_audit

SEED_PATH = Path(__file__).resolve().parent.parent / "data" / "recommendations.json"
SEED_ACTOR = "seed (committee papers)"
SEED_ROLE = "system"


def load_seed_file(path: Path | None = None) -> dict[str, Any]:
    """The parsed seed document; a named error says which file is missing or broken."""
    p = Path(path) if path is not None else SEED_PATH
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(f"Seed file not found at {p}; restore data/recommendations.json from the repository.") from None
    except json.JSONDecodeError as exc:
        raise SeedError(f"Seed file {p} is not valid JSON (line {exc.lineno}): {exc.msg}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("meetings"), list):
        raise SeedError(f"Seed file {p} has no 'meetings' list.")
    return doc


def slug(text: str) -> str:
    """'Workforce Challenges in Children's Services' -> 'workforce-challenges-in-childrens-services'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "").replace("’", "")).strip("-")


def make_ref(*, meeting_date: date, topic: str, number: int | None, kind: str, position: int) -> str:
    """A stable, readable key for a recommendation (used by links, tests and the export)."""
    tail = str(number) if kind == "recommendation" and number is not None else f"{kind}-{position}"
    return f"{meeting_date.isoformat()}/{slug(topic)}/{tail}"


def _date(value: str | None, *, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise SeedError(f"{where}: {value!r} is not a date in YYYY-MM-DD form.") from None


def _is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM rec_recommendations").fetchone()[0] == 0


def seed_if_empty(con: duckdb.DuckDBPyConnection, *, path: Path | None = None) -> bool:
    """Create the tracker tables and, if there are no recommendations yet, load the seed.

    Returns True when the seed was loaded. All or nothing: a broken seed leaves the store empty.
    """
    if not _is_empty(con):
        return False
    doc = load_seed_file(path)
    rows = _flatten(doc)
    con.execute("BEGIN TRANSACTION")
    try:
        if not _is_empty(con):  # another process seeded between the check and the lock
            con.execute("ROLLBACK")
            return False
        _insert(con, doc, rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return True


def _flatten(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Check the document and return one dict per item, in paper order."""
    sources = doc.get("sources") or {}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for m in doc["meetings"]:
        mdate = _date(m.get("date"), where="meeting")
        if mdate is None:
            raise SeedError("A meeting in the seed file has no date.")
        for t in m.get("topics", []):
            topic = (t.get("topic") or "").strip()
            if not topic:
                raise SeedError(f"Meeting {mdate}: a topic has no name.")
            per_kind: dict[str, int] = {}
            for pos, rec in enumerate(t.get("recommendations", []), start=1):
                where = f"Meeting {mdate}, topic {topic!r}, item {pos}"
                kind = rec.get("kind", "recommendation")
                per_kind[kind] = per_kind.get(kind, 0) + 1
                if kind not in KINDS:
                    raise SeedError(f"{where}: kind {kind!r} is not one of {KINDS}.")
                if not (rec.get("text") or "").strip():
                    raise SeedError(f"{where}: no recommendation text.")
                if rec.get("source") not in sources:
                    raise SeedError(f"{where}: source {rec.get('source')!r} is not listed under 'sources'.")
                number = rec.get("number")
                ref = make_ref(meeting_date=mdate, topic=topic, number=number, kind=kind, position=per_kind[kind])
                if ref in seen:
                    raise SeedError(f"{where}: duplicate reference {ref}.")
                seen.add(ref)
                try:
                    if rec.get("response") is not None:
                        normalise_response(rec["response"])
                    for er in rec.get("earlier_responses", []):
                        normalise_response(er["response"])
                except TrackerError as exc:
                    raise SeedError(f"{where}: {exc}") from None
                for a in rec.get("actions", []):
                    _date(a.get("due_date"), where=f"{where}, action {a.get('description')!r}")
                    if a.get("status") not in ACTION_STATUSES:
                        raise SeedError(f"{where}: action status {a.get('status')!r} is not one of {ACTION_STATUSES}.")
                out.append({**rec, "meeting_date": mdate, "topic": topic, "kind": kind, "ref": ref})
    return out


def _metric_ids_for(link: dict[str, Any]) -> list[str]:
    from metrics.catalogue import CATALOGUE, by_theme

    if link.get("metrics") == "all_themes":
        return [m.id for metrics in by_theme().values() for m in metrics]
    metric_id = link.get("metric")
    if metric_id not in CATALOGUE:
        raise SeedError(f"Seed link names metric {metric_id!r}, which is not in the catalogue.")
    return [metric_id]


def _insert(con: duckdb.DuckDBPyConnection, doc: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    sources = doc.get("sources") or {}
    committee = doc.get("committee") or "Scrutiny committee"
    for mdate in sorted({r["meeting_date"] for r in rows}):
        con.execute("INSERT OR IGNORE INTO rec_meetings VALUES (?, ?)", [mdate, committee])

    def src(key: str) -> tuple[str, date | None]:
        s = sources.get(key) or {}
        return s.get("title") or key, _date(s.get("date"), where=f"source {key}")

    for r in rows:
        rec_id = con.execute("SELECT nextval('rec_id_seq')").fetchone()[0]
        title, _ = src(r["source"])
        con.execute(
            "INSERT INTO rec_recommendations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rec_id, r["ref"], r["meeting_date"], r["topic"], r.get("number"), bool(r.get("number_printed", True)),
             r["kind"], r["text"], title, r.get("note"), SEED_ACTOR, now],
        )
        responses = list(r.get("earlier_responses", []))
        if r.get("response") is not None:
            responses.append({"source": r["source"], "response": r["response"],
                              "response_as_printed": r.get("response_as_printed"),
                              "response_text": r.get("response_text")})
        for i, resp in enumerate(responses):
            rtitle, rdate = src(resp["source"])
            is_current = i == len(responses) - 1
            note = None
            if not is_current and r.get("executive_response_text"):
                note = f"Recommendation as worded in this paper: {r['executive_response_text']}"
            con.execute(
                "INSERT INTO rec_responses VALUES (nextval('rec_response_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [rec_id, normalise_response(resp["response"]), resp.get("response_as_printed"),
                 resp.get("response_text"), rtitle, rdate, note, is_current, SEED_ACTOR, now],
            )
        for a in r.get("actions", []):
            atitle, _ = src(a.get("source", r["source"]))
            con.execute(
                "INSERT INTO rec_actions VALUES (nextval('rec_action_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [rec_id, a["description"], a.get("owner"), _date(a.get("due_date"), where="action"),
                 a.get("due_text"), a.get("success_criteria"), a.get("progress"), a["status"], atitle,
                 SEED_ACTOR, now],
            )
        for link in r.get("links", []):
            for metric_id in _metric_ids_for(link):
                con.execute(
                    "INSERT INTO rec_links VALUES (nextval('rec_link_id_seq'), ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)",
                    [rec_id, metric_id, link.get("scope", "social_workers"), link.get("breakdown"),
                     bool(link.get("answers", False)), link.get("note"), SEED_ACTOR, now],
                )
    record_audit(con, actor=SEED_ACTOR, role=SEED_ROLE, action="seed", at=now,
                 entity="rec_recommendations", detail={"after": {"items": len(rows), "file": SEED_PATH.name}})
