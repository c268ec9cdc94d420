"""The reply grammar: newly written text -> commands, plus problems to tell the sender.

One row of ``_GRAMMAR`` per command: a pattern for the keyword and a reader
(in ``readers``) for the rest of the line. Keywords ignore case, may follow a
bullet or a number, and allow spaces around the colon. A line ``stop`` or
``end`` ends the reading.

Each line is read in three tries, and the first that reads it wins:

1. the strict grammar (``Done: A-1``);
2. the lenient forms of ``lenient.rewrite`` (``A-1 done``, ``Completed A-1``),
   read through the strict grammar and told back as ``ReadAs``; absence lines
   in the sender's own words ("Sorry, we can't make today's call") likewise;
3. a line that looks meant as an instruction but cannot be read is a problem
   that quotes it with the nearest form ("did you mean 'Done: A-1'?").

Nothing a problem line asks for is applied. Any other line is not an
instruction: ``courtesy`` decides whether a person must read it.

A command refused (a non-coordinator recording an action, a bad date, an
unknown case reference) goes to ``problems``, never to ``commands``. An
unknown partner is a problem too, but the case is still added with the
partners that were recognised, so nothing the partner asked for is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from mailbot.core import action_readers as a
from mailbot.core import cancel_reader as cr
from mailbot.core import lead as ld
from mailbot.core import oneoff
from mailbot.core import readers as r
from mailbot.core.absence import read_absence
from mailbot.core.categories import category
from mailbot.core.directory import Directory
from mailbot.core.lenient import LEAD, nearest, rewrite
from mailbot.core.model import ActionStatus, Command, ReadAs, Sender, StatusRequest
from mailbot.core.return_reader import returned

_MAX_LINE = 2000  # a longer line is never a command; keeps every pattern cheap
STATUS_SUBJECT = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|vs)\s*:\s*)*status\s*$", re.IGNORECASE)

_REF = r"([^:：]{1,40}?)"
_KW = r"\s*:\s*(.*)$"
# A case reference as typed ("HR-2026-0041", "hr-2026-41", "HR - 2026 - 41"), then a colon,
# a dash or the end of the line; anything after is the reason.
_CASE_REF = r"(?:case\s+)?([a-z]{1,6}\s?-\s?\d{4}\s?-\s?\d{1,4})"
_THEN_REASON = r"(?:\s*[:：]\s*|\s+[-–—]+\s+|\s*[-–—]+\s*(?=\S)|(?:\s*[.!])?\s*$)(.*)$"

# (pattern, reader): the first row whose pattern matches a line reads it.
_GRAMMAR: tuple[tuple[re.Pattern[str], Callable[..., bool | None]], ...] = (
    (re.compile(LEAD + r"(?:new\s+|add\s+)?case" + _KW, re.I), r.case),
    (re.compile(LEAD + r"partners?\s+for\s+" + _REF + _KW, re.I), r.partners_for_case),
    (re.compile(LEAD + r"partners?" + _KW, re.I), r.partners_for_new_case),
    (re.compile(LEAD + r"category" + _KW, re.I), category),
    (re.compile(LEAD + r"action" + _KW, re.I), a.action),
    (re.compile(LEAD + r"done" + _KW, re.I), a.update(ActionStatus.DONE)),
    (re.compile(LEAD + r"update" + _KW, re.I), a.update(ActionStatus.UPDATE)),
    (re.compile(LEAD + r"(?:cannot|can\s*not|can['’]t)\s+complete" + _KW, re.I),
     a.update(ActionStatus.CANNOT)),
    (re.compile(LEAD + r"decision\s+(?:for\s+)?" + _REF + _KW, re.I), a.decision),
    (re.compile(LEAD + r"review\s+(?:for\s+)?" + _REF + _KW, re.I), a.review),
    (re.compile(LEAD + r"attended" + _KW, re.I), a.attended),
    (re.compile(r"^\s*status(?:\s*[.!])?\s*$", re.I), r.status),
    (re.compile(LEAD + r"apolog(?:y|ies)\s+for\s+" + _CASE_REF + _THEN_REASON, re.I), r.apologies_for),
    (re.compile(LEAD + r"apolog(?:y|ies)(?:(?:\s*[.!])?\s*$|\s*[:：]\s*(.*)$)", re.I), r.apologies),
    (re.compile(LEAD + r"withdraw(?:\s+case)?(?:\s*[:：]\s*|\s+)" + _CASE_REF + _THEN_REASON, re.I),
     r.withdraw),
    (re.compile(LEAD + r"return(?:\s+case)?(?:\s*[:：]\s*|\s+)" + _CASE_REF + _THEN_REASON, re.I), returned),
    (re.compile(LEAD + r"lead(?:\s+for)?\s+" + _CASE_REF + r"\s*[:：]\s*(.*)$", re.I), ld.lead),
    (cr.CANCEL, cr.cancel),
    (_MEETING := re.compile(LEAD + r"meeting\s+(?:for\s+)?" + _CASE_REF
                            + r"(?:(\s*[:：]\s*|\s+[-–—]+\s+)|\s+)(.*)$", re.I), oneoff.meeting),
)
_STOP = re.compile(r"^\s*(?:stop|end)(?:\s*[.!])?\s*$", re.IGNORECASE)

def is_command_line(line: str) -> bool:
    """Whether the grammar would take a line as an instruction: strictly, leniently, as an
    absence, or as a near miss told back. The bot's own letters must hold no such line, so
    a quoted letter could never be read as one."""
    if len(line) > _MAX_LINE:
        return False
    if _STOP.match(line) or any(pattern.match(line) for pattern, _ in _GRAMMAR):
        return True
    return rewrite(line) is not None or read_absence(line) is not None or nearest(line, "HR") is not None


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the reply grammar read in a text: commands, problems to tell the sender, the
    lines read leniently, and which lines were instructions (the rest is courtesy or prose)."""

    commands: tuple[Command, ...]
    problems: tuple[str, ...]
    read_as: tuple[ReadAs, ...]
    instructions: frozenset[int]
    stopped_at: int | None = None  # the ``stop`` line: nothing from it on is read, by anyone


