"""The date, time and partners of a ``Meeting <ref>:`` line, read as partners write them:
``3/12/2026 2pm - Police, ASC and CNWL``, ``professionals' meeting Thursday 3 December at
14.30 - Police``. Anything not read safely gives the reason, for the sender."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from mailbot.core.dates import DateError, parse_date

DEFAULT_KIND = "strategy discussion"
_KIND_LIMIT = 60
_FURTHEST = timedelta(days=366)  # a date further off is a typing slip in the year

# A time, never a date's numbers: "14:00", "14.30", "2pm", "2.30 p.m.", "noon". A bare "14"
# is not one (it may be the day of a date).
TIME = re.compile(
    r"(?<![\w/.:-])(?:(?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))?\s*(?P<ap>[ap])\.?m\.?"
    r"|(?P<h24>\d{1,2})[:.](?P<m24>\d{2})|(?P<noon>noon|midday))(?=[\s,–—-]|$)",
    re.IGNORECASE)
# What stands between the time and the partners: a dash, "with", or a colon.
THEN_PARTNERS = re.compile(r"\s*(?:[-–—]+|with\b|[:：])\s*", re.IGNORECASE)
_FILLER = re.compile(r"(?:[\s,]+(?:at|from|@|on))*[\s,]*$", re.IGNORECASE)
_KIND_TAIL = re.compile(
    r"(?:[\s,]+(?:on|for|at|next|this|mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs?|rsday)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?))+[\s,]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Call:
    """What a meeting line asks for, its partners still as written."""

    kind: str
    day: date
    starts: time
    names: str


def read_call(rest: str, today: date) -> Call | str:
    """What follows ``Meeting <ref>:``, read; else why it cannot be (for the sender)."""
    text = " ".join(rest.split())
    found = False
    for m in TIME.finditer(text):
        found = True
        sep = THEN_PARTNERS.match(text, m.end())
        names = text[sep.end():].strip() if sep else ""
        if names:
            return _dated(text[:m.start()], _time_of(m), names, today)
    return "name the partners after the time, with a dash" if found else "give the time, like 14:00"


def _time_of(m: re.Match[str]) -> time | None:
    if m["noon"]:
        return time(12, 0)
    if m["h24"] is not None:
        hour, minute = int(m["h24"]), int(m["m24"])
    else:
        hour, minute = int(m["h12"]) % 12 + (12 if m["ap"].lower() == "p" else 0), int(m["m12"] or 0)
        if int(m["h12"]) > 12:
            return None
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _dated(head: str, starts: time | None, names: str, today: date) -> Call | str:
    """The kind words and the date before the time: the date is the longest run of last
    words that reads as one."""
    if starts is None:
        return "that is not a time of day"
    words = _FILLER.sub("", head).split()
    for n in range(min(4, len(words)), 0, -1):
        try:
            day = parse_date(" ".join(words[-n:]), today)
        except (DateError, ValueError):
            continue
        if day < today:
            return "that date has passed"
        if day - today > _FURTHEST:
            return "that date is more than a year away: check the year"
        return Call(_kind(" ".join(words[:-n])), day, starts, names)
    return "give the date, like 03/12/2026 (a date that is not in the calendar is not read)"


def _kind(words: str) -> str:
    kind = _KIND_TAIL.sub("", " " + words).strip(" ,:;-–—\"'“”")
    return kind[:_KIND_LIMIT].lower() if kind else DEFAULT_KIND


def has_partners(line: str) -> bool:
    """Whether a time with partners after it is in ``line``."""
    for m in TIME.finditer(line):
        sep = THEN_PARTNERS.match(line, m.end())
        if sep and line[sep.end():].strip():
            return True
    return False
