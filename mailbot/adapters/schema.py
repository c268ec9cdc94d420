"""The database tables. Every table that holds meeting data names its meeting.

Timestamps are stored in UTC and read back aware; dates are meeting-day dates
in the meeting's zone. Unique keys are what make every job and every email
idempotent: a second insert of the same key is a no-op, never a duplicate.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


inbound = Table(
    "inbound", metadata,
    Column("id", Integer, primary_key=True),
    Column("message_key", String(300), nullable=False, unique=True),  # Message-ID, or a hash
    Column("folder", String(200)),
    Column("uidvalidity", Integer),
    Column("uid", Integer),
    Column("received_at", UTCDateTime, nullable=False),
    Column("processed_at", UTCDateTime),
    Column("sender", String(320), nullable=False),
    Column("partner", String(32)),
    Column("subject", Text, nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("reason", String(32)),
    Column("status", String(16), nullable=False),  # applied, ignored, rejected, failed
    Column("meeting_day", Date),
    Column("error", Text),
    Column("raw", LargeBinary, nullable=False),
    # Where the email ended (core.model.Disposition); "forwarded" when part of an applied
    # email also went to the coordinators.
    Column("disposition", String(16)),
    Column("forwarded", Integer, nullable=False, default=0),
    # The sender and what they newly wrote, hashed: the same content sent again is not re-applied.
    Column("content_key", String(80)),
)

Index("ix_inbound_content_key", inbound.c.content_key)

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting", String(32), nullable=False),
    Column("reference", String(32), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("subject", String(200), nullable=False),
    Column("concern", Text, nullable=False),
    Column("referrer", String(32), nullable=False),
    Column("status", String(16), nullable=False, default="open"),
    Column("repeat_of", String(32)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(320), nullable=False),
    Column("inbound_id", Integer, ForeignKey("inbound.id")),
    UniqueConstraint("meeting", "year", "number"),
    # One of its meeting's categories (a daily risk meeting's), or "" where it has none.
    Column("category", String(64), nullable=False, server_default=""),
    # The lead coordinating professional's email address ("Lead HR-2026-0041: ...").
    Column("lead", String(320)),
)

case_partners = Table(
    "case_partners", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("partner", String(32), nullable=False),
    Column("position", Integer, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("added_by", String(320), nullable=False),
    Column("inbound_id", Integer, ForeignKey("inbound.id")),
    UniqueConstraint("case_id", "partner"),
)

agenda = Table(
    "agenda", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("reason", String(16), nullable=False),  # new, review, returned
    Column("note", Text, nullable=False, default=""),
    Column("added_at", UTCDateTime, nullable=False),
    Column("withdrawn", Text),  # the reason, once the referrer took the case off this day's agenda
    UniqueConstraint("meeting", "day", "case_id"),
)
Index("ix_agenda_case_id", agenda.c.case_id)

# A partner's apologies for a meeting day, for the whole meeting (reference "") or one case.
apologies = Table(
    "apologies", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("partner", String(32), nullable=False),
    Column("reference", String(32), nullable=False, default=""),
    Column("reason", Text, nullable=False, default=""),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("inbound_id", Integer, ForeignKey("inbound.id")),
    UniqueConstraint("meeting", "day", "partner", "reference"),
)

# What a meeting's minutes hold beside its actions and decisions: who attended, and when its
# action plan last changed and was last summarised (a summary waits for a quiet period).
minutes = Table(
    "minutes", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("attended", Text, nullable=False, default=""),  # partner codes, comma-separated
    Column("changed_at", UTCDateTime),
    Column("summarised_at", UTCDateTime),
    UniqueConstraint("meeting", "day"),
)

told = Table(
    "told", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("partner", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # required, stand-down
    Column("at", UTCDateTime, nullable=False),
    UniqueConstraint("meeting", "day", "partner"),
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting", String(32), nullable=False),
    Column("kind", String(32), nullable=False),  # case-call, attendance
    Column("day", Date, nullable=False),
    Column("status", String(16), nullable=False),  # done, late, skipped
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False, default=""),
    UniqueConstraint("meeting", "kind", "day"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("message_id", String(300), nullable=False),
    Column("recipients", Text, nullable=False),  # comma-separated envelope recipients
    Column("subject", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending, sending, sent, failed, expired
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),  # stale after this: not sent, coordinators told
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("inbound_id", Integer, ForeignKey("inbound.id")),
    # The meeting the email is from: a reply is routed to it by its thread (In-Reply-To).
    Column("meeting", String(32)),
    # When the row was last claimed, or its batch last moved on: after a handover, an email
    # still "sending" is judged only once the old process can no longer be sending it.
    Column("claimed_at", UTCDateTime),
)

# Each queued email's bytes, apart from its row: SQLite writes a whole row again for any change
# to it, so with the bytes inside, claiming a case call and recording each outcome rewrote
# every letter two or three times, and a fan-out wrote four times its size to the log.
outbox_raw = Table(
    "outbox_raw", metadata,
    Column("key", String(300), ForeignKey("outbox.key"), primary_key=True),
    Column("raw", LargeBinary, nullable=False),
)

# Which process is active when two share one PostgreSQL (mailbot.standby): one row per bot.
# Each process that takes office bumps ``epoch``; every transaction of the active process
# checks it first, so a process that lost office writes nothing more.
leadership = Table(
    "leadership", metadata,
    Column("name", String(32), primary_key=True),
    Column("epoch", Integer, nullable=False),
    Column("holder", String(200), nullable=False),  # host:pid
    Column("since", UTCDateTime, nullable=False),
)

Index("ix_outbox_message_id", outbox.c.message_id)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("meeting", String(32)),
    Column("actor", String(320), nullable=False),  # an address, or "mailbot"
    Column("partner", String(32)),
    Column("action", String(64), nullable=False),
    Column("reference", String(32)),
    Column("detail", Text, nullable=False, default=""),
    Column("inbound_id", Integer, ForeignKey("inbound.id")),
)

# What an audit entry said about a person (initials, concern, action text, notes). Kept apart so
# that retention can delete it while the audit entry itself is never changed or deleted.
audit_personal = Table(
    "audit_personal", metadata,
    Column("audit_id", Integer, ForeignKey("audit.id"), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("detail", Text, nullable=False),
)

PERSONAL_KEYS = frozenset({"subject", "concern", "text", "note", "rationale"})

actions = Table(
    "actions", metadata,
    Column("id", Integer, primary_key=True),  # shown as A-<id>
    Column("meeting", String(32), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("meeting_day", Date, nullable=False),  # the meeting that agreed it
    Column("owner", String(320), nullable=False),
    Column("owner_partner", String(32)),
    Column("due", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False),  # open, done, cannot, withdrawn
    Column("last_note", Text, nullable=False, default=""),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(320), nullable=False),
    Column("inbound_id", Integer, ForeignKey("inbound.id")),
)

# Reminders and the overdue digest ask for open actions by due date.
Index("ix_actions_open_due", actions.c.meeting, actions.c.status, actions.c.due)

action_updates = Table(
    "action_updates", metadata,
    Column("id", Integer, primary_key=True),
    Column("action_id", Integer, ForeignKey("actions.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("status", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("inbound_id", Integer, ForeignKey("inbound.id")),
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting", String(32), nullable=False),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("meeting_day", Date, nullable=False),
    Column("decision", String(32), nullable=False),  # accepted, declined, closed, strategy discussion, review
    Column("rationale", Text, nullable=False, default=""),
    Column("review_on", Date),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("inbound_id", Integer, ForeignKey("inbound.id")),
)

# One-off sittings of a meeting for one case (a strategy discussion, a professionals' or a
# best-interest meeting), called by email or at the terminal. No personal details: the case by
# reference, the invited partners by code. One row per case, day and start, so the same call
# applied twice is one sitting.
sittings = Table(
    "sittings", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting", String(32), nullable=False),
    Column("reference", String(32), nullable=False),
    Column("kind", String(64), nullable=False),  # "strategy discussion", "professionals' meeting", ...
    Column("day", Date, nullable=False),
    Column("starts", String(5), nullable=False),  # HH:MM in the meeting's zone
    Column("partners", Text, nullable=False),  # invited partner codes, comma-separated
    Column("called_by", String(320), nullable=False),  # an address, or "cli:<user>"
    Column("called_from", String(300), nullable=False),  # the email's Message-ID, or "cli:<user>"
    Column("created_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # called, cancelled
    UniqueConstraint("meeting", "reference", "day", "starts"),
)
