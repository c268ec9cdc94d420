"""Which letters the bot writes, and what goes in each: case call, attendance list,
acknowledgement, now-required notice, status, unknown-sender answer, coordinator notice.

Each function returns a Letter with its outbox key; the templates in
``templates/`` turn the context into text and HTML. The bot's own case lines
are never written in the reply grammar, so a quoted copy can never be read as a
command, and every letter that invites a reply starts with the marker line.

One module per kind: ``stationery`` (what all share), ``day``, ``answers``, ``followups``.
"""

from __future__ import annotations

from mailbot.core.letters.answers import (
    WRITTEN_LIMIT,
    Answer,
    Handover,
    Headline,
    ReplyTo,
    Written,
    acknowledgement,
    forward,
    fresh_subject,
    notice,
    status_headline,
    stranger_notice,
    unknown_sender,
)
from mailbot.core.letters.day import (
    attendance,
    case_call,
    invitation,
    now_required,
    stand_down,
    status_context,
)
from mailbot.core.letters.followups import (
    PlanView,
    action_rows,
    digest,
    escalation,
    owner_actions,
    reference_owner_notice,
    reminder,
    summary,
)
from mailbot.core.letters.stationery import (
    REFERENCE_NOTE,
    ROUTE_NOTE,
    Draft,
    Stationery,
    brief_day,
    day_words,
    is_late,
    long_day,
    mark,
    short_day,
)

__all__ = [
    "REFERENCE_NOTE",
    "ROUTE_NOTE",
    "WRITTEN_LIMIT",
    "Answer",
    "Draft",
    "Handover",
    "Headline",
    "PlanView",
    "ReplyTo",
    "Stationery",
    "Written",
    "acknowledgement",
    "action_rows",
    "attendance",
    "brief_day",
    "case_call",
    "day_words",
    "digest",
    "escalation",
    "forward",
    "fresh_subject",
    "invitation",
    "is_late",
    "long_day",
    "mark",
    "notice",
    "now_required",
    "owner_actions",
    "reference_owner_notice",
    "reminder",
    "short_day",
    "stand_down",
    "status_context",
    "status_headline",
    "stranger_notice",
    "summary",
    "unknown_sender",
]
