"""Dates as partners type them, read day first (this is the UK).

``27/11/2026``, ``27/11/26``, ``2026-11-27``, ``27 Nov``, ``27th November 2026``,
a weekday name (the next one after the email's date) and ``tomorrow``. A
date without a year is the next such day on or after the email's date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: n
    for n, names in enumerate(
        (("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
         ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
         ("sun", "sunday"))
    )
    for name in names
}

_NUMERIC = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:,?\s+(\d{4}))?")


class DateError(ValueError):
    """Raised when text is not a date mailbot can read."""


def parse_date(text: str, today: date) -> date:
    """Read ``text`` as a date, relative to ``today`` (the email's date)."""
    raw = " ".join(text.split()).strip().casefold().rstrip(".")
    if raw.startswith("next "):
        raw = raw[5:]
    try:
        if raw == "today":
            return today
        if raw == "tomorrow":
            return today + timedelta(days=1)
        if raw in _WEEKDAYS:
            ahead = (_WEEKDAYS[raw] - today.weekday() - 1) % 7 + 1
            return today + timedelta(days=ahead)
        if m := _ISO.fullmatch(raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC.fullmatch(raw):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return date(year, int(m[2]), int(m[1]))
        if (m := _WORDY.fullmatch(raw)) and m[2] in _MONTHS:
            day, month = int(m[1]), _MONTHS[m[2]]
            if m[3]:
                return date(int(m[3]), month, day)
            found = date(today.year, month, day)
            return found if found >= today else date(today.year + 1, month, day)
    except ValueError as exc:  # 31/02/2026 and the like
        raise DateError(f"no such date: {text.strip()!r}") from exc
    raise DateError(f"not a date: {text.strip()!r} (write it like 27/11/2026)")
