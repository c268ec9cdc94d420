"""The readers of the reply grammar for cases, partners, attendance and withdrawals
(``action_readers`` has the lines about actions and decisions).

``Parse`` holds what reading found so far. A reader appends a command, or a
problem for the sender; a reader that returns False says the line was not an
instruction after all (it is left for the courtesy-or-prose reading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from mailbot.core.absence import read_absence
from mailbot.core.directory import Directory
from mailbot.core.lenient import nearest, unpolite
from mailbot.core.model import (
    AddCase,
    Apologies,
    Command,
    ReadAs,
    RequirePartners,
    Sender,
    StatusRequest,
    WithdrawCase,
)

# "E.F.-stalking": initials written straight against the dash.
_GLUED = re.compile(r"^((?:[A-Za-z]\.){1,4})\s*[-–—]\s*(\S.*)$")
# "G.L., 84, bruising": dotted capitals, then a comma where the dash should be.
_COMMA = re.compile(r"^((?:[A-Z]\.\s?){1,3}[A-Z]\.)\s*,\s*(\S.*)$")
_LONE_INITIALS = re.compile(r"^(?:[A-Za-z]\.?\s?){1,4}$")
_DASH = re.compile(r"\s+[-–—]+\s+|\s*[–—]+\s*|\s+-|-\s+")
_SPLIT_PARTNERS = re.compile(r"\s*[,;&/+]\s*|\s+plus\s+")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_ANY_REF = re.compile(r"\b[a-z]{1,6}-\d{4}-\d{1,4}\b", re.IGNORECASE)


def quoted(text: str, limit: int = 200) -> str:
    """The sender's words in single quotes for an answer. Their apostrophes become
    typographic ones so each quote has one clear end: an answer to a reference-level
    address withholds quoted words, and must find where they stop. Long lines are cut."""
    words = text.strip()
    if len(words) > limit:
        words = words[:limit].rstrip() + "…"
    return "'" + words.replace("'", "’") + "'"


@dataclass(frozen=True, slots=True)
class Mark:
    """Where reading stood before a line, so a reading that is not kept can be undone. Only
    lengths and the last command are kept (a "Partners:" line changes only the last case),
    so a mark costs the same on the thousandth line as on the first."""

    commands: int
    last: Command | None
    problems: int
    read_as: int
    last_case_line: int | None
    last_case_added: bool


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
    said: str = ""  # the line being read, as the sender wrote it

    def mark(self) -> Mark:
        last = self.commands[-1] if self.commands else None
        return Mark(len(self.commands), last, len(self.problems), len(self.read_as),
                    self.last_case_line, self.last_case_added)

    def restore(self, mark: Mark) -> None:
        del self.commands[mark.commands:]
        if mark.last is not None:
            self.commands[-1] = mark.last
        del self.problems[mark.problems:]
        del self.read_as[mark.read_as:]
        self.last_case_line, self.last_case_added = mark.last_case_line, mark.last_case_added

    def clean_since(self, mark: Mark) -> bool:
        """Whether nothing read since ``mark`` was a problem."""
        return len(self.problems) == mark.problems

    def changed_since(self, mark: Mark) -> bool:
        """Whether a command was added or changed since ``mark``."""
        last = self.commands[-1] if self.commands else None
        return len(self.commands) != mark.commands or last is not mark.last

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"line {line}: {message}")

    def clarify(self, line: int, said: str, form: str, why: str = "") -> None:
        """A line not read, quoted back with the nearest form that would be read."""
        because = f"{why}; " if why else ""
        self.problem(line, f"{quoted(said)} was not read: {because}did you mean {quoted(form)}?")

    def reference(self, text: str, line: int) -> str | None:
        ref = text.strip().upper().replace(" ", "")
        if re.fullmatch(rf"{self.prefix}-\d{{4}}-\d{{1,4}}", ref):
            year, number = ref.split("-")[1:]
            return f"{self.prefix}-{year}-{int(number):04d}"
        self.problem(line, f"{quoted(text)} is not a case reference (like {self.prefix}-2026-0041)")
        return None

    def partners(self, text: str, line: int) -> tuple[str, ...]:
        found: list[str] = []
        unknown: list[str] = []
        for chunk in _SPLIT_PARTNERS.split(unpolite(text)):
            if chunk.strip():
                _match_names(chunk, self.directory, found, unknown)
        for name in unknown:
            self.problem(line, f"unknown partner {quoted(name)} (known: {self.directory.known_names()})")
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


# Initials as people write them: "T.W.", "TW", "t w", "J-P.S.", "Z.Ö.": one to four letters.
_INITIALS = re.compile(r"[^\W\d_](?:[.\s'’-]*[^\W\d_]){0,3}\.?")


def looks_like_initials(text: str) -> bool:
    """Whether ``text`` is initials, never a name: a case record holds only initials."""
    return _INITIALS.fullmatch(text.strip()) is not None


def case(p: Parse, rest: str, line: int) -> None:
    """``Case: <initials> - <concern>``: a new case, referred by the sender's agency."""
    p.last_case_line, p.last_case_added = line, False
    glued = _GLUED.match(rest.strip())
    comma = _COMMA.match(rest.strip())
    if comma:  # "G.L., 84, bruising": dotted initials are unmistakable; say how it was read
        parts = [comma[1], comma[2]]
        p.read_as.append(ReadAs(line, p.said, f"Case: {comma[1].strip()} - {comma[2].strip()}"))
    else:
        parts = [glued[1], glued[2]] if glued else _DASH.split(rest.strip(), maxsplit=1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        typed = rest.strip()
        initials = typed if _LONE_INITIALS.match(typed) else "<initials>"
        p.clarify(line, p.said, nearest(p.said, p.prefix) or f"Case: {initials} - <concern>")
        return
    subject, concern = parts[0].strip(), parts[1].strip()
    if len(subject) > 40:
        p.problem(line, "give only the initials or case reference before the dash; "
                        "this case was not added")
        return
    if not looks_like_initials(subject):
        p.problem(line, f"{quoted(subject)} is not initials: give 1 to 4 letters, like "
                        "'Case: T.W. - threats to neighbour'; this case was not added")
        return
    referrer = (p.sender.partner,) if p.sender.partner else ()
    p.commands.append(AddCase(subject, concern, referrer, line))
    p.last_case_added = True


def partners_for_new_case(p: Parse, rest: str, line: int) -> None:
    """``Partners: ...`` under a case line: the partners that case needs."""
    last = p.commands[-1] if p.commands else None
    if p.last_case_line is not None and not p.last_case_added:
        p.problem(line, f"not applied: the case on line {p.last_case_line} was not added")
        return
    if not isinstance(last, AddCase):
        p.problem(line, "'Partners:' must follow a 'Case:' line; for an existing case write "
                        f"'Partners for {p.prefix}-2026-0041: ...'")
        return
    named = p.partners(rest, line)
    p.commands[-1] = replace(last, partners=tuple(dict.fromkeys((*last.partners, *named))))


def partners_for_case(p: Parse, ref: str, rest: str, line: int) -> None:
    """``Partners for <ref>: ...``: partners an existing case needs."""
    case = p.reference(ref, line)
    if case is None:
        return
    named = p.partners(rest, line)
    if named:
        p.commands.append(RequirePartners(case, named, line))
    elif not rest.strip():
        p.problem(line, "no partners named")


def status(p: Parse, line: int) -> None:
    """``status``: the sender asks what is open."""
    p.commands.append(StatusRequest(line))


def _reason(text: str | None) -> str:
    return (text or "").strip().strip(" -–—:：").rstrip(" .!")


def apologies(p: Parse, reason: str | None, line: int) -> None:
    """``Apologies`` or ``Apologies: <reason>``: the sender's agency cannot attend."""
    p.commands.append(Apologies(None, _reason(reason), line))


def apologies_for(p: Parse, ref: str, reason: str | None, line: int) -> None:
    """``Apologies for <ref>``: the sender's agency cannot attend for that case."""
    case = p.reference(ref, line)
    if case:
        p.commands.append(Apologies(case, _reason(reason), line))


def withdraw(p: Parse, ref: str, reason: str | None, line: int) -> None:
    """``Withdraw <ref>: <reason>``: the reason is required for the record."""
    case = p.reference(ref, line)
    if case is None:
        return
    why = _reason(reason)
    if not why:
        p.clarify(line, p.said, f"Withdraw {case}: <reason>", "a withdrawal needs its reason for the record")
        return
    p.commands.append(WithdrawCase(case, why, line))




def absence(p: Parse, line: str, number: int) -> bool:
    """An absence in the sender's own words, read as ``Apologies`` and told back."""
    found = read_absence(line)
    if found is None:
        return False
    said = line.strip()
    ref = _ANY_REF.search(said)
    if ref:
        p.clarify(number, said, f"Apologies for {ref[0].upper()}: {found.reason or '<reason>'}")
        return True
    if found.speaker:
        partner = p.directory.find(found.speaker)
        if partner is None and not found.named_by_sender:
            return False  # "Mum can't make the meeting": about someone else
        if partner is not None and partner.code != p.sender.partner:
            own = p.directory.get(p.sender.partner).name if p.sender.partner else "none"
            p.problem(number, f"{quoted(said)} was not read: apologies are recorded only for your own "
                              f"agency ({own}); {partner.name} should send their own")
            return True
    p.commands.append(Apologies(None, found.reason, number))
    p.read_as.append(ReadAs(number, said, f"Apologies: {found.reason}" if found.reason else "Apologies"))
    return True
