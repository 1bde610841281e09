"""Reading what people type in the knowledge bank's dialogs: dates, choices, mentions.

>>> parse_dates("1/9/2026 - 3/9/2026")
(datetime.date(2026, 9, 1), datetime.date(2026, 9, 3))
>>> parse_dates("2026-09-01")
(datetime.date(2026, 9, 1), datetime.date(2026, 9, 1))
>>> parse_visibility("2"), parse_visibility("Organisationen"), parse_visibility("min leder")
('org', 'org', 'manager')
>>> parse_yes_no("ja"), parse_yes_no("No thanks"), parse_yes_no("måske")
(True, False, None)
"""

from __future__ import annotations

import re
from datetime import date

from storage.knowledge.records import Visibility

__all__ = [
    "CANCEL_WORDS",
    "SKIP_WORDS",
    "parse_date",
    "parse_dates",
    "parse_visibility",
    "parse_yes_no",
]

CANCEL_WORDS = frozenset({"annuller", "annullér", "afbryd", "cancel", "stop", "stop kursus"})
SKIP_WORDS = frozenset({"-", "spring over", "skip", "ingen", "none", "nej", "no"})

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})$")
_RANGE = re.compile(r"\s+(?:-|–|—|til|to)\s+|\s*(?:–|—)\s*|\s+")


def parse_date(value: str) -> date | None:
    """A date written as 2026-09-01, 1/9/2026, 1.9.2026 or 1/9/26; None if not a date."""
    value = value.strip().rstrip(".,")
    try:
        if m := _ISO.match(value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(value):
            year = int(m[3])
            return date(year + 2000 if year < 100 else year, int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def parse_dates(value: str) -> tuple[date, date] | None:
    """A course's first and last day ("1/9/2026 - 3/9/2026"; one date: a one-day course).
    None when it is not one or two dates, or the end is before the start."""
    parts = [p for p in _RANGE.split(value.strip()) if p]
    if not 1 <= len(parts) <= 2:
        return None
    days = [parse_date(p) for p in parts]
    if any(d is None for d in days):
        return None
    first, last = days[0], days[-1]
    assert first is not None and last is not None
    if last < first:
        return None
    return first, last


_VISIBILITY = {
    "1": "team",
    "team": "team",
    "mit team": "team",
    "my team": "team",
    "teamet": "team",
    "2": "org",
    "org": "org",
    "organisationen": "org",
    "organisation": "org",
    "the organisation": "org",
    "the organization": "org",
    "alle": "org",
    "3": "manager",
    "manager": "manager",
    "leder": "manager",
    "min leder": "manager",
    "kun mig og min leder": "manager",
    "only me and my manager": "manager",
    "me and my manager": "manager",
}


def parse_visibility(value: str) -> Visibility | None:
    """team / org / manager from a typed choice (1–3 or words), None if unclear."""
    found = _VISIBILITY.get(value.strip().lower().rstrip(".!"))
    return found  # type: ignore[return-value]


_YES = frozenset({"ja", "yes", "j", "y", "ok", "okay", "ja tak", "yes please", "gerne"})
_NO = frozenset({"nej", "no", "n", "nej tak", "no thanks", "ikke"})


def parse_yes_no(value: str) -> bool | None:
    """True for yes, False for no, None when neither."""
    cleaned = value.strip().lower().rstrip(".!")
    if cleaned in _YES:
        return True
    if cleaned in _NO:
        return False
    return None
