"""Who the dashboard belongs to: the council's name, the service it covers, and the contact for
accessibility problems (data/organisation.toml, or the file `$WORKFORCE_ORG` names).

Why one reader: the header of every page, the accessibility statement (also shown before
sign-in) and DEPLOY.md's instructions name the same settings. The council's name is read from
the recommendations tracker's config (data/recommendations.json), where the meeting packs read
it, so it is written once. No Streamlit here.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from recommendations.packs import COUNCIL_NAME

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "organisation.toml"
ORG_ENV = "WORKFORCE_ORG"


class OrgConfigError(ValueError):
    """The organisation settings cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Organisation:
    council: str
    service: str
    contact_email: str
    contact_phone: str = ""
    reply_days: int = 10
    last_tested: date | None = None
    statement_prepared: date | None = None


def settings_path() -> Path:
    env = os.environ.get(ORG_ENV, "").strip()
    return Path(env) if env else DEFAULT_FILE


def load(path: Path | None = None) -> Organisation:
    """Read and check the settings (OrgConfigError saying what is wrong)."""
    path = path or settings_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise OrgConfigError(f"The organisation settings in {path} cannot be read: {exc}") from exc
    acc = raw.get("accessibility", {})
    service = raw.get("service")
    email = acc.get("contact_email") if isinstance(acc, dict) else None
    if not isinstance(service, str) or not service.strip():
        raise OrgConfigError(f"{path}: 'service' (the service or directorate's name) is missing.")
    if not isinstance(email, str) or "@" not in email:
        raise OrgConfigError(f"{path}: [accessibility] contact_email (an e-mail address for "
                             "reporting accessibility problems) is missing.")
    dates = {k: acc.get(k) for k in ("last_tested", "statement_prepared")}
    for key, value in dates.items():
        if value is not None and not isinstance(value, date):
            raise OrgConfigError(f"{path}: [accessibility] {key} must be a date such as 2026-11-26, "
                                 f"not {value!r}.")
    days = acc.get("reply_days", 10)
    if not isinstance(days, int) or days < 1:
        raise OrgConfigError(f"{path}: [accessibility] reply_days must be a whole number of days.")
    return Organisation(council=COUNCIL_NAME, service=service.strip(), contact_email=email.strip(),
                        contact_phone=str(acc.get("contact_phone") or "").strip(), reply_days=days,
                        **dates)
