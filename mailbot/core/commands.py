"""The reply grammar: newly written text -> commands, plus problems to tell the sender.

One row of ``_GRAMMAR`` per command: a pattern for the keyword and a reader
for the rest of the line. Keywords ignore case, may follow a bullet or a
number, and allow spaces around the colon. Any line that matches no keyword
is prose and is no problem; a line ``stop`` or ``end`` ends the reading.

A command refused (a non-coordinator recording an action, a bad date, an
unknown case reference) goes to ``problems``, never to ``commands``. An
unknown partner is a problem too, but the case is still added with the
partners that were recognised, so nothing the partner asked for is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email

from mailbot.core.absence import read_absence
from mailbot.core.dates import DateError, parse_date
from mailbot.core.directory import Directory
from mailbot.core.model import (
    ActionStatus,
    ActionUpdate,
    AddAction,
    AddCase,
    Apologies,
    Command,
    DecideCase,
    Decision,
    ReadAs,
    RequirePartners,
    ReviewCase,
    Sender,
    StatusRequest,
    WithdrawCase,
)

_MAX_LINE = 2000  # a longer line is never a command; keeps every pattern cheap
_LEAD = r"^\s*(?:[-*•·>]+\s*|\(?\d{1,2}[.)]\s*|\(?[a-z][.)]\s+)?"
# "E.F.-stalking": initials written straight against the dash.
_GLUED = re.compile(r"^((?:[A-Za-z]\.){1,4})\s*[-–—]\s*(\S.*)$")
_DASH = re.compile(r"\s+[-–—]+\s+|\s*[–—]+\s*|\s+-|-\s+")
_SPLIT_PARTNERS = re.compile(r"\s*[,;&/+]\s*|\s+plus\s+")
_POLITE_WORDS = ("thank you", "thanks", "please", "cheers", "pls")
_TRAILING = " \t\r\n\f\v,.!"
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_ACTION_ID = re.compile(r"A-?(\d{1,7})\b", re.IGNORECASE)
STATUS_SUBJECT = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|vs)\s*:\s*)*status\s*$", re.IGNORECASE)


def _unpolite(text: str) -> str:
    """Without a closing "please" or "thanks". Done by hand: the obvious regex
    (punctuation, a word, punctuation, end) backtracks quadratically on a long
    run of commas or spaces, which the fuzz test found."""
    text = text.strip().rstrip(_TRAILING)
    low = text.lower()
    for word in _POLITE_WORDS:
        if low.endswith(word) and (len(text) == len(word) or not text[-len(word) - 1].isalnum()):
            return text[:-len(word)].rstrip(_TRAILING)
    return text


@dataclass
class Parse:
    """What reading the text found so far."""

    sender: Sender
    directory: Directory
    prefix: str
    today: date
    commands: list[Command] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    read_as: list[ReadAs] = field(default_factory=list)
    last_case_line: int | None = None
    last_case_added: bool = False

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"line {line}: {message}")

    def reference(self, text: str, line: int) -> str | None:
        ref = text.strip().upper().replace(" ", "")
        if re.fullmatch(rf"{self.prefix}-\d{{4}}-\d{{1,4}}", ref):
            year, number = ref.split("-")[1:]
            return f"{self.prefix}-{year}-{int(number):04d}"
        self.problem(line, f"{text.strip()!r} is not a case reference (like {self.prefix}-2026-0041)")
        return None

    def partners(self, text: str, line: int) -> tuple[str, ...]:
        found: list[str] = []
        unknown: list[str] = []
        for chunk in _SPLIT_PARTNERS.split(_unpolite(text)):
            if chunk.strip():
                _match_names(chunk, self.directory, found, unknown)
        for name in unknown:
            self.problem(line, f"unknown partner {name!r} (known: {self.directory.known_names()})")
        return tuple(dict.fromkeys(found))

    def coordinator_only(self, line: int, what: str) -> bool:
        if self.sender.coordinator:
            return True
        self.problem(line, f"only a coordinator may {what}; this line was not applied")
        return False


def _match_names(chunk: str, directory: Directory, found: list[str], unknown: list[str]) -> None:
    """Match one chunk, splitting on "and" only where the whole is not a name.

    "Central and North West London NHS Mental Health Trust" is one partner;
    "Police and CNWL" is two.
    """
    pieces = _AND.split(chunk.strip())
    i = 0
    while i < len(pieces):
        for j in range(len(pieces), i, -1):
            partner = directory.find(" and ".join(pieces[i:j]))
            if partner is not None:
                found.append(partner.code)
                i = j
                break
        else:
            unknown.append(pieces[i].strip())
            i += 1


def _case(p: Parse, rest: str, line: int) -> None:
    p.last_case_line, p.last_case_added = line, False
    glued = _GLUED.match(rest.strip())
    parts = [glued[1], glued[2]] if glued else _DASH.split(rest.strip(), maxsplit=1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        p.problem(line, "a new case needs initials and the concern, like "
                        "'Case: T.W. - threats to neighbour'; this case was not added")
        return
    subject, concern = parts[0].strip(), parts[1].strip()
    if len(subject) > 40:
        p.problem(line, "give only the initials or case reference before the dash; "
                        "this case was not added")
        return
    referrer = (p.sender.partner,) if p.sender.partner else ()
    p.commands.append(AddCase(subject, concern, referrer, line))
    p.last_case_added = True


def _partners_for_new_case(p: Parse, rest: str, line: int) -> None:
    last = p.commands[-1] if p.commands else None
    if p.last_case_line is not None and not p.last_case_added:
        p.problem(line, f"not applied: the case on line {p.last_case_line} was not added")
        return
    if not isinstance(last, AddCase):
        p.problem(line, "'Partners:' must follow a 'Case:' line; for an existing case write "
                        f"'Partners for {p.prefix}-2026-0041: ...'")
        return
    named = p.partners(rest, line)
    p.commands[-1] = AddCase(
        last.subject, last.concern, tuple(dict.fromkeys((*last.partners, *named))), last.line
    )


def _partners_for_case(p: Parse, ref: str, rest: str, line: int) -> None:
    case = p.reference(ref, line)
    if case is None:
        return
    named = p.partners(rest, line)
    if named:
        p.commands.append(RequirePartners(case, named, line))
    elif not rest.strip():
        p.problem(line, "no partners named")


def _action(p: Parse, rest: str, line: int) -> None:
    fields = [f.strip() for f in rest.split("|")]
    if len(fields) != 4 or not all(fields):
        p.problem(line, "an action needs four parts: 'Action: <case ref> | <owner email> | "
                        "<due date> | <what>'; this action was not recorded")
        return
    if not p.coordinator_only(line, "record actions"):
        return
    case = p.reference(fields[0], line)
    owner = _owner(p, fields[1], line)
    due = _date(p, fields[2], line)
    if case and owner and due:
        p.commands.append(AddAction(case, owner, due, fields[3], line))


def _owner(p: Parse, text: str, line: int) -> str | None:
    address = text.strip().strip("<>").strip()
    try:
        return validate_email(address, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError:
        p.problem(line, f"the owner must be an email address, not {text!r}")
        return None


def _date(p: Parse, text: str, line: int) -> date | None:
    try:
        found = parse_date(text, p.today)
    except DateError as exc:
        p.problem(line, str(exc))
        return None
    if found < p.today:
        p.problem(line, f"{found:%d/%m/%Y} is in the past")
        return None
    return found


def _update(status: ActionStatus) -> Callable[[Parse, str, int], None]:
    def read(p: Parse, rest: str, line: int) -> None:
        m = _ACTION_ID.match(rest.strip())
        if m is None:
            p.problem(line, f"name the action by its id, like '{status.value.title()}: A-12'")
            return
        note = rest.strip()[m.end():].strip(" -–—:,.")
        if status is not ActionStatus.DONE and not note:
            why = "a reason" if status is ActionStatus.CANNOT else "the news"
            p.problem(line, f"give {why} after the action id; this update was not recorded")
            return
        p.commands.append(ActionUpdate(f"A-{int(m[1])}", status, note, line))

    return read


def _decision(p: Parse, ref: str, rest: str, line: int) -> None:
    if not p.coordinator_only(line, "record decisions"):
        return
    case = p.reference(ref, line)
    word, _, rationale = rest.strip().partition(" ")
    rationale = rationale.strip(" -–—:")
    try:
        decision = Decision(word.casefold().strip(" -–—:,."))
    except ValueError:
        p.problem(line, "a decision is 'accepted', 'declined' or 'closed', then ' - ' and why")
        return
    if decision is not Decision.ACCEPTED and not rationale:
        p.problem(line, f"a case {decision.value} needs its rationale after a dash")
        return
    if case:
        p.commands.append(DecideCase(case, decision, rationale, line))


def _review(p: Parse, ref: str, rest: str, line: int) -> None:
    if not p.coordinator_only(line, "set review dates"):
        return
    case = p.reference(ref, line)
    on = _date(p, rest, line)
    if case and on:
        p.commands.append(ReviewCase(case, on, line))


def _status(p: Parse, line: int) -> None:
    p.commands.append(StatusRequest(line))


def _reason(text: str | None) -> str:
    return (text or "").strip().strip(" -–—:：").strip()


def _apologies(p: Parse, reason: str | None, line: int) -> None:
    p.commands.append(Apologies(None, _reason(reason), line))


def _apologies_for(p: Parse, ref: str, reason: str | None, line: int) -> None:
    case = p.reference(ref, line)
    if case:
        p.commands.append(Apologies(case, _reason(reason), line))


def _withdraw(p: Parse, ref: str, reason: str | None, line: int) -> None:
    case = p.reference(ref, line)
    if case is None:
        return
    why = _reason(reason)
    if not why:
        p.problem(line, f"a withdrawal needs its reason for the record, like 'Withdraw {case}: "
                        "<reason>'; the case was not withdrawn")
        return
    p.commands.append(WithdrawCase(case, why, line))


_REF = r"([^:：]{1,40}?)"
_KW = r"\s*:\s*(.*)$"
# A case reference as typed ("HR-2026-0041", "hr-2026-41", "HR - 2026 - 41"), then a colon,
# a dash or the end of the line; anything after is the reason.
_CASE_REF = r"(?:case\s+)?([a-z]{1,6}\s?-\s?\d{4}\s?-\s?\d{1,4})"
_THEN_REASON = r"(?:\s*[:：]\s*|\s+[-–—]+\s+|\s*[-–—]+\s*(?=\S)|\s*[.!]?\s*$)(.*)$"

# (pattern, reader): the first row whose pattern matches a line reads it.
_GRAMMAR: tuple[tuple[re.Pattern[str], Callable[..., None]], ...] = (
    (re.compile(_LEAD + r"(?:new\s+|add\s+)?case" + _KW, re.I), _case),
    (re.compile(_LEAD + r"partners?\s+for\s+" + _REF + _KW, re.I), _partners_for_case),
    (re.compile(_LEAD + r"partners?" + _KW, re.I), _partners_for_new_case),
    (re.compile(_LEAD + r"action" + _KW, re.I), _action),
    (re.compile(_LEAD + r"done" + _KW, re.I), _update(ActionStatus.DONE)),
    (re.compile(_LEAD + r"update" + _KW, re.I), _update(ActionStatus.UPDATE)),
    (re.compile(_LEAD + r"(?:cannot|can\s*not|can['’]t)\s+complete" + _KW, re.I),
     _update(ActionStatus.CANNOT)),
    (re.compile(_LEAD + r"decision\s+(?:for\s+)?" + _REF + _KW, re.I), _decision),
    (re.compile(_LEAD + r"review\s+(?:for\s+)?" + _REF + _KW, re.I), _review),
    (re.compile(r"^\s*status\s*[.!]?\s*$", re.I), _status),
    (re.compile(_LEAD + r"apolog(?:y|ies)\s+for\s+" + _CASE_REF + _THEN_REASON, re.I), _apologies_for),
    (re.compile(_LEAD + r"apolog(?:y|ies)\s*(?:[.!]?\s*$|[:：]\s*(.*)$)", re.I), _apologies),
    (re.compile(_LEAD + r"withdraw(?:\s+case)?\s*[:：]?\s*" + _CASE_REF + _THEN_REASON, re.I), _withdraw),
)
# Withdrawals and case apologies that the rows above could not read: told, with the form.
_CASE_MISS = re.compile(_LEAD + r"(withdraw|apolog(?:y|ies)\s+for\s+(?:case\s+)?[a-z]{1,6}\s?-\s?\d)\b",
                        re.IGNORECASE)
_ANY_REF = re.compile(r"\b[a-z]{1,6}-\d{4}-\d{1,4}\b", re.IGNORECASE)
_STOP = re.compile(r"^\s*(?:stop|end)\s*[.!]?\s*$", re.IGNORECASE)
# Lines that look meant as commands but lack the colon: told, not guessed at.
_NEAR_MISS = re.compile(
    _LEAD + r"(?:(?:new\s+|add\s+)?case\s+(?:[A-Z]\.?\s?){1,4}\s*[-–—]"
    r"|partners?\s+for\s+[A-Z]{1,6}-\d|action\s+[A-Z]{1,6}-\d|(?:done|update)\s+A-\d)",
    re.IGNORECASE,
)


_ANY_COMMAND = re.compile(
    _LEAD + r"(?:(?:new\s+|add\s+)?case|partners?(?:\s+for\s+[^:：]{1,40}?)?|action|done|update|"
    r"(?:cannot|can\s*not|can['’]t)\s+complete|(?:decision|review)\s+(?:for\s+)?[^:：]{1,40}?)\s*[:：]",
    re.IGNORECASE,
)


def is_command_line(line: str) -> bool:
    """Whether a line is written in the reply grammar (used to warn about unread lines)."""
    head = line[:80]
    if ":" not in head and "：" not in head:  # every command but "status" has an early colon
        return False
    return bool(_ANY_COMMAND.match(head))


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the reply grammar read in a text: commands, problems to tell the sender, the
    lines read leniently, and which lines were instructions (the rest is courtesy or prose)."""

    commands: tuple[Command, ...]
    problems: tuple[str, ...]
    read_as: tuple[ReadAs, ...]
    instructions: frozenset[int]


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
    p = Parse(sender, directory, reference_prefix, today)
    if STATUS_SUBJECT.match(subject):
        p.commands.append(StatusRequest(0))
    instructions: set[int] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if _STOP.match(line):
            instructions.add(number)
            break
        if len(line) <= _MAX_LINE and _read_line(p, line, number):
            instructions.add(number)
    statuses = [c for c in p.commands if isinstance(c, StatusRequest)]
    if len(statuses) > 1:  # one answer is enough, however it was asked
        p.commands = [c for c in p.commands if not isinstance(c, StatusRequest)] + statuses[:1]
    return Parsed(tuple(p.commands), tuple(p.problems), tuple(p.read_as), frozenset(instructions))


