"""Every status the bot stores, written out once. StrEnums, so each is also the very string
kept in the database and compared in queries."""

from __future__ import annotations

import enum


class InboundStatus(enum.StrEnum):
    """What became of an inbound email as a unit of work (its disposition says where it ended)."""

    APPLIED = "applied"
    IGNORED = "ignored"
    REJECTED = "rejected"
    FAILED = "failed"  # parked whole for a person; 'mailbot inbox retry' tries again
    RETRIED = "retried"  # a failed attempt kept as history after a retry


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # handed to SMTP; a crash leaves it here, and recovery decides
    SENT = "sent"
    FAILED = "failed"  # refused for good by the server
    EXPIRED = "expired"  # of no use any more (a case call after the cut-off): not sent
    CANCELLED = "cancelled"  # a coordinator decided it must not go ('mailbot outbox cancel')


class RunStatus(enum.StrEnum):
    """How a claimed scheduled job went (case call, attendance list, purge)."""

    DONE = "done"
    LATE = "late"
    SKIPPED = "skipped"


class ActionState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANNOT = "cannot"
    WITHDRAWN = "withdrawn"


class CaseStatus(enum.StrEnum):
    """Declined cases are closed; the decision keeps the word."""

    OPEN = "open"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
