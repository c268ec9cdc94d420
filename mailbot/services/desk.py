"""The coordinator's desk: by-hand cases, minutes lines and summaries."""

from __future__ import annotations

import logging
from datetime import date

from mailbot.core.changes import Plan
from mailbot.core.commands import parse_commands
from mailbot.core.model import (
    Sender,
)
from mailbot.services.kernel import Kernel, Origin, UseCase
from mailbot.services.meeting import AfterMeeting
from mailbot.services.replies import Replies

log = logging.getLogger("mailbot")

class Desk(UseCase):
    """What a coordinator types at the terminal, read with the same rules as email."""

    def __init__(self, kernel: Kernel, replies: Replies, meeting: AfterMeeting) -> None:
        super().__init__(kernel)
        self.replies = replies
        self.meeting = meeting

    def send_summary(self, day: date) -> int:
        """Queue the action plan of the meeting on ``day`` now; 0 when this version already went."""
        with self.unit() as tx:
            return len(self.meeting.summary.send(tx, self.settings.meeting, day, self.clock.now()))

    def by_hand(self, text: str, actor: str) -> Plan:
        """Lines typed by a coordinator at the terminal, read with the reply grammar."""
        meeting = self.settings.meeting
        now = self.clock.now()
        coordinator = self.settings.directory.coordinators()[0]
        sender = Sender(actor, coordinator.code, True)
        commands, problems = parse_commands(
            text, sender=sender, directory=self.settings.directory,
            reference_prefix=meeting.reference_prefix,
            today=self.calendars[meeting.id].local(now).date())
        result = Plan(problems=list(problems))
        with self.unit() as tx:
            self.meeting.chair(tx, commands, Origin(sender, meeting, now, now, None), result, replace=False)
        return result

    def add_case_by_hand(self, *, subject: str, concern: str, partners: str, referrer: str,
                         actor: str) -> Plan:
        """A coordinator typing a case at the terminal: the same rules as an emailed case."""
        meeting = self.settings.meeting
        now = self.clock.now()
        day = self.calendars[meeting.id].meeting_for(now)
        sender = Sender(actor, referrer, True)
        text = f"Case: {subject} - {concern}\nPartners: {partners}" if partners else \
            f"Case: {subject} - {concern}"
        commands, problems = parse_commands(
            text, sender=sender, directory=self.settings.directory,
            reference_prefix=meeting.reference_prefix, today=now.date())
        with self.unit() as tx:
            result, _ = self.replies.plan(tx, tuple(commands), Origin(sender, meeting, now, now, None), day,
                                          answered=False)
        result.problems[:0] = problems
        return result
