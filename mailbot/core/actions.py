"""After the meeting: the chair's action plan, decisions and reviews, and owners' reports.

Pure. A chair's email is the action plan of the meeting it follows: its
``Action:`` lines replace that meeting's earlier set (a correction), matched
by case, owner and wording so that an action keeps its id when only its due
date changes, and the same email twice changes nothing. ``plan_version`` is a
hash of the plan as stored: the summary email is keyed by it, so each version
is summarised once.

A case is closed or declined only with none of its actions left open: the
chair withdraws them in the same line ("closed - risk reduced; withdraw A-3,
A-4"), or the decision is refused with the list of them, so the record never
shows a closed case with escalating actions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from mailbot.core.agenda import CaseView
from mailbot.core.directory import Directory
from mailbot.core.model import (
    ActionStatus,
    ActionUpdate,
    AddAction,
    Attended,
    Command,
    DecideCase,
    Decision,
    ReviewCase,
    Sender,
)
from mailbot.core.status import ActionState


@dataclass(frozen=True, slots=True)
class ActionView:
    number: int
    case: str
    owner: str
    owner_partner: str | None
    due: date
    text: str
    status: str  # open, done, cannot, withdrawn
    last_note: str = ""
    meeting_day: date | None = None

    @property
    def ident(self) -> str:
        return f"A-{self.number}"


@dataclass(frozen=True, slots=True)
class NewAction:
    case: str
    owner: str
    owner_partner: str | None
    due: date
    text: str


@dataclass
class ChairPlan:
    new: list[NewAction] = field(default_factory=list)
    due_changes: list[tuple[int, date]] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    decisions: list[DecideCase] = field(default_factory=list)
    reviews: list[ReviewCase] = field(default_factory=list)
    withdrawn_with: list[tuple[int, DecideCase]] = field(default_factory=list)  # withdrawn with a decision
    listed: list[int] = field(default_factory=list)  # stored actions the lines name again
    attended: tuple[str, ...] | None = None  # partner codes, when the minutes say who attended
    done: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unknown_owners: list[str] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.new or self.due_changes or self.withdrawn or self.decisions or self.reviews
                    or self.withdrawn_with or self.attended is not None)


def _key(case: str, owner: str, text: str) -> tuple[str, str, str]:
    return case, owner.casefold(), " ".join(text.split()).casefold()


@dataclass(frozen=True)
class MeetingRecord:
    """What a meeting has on record, read in the transaction that will store the chair's plan."""

    actions: Sequence[ActionView]  # the actions agreed at it so far
    cases: Mapping[str, CaseView]  # every case the chair's lines name, by reference
    decided: Mapping[str, tuple[str, str]]  # its latest decision per case: (decision, rationale)
    # The open actions (of any meeting) of every case the chair's lines decide, by reference.
    open_actions: Mapping[str, Sequence[ActionView]] = field(default_factory=dict)


def plan_chair(commands: Sequence[Command], record: MeetingRecord, directory: Directory, *,
               replace: bool = True) -> ChairPlan:
    """What a coordinator's Action/Decision/Review lines change for a meeting.

    With ``replace`` (an emailed plan), the Action lines are the meeting's whole
    set; without it (a coordinator adding one at the terminal) they are added.
    The same decision again is not recorded twice (the chair's email sent twice
    changes nothing).
    """
    out = ChairPlan()
    wanted: dict[tuple[str, str, str], AddAction] = {}
    decisions: list[DecideCase] = []
    for command in commands:
        if isinstance(command, AddAction | DecideCase | ReviewCase) and command.case not in record.cases:
            out.problems.append(f"line {command.line}: {command.case} is not a known case; not recorded")
        elif isinstance(command, AddAction):
            wanted[_key(command.case, command.owner, command.text)] = command
        elif isinstance(command, DecideCase):
            decisions.append(command)
        elif isinstance(command, ReviewCase):
            out.reviews.append(command)
            out.done.append(f"{command.case}: back on the case call on {command.review_on:%A %d %B %Y} "
                            "for review")
        elif isinstance(command, Attended):
            out.attended = tuple(dict.fromkeys([*(out.attended or ()), *command.partners]))
            out.done.append(f"attended: {', '.join(directory.get(c).name for c in out.attended)}")
    if wanted:
        _match_actions(wanted, record.actions, directory, replace, out)
    for decision in decisions:  # after the actions: a corrected plan may withdraw some
        again = record.decided.get(decision.case) == (decision.decision.value, decision.rationale)
        if again or _may_decide(decision, record.open_actions.get(decision.case, ()), out):
            _decide(decision, record.decided, out)
    return out


