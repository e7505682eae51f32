"""The page shell's plain parts: people's text made inert but with working links (ui.layout.plain),
the organisation settings (ui.org) and the accessibility statement's words (ui.accessibility)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ui import accessibility, org
from ui.layout import plain


@pytest.mark.parametrize("text, link", [
    ("see https://www.gov.uk/guidance/a_b?x=1 for more.",
     "[https\\://www\\.gov\\.uk/guidance/a\\_b?x\\=1](<https://www.gov.uk/guidance/a_b?x=1>)"),
    ("email hr.team@council.example, please",
     "[hr\\.team\\@council\\.example](<mailto:hr.team@council.example>)"),
    ("www.example.org/page", "[www\\.example\\.org/page](<https://www.example.org/page>)"),
])
def test_an_address_becomes_a_working_link_with_nothing_inserted(text, link):
    shown = plain(text)
    assert link in shown
    assert "\u2060" not in shown  # no invisible characters inside an address (they broke links)


def test_markup_stays_characters_and_an_image_is_never_fetched():
    shown = plain("![x](http://evil.example/p.png) **bold** :red[c]\nline 2")
    assert shown.startswith("\\!\\[x\\]\\(")  # not an image: the "!" and brackets are escaped
    assert "\\*\\*bold\\*\\*" in shown and "\\:red\\[c\\]" in shown
    assert shown.endswith("  \nline 2")
    assert plain(None) == ""


def test_the_organisation_comes_from_config(tmp_path: Path, monkeypatch):
    who = org.load()
    assert who.council == "Herefordshire Council"  # from data/recommendations.json, as the packs
    assert who.service and "@" in who.contact_email
    path = tmp_path / "org.toml"
    path.write_text('service = "Family Services"\n[accessibility]\ncontact_email = "a@b.example"\n'
                    'last_tested = 2026-01-05\n')
    monkeypatch.setenv("WORKFORCE_ORG", str(path))
    who = org.load()
    assert (who.service, who.contact_email, who.last_tested) == ("Family Services", "a@b.example",
                                                                 date(2026, 1, 5))


@pytest.mark.parametrize("body, says", [
    ('[accessibility]\ncontact_email = "a@b.example"\n', "'service'"),
    ('service = "S"\n', "contact_email"),
    ('service = "S"\n[accessibility]\ncontact_email = "a@b.example"\nlast_tested = "last week"\n',
     "last_tested must be a date"),
    ('service = "S"\n[accessibility\n', "cannot be read"),
])
def test_bad_organisation_settings_are_explained(tmp_path: Path, body, says):
    path = tmp_path / "org.toml"
    path.write_text(body)
    with pytest.raises(org.OrgConfigError, match=says):
        org.load(path)


def test_the_statement_has_the_gov_uk_sections_and_the_configured_contact():
    who = org.Organisation(council="Test Council", service="Children's Services",
                           contact_email="access@test.example", contact_phone="01234 567890",
                           reply_days=7, last_tested=date(2026, 11, 26),
                           statement_prepared=date(2026, 11, 20))
    text = accessibility.statement_markdown(who)
    for heading in ("## How accessible this dashboard is", "## Feedback and contact information",
                    "## Reporting accessibility problems with this dashboard",
                    "## Enforcement procedure", "### Compliance status", "### Non-accessible content",
                    "## Preparation of this accessibility statement"):
        assert heading in text
    assert "[access@test.example](mailto:access@test.example) or call 01234 567890" in text
    assert "within 7 working days" in text
    assert "last tested on\n26 November 2026" in text and "prepared on 20 November 2026" in text
    assert "Equality Advisory and Support Service" in text and "Test Council" in text


def test_the_markup_repairs_script_survives_the_html_sanitiser():
    """Streamlit's sanitiser drops a script whose text holds anything like a tag: ui/a11y.js must
    have none, or the menu and sparkline repairs silently never run."""
    import re

    script = (Path(__file__).resolve().parents[2] / "ui" / "a11y.js").read_text()
    assert not re.search(r"<[/!?\w]", script)
