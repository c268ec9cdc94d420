"""After the meeting: the action plan, owners' lists, reminders, the digest, escalation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr

from mailbot.core.actions import ActionView
from mailbot.core.compose import Letter
from mailbot.core.directory import short_name
from mailbot.core.letters.stationery import (
    Draft,
    Stationery,
    day_words,
    short_day,
)
from mailbot.core.model import Partner


def reference_owner_notice(s: Stationery, *, key: str, chair: str, owner: str, partner: str,
                           actions: Sequence[dict[str, object]]) -> Letter:
    """Tells the coordinators that an action went to an owner whose address gets references
    only, so that someone phones the details through. The action text goes only where the
    coordinators' own level allows it."""
    ids = ", ".join(str(a["id"]) for a in actions)
    lines = [f"{chair} gave {ids} to {owner} ({partner}). That address is sent case references only, "
             "so the owner's emails do not say what the action is.",
             *(f"{a['id']} ({a['case']}), due {a['due']}: {a['text']}" for a in actions),
             f"Please give {owner} the details by phone or the partnership's secure route."]
    ctx = {**s.base(), "title": f"{ids} went to an owner sent references only", "lines": lines}
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    return s.letter(Draft(
        "notice", key, to, f"mailbot: {ctx['title']}", ctx, secrets=[str(a["text"]) for a in actions]))


def action_rows(s: Stationery, actions: Sequence[ActionView], due_label: Callable[[date], str]
                ) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for a in actions:
        partner = short_name(s.directory.get(a.owner_partner)) if a.owner_partner else "outside the directory"
        rows.append({"id": a.ident, "case": a.case, "owner": a.owner, "partner": partner,
                     "due": due_label(a.due), "text": a.text, "status": a.status, "note": a.last_note})
    return rows


def _report_help(actions: Sequence[dict[str, object]]) -> str:
    """How to report, with the reader's own action id as the example, never a made-up one."""
    ident = str(actions[0]["id"]) if actions else "A-1"
    return f"Done: {ident} | Update: {ident} <news> | Cannot complete: {ident} <reason>"


@dataclass(frozen=True, slots=True)
class PlanView:
    """A meeting's plan as its summary shows it; ``version`` keys the summary."""

    day: date
    version: str
    cases: Sequence[dict[str, object]]
    actions: Sequence[dict[str, object]]
    attended: Sequence[str] = field(default_factory=tuple)  # partners' short names
    apologies: Sequence[str] = field(default_factory=tuple)  # "HIDVA", or "SPA for HR-2026-0041"


def summary(s: Stationery, *, plan: PlanView, partner: Partner) -> Letter:
    day, actions, cases = plan.day, list(plan.actions), list(plan.cases)
    ctx = {**s.base(day), "partner": short_name(partner), "cases": cases, "actions": actions,
           "report_help": _report_help(actions), "attended": list(plan.attended),
           "apologies": list(plan.apologies)}
    subject = (f"Action plan {short_day(day)}: {len(cases)} case{'s' if len(cases) != 1 else ''}, "
               f"{len(actions)} action{'s' if len(actions) != 1 else ''}")
    return s.letter(Draft(
        "summary", f"summary:{s.meeting_id}:{day}:{plan.version}:{partner.code}", partner.emails, subject,
        ctx, route=True, preview=f"Decisions and actions of {day_words(day)}."))


def owner_actions(s: Stationery, *, day: date, version: str, owner: str,
                  actions: list[dict[str, object]]) -> Letter:
    ctx = {**s.base(day), "owner": owner, "actions": actions, "report_help": _report_help(actions)}
    subject = f"Your actions from {short_day(day)}: {', '.join(str(a['id']) for a in actions)}"
    ids = ", ".join(str(a["id"]) for a in actions)
    return s.letter(Draft(
        "owner_actions", f"owner-actions:{s.meeting_id}:{day}:{version}:{owner.lower()}", (owner,), subject,
        ctx, route=True, preview=f"You own {ids}: reply to report on each."))


def reminder(s: Stationery, *, action: dict[str, object], owner: str, when: str) -> Letter:
    ctx = {**s.base(), "action": action, "when": when, "report_help": _report_help([action])}
    subject = f"Reminder: {action['id']} ({action['case']}) is due {when}"
    return s.letter(Draft(
        "reminder", f"reminder:{action['id']}:{when}", (owner,), subject, ctx, route=True,
        preview=f"{action['id']} for {action['case']} is due {when}."))


def digest(s: Stationery, *, day: date, overdue: list[dict[str, object]], contact: str = "") -> Letter:
    """The coordinators' overdue actions; ``contact``: whom this meeting escalates to (the head
    of MASH), named so the coordinators know who has been told."""
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    ctx = {**s.base(day), "overdue": overdue, "contact": contact}
    escalated = sum(1 for o in overdue if o["escalated"])
    subject = (f"Overdue actions {short_day(day)}: {len(overdue)} overdue"
               + (f", {escalated} escalated" if escalated else ""))
    also = f", {escalated} escalated" if escalated else ""
    preview = f"{len(overdue)} overdue{also}, oldest first."
    return s.letter(Draft("digest", f"digest:{s.meeting_id}:{day}", to, subject, ctx, preview=preview))


def escalation(s: Stationery, *, partner: Partner, action: dict[str, object], days: int,
               contact: str = "") -> Letter:
    """To the owning agency; ``contact`` (the meeting's escalation contact) is copied, so the
    person an escalation is for hears of it. The privacy level is the least secure of both."""
    ctx = {**s.base(), "partner": short_name(partner), "action": action, "days": days,
           "report_help": _report_help([action]), "contact": contact}
    subject = f"ESCALATED: {action['id']} ({action['case']}) is {days} working days overdue"
    copied = parseaddr(contact)[1] if contact else ""
    to = (*partner.emails, *([copied] if copied and copied.casefold() not in
                             {e.casefold() for e in partner.emails} else []))
    return s.letter(Draft(
        "escalation", f"escalation:{action['id']}", to, subject, ctx, route=True,
        preview=f"{short_name(partner)}: {action['id']} is {days} working days overdue."))