def _may_decide(command: DecideCase, open_actions: Sequence[ActionView], out: ChairPlan) -> bool:
    """Whether the decision leaves the record sound: the actions it withdraws are the case's
    open ones, and a case closed or declined keeps none open that were agreed before. Actions
    agreed in the same lines are the closing actions, deliberately kept."""
    mine = {a.number: a for a in open_actions if a.number not in out.withdrawn}
    strangers = [f"A-{n}" for n in command.withdraw if n not in mine]
    if strangers:
        out.problems.append(f"line {command.line}: {', '.join(strangers)} is not an open action of "
                            f"{command.case}; nothing on this line was recorded")
        return False
    closing = command.decision in (Decision.CLOSED, Decision.DECLINED)
    left = [a for n, a in mine.items() if n not in command.withdraw and n not in out.listed]
    if closing and left:
        listed = "; ".join(f"{a.ident} ({a.owner}, due {a.due:%a %d %b %Y})" for a in left)
        why = f" - {command.rationale}" if command.rationale else ""
        out.problems.append(
            f"line {command.line}: {command.case} was not {command.decision.value}: it still has open "
            f"actions: {listed}. Withdraw them with the decision, like 'Decision {command.case}: "
            f"{command.decision.value}{why}; withdraw {', '.join(a.ident for a in left)}', or report "
            "them done first")
        return False
    for number in command.withdraw:
        out.withdrawn_with.append((number, command))
        out.done.append(f"A-{number} ({command.case}) withdrawn with the decision")
    return True


def _decide(command: DecideCase, decided: Mapping[str, tuple[str, str]], out: ChairPlan) -> None:
    if decided.get(command.case) == (command.decision.value, command.rationale):
        out.done.append(f"{command.case}: decision {command.decision.value} was already recorded; "
                        "nothing changed")
        return
    out.decisions.append(command)
    why = f" - {command.rationale}" if command.rationale else ""
    out.done.append(f"{command.case}: decision recorded: {command.decision.value}{why}")


def _match_actions(wanted: dict[tuple[str, str, str], AddAction], existing: Sequence[ActionView],
                   directory: Directory, replace: bool, out: ChairPlan) -> None:
    """An action keeps its id when only its due date changes; one missing from an emailed
    plan is withdrawn."""
    current = {_key(a.case, a.owner, a.text): a for a in existing if a.status != ActionState.WITHDRAWN}
    for key, command in wanted.items():
        found = current.get(key)
        if found is not None:
            out.listed.append(found.number)
        if found is None:
            partner = directory.partner_for_address(command.owner)
            out.new.append(NewAction(command.case, command.owner, partner.code if partner else None,
                                     command.due, command.text))
            if partner is None:
                out.unknown_owners.append(command.owner)
        elif found.due != command.due:
            out.due_changes.append((found.number, command.due))
            out.done.append(f"{found.ident}: due date changed to {command.due:%d/%m/%Y}")
    for key, action in current.items():
        if replace and key not in wanted and action.status == ActionState.OPEN:
            out.withdrawn.append(action.number)
            out.done.append(f"{action.ident} ({action.case}, {action.owner}) is not in the corrected "
                            "plan, so it was withdrawn")


def plan_version(actions: Sequence[ActionView], decisions: dict[str, tuple[str, str]]) -> str:
    """A short hash of a meeting's plan as stored: the same plan always has the same version."""
    content = sorted(f"A|{a.number}|{a.case}|{a.owner.casefold()}|{a.due}|{a.text}|{a.status}"
                     for a in actions if a.status != ActionState.WITHDRAWN)
    content += sorted(f"D|{ref}|{d}|{why}" for ref, (d, why) in decisions.items())
    return hashlib.sha256("\n".join(content).encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class UpdateResult:
    number: int
    status: str
    note: str
    returns_case: bool  # "cannot complete": the case goes back on the next case call


def plan_update(command: ActionUpdate, action: ActionView | None, sender: Sender
                ) -> tuple[UpdateResult | None, str]:
    """An owner's report on an action: the change, and the line to tell them."""
    if action is None:
        return None, f"line {command.line}: there is no action {command.action}"
    if action.owner.casefold() != sender.address.casefold() and not sender.coordinator:
        return None, (f"line {command.line}: only {action.owner} (the owner) or a coordinator may "
                      f"update {action.ident}; nothing was changed")
    if action.status in (ActionState.DONE, ActionState.WITHDRAWN):
        return None, f"line {command.line}: {action.ident} is already {action.status}; nothing was changed"
    status = {ActionStatus.DONE: ActionState.DONE, ActionStatus.UPDATE: ActionState.OPEN,
              ActionStatus.CANNOT: ActionState.CANNOT}[command.status]
    said = {ActionState.DONE: "marked done", ActionState.OPEN: "update recorded",
            ActionState.CANNOT: "recorded as cannot be completed; the case goes back to the next case call"}
    return (UpdateResult(action.number, status, command.note, status is ActionState.CANNOT),
            f"{action.ident} ({action.case}): {said[status]}")


@dataclass(frozen=True, slots=True)
class Overdue:
    action: ActionView
    working_days: int
    escalated: bool
