"""A panel's keys in a [[meeting]] table: its dates or rule, when referrals close, when the
agenda goes out, the members' confidentiality statement, and the owners' reminders."""

from __future__ import annotations

from datetime import date
from typing import Any

from mailbot.config.reader import _Reader
from mailbot.core.panel import RuleError, Sittings, parse_rule
from mailbot.settings import MeetingSettings

PANEL_KEYS = ("dates", "rule", "referral_close_days", "agenda_working_days", "confidentiality_statement",
              "reminder_working_days")


def panel_keys(r: _Reader, table: dict[str, Any], path: str) -> dict[str, Any]:
    """The panel's keys of a [[meeting]] table, for its MeetingSettings; a meeting with
    neither dates nor a rule is not a panel, and the other panel keys would mean nothing."""
    dates = table.get("dates", [])
    if not isinstance(dates, list) or not all(isinstance(d, date) for d in dates):
        r.problem(f"{path}.dates", "must be a list of dates (YYYY-MM-DD, unquoted)")
        dates = []
    rule = (r.get(table, "rule", path, str, "") or "").strip()
    if rule:
        try:
            parse_rule(rule)
        except RuleError as exc:
            r.problem(f"{path}.rule", str(exc))
    keys: dict[str, Any] = {"dates": tuple(sorted(dates)), "rule": rule, "confidentiality_statement": (
        r.get(table, "confidentiality_statement", path, str, "") or "").strip()}
    for key in ("referral_close_days", "agenda_working_days", "reminder_working_days"):
        keys[key] = r.get(table, key, path, int, 0) or 0
    _check(r, path, table, keys)
    return keys


def _check(r: _Reader, path: str, table: dict[str, Any], panel: dict[str, Any]) -> None:
    if not (panel["dates"] or panel["rule"]):
        for key in sorted(set(PANEL_KEYS) & set(table)):
            r.problem(f"{path}.{key}", "is for a panel: give its dates or a rule too")
        return
    for key in ("referral_close_days", "agenda_working_days", "reminder_working_days"):
        if not 0 <= panel[key] <= 20:
            r.problem(f"{path}.{key}", "must be between 0 and 20 working days")
    # Referrals must close before the agenda goes out, or a late one would miss the agenda
    # yet still be heard, unread by the members.
    if panel["agenda_working_days"] and panel["referral_close_days"] <= panel["agenda_working_days"]:
        r.problem(f"{path}.referral_close_days",
                  "referrals must close before the agenda goes out: more days than agenda_working_days")


def sittings_of(meeting: MeetingSettings) -> Sittings | None:
    """The calendar's view of a panel's dates; None for a meeting on every working day."""
    if not meeting.is_panel:
        return None
    return Sittings(frozenset(meeting.dates), parse_rule(meeting.rule) if meeting.rule else None,
                    meeting.referral_close_days, meeting.agenda_working_days, meeting.reminder_working_days)
