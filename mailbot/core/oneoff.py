"""``Meeting <ref>: [kind] <date> <time> - <partners>``: a one-off sitting for one case.

A strategy discussion, a professionals' meeting or a best-interest meeting is a sitting of
the case's own meeting, called by any of its members for one case, at a date and time of
their choosing, with the partners they name. The line is strict about what matters (a real
date still to come, a time, partners the directory knows) and lenient about how it is
written: ``Meeting HR-2026-0041: 3/12/2026 2pm - Police, ASC and CNWL``, ``Meeting
HR-2026-0041: professionals' meeting Thursday 3 December at 14.30 - Police``. Anything it
cannot read safely is told back with the form; no meeting is ever called on a guess.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from mailbot.core.call_reader import has_partners, read_call
from mailbot.core.model import Apologies, CallMeeting, CancelMeeting, Command, RequirePartners
from mailbot.core.readers import Parse

_OPEN_END = re.compile(r"(?:[,&/+-]|\band)\s*$", re.IGNORECASE)
_WRAPPED_AT = 60  # a line without its partners is taken as wrapped only when it is this long


class SittingStatus(enum.StrEnum):
    CALLED = "called"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Sitting:
    """One one-off sitting of a meeting, for one case, as stored."""

    meeting: str
    reference: str
    kind: str
    day: date
    starts: time
    partners: tuple[str, ...]
    called_by: str  # an address, or "cli:<user>"
    called_from: str  # the email's Message-ID, or "cli:<user>"
    status: SittingStatus = SittingStatus.CALLED
    created_at: datetime | None = None


def form(reference: str) -> str:
    return f"Meeting {reference}: <dd/mm/yyyy> <hh:mm> - <partners>"


def meeting(p: Parse, ref: str, colon: str | None, rest: str, line: int) -> bool:
    """``Meeting HR-2026-0041: 03/12/2026 14:00 - Police, ASC, CNWL``: any member may call one.
    Without the colon (or a dash) only a line that reads whole is an instruction: "Meeting
    HR-2026-0041 went well" is news for the coordinators, not a call gone wrong."""
    call = read_call(rest, p.today)
    if colon is None and isinstance(call, str):
        return False
    case = p.reference(ref, line)
    if case is None:
        return True
    if isinstance(call, str):
        p.clarify(line, p.said, form(case), call)
        return True
    before = len(p.problems)
    partners = p.partners(call.names, line)
    if len(p.problems) > before:  # a name not known: nothing is called on a part of the list
        p.problem(line, f"no meeting was called for {case}; write the partners as the case call "
                        "names them and send the line again")
        return True
    if not partners:
        p.clarify(line, p.said, form(case), "name the partners to invite")
        return True
    p.commands.append(CallMeeting(case, call.kind, call.day, call.starts, partners, line))
    return True


def unwrapped(lines: Sequence[str], starts: re.Pattern[str]) -> list[str]:
    """The lines with a meeting line that a mail client wrapped joined up again: a line that
    ``starts`` matches and that ends open (a comma, "and", a dash), or is long and has no
    partners yet, takes the next line, which is left empty so that line numbers stay as written."""
    out = list(lines)
    for i, line in enumerate(out[:-1]):
        if not starts.match(line) or not out[i + 1].strip():
            continue
        if _OPEN_END.search(line) or (len(line) >= _WRAPPED_AT and not has_partners(line)):
            out[i], out[i + 1] = f"{line.rstrip()} {out[i + 1].strip()}", ""
    return out


def in_thread(commands: Sequence[Command], sitting: Sitting
              ) -> tuple[tuple[Command, ...], tuple[Apologies, ...]]:
    """A reply in a sitting's invitation thread is about that sitting: ``Partners for <its
    case>`` invites more to it (a call of the same sitting), and apologies for the whole
    meeting or for its case are for it, not for the case's next regular meeting, and ``Cancel
    meeting <its case>`` without a day and time is for it, even when the case has another to
    come. Returns the commands to apply, and the apologies for the sitting."""
    out: list[Command] = []
    sorry: list[Apologies] = []
    for c in commands:
        if isinstance(c, RequirePartners) and c.case == sitting.reference:
            out.append(CallMeeting(c.case, sitting.kind, sitting.day, sitting.starts, c.partners, c.line))
        elif isinstance(c, Apologies) and c.case in (None, sitting.reference):
            sorry.append(c)
        elif isinstance(c, CancelMeeting) and c.case == sitting.reference and c.day is None \
                and c.starts is None:
            out.append(dataclasses.replace(c, day=sitting.day, starts=sitting.starts))
        else:
            out.append(c)
    return tuple(out), tuple(sorry)
