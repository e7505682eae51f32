"""Sign-in with a real OpenID Connect provider, in a real browser, through the whole flow.

One provider (oidc-provider-mock on localhost) and one dashboard in sign-in mode (serve.py with
[auth] pointing at it, WORKFORCE_ROLE=hr set to prove it grants nothing) serve every test here.
People sign in at the provider's form by subject id; their claims (roles) are set at the provider.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request

import pytest

from tests.e2e.conftest import SIGNIN_PEOPLE
from tests.e2e.test_e2e_dashboard import nav_titles, settle, snap

PRODUCT = "Children's Workforce Dashboard"


@pytest.fixture
def new_page(browser):
    """A fresh browser (no cookies) per person."""
    contexts = []

    def _new():
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        return page

    yield _new
    for ctx in contexts:
        ctx.close()


def at_provider(page, server, sub: str) -> None:
    """On the provider's authorisation form: sign in as `sub` and come back to the dashboard."""
    page.wait_for_url(re.compile(re.escape(server.provider) + r"/oauth2/authorize"))
    page.fill('input[name="sub"]', sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(server.url) + r"/?$"))


def sign_in(page, server, sub: str) -> None:
    page.goto(server.url)
    page.get_by_role("button", name="Sign in").click()
    at_provider(page, server, sub)


def sidebar_text(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def signed_in_as(page, server, sub: str, *, actor: str, role: str) -> list[str]:
    """Sign in as `sub`; check the sidebar names the person and role; the menu's page titles."""
    sign_in(page, server, sub)
    settle(page)
    assert f"Signed in as {actor}" in sidebar_text(page)
    assert f"role: {role}" in sidebar_text(page)
    assert "Demo: view as" not in sidebar_text(page)  # sign-in mode never shows the role picker
    return nav_titles(page)


def sign_out(page, server) -> None:
    """Sign out in the sidebar; the provider's end-session page sends the browser back."""
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(re.escape(server.provider) + r"/oauth2/end_session"))
    page.get_by_role("button", name="End session").click()
    page.get_by_role("heading", name=PRODUCT).wait_for()
    page.get_by_role("button", name="Sign in").wait_for()


def assert_sign_in_page(page) -> None:
    page.get_by_role("heading", name=PRODUCT).wait_for()
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0


def test_sign_in_page_is_the_name_and_a_button_and_internals_are_not_served(
        signin_server, new_page, screenshots_dir):
    page = new_page()
    page.goto(signin_server.url)
    assert_sign_in_page(page)
    page.wait_for_timeout(500)
    main_text = page.locator('[data-testid="stMain"]').inner_text()
    # icon ligatures ("login", the expander's arrow) are lower-case words: leave them out
    lines = [line.strip() for line in main_text.splitlines()
             if line.strip() and not re.fullmatch(r"[a-z_]+", line.strip())]
    assert lines == [PRODUCT, "Sign in", "Accessibility statement"], lines
    # the accessibility statement opens before sign-in, and the page passes the axe scan
    page.locator("summary", has_text="Accessibility statement").click()
    page.get_by_role("heading", name="Enforcement procedure").wait_for()
    assert page.get_by_role("link", name="workforce.dashboard@council.example").count() >= 1
    from tests.e2e.test_e2e_pages import serious_violations

    assert not serious_violations(page), serious_violations(page)
    snap(page, screenshots_dir / "signin-page.png")
    page.goto(f"{signin_server.url}/agency")  # a deep link before sign-in: the same page
    assert_sign_in_page(page)
    for path in ("/_stcore/metrics", "/_stcore/agent/openapi.json"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{signin_server.url}{path}", timeout=10)
        assert err.value.code == 404, path
    with urllib.request.urlopen(f"{signin_server.url}/_stcore/health", timeout=10) as resp:
        assert resp.status == 200


def test_hr_signs_in_sees_upload_and_signs_out(signin_server, new_page):
    page = new_page()
    titles = signed_in_as(page, signin_server, "hr-1", actor="hr.officer@council.example", role="HR")
    assert "Upload" in titles and "Data quality" in titles
    page.goto(f"{signin_server.url}/upload")
    settle(page)
    page.get_by_role("heading", name="Upload a month").wait_for()
    page.locator('[data-testid="stFileUploader"]').wait_for()
    sign_out(page, signin_server)
    page.goto(f"{signin_server.url}/upload")  # the cookie is gone: back to the sign-in page
    assert_sign_in_page(page)


def test_leadership_has_no_upload_even_by_url(signin_server, new_page):
    page = new_page()
    titles = signed_in_as(page, signin_server, "lead-1", actor="director@council.example", role="Leadership")
    assert "Upload" not in titles and "Data quality" in titles
    page.goto(f"{signin_server.url}/upload")
    settle(page)
    page.get_by_text("That page is not available to the leadership role.").wait_for()
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.get_by_role("heading", name="Upload a month").count() == 0


def test_scrutiny_member_sees_suppressed_figures_only(signin_server, new_page):
    page = new_page()
    titles = signed_in_as(page, signin_server, "member-1", actor="cllr.member@council.example",
                          role="Scrutiny member")
    assert "Upload" not in titles and "Data quality" not in titles
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Team", exact=True).count() == 0
    # its tables hide small groups of staff (the demo's latest month; Caseloads no longer does since
    # its small top bands merge into "Over 20", which the page's share more than 20 states anyway)
    page.goto(f"{signin_server.url}/profile")
    settle(page)
    page.get_by_text("fewer than 5 people").first.wait_for()
    # the grid's accessible cells (drawn on a canvas): waited for until a "c" is drawn (the page's
    # other tables may be drawn first: reading the cells as soon as the first one was attached
    # missed a table's "c" once under load)
    hidden = page.locator('[data-testid="stDataFrame"] [role="gridcell"]').filter(has_text=re.compile(r"^\s*c\s*$"))
    hidden.first.wait_for(state="attached")
    assert {t.strip() for t in hidden.all_text_contents()} == {"c"}


def test_person_with_no_role_sees_no_access_and_no_data(signin_server, new_page, screenshots_dir):
    page = new_page()
    sign_in(page, signin_server, "nobody-1")
    page.get_by_text("You have no access to this dashboard; ask your HR business partner.").wait_for()
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.locator('[data-testid="stMetric"], [data-testid="stDataFrame"]').count() == 0
    snap(page, screenshots_dir / "signin-no-access.png")
    page.goto(f"{signin_server.url}/overview")
    page.get_by_text("You have no access to this dashboard").wait_for()
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(re.escape(signin_server.provider) + r"/oauth2/end_session"))


def test_expired_session_asks_to_sign_in_again(signin_server, new_page, screenshots_dir):
    """A token issued nine hours ago that this server has not seen active since: idle past the
    8-hour default, so the person is asked to sign in again; a fresh sign-in lets them in."""
    claims = dict(SIGNIN_PEOPLE["lead-1"], email="stale@council.example", iat=int(time.time()) - 9 * 3600)
    signin_server.set_person("stale-1", claims)
    page = new_page()
    sign_in(page, signin_server, "stale-1")
    page.get_by_text("Your session has ended after 8 hours without activity").wait_for()
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0
    snap(page, screenshots_dir / "signin-expired.png")
    claims.pop("iat")
    signin_server.set_person("stale-1", claims)
    page.get_by_role("button", name="Sign in again").click()
    at_provider(page, signin_server, "stale-1")
    settle(page)
    assert "Signed in as stale@council.example" in sidebar_text(page)
