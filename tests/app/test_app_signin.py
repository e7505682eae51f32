"""Sign-in mode in AppTest with a set st.user: the sign-in page opens nothing, the role comes from
the ID token's claim (widest wins), no role means no access, WORKFORCE_ROLE grants nothing, the
idle timeout asks for sign-in again, and the audit trail names the person.

The whole flow against a real OIDC provider in a browser is tests/e2e/test_e2e_signin.py."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "dashboard", "client_secret": "s",
                 "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}}
NOW = 1_800_000_000.0


def person(sub: str, roles=None, **claims) -> dict:
    """st.user as Streamlit fills it from an ID token (iat: issued a minute ago)."""
    user = {"is_logged_in": True, "sub": sub, "iss": "http://localhost:9", "aud": "dashboard",
            "iat": int(NOW - 60), "exp": int(NOW + 3600), "email": f"{sub}@council.example",
            "name": f"Name of {sub}", **claims}
    if roles is not None:
        user["roles"] = roles
    return user


@pytest.fixture
def signin(monkeypatch: pytest.MonkeyPatch, copy_demo_db: Path):
    """Sign-in mode (no WORKFORCE_DEMO) on a private demo store, with a fixed clock."""
    from ui import auth, db

    monkeypatch.delenv("WORKFORCE_DEMO", raising=False)
    monkeypatch.setenv("WORKFORCE_ROLE", "hr")  # must grant nothing outside demo mode
    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    monkeypatch.setattr(auth, "_now", lambda: NOW)
    db.clear_caches()
    yield copy_demo_db
    db.clear_caches()


def run_app(user: dict | None, *, secrets: dict | None = AUTH, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if secrets:
        at.secrets.update(secrets)
    at.user = user if user is not None else {"is_logged_in": False}
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def audit_rows(db: Path) -> list[tuple]:
    from ui import db as uidb

    uidb.clear_caches()
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT actor, actor_subject, role, action, detail FROM audit ORDER BY id").fetchall()
    finally:
        con.close()
    return [(a, s, r, act, json.loads(d or "{}")) for a, s, r, act, d in rows]


def menu_has(at: AppTest, key: str) -> bool:
    try:
        at.switch_page(f"views/{key}.py")
    except ValueError:
        return False
    return True


def text_of(at: AppTest) -> str:
    parts = [*at.title, *at.markdown, *at.info, *at.warning, *at.error, *at.caption,
             *at.sidebar.markdown, *at.sidebar.caption]
    return " ".join(str(p.value) for p in parts)


def test_sign_in_page_shows_the_name_and_a_button_and_opens_no_store(signin, monkeypatch, tmp_path):
    db = tmp_path / "never" / "workforce.duckdb"
    monkeypatch.setenv("WORKFORCE_DB", str(db))
    st.cache_resource.clear()
    at = run_app(None)
    assert [t.value for t in at.title] == ["Children's Workforce Dashboard"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.sidebar.selectbox and not at.sidebar.button and not at.metric and not at.dataframe
    # the accessibility statement is reachable before sign-in, with the configured contact
    [statement] = [e for e in at.expander if e.label == "Accessibility statement"]
    words = " ".join(m.value for m in statement.markdown)
    assert "## Enforcement procedure" in words and "mailto:workforce.dashboard@council.example" in words
    at.switch_page("views/overview.py").run()  # a deep link: still only the sign-in page
    assert [t.value for t in at.title] == ["Children's Workforce Dashboard"] and not at.metric
    assert not db.exists() and not db.parent.exists()  # the store was never opened


def test_without_auth_settings_and_without_demo_mode_nothing_is_shown(signin, monkeypatch, tmp_path):
    db = tmp_path / "never" / "workforce.duckdb"
    monkeypatch.setenv("WORKFORCE_DB", str(db))
    at = run_app(person("hr1", ["hr"]), secrets=None)
    assert "Sign-in is not set up" in at.error[0].value
    assert not at.button and not at.metric and not db.exists()


def test_hr_person_gets_hr_and_the_audit_names_them(signin):
    at = run_app(person("hr1", ["hr"]))
    assert menu_has(at, "upload") and menu_has(at, "data_quality")
    assert "Signed in as **hr1@council.example** · role: **HR**" in text_of(at)
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert not [s for s in at.sidebar.selectbox if s.label.startswith("Demo")]  # no role picker
    rows = [r for r in audit_rows(signin) if r[3] == "sign-in"]
    assert rows == [("hr1@council.example", "hr1", "hr", "sign-in", {})]  # nothing else of the token


def test_sign_out_is_audited_and_ends_the_sign_in(signin):
    at = run_app(person("out1", ["scrutiny"]))
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert not at.exception
    at.run()  # the browser comes back from the provider's sign-out
    assert [t.value for t in at.title] == ["Children's Workforce Dashboard"]
    assert [b.label for b in at.button] == ["Sign in"]  # st.logout cleared st.user
    rows = [r for r in audit_rows(signin) if r[0] == "out1@council.example"]
    assert [r[3] for r in rows] == ["sign-in", "sign-out"]
    assert rows[1][:3] == ("out1@council.example", "out1", "scrutiny")
    again = run_app(person("out1", ["scrutiny"]))  # the same token again (another tab): ended
    assert "Your session has ended" in text_of(again)


def test_widest_of_several_roles_wins_and_the_sidebar_says_so(signin):
    at = run_app(person("multi", ["scrutiny", "leadership", "not-a-role"]))
    assert "role: **Leadership** (the widest you hold; also Scrutiny member)" in text_of(at)
    assert menu_has(at, "data_quality") and not menu_has(at, "upload")


def test_scrutiny_person_with_workforce_role_hr_is_still_scrutiny(signin):
    at = run_app(person("member", ["scrutiny"]))
    assert "role: **Scrutiny member**" in text_of(at)
    assert not menu_has(at, "upload") and not menu_has(at, "data_quality")


def test_upload_by_url_is_refused_and_audited_as_denied(signin, monkeypatch):
    """A page outside the menu cannot be run: the page guard refuses it on the server too."""
    from ui import state

    at = run_app(person("lead", ["leadership"]))
    seen = []
    monkeypatch.setattr(state.auth, "audit", lambda action, **kw: seen.append((action, kw)))
    # run the page file directly, as a URL to it would if the menu were bypassed
    page = AppTest.from_file(str(Path(APP).parent / "views" / "upload.py"), default_timeout=60)
    page.secrets.update(AUTH)
    page.user = person("lead", ["leadership"])
    page.run()
    assert "not available to the leadership role" in page.error[0].value
    assert not page.get("file_uploader")
    assert seen == [("denied", {"role": "leadership", "detail": {"action": "page:upload"}})]


def test_an_address_to_a_page_outside_the_role_is_explained_and_audited(signin):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets.update(AUTH)
    at.user = person("lead2", ["leadership"])
    at.context["url"] = "http://localhost:8501/upload"
    at.run()
    assert not at.exception
    assert "That page is not available to the leadership role." in [e.value for e in at.error]
    assert not at.get("file_uploader")
    at.run()  # said once per session, audited once
    denied = [r for r in audit_rows(signin) if r[3] == "denied"]
    assert denied == [("lead2@council.example", "lead2", "leadership", "denied",
                       {"action": "page:upload", "by": "address"})]


def test_person_with_no_recognised_role_sees_no_access_and_no_data(signin):
    at = run_app(person("nobody", ["Some.Other.App"]))
    body = text_of(at)
    assert "You have no access to this dashboard; ask your HR business partner." in body
    assert not at.metric and not at.dataframe and not at.sidebar.selectbox
    assert [b.label for b in at.button] == ["Sign out"]
    at.switch_page("views/overview.py").run()  # a deep link: still no access
    assert "You have no access" in text_of(at) and not at.metric
    rows = audit_rows(signin)
    assert ("nobody@council.example", "nobody", None, "denied", {"reason": "no recognised role"}) in rows
    assert not [r for r in rows if r[3] == "sign-in" and r[0].startswith("nobody")]


def test_groups_claim_and_mapping_from_the_access_settings(signin, monkeypatch, tmp_path):
    conf = tmp_path / "access.toml"
    conf.write_text('role_claim = "groups"\n[roles]\n"5f1c-hr-group" = "hr"\n"77aa-members" = "scrutiny"\n')
    monkeypatch.setenv("WORKFORCE_ACCESS", str(conf))
    at = run_app(person("g1", roles=["hr"], groups=["77aa-members"]))  # the roles claim is ignored now
    assert "role: **Scrutiny member**" in text_of(at)
    at = run_app(person("g2", groups=["5f1c-hr-group"]))
    assert menu_has(at, "upload")


def test_idle_session_asks_to_sign_in_again(signin, monkeypatch):
    from ui import auth

    monkeypatch.setenv("WORKFORCE_ACCESS", str(_settings(signin.parent, idle_minutes=30)))
    at = run_app(person("idle", ["leadership"]))
    assert menu_has(at, "overview")
    monkeypatch.setattr(auth, "_now", lambda: NOW + 29 * 60)   # active within 30 minutes
    at.run()
    assert "role: **Leadership**" in text_of(at)
    monkeypatch.setattr(auth, "_now", lambda: NOW + 29 * 60 + 31 * 60)  # then idle 31 minutes
    at.run()
    assert "Your session has ended after 30 minutes without activity" in text_of(at)
    assert [b.label for b in at.button] == ["Sign in again"]
    assert not at.metric
    at2 = run_app(person("idle", ["leadership"]))  # another tab with the same cookie: still ended
    assert "Your session has ended" in text_of(at2)
    rows = [r for r in audit_rows(signin) if r[0] == "idle@council.example"]
    assert [r[3] for r in rows] == ["sign-in", "sign-out"]
    assert rows[1][1:] == ("idle", "leadership", "sign-out", {"reason": "idle timeout"})


def test_demo_mode_has_a_role_picker_and_a_banner(monkeypatch, copy_demo_db):
    from ui import db

    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    db.clear_caches()
    at = AppTest.from_file(APP, default_timeout=60).run()
    picker = next(s for s in at.sidebar.selectbox if s.label == "Demo: view as")
    assert picker.value == "scrutiny" and not menu_has(at, "upload")
    assert "Demo mode" in at.warning[0].value
    picker.set_value("hr").run()
    assert menu_has(at, "upload")
    at.switch_page("views/upload.py").run()
    assert "Demo mode" in at.warning[0].value  # the banner is on every page
    assert not at.sidebar.button  # no sign-out in demo mode
    db.clear_caches()


def _settings(folder: Path, *, idle_minutes: float) -> Path:
    path = folder / "access-idle.toml"
    path.write_text(f"idle_timeout_minutes = {idle_minutes}\n")
    return path


def test_demo_mode_refuses_a_store_holding_real_loads(monkeypatch, copy_demo_db, tmp_path):
    from store import connect
    from tests.e2e.workbooks import latest_loaded, month_frames, next_month, workbook_bytes
    from ingest.loader import load_file
    from ui import db

    period = next_month(latest_loaded(copy_demo_db))
    path = tmp_path / "real.xlsx"
    path.write_bytes(workbook_bytes(month_frames(period=period)))
    con = connect(copy_demo_db)
    try:
        load_file(con=con, path=path, period=period, loaded_by="hr@council.example")
    finally:
        con.close()
    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    monkeypatch.setenv("WORKFORCE_ROLE", "hr")
    db.clear_caches()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Demo mode will not start on this store: it holds real loads" in at.error[0].value
    assert not at.metric and not at.sidebar.selectbox
    at.switch_page("views/overview.py").run()
    assert not at.metric
    db.clear_caches()


def test_a_load_and_an_export_name_the_signed_in_person(signin, monkeypatch, tmp_path):
    """Uploads record the person (and subject id) and role; an export is recorded when its file
    is built, naming the person captured when the button was drawn."""
    from tests.e2e.workbooks import latest_loaded, month_frames, next_month, workbook_bytes
    from ui import auth, db, downloads, upload
    import pandas as pd

    at = run_app(person("hr9", ["hr"]))
    monkeypatch.setattr(auth.st, "user", _FakeUser(person("hr9", ["hr"])))
    period = next_month(latest_loaded(signin))
    with db.open_cursor() as cur:
        upload.confirm_upload(con=cur, data=workbook_bytes(month_frames(period=period)),
                              file_name=f"extract-{period}.xlsx", period=period,
                              loaded_by=auth.current_person().actor)
    built = {}
    monkeypatch.setattr(downloads.st, "download_button", lambda label, *, data, **kw: built.setdefault(label, data))
    downloads.download_table(pd.DataFrame({"Team": ["A"], "People": [12]}), name="Headcount by team",
                             key="t", disclosure=downloads.people(counts=["People"]))
    assert b"Team" in built["Download CSV"]()  # the deferred file, built as on a click
    rows = audit_rows(signin)
    load = [r for r in rows if r[3] == "load"][-1]
    assert load[:4] == ("hr9@council.example", "hr9", "hr", "load") and load[4]["period"] == period
    export = next(r for r in rows if r[3] == "export")
    assert export == ("hr9@council.example", "hr9", "hr", "export", {"what": "Headcount by team", "format": "csv"})
    assert "role: **HR**" in text_of(at)


class _FakeUser:
    """st.user outside a script run (the data functions read it the same way)."""

    def __init__(self, info: dict) -> None:
        self._info = info

    def to_dict(self) -> dict:
        return dict(self._info)


# --- a command-line load holds the store: the entry is kept beside it, never lost ---------------


def _held(db: Path, monkeypatch):
    """A real second process holding the store (as a load does); pages wait 0.3 s for it."""
    from tests.integration.test_store_busy import hold

    monkeypatch.setenv("WORKFORCE_PAGE_WAIT", "0.3")
    return hold(db, 120)


def _release(proc) -> None:
    proc.kill()
    proc.wait(timeout=10)


def test_a_sign_in_while_a_load_holds_the_store_is_recorded_when_it_ends(signin, monkeypatch):
    from store import spool_path, utc_now

    holder = _held(signin, monkeypatch)
    try:
        started = utc_now()
        at = run_app(person("busy1", ["hr"]))
        assert "being updated (a load by the test holder is running)" in text_of(at)
        kept = spool_path(signin).read_text()
        assert '"actor": "busy1@council.example"' in kept and '"action": "sign-in"' in kept
        assert "Name of busy1" not in kept and "iat" not in kept  # nothing else of the token
        at.run()  # a second view while still busy: the sign-in is not kept twice
        assert spool_path(signin).read_text() == kept
    finally:
        _release(holder)
    assert not [r for r in audit_rows(signin) if r[0] == "busy1@council.example"]
    at.run()  # the next page view opens the store for writing: the kept entry is recorded
    assert "role: **HR**" in text_of(at)
    rows = [r for r in audit_rows(signin) if r[0] == "busy1@council.example"]
    assert [r[:4] for r in rows] == [("busy1@council.example", "busy1", "hr", "sign-in")]
    assert set(rows[0][4]) == {"spool"}
    assert not spool_path(signin).exists()
    con = duckdb.connect(str(signin), read_only=True)
    try:
        [(when,)] = con.execute("SELECT \"at\" FROM audit WHERE actor = 'busy1@council.example'").fetchall()
    finally:
        con.close()
    assert started <= when <= started + (utc_now() - started)  # the time it happened, not when copied


def test_sign_out_and_an_export_while_a_load_holds_the_store_happen_and_are_recorded(signin, monkeypatch):
    import pandas as pd

    from store import spool_path
    from ui import auth, downloads

    at = run_app(person("busy2", ["leadership"]))
    monkeypatch.setattr(auth.st, "user", _FakeUser(person("busy2", ["leadership"])))
    built = {}
    monkeypatch.setattr(downloads.st, "download_button", lambda label, *, data, **kw: built.setdefault(label, data))
    downloads.download_table(pd.DataFrame({"Team": ["A"], "People": [12]}), name="Headcount by team",
                             key="t", disclosure=downloads.people(counts=["People"]))
    monkeypatch.undo()
    monkeypatch.setenv("WORKFORCE_DB", str(signin))
    monkeypatch.delenv("WORKFORCE_DEMO", raising=False)
    monkeypatch.setattr(auth, "_now", lambda: NOW)
    holder = _held(signin, monkeypatch)
    try:
        assert b"Team" in built["Download CSV"]()  # the file is made while the store is held
        next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
        assert not at.exception
        at.run()
        assert [b.label for b in at.button] == ["Sign in"]  # signed out although the store was busy
        assert [json.loads(x)["action"] for x in spool_path(signin).read_text().splitlines()] == ["export", "sign-out"]
    finally:
        _release(holder)
    run_app(person("next2", ["scrutiny"]))  # anyone's next page view records them
    rows = [r for r in audit_rows(signin) if r[0] == "busy2@council.example"]
    assert [r[3] for r in rows] == ["sign-in", "export", "sign-out"]
    assert rows[1][4]["what"] == "Headcount by team" and rows[2][2] == "leadership"


def test_when_neither_the_store_nor_the_spool_can_be_written_the_sign_in_waits(signin, monkeypatch):
    """No audit entry, no entry to the dashboard: the person sees the busy note, and the next
    page view (store free) records the sign-in and lets them in."""
    import store.audit
    from store import spool_path

    monkeypatch.setattr(store.audit, "spool_path", lambda db: Path(db).parent / "no such folder" / "spool")
    holder = _held(signin, monkeypatch)
    try:
        at = run_app(person("busy3", ["scrutiny"]))
        assert "being updated" in text_of(at) and "Signed in as" not in text_of(at)
        assert not at.metric
    finally:
        _release(holder)
    monkeypatch.undo()
    monkeypatch.setenv("WORKFORCE_DB", str(signin))
    monkeypatch.delenv("WORKFORCE_DEMO", raising=False)
    monkeypatch.setattr(auth_module(), "_now", lambda: NOW)
    at.run()
    assert "role: **Scrutiny member**" in text_of(at)
    rows = [r for r in audit_rows(signin) if r[0] == "busy3@council.example"]
    assert [r[3] for r in rows] == ["sign-in"] and rows[0][4] == {}
    assert not spool_path(signin).exists()


def auth_module():
    from ui import auth

    return auth


def test_admin_reaches_the_imports_and_the_tracker_it_is_meant_to_and_the_menu_agrees(signin):
    """DESIGN §7: admin is 'settings, tracker seed, imports'. Settings are files on the server and
    the tracker seeds itself from the papers (or `python -m recommendations seed`), so on screen
    admin has leadership's pages, the benchmark import and the tracker's edit forms; the menu is
    exactly the pages access.roles allows it (no upload, no census)."""
    import access
    from tests.app.test_app_filters import PAGES

    at = run_app(person("adm1", ["admin"]))
    assert "role: **Administrator**" in text_of(at)
    for key, file in PAGES:
        assert menu_has(at, Path(file).stem) == access.allowed("admin", f"page:{key}"), key
    assert [k for k, _ in PAGES if access.allowed("admin", f"page:{k}")] == \
        [k for k, _ in PAGES if access.allowed("leadership", f"page:{k}")]
    assert not menu_has(at, "upload") and not menu_has(at, "census") and menu_has(at, "benchmarks")
    at.switch_page("views/benchmarks.py").run()
    assert not at.exception and [e.label for e in at.expander if e.label == "Import the published files"]
    assert len(at.get("file_uploader")) == 1
    at.switch_page("views/tracker.py").run()
    assert not at.exception and "Edit the tracker" in [h.value for h in at.header]
    rows = [r for r in audit_rows(signin) if r[0] == "adm1@council.example"]
    assert [r[2:4] for r in rows] == [("admin", "sign-in")]