def _read_line(p: Parse, line: str, number: int) -> bool:
    """Read one line; True when it was an instruction (applied or told back as a problem)."""
    for pattern, reader in _GRAMMAR:
        m = pattern.match(line)
        if m:
            reader(p, *m.groups(), number)
            return True
    if _absence(p, line, number):
        return True
    miss = _CASE_MISS.match(line)
    if miss:
        ref = _ANY_REF.search(line)
        case = ref[0].upper() if ref else f"{p.prefix}-2026-0041"
        form = f"Withdraw {case}: <reason>" if miss[1].lower().startswith("withdraw") \
            else f"Apologies for {case}: <reason>"
        p.problem(number, f"{line.strip()!r} was not read: did you mean {form!r}?")
        return True
    if _NEAR_MISS.match(line):
        p.problem(number, "this looks like a command but has no colon after the "
                          "keyword, so it was not read (write 'Case: T.W. - ...')")
        return True
    return False


def _absence(p: Parse, line: str, number: int) -> bool:
    """An absence written in the sender's own words, read as ``Apologies`` and told back."""
    absence = read_absence(line)
    if absence is None:
        return False
    said = line.strip()
    ref = _ANY_REF.search(said)
    if ref:
        p.problem(number, f"{said!r} was not read: did you mean "
                          f"'Apologies for {ref[0].upper()}: {absence.reason or '<reason>'}'?")
        return True
    if absence.speaker:
        partner = p.directory.find(absence.speaker)
        if partner is None and not absence.named_by_sender:
            return False  # "Mum can't make the meeting": about someone else
        if partner is not None and partner.code != p.sender.partner:
            p.problem(number, f"{said!r} was not read: apologies are recorded for the sender's "
                              f"own agency; {partner.name} should send their own")
            return True
    canonical = f"Apologies: {absence.reason}" if absence.reason else "Apologies"
    p.commands.append(Apologies(None, absence.reason, number))
    p.read_as.append(ReadAs(number, said, canonical))
    return True


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
