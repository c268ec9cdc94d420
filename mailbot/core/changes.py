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
    Command,
    RequirePartners,
    Sender,
    StatusRequest,
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


Change = NewCase | PartnersAdded


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    now_required: dict[str, list[str]] = field(default_factory=dict)  # partner -> references
    repeats: list[tuple[str, CaseView]] = field(default_factory=list)  # (new ref, earlier case)
    status_requested: bool = False

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
                out.problems.append(
                    f"{reference} ({command.subject}) may repeat {repeat.reference} "
                    f"({repeat.subject}: {repeat.concern}); only new concerns come to the meeting, "
                    "so the coordinators have been told")
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
        # Actions, decisions and reviews are planned by core.actions.
    if snap.case_call_sent:
        for code in _newly_required(snap, cases):
            out.now_required[code] = [ref for ref, c in cases.items() if code in c.partners]
    return out


def _newly_required(snap: Snapshot, cases: dict[str, CaseView]) -> list[str]:
    """Partners told to stand down (or told nothing) whom the day now needs."""
    needed = {code for case in cases.values() for code in case.partners}
    return sorted(code for code in needed if snap.day.told.get(code) != Told.REQUIRED)
