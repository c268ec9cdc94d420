"""The keys of a daily risk management meeting (the MASH model): case categories and their
agenda order, the decision words, the escalation contact, and whether an attendance list is sent.

Every key has a default that keeps the daily case call as it was: no categories, the three
decisions, no contact, an attendance list at the cut-off.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from mailbot.config.reader import _Reader
from mailbot.core.categories import category_key
from mailbot.core.decisions import DECISION_WORDS

RISK_KEYS = {"categories", "overnight_first", "decisions", "escalation_contact", "attendance_list"}


def risk_keys(r: _Reader, table: dict[str, Any], path: str, *, agenda_at_cutoff: bool = False
              ) -> dict[str, Any]:
    """The risk meeting's keys of one [[meeting]] table, checked, as MeetingSettings fields.
    ``agenda_at_cutoff``: the case call goes at the cut-off (referrals close as the agenda
    goes), which only makes sense when the case call is the final agenda."""
    attendance = bool(r.get(table, "attendance_list", path, bool, True))
    if agenda_at_cutoff and attendance:
        r.problem(path, "case_call may equal cutoff only when the case call is the final agenda: "
                        "set attendance_list = false")
    categories = tuple(c.strip() for c in r.strings(table, "categories", path))
    keys = [category_key(c) for c in categories]
    for n, key in enumerate(keys):
        if not key:
            r.problem(f"{path}.categories[{n}]", "a category needs a name")
        elif keys.index(key) != n:
            r.problem(f"{path}.categories", f"{categories[n]!r} is listed twice")
    first = (r.get(table, "overnight_first", path, str, "") or "").strip()
    if first and category_key(first) not in keys:
        r.problem(f"{path}.overnight_first", f"{first!r} is not one of the categories")
    elif first:
        first = categories[keys.index(category_key(first))]
    return {
        "categories": categories, "overnight_first": first,
        "decisions": _decisions(r, table, path),
        "escalation_contact": _contact(r, table, path),
        "attendance_list": attendance,
    }


def _decisions(r: _Reader, table: dict[str, Any], path: str) -> tuple[str, ...]:
    """Only words whose meaning the bot knows: it closes a case on some and not on others."""
    if "decisions" not in table:
        return ("accepted", "declined", "closed")
    words = tuple(" ".join(w.split()).casefold() for w in r.strings(table, "decisions", path))
    for word in words:
        if word not in DECISION_WORDS:
            r.problem(f"{path}.decisions", f"unknown decision {word!r} (use {', '.join(DECISION_WORDS)})")
    if not words:
        r.problem(f"{path}.decisions", "at least one decision is needed")
    return tuple(dict.fromkeys(words))


def _contact(r: _Reader, table: dict[str, Any], path: str) -> str:
    """``Head of MASH <head.mash@...>`` or a bare address; kept as written, checked here."""
    text = (r.get(table, "escalation_contact", path, str, "") or "").strip()
    if text:
        _, address = parseaddr(text)
        if "@" not in address:
            r.problem(f"{path}.escalation_contact", f"needs an email address: {text!r}")
        else:
            r.email(address, f"{path}.escalation_contact")
    return text
