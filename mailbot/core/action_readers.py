"""The readers of the lines about actions and decisions: ``Action:``, ``Done:``,
``Update:``, ``Cannot complete:``, ``Decision for``, ``Review for``, and the minutes'
``Attended:``.

Recording an action, a decision or a review date is for coordinators, and
those lines are read strictly: a malformed one is a problem, never a guess.
Action updates take one id or a list ("A-1, A-2 and A-3").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from email_validator import EmailNotValidError, validate_email

from mailbot.core.dates import DateError, parse_date
from mailbot.core.decisions import needs_reason, read_decision
from mailbot.core.lenient import unpolite
from mailbot.core.model import ActionStatus, ActionUpdate, AddAction, Attended, DecideCase, ReviewCase
from mailbot.core.readers import Parse, quoted

_ACTION_ID = re.compile(r"A-?(\d{1,7})\b", re.IGNORECASE)
# "A-1, A-2 and A-3": one more id of a list, read from where the last one ended.
# Something meant as an action id but not one: "A1x", "A 7".
_ID_LIKE = re.compile(r"A\s?-?\s?(\d{1,7})", re.IGNORECASE)
_KEYWORDS = {ActionStatus.DONE: "Done", ActionStatus.UPDATE: "Update", ActionStatus.CANNOT: "Cannot complete"}
_TAILS = {ActionStatus.DONE: "", ActionStatus.UPDATE: " - <news>", ActionStatus.CANNOT: " - <reason>"}
_NEXT_ID = re.compile(r"\s*(?:,|&|\+|\band\b|\bplus\b)\s*A-?(\d{1,7})\b", re.IGNORECASE)
# "closed - risk reduced; withdraw A-3, A-4": the actions withdrawn with a decision, at its end.
_WITHDRAW_TAIL = re.compile(r"[\s;,.\-–—]*\bwithdraw(?:ing)?\s+(?:actions?\s+)?"
                            r"(A-?\d{1,7}(?:\s*(?:,|&|\band\b)\s*A-?\d{1,7})*)\s*[.!]?\s*$", re.IGNORECASE)


def action(p: Parse, rest: str, line: int) -> None:
    """``Action: <ref> | <owner> | <due> | <what>``: strict, coordinators only (never guessed)."""
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
        p.problem(line, f"the owner must be an email address, not {quoted(text)}")
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


def update(status: ActionStatus) -> Callable[[Parse, str, int], bool]:
    """The reader of an action update: one id or a list ("A-1, A-2 and A-3"), then the note.
    An id that cannot be read ("A1x", "A-1, A-2x") is told back, never dropped from a list."""
    keyword = _KEYWORDS[status]

    def read(p: Parse, rest: str, line: int) -> bool:
        text = rest.strip()
        m = _ACTION_ID.match(text)
        if m is None:
            if (near := _ID_LIKE.match(text)) is not None:
                p.clarify(line, p.said, f"{keyword}: A-{int(near[1])}{_TAILS[status]}")
                return True
            if status is ActionStatus.UPDATE:
                return False  # "Update: mum has moved": news for the meeting, not an action's
            p.problem(line, f"name the action by its id, like '{keyword}: A-12'")
            return True
        ids, end = [int(m[1])], m.end()
        while (more := _NEXT_ID.match(text, end)) is not None:
            ids.append(int(more[1]))
            end = more.end()
        note = unpolite(text[end:]).strip(" -–—:,.&+")
        if (near := _ID_LIKE.match(note)) is not None:
            listed = ", ".join(f"A-{n}" for n in [*ids, int(near[1])])
            p.clarify(line, p.said, f"{keyword}: {listed}{_TAILS[status]}")
            return True
        if status is not ActionStatus.DONE and not note:
            why = "a reason" if status is ActionStatus.CANNOT else "the news"
            p.problem(line, f"give {why} after the action id; this update was not recorded")
            return True
        p.commands.extend(ActionUpdate(f"A-{n}", status, note, line) for n in dict.fromkeys(ids))
        return True

    return read


def decision(p: Parse, ref: str, rest: str, line: int) -> None:
    """``Decision for <ref>: <decision> - <why>``: strict, coordinators only (the meeting's
    own words are checked when it is recorded: ``core.decisions``)."""
    if not p.coordinator_only(line, "record decisions"):
        return
    case = p.reference(ref, line)
    decision, rationale = read_decision(rest)
    withdraw: tuple[int, ...] = ()
    if (tail := _WITHDRAW_TAIL.search(rationale)) is not None:
        withdraw = tuple(dict.fromkeys(int(n) for n in re.findall(r"\d+", tail[1])))
        rationale = rationale[:tail.start()]
    rationale = rationale.strip(" -–—:;,")
    if decision is None:
        p.problem(line, "a decision is 'accepted', 'declined', 'closed' or 'strategy discussion', "
                        "then ' - ' and why")
        return
    if needs_reason(decision) and not rationale:
        p.problem(line, f"a case {decision.value} needs its rationale after a dash")
        return
    if case:
        p.commands.append(DecideCase(case, decision, rationale, line, withdraw))


def review(p: Parse, ref: str, rest: str, line: int) -> None:
    """``Review for <ref>: <date>``: coordinators only."""
    if not p.coordinator_only(line, "set review dates"):
        return
    case = p.reference(ref, line)
    on = _date(p, rest, line)
    if case and on:
        p.commands.append(ReviewCase(case, on, line))


def attended(p: Parse, rest: str, line: int) -> None:
    """``Attended: Police, CNWL and SPA``: who was at the meeting, for its minutes."""
    if not p.coordinator_only(line, "record who attended"):
        return
    named = p.partners(rest, line)
    if named:
        p.commands.append(Attended(named, line))
    elif not rest.strip():
        p.problem(line, "name the partners that attended, like 'Attended: Police, CNWL, SPA'")
