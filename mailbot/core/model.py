"""Values the core passes around: partners, senders, commands, and how a mail was read."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, time


class Verdict(enum.StrEnum):
    ACCEPTED = "accepted"
    IGNORED = "ignored"
    REJECTED = "rejected"


class Reason(enum.StrEnum):
    """Why a mail is not read for commands."""

    OWN_MAIL = "own-mail"
    BOUNCE = "bounce"
    AUTO_REPLY = "auto-reply"
    UNKNOWN_SENDER = "unknown-sender"
    SPOOFED = "spoofed"  # failed the sender checks the deployment requires
    ENCRYPTED = "encrypted"  # a secure-portal or S/MIME wrapper the bot cannot open
    SAME_CONTENT = "same-content"  # the same sender's same instructions, already applied


class Disposition(enum.StrEnum):
    """Where one inbound email ended: every email gets exactly one.

    ``applied``: its instructions were applied and the answer says what was done.
    ``clarify``: a line looked like an instruction but could not be read safely;
    nothing it asked for changed and the sender is asked, with the nearest form.
    ``to-coordinator``: human text that is neither an instruction nor courtesy
    (a prose referral, a question): forwarded to the coordinators, sender told.
    ``courtesy``: only thanks, greetings, "nothing to add", signatures: no answer.
    ``ignored`` / ``rejected``: as the verdict says (own mail, bounce, auto-reply;
    unknown sender, spoofed, encrypted).
    """

    APPLIED = "applied"
    CLARIFY = "clarify"
    TO_COORDINATOR = "to-coordinator"
    COURTESY = "courtesy"
    IGNORED = "ignored"
    REJECTED = "rejected"


class ActionStatus(enum.StrEnum):
    DONE = "done"
    UPDATE = "update"
    CANNOT = "cannot"


class Decision(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"
    STRATEGY = "strategy discussion"  # the threshold for a joint investigation is met


@dataclass(frozen=True, slots=True)
class Partner:
    """One agency of the group, as the config names it."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    coordinator: bool = False
    short: str = ""  # the name every email uses for it; empty: its first alias, else its name


@dataclass(frozen=True, slots=True)
class Sender:
    """Who a mail is from: its From address and the partner that address belongs to."""

    address: str
    partner: str | None
    coordinator: bool = False


# Commands: what a partner asked for, one per grammar line. ``line`` is the
# 1-based line of the newly written text, so answers can point at it.


@dataclass(frozen=True, slots=True)
class AddCase:
    subject: str
    concern: str
    partners: tuple[str, ...]
    line: int
    category: str = ""  # as the referrer wrote it on a "Category:" line; checked when applied
    kind: str = field(default="add_case", init=False)


@dataclass(frozen=True, slots=True)
class RequirePartners:
    case: str
    partners: tuple[str, ...]
    line: int
    kind: str = field(default="require_partners", init=False)


@dataclass(frozen=True, slots=True)
class AddAction:
    case: str
    owner: str
    due: date
    text: str
    line: int
    kind: str = field(default="add_action", init=False)


@dataclass(frozen=True, slots=True)
class ActionUpdate:
    action: str
    status: ActionStatus
    note: str
    line: int
    kind: str = field(default="action_update", init=False)


@dataclass(frozen=True, slots=True)
class DecideCase:
    case: str
    decision: Decision
    rationale: str
    line: int
    # Actions withdrawn with the decision ("closed - risk reduced; withdraw A-3, A-4"): a case
    # is closed or declined only with none of its actions left open.
    withdraw: tuple[int, ...] = ()
    kind: str = field(default="decide_case", init=False)


@dataclass(frozen=True, slots=True)
class ReviewCase:
    case: str
    review_on: date
    line: int
    kind: str = field(default="review_case", init=False)


@dataclass(frozen=True, slots=True)
class StatusRequest:
    line: int = 0
    kind: str = field(default="status_request", init=False)


@dataclass(frozen=True, slots=True)
class Apologies:
    """The sender's partner cannot attend (the whole meeting, or only ``case``)."""

    case: str | None
    reason: str
    line: int
    kind: str = field(default="apologies", init=False)


@dataclass(frozen=True, slots=True)
class WithdrawCase:
    """The referrer (or a coordinator) takes a case off the agenda before the cut-off."""

    case: str
    reason: str
    line: int
    kind: str = field(default="withdraw_case", init=False)


@dataclass(frozen=True, slots=True)
class ReturnCase:
    """The chair sends a referral back for more information: off this sitting, to the next."""

    case: str
    missing: str
    line: int
    kind: str = field(default="return_case", init=False)


@dataclass(frozen=True, slots=True)
class SetLead:
    """The case's lead coordinating professional, by email address (a coordinator or the referrer)."""

    case: str
    lead: str
    line: int
    kind: str = field(default="set_lead", init=False)


@dataclass(frozen=True, slots=True)
class Attended:
    """The chair's minutes: the partners that attended the meeting."""

    partners: tuple[str, ...]
    line: int
    kind: str = field(default="attended", init=False)


@dataclass(frozen=True, slots=True)
class CallMeeting:
    """A one-off sitting of the case's meeting (a strategy discussion, say), for one case."""

    case: str
    meeting_kind: str  # "strategy discussion", "professionals' meeting", ...
    day: date
    starts: time
    partners: tuple[str, ...]
    line: int
    kind: str = field(default="call_meeting", init=False)


@dataclass(frozen=True, slots=True)
class CancelMeeting:
    """A one-off sitting called for a case will not take place (its day and time when the
    case has more than one to come)."""

    case: str
    day: date | None
    starts: time | None
    reason: str
    line: int
    kind: str = field(default="cancel_meeting", init=False)


Command = (AddCase | RequirePartners | AddAction | ActionUpdate | DecideCase | ReviewCase | StatusRequest
           | Apologies | WithdrawCase | ReturnCase | SetLead | Attended | CallMeeting | CancelMeeting)


@dataclass(frozen=True, slots=True)
class ReadAs:
    """A line read leniently, told back so the sender can correct a wrong reading:
    ``A-1 done`` was read as ``Done: A-1``."""

    line: int
    text: str  # what the sender wrote
    canonical: str  # the form it was read as


@dataclass(frozen=True, slots=True)
class Reading:
    """How one inbound mail was read: the verdict and, if accepted, what it asks for."""

    verdict: Verdict
    reason: Reason | None
    sender: Sender
    new_text: str
    commands: tuple[Command, ...] = ()
    problems: tuple[str, ...] = ()
    message_id: str | None = None
    subject: str = ""
    disposition: Disposition = Disposition.COURTESY
    read_as: tuple[ReadAs, ...] = ()
    # The sender's own human text that is neither an instruction nor courtesy (a prose
    # referral, a question): forwarded to the coordinators. May sit beside commands.
    for_coordinators: tuple[str, ...] = ()
