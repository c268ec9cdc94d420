"""Commands + the state they apply to -> the changes to store and what to tell people.

Pure: the caller reads a ``Snapshot`` inside the transaction that will store
the ``Plan``, so a reference number handed out here is never handed out twice.
Each command gets a line in ``done`` or in ``problems``; nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from mailbot.core.agenda import CaseView, DayView, Told, possible_repeat
from mailbot.core.directory import Directory
from mailbot.core.model import (
    AddCase,
    Apologies,
    Command,
    RequirePartners,
    Sender,
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


@dataclass(frozen=True, slots=True)
class NewCase:
    reference: str
    subject: str
    concern: str
    referrer: str
    partners: tuple[str, ...]
    day: date
    repeat_of: str | None


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


Change = NewCase | PartnersAdded | CaseWithdrawn | ApologiesGiven


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

    @property
    def needs_answer(self) -> bool:
        return bool(self.done or self.problems or self.status_requested)


def _names(directory: Directory, codes: tuple[str, ...] | list[str]) -> str:
    return ", ".join(directory.get(c).name for c in codes) or "none"


def plan(commands: tuple[Command, ...], sender: Sender, snap: Snapshot, directory: Directory,
         call: str) -> Plan:
    """Work out what a reply's commands change. ``call`` names the meeting for people
    ("today's 12:00 call", "the Tuesday 24 November 2026 12:00 call")."""
    out = Plan()
    cases = {c.reference: c for c in snap.day.cases}
    number = snap.next_number
    when = call + (" (it came after the cut-off)" if snap.after_cutoff else "")
    for command in commands:
        if isinstance(command, AddCase):
            reference = f"{snap.reference_prefix}-{snap.day.day.year}-{number:04d}"
            number += 1
            repeat = possible_repeat(command.subject, (*snap.earlier, *cases.values()))
            out.changes.append(NewCase(reference, command.subject, command.concern,
                                       sender.partner or "", command.partners, snap.day.day,
                                       repeat.reference if repeat else None))
            cases[reference] = CaseView(reference, command.subject, command.concern,
                                        sender.partner or "", command.partners)
            out.done.append(f"Added {reference} ({command.subject}) to {when}; "
                            f"required: {_names(directory, command.partners)}")
            if repeat is not None:
                out.repeats.append((reference, repeat))
                # Only the reference: the earlier case may be another partner's, and its
                # initials and concern are not the sender's to be told.
                out.problems.append(
                    f"{reference} ({command.subject}) has the same initials as {repeat.reference}; "
                    "only new concerns come to the meeting, so the coordinators have been told and "
                    "will check whether it is the same person")
        elif isinstance(command, RequirePartners):
            case = cases.get(command.case)
            if case is None:
                where = "known" if command.case not in snap.known else f"on the agenda of {call}"
                out.problems.append(f"line {command.line}: {command.case} is not {where}; "
                                    "nothing was changed")
                continue
            new = tuple(p for p in command.partners if p not in case.partners)
            if not new:
                out.done.append(f"{command.case}: {_names(directory, command.partners)} "
                                "already required; nothing changed")
                continue
            out.changes.append(PartnersAdded(command.case, new, snap.day.day))
            cases[command.case] = CaseView(case.reference, case.subject, case.concern,
                                           case.referrer, case.partners + new)
            out.done.append(f"{command.case}: now also requires {_names(directory, new)}")
        elif isinstance(command, StatusRequest):
            out.status_requested = True
        elif isinstance(command, WithdrawCase):
            _withdraw(command, sender, snap, directory, call, cases, out)
        elif isinstance(command, Apologies):
            _apologies(command, sender, snap, directory, call, out)
        # Actions, decisions and reviews are planned by core.actions.
    if snap.case_call_sent:
        for code in _newly_required(snap, cases):
            out.now_required[code] = [ref for ref, c in cases.items() if code in c.partners]
        withdrawn = any(isinstance(c, CaseWithdrawn) for c in out.changes)
        for code in _no_longer_required(snap, cases) if withdrawn else ():
            out.stand_down[code] = [c.reference for c in snap.day.cases
                                    if code in c.partners and c.reference not in cases]
    out.sender_status = _sender_status(out, sender, snap, cases)
    return out


def _withdraw(command: WithdrawCase, sender: Sender, snap: Snapshot, directory: Directory, call: str,
              cases: dict[str, CaseView], out: Plan) -> None:
    """Only the referrer or a coordinator, and only from an agenda whose cut-off has not
    passed (the reply's own day is always such a day); anything else goes to a person."""
    case = cases.get(command.case)
    who = f"{sender.address} ({directory.get(sender.partner).name if sender.partner else 'no partner'})"
    if case is None:
        late = " and withdrawals close at the cut-off" if snap.after_cutoff else ""
        out.problems.append(f"line {command.line}: {command.case} is not on the agenda of {call}{late}, "
                            "so it was not withdrawn; the coordinators have been told")
        out.for_coordinators.append((f"withdrawal of {command.case} needs a person",
                                     f"{who} asked to withdraw {command.case} ({command.reason}), which "
                                     f"is not on the agenda of {call}: please deal with it."))
        return
    if not (sender.coordinator or sender.partner == case.referrer):
        referrer = directory.get(case.referrer).name if case.referrer else "the coordinator"
        out.problems.append(f"line {command.line}: only the referrer ({referrer}) or a coordinator may "
                            f"withdraw {command.case}; nothing was changed and the coordinators have "
                            "been told")
        out.for_coordinators.append((f"withdrawal of {command.case} needs a person",
                                     f"{who} asked to withdraw {command.case}, referred by {referrer} "
                                     f"({command.reason}): please check with the referrer."))
        return
    out.changes.append(CaseWithdrawn(command.case, command.reason, snap.day.day))
    del cases[command.case]
    out.done.append(f"Withdrew {command.case} from {call}: {command.reason}")


def _apologies(command: Apologies, sender: Sender, snap: Snapshot, directory: Directory, call: str,
               out: Plan) -> None:
    day = snap.upcoming or snap.day
    label = snap.upcoming_call or call
    if sender.partner is None:  # only partners are read at all; kept for the type
        return
    if command.case and not day.has_case(command.case):
        out.problems.append(f"line {command.line}: {command.case} is not on the agenda of {label}; "
                            "no apologies were recorded for it")
        return
    name = directory.get(sender.partner).name
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


def _no_longer_required(snap: Snapshot, cases: dict[str, CaseView]) -> list[str]:
    """Partners told they were required whom no remaining case needs (after a withdrawal)."""
    needed = {code for case in cases.values() for code in case.partners}
    return sorted(code for code, told in snap.day.told.items()
                  if told == Told.REQUIRED and code not in needed)


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


def _newly_required(snap: Snapshot, cases: dict[str, CaseView]) -> list[str]:
    """Partners told to stand down (or told nothing) whom the day now needs."""
    needed = {code for case in cases.values() for code in case.partners}
    return sorted(code for code in needed if snap.day.told.get(code) != Told.REQUIRED)