def read_commands(
    text: str,
    *,
    sender: Sender,
    directory: Directory,
    reference_prefix: str,
    today: date,
    subject: str = "",
) -> Parsed:
    """Read the newly written text of a reply: its commands, problems and lenient readings."""
    p = r.Parse(sender, directory, reference_prefix, today)
    if STATUS_SUBJECT.match(subject):
        p.commands.append(StatusRequest(0))
    instructions: set[int] = set()
    stopped_at = None
    lines = cr.unwrapped(oneoff.unwrapped(text.splitlines(), _MEETING), is_command_line)
    for number, line in enumerate(lines, start=1):
        if _STOP.match(line):
            stopped_at = number
            break
        if len(line) <= _MAX_LINE and _read_line(p, line, number):
            instructions.add(number)
    statuses = [c for c in p.commands if isinstance(c, StatusRequest)]
    if len(statuses) > 1:  # one answer is enough, however it was asked
        p.commands = [c for c in p.commands if not isinstance(c, StatusRequest)] + statuses[:1]
    return Parsed(tuple(p.commands), tuple(p.problems), tuple(p.read_as), frozenset(instructions),
                  stopped_at)


def _strict(p: r.Parse, line: str, number: int) -> bool | None:
    """Read a line with the strict grammar: None when no row matches, else whether it was
    an instruction."""
    for pattern, reader in _GRAMMAR:
        m = pattern.match(line)
        if m:
            p.said = line.strip()
            return reader(p, *m.groups(), number) is not False
    return None


def _read_line(p: r.Parse, line: str, number: int) -> bool:
    """Read one line; True when it was an instruction (applied, or told back as a problem)."""
    before = p.mark()
    strict = _strict(p, line, number)
    if strict is False:
        p.restore(before)
        return False
    if strict and p.clean_since(before):
        return True
    if _lenient(p, line, number, before, strict_read=bool(strict)):
        return True
    if strict:
        return True  # the strict reading's problem is about what was typed: keep it
    if r.absence(p, line, number):
        return True
    form = nearest(line, p.prefix)
    if form is not None:
        p.clarify(number, line, form)
        return True
    return False


def _lenient(p: r.Parse, line: str, number: int, before: r.Mark, *, strict_read: bool) -> bool:
    """Read the canonical form of a leniently written line, and tell it back. After a strict
    reading with a problem, the lenient one wins only when it reads cleanly."""
    canonical = rewrite(line)
    if canonical is None:
        return False
    p.restore(before)
    if _strict(p, canonical, number) and (not strict_read or p.clean_since(before)):
        if p.changed_since(before):
            p.read_as.append(ReadAs(number, line.strip(), canonical))
        return True
    p.restore(before)
    if strict_read:  # back to the strict reading, whose problem is about what was typed
        _strict(p, line, number)
    return False


def parse_commands(
    text: str,
    *,
    sender: Sender,
    directory: Directory,
    reference_prefix: str,
    today: date,
    subject: str = "",
) -> tuple[list[Command], list[str]]:
    """Read the newly written text of a reply; return its commands and problems."""
    parsed = read_commands(text, sender=sender, directory=directory,
                           reference_prefix=reference_prefix, today=today, subject=subject)
    return list(parsed.commands), list(parsed.problems)
