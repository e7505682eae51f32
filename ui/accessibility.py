"""The accessibility statement, as GOV.UK services publish it (the model statement's headings):
what works, what does not yet, how to ask for another format or report a problem (the contact
comes from data/organisation.toml through ui.org), the enforcement procedure, and when the
dashboard was last tested. Plain text in, Markdown out, no Streamlit: the statement page and the
sign-in page (before anyone has signed in) show the same words.
"""

from __future__ import annotations

from datetime import date

from ui.org import Organisation

PRODUCT = "Children's Workforce Dashboard"
EASS = "https://www.equalityadvisoryservice.com/"
REGULATIONS = "https://www.legislation.gov.uk/uksi/2018/952/contents/made"
WCAG = "https://www.w3.org/TR/WCAG22/"


def _uk(day: date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "not yet recorded"


def statement_markdown(org: Organisation) -> str:
    """The whole statement as Markdown (headings from level 2 down; the page gives the title)."""
    phone = f" or call {org.contact_phone}" if org.contact_phone else ""
    contact = f"[{org.contact_email}](mailto:{org.contact_email}){phone}"
    return f"""
This statement applies to the {PRODUCT} of **{org.council}** ({org.service}). The dashboard
shows workforce figures to HR, the leadership team and members of the scrutiny committee.

We want as many people as possible to be able to use it. For example, you should be able to:

- change colours, contrast levels and fonts using your browser or device settings
- zoom in up to 400% without the text spilling off the screen (on a narrow screen the menu folds
  away behind the button at the top left)
- get from the start of a page to every link, button and choice using just a keyboard: the
  control you are on is marked with a yellow background and a black bar, and the page you are on
  is marked in the menu with a bar at its left and bold text
- listen to most of the dashboard using a screen reader
- read what every chart shows without seeing it: each chart has a sentence under it saying what
  it shows, and its figures are in a table that can be downloaded as Excel or CSV

We have also made the text as simple as we can: figures carry their units, dates are written in
full and "not enough data" is said instead of a misleading verdict.

## How accessible this dashboard is

We know some parts of the dashboard are not fully accessible:

- the points of a chart cannot be reached one by one with a keyboard or a screen reader, and
  the value shown when you hover over a chart needs a mouse or touch; the sentence under each
  chart and the table beside it give the same figures
- large tables scroll inside a box, and a screen reader announces them less clearly than a
  simple table; the Excel download of each table holds the same figures
- the meeting pack PDF has not been checked with a screen reader
- the sign-in page belongs to the council's identity provider, which has its own accessibility
  statement

## Feedback and contact information

If you need information on this dashboard in a different format, such as an accessible PDF,
large print, easy read, audio recording or braille, email {contact}. We will consider your
request and get back to you within {org.reply_days} working days.

## Reporting accessibility problems with this dashboard

We are always looking to improve the accessibility of this dashboard. If you find any problems
not listed on this page, or think we are not meeting accessibility requirements, email
{contact}. Please say which page you were on and what you were trying to do.

## Enforcement procedure

The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector
Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the
"accessibility regulations"). If you are not happy with how we respond to your complaint,
contact the [Equality Advisory and Support Service (EASS)]({EASS}).

## Technical information about this dashboard's accessibility

{org.council} is committed to making its websites and applications accessible, in accordance
with the [accessibility regulations]({REGULATIONS}).

### Compliance status

This dashboard is partially compliant with the [Web Content Accessibility Guidelines version
2.2]({WCAG}) AA standard, due to the non-compliances listed below.

### Non-accessible content

- Charts: their individual points are not reachable by keyboard or screen reader (WCAG 2.1.1
  Keyboard and 1.1.1 Non-text content are met through the sentence and the table given with
  every chart, not by the chart itself).
- Tables: wide tables scroll sideways inside their box on a phone (WCAG 1.4.10 Reflow allows
  this for data tables, which need two dimensions to be understood).
- Meeting pack PDF: not yet tested with assistive technology (WCAG 1.3.1 Info and
  relationships may not be met in the PDF). Ask for the pack in another format if you need it.

## What we are doing to improve accessibility

An automated accessibility check (axe-core) runs over every page of the dashboard, for every
role, each time the dashboard is changed (and over the phone layout too); a change that brings a
serious or critical problem is not accepted. Screenshots of every page at both widths are kept
with each check and looked at by the team.

## Preparation of this accessibility statement

This statement was prepared on {_uk(org.statement_prepared)}. The dashboard was last tested on
{_uk(org.last_tested)}: an automated axe-core scan of every page for each role (HR, leadership and
scrutiny) at 1440 pixels wide and of the phone layout at 390 pixels, screenshots of every page at
both widths, and a keyboard check of the menu, filters, buttons and links by the team that builds
it.
""".strip()
