"""Commands + the state they apply to -> the changes to store and what to tell people.

Pure: the caller reads a ``Snapshot`` inside the transaction that will store
the ``Plan``, so a reference number handed out here is never handed out twice.
Each command gets a line in ``done`` or in ``problems``; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mailbot.core.agenda import CaseView, DayView, newly_required, no_longer_required, possible_repeat
from mailbot.core.categories import case_category
from mailbot.core.directory import Directory
from mailbot.core.lead import LeadSet, plan_lead
from mailbot.core.model import (
    AddCase,
    Apologies,
    Command,
    RequirePartners,
    Sender,
    SetLead,
    StatusRequest,
    WithdrawCase,
)


@dataclass(frozen=True)
class Snapshot:
    """What applying a reply needs to know, read in the applying transaction."""

    day: DayView  # the meeting day the reply belongs to
    earlier: tuple[CaseView, ...]  # open cases and cases discussed in the repeat window
    known: dict[str, CaseView]  # every case a reply may name, by reference
    next_number: int  # the next free case number in the day's year
    reference_prefix: str
    after_cutoff: bool  # the reply came after a meeting day's cut-off and rolled on
    case_call_sent: bool  # the day's case call has gone, so changes need notices
    # The next meeting that has not started (apologies are for it): the reply's own day
    # until the cut-off, still today between the cut-off and the start.
    upcoming: DayView | None = None
    upcoming_call: str = ""
    categories: tuple[str, ...] = ()  # the meeting's case categories, if it has any


@dataclass(frozen=True, slots=True)
class NewCase:
    reference: str
    subject: str
    concern: str
    referrer: str
    partners: tuple[str, ...]
    day: date
    repeat_of: str | None
    category: str = ""


@dataclass(frozen=True, slots=True)
class PartnersAdded:
    reference: str
    partners: tuple[str, ...]
    day: date


@dataclass(frozen=True, slots=True)
class CaseWithdrawn:
    reference: str
    reason: str
    day: date


@dataclass(frozen=True, slots=True)
class ApologiesGiven:
    partner: str
    reference: str  # "" for the whole meeting
    reason: str
    day: date


Change = NewCase | PartnersAdded | CaseWithdrawn | ApologiesGiven | LeadSet


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    now_required: dict[str, list[str]] = field(default_factory=dict)  # partner -> references
    repeats: list[tuple[str, CaseView]] = field(default_factory=list)  # (new ref, earlier case)
    status_requested: bool = False
    # Partners told they were required whom a withdrawal leaves with no case: partner -> refs.
    stand_down: dict[str, list[str]] = field(default_factory=dict)
    # What the coordinators must hear at once: a required partner's apologies, a withdrawal
    # the bot may not make itself.
    for_coordinators: list[tuple[str, str]] = field(default_factory=list)  # (title, line)
    # The sender's own partner after this reply, when the reply touched it (its own case, a
    # Partners line naming it, a withdrawal): (was required before, is required now).
    sender_status: tuple[bool, bool] | None = None


def _names(directory: Directory, codes: tuple[str, ...] | list[str]) -> str:
    return ", ".join(directory.get(c).name for c in codes) or "none"


@dataclass
class _Work:
    """One reply being planned: what it started from, and what it has changed so far."""

    sender: Sender
    snap: Snapshot
    directory: Directory
    call: str  # the meeting for people: "today's 12:00 call"
    cases: dict[str, CaseView]  # the day's cases as the reply leaves them
    number: int  # the next free case number
    out: Plan = field(default_factory=Plan)

    def names(self, codes: tuple[str, ...] | list[str]) -> str:
        return _names(self.directory, codes)

    def who(self) -> str:
        partner = self.sender.partner
        return f"{self.sender.address} ({self.directory.get(partner).name if partner else 'no partner'})"


def plan(commands: tuple[Command, ...], sender: Sender, snap: Snapshot, directory: Directory,
         call: str) -> Plan:
    """Work out what a reply's commands change. ``call`` names the meeting for people
    ("today's 12:00 call", "the Tuesday 24 November 2026 12:00 call"). Actions, decisions and
    reviews are planned by core.actions."""
    work = _Work(sender, snap, directory, call, {c.reference: c for c in snap.day.cases}, snap.next_number)
    for command in commands:
        handler = _HANDLERS.get(type(command))
        if handler is not None:
            handler(work, command)
    if snap.case_call_sent:
        _who_to_tell(work)
    work.out.sender_status = _sender_status(work.out, sender, snap, work.cases)
    return work.out


def _add_case(w: _Work, command: AddCase) -> None:
    snap, out = w.snap, w.out
    reference = f"{snap.reference_prefix}-{snap.day.day.year}-{w.number:04d}"
    w.number += 1
    repeat = possible_repeat(command.subject, (*snap.earlier, *w.cases.values()))
    referrer = w.sender.partner or ""
    category, unfiled = case_category(command.category, snap.categories, reference)
    out.changes.append(NewCase(reference, command.subject, command.concern, referrer, command.partners,
                               snap.day.day, repeat.reference if repeat else None, category))
    w.cases[reference] = CaseView(reference, command.subject, command.concern, referrer, command.partners,
                                  category=category)
    # A late referral must not be mistaken for one heard today: the answer names the day.
    when = w.call + (f" (it came after the cut-off): it will be heard on {snap.day.day:%A} "
                     f"{snap.day.day.day} {snap.day.day:%B %Y}" if snap.after_cutoff else "")
    filed = f"; category: {category}" if category else ""
    out.done.append(f"Added {reference} ({command.subject}) to {when}{filed}; "
                    f"required: {w.names(command.partners)}")
    if unfiled:
        out.problems.append(f"line {command.line}: {unfiled}")
    if repeat is not None:
        out.repeats.append((reference, repeat))
        # Only the reference: the earlier case may be another partner's, and its
        # initials and concern are not the sender's to be told.
        out.problems.append(
            f"{reference} ({command.subject}) has the same initials as {repeat.reference}; "
            "only new concerns come to the meeting, so the coordinators have been told and "
            "will check whether it is the same person")


def _require(w: _Work, command: RequirePartners) -> None:
    case = w.cases.get(command.case)
    if case is None:
        where = "known" if command.case not in w.snap.known else f"on the agenda of {w.call}"
        w.out.problems.append(f"line {command.line}: {command.case} is not {where}; nothing was changed")
        return
    new = tuple(p for p in command.partners if p not in case.partners)
    if not new:
        w.out.done.append(f"{command.case}: {w.names(command.partners)} already required; nothing changed")
        return
    w.out.changes.append(PartnersAdded(command.case, new, w.snap.day.day))
    w.cases[command.case] = CaseView(case.reference, case.subject, case.concern, case.referrer,
                                     case.partners + new)
    w.out.done.append(f"{command.case}: now also requires {w.names(new)}")


def _status(w: _Work, command: StatusRequest) -> None:
    w.out.status_requested = True


def _who_to_tell(w: _Work) -> None:
    """After the case call: partners the reply made required, and (after a withdrawal)
    partners it left with no case."""
    snap, out = w.snap, w.out
    for code in newly_required(snap.day, w.cases.values()):
        out.now_required[code] = [ref for ref, c in w.cases.items() if code in c.partners]
    if any(isinstance(c, CaseWithdrawn) for c in out.changes):
        for code in no_longer_required(snap.day, w.cases.values()):
            out.stand_down[code] = [c.reference for c in snap.day.cases
                                    if code in c.partners and c.reference not in w.cases]


def _withdraw(w: _Work, command: WithdrawCase) -> None:
    """Only the referrer or a coordinator, and only from an agenda whose cut-off has not
    passed (the reply's own day is always such a day); anything else goes to a person."""
    case, out, directory = w.cases.get(command.case), w.out, w.directory
    if case is None:
        late = " and withdrawals close at the cut-off" if w.snap.after_cutoff else ""
        out.problems.append(f"line {command.line}: {command.case} is not on the agenda of {w.call}{late}, "
                            "so it was not withdrawn; the coordinators have been told")
        out.for_coordinators.append((f"withdrawal of {command.case} needs a person",
                                     f"{w.who()} asked to withdraw {command.case} ({command.reason}), which "
                                     f"is not on the agenda of {w.call}: please deal with it."))
        return
    if not (w.sender.coordinator or w.sender.partner == case.referrer):
        referrer = directory.get(case.referrer).name if case.referrer else "the coordinator"
        out.problems.append(f"line {command.line}: only the referrer ({referrer}) or a coordinator may "
                            f"withdraw {command.case}; nothing was changed and the coordinators have "
                            "been told")
        out.for_coordinators.append((f"withdrawal of {command.case} needs a person",
                                     f"{w.who()} asked to withdraw {command.case}, referred by {referrer} "
                                     f"({command.reason}): please check with the referrer."))
        return
    out.changes.append(CaseWithdrawn(command.case, command.reason, w.snap.day.day))
    del w.cases[command.case]
    out.done.append(f"Withdrew {command.case} from {w.call}: {command.reason}")


def _apologies(w: _Work, command: Apologies) -> None:
    sender, snap, out = w.sender, w.snap, w.out
    day = snap.upcoming or snap.day
    label = snap.upcoming_call or w.call
    if sender.partner is None:  # only partners are read at all; kept for the type
        return
    if command.case and not day.has_case(command.case):
        out.problems.append(f"line {command.line}: {command.case} is not on the agenda of {label}; "
                            "no apologies were recorded for it")
        return
    name = w.directory.get(sender.partner).name
    out.changes.append(ApologiesGiven(sender.partner, command.case or "", command.reason, day.day))
    needed = [c.reference for c in day.cases
              if sender.partner in c.partners and (not command.case or c.reference == command.case)]
    what = f" for {command.case}" if command.case else ""
    why = f": {command.reason}" if command.reason else ""
    line = f"Apologies from {name}{what} recorded for {label}{why}"
    if needed:
        line += f"; {name} is required for {', '.join(needed)}, so the coordinators have been told"
        out.for_coordinators.append((f"apologies from {name}, required for {', '.join(needed)}",
                                     f"{sender.address} sends apologies from {name}{what} for {label}"
                                     f"{why}. {name} is required for {', '.join(needed)}: please "
                                     "arrange cover or tell the chair."))
    out.done.append(line)


def _lead(w: _Work, command: SetLead) -> None:
    change, line, problem = plan_lead(command, w.sender, w.snap.known, w.directory)
    (w.out.problems if problem else w.out.done).append(line)
    if change is not None:
        w.out.changes.append(change)


# What each command changes, by its type (the chair's commands are core.actions').
_HANDLERS: dict[type, Callable[[_Work, Any], None]] = {
    AddCase: _add_case, RequirePartners: _require, StatusRequest: _status, WithdrawCase: _withdraw,
    Apologies: _apologies, SetLead: _lead,
}


def _sender_status(out: Plan, sender: Sender, snap: Snapshot, cases: dict[str, CaseView]
                   ) -> tuple[bool, bool] | None:
    code = sender.partner
    if code is None:
        return None
    touched = any(
        (isinstance(c, NewCase) and code in c.partners)
        or (isinstance(c, PartnersAdded) and code in c.partners)
        or (isinstance(c, CaseWithdrawn) and any(code in v.partners for v in snap.day.cases
                                                 if v.reference == c.reference))
        for c in out.changes)
    if not touched:
        return None
    return snap.day.is_required(code), any(code in c.partners for c in cases.values())


def filed_under(changes: list[Change]) -> list[str]:
    """The categories new cases were filed under: what happened to a person, withheld with
    the other case details wherever an answer goes at reference level."""
    return [c.category for c in changes if isinstance(c, NewCase) and c.category]
