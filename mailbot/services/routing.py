"""Which meeting an inbound email is for: what the outbox and the email say, handed to the
pure rules of ``core.routing``; and the question to a sender when they cannot tell."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING

from mailbot.config import MeetingSettings
from mailbot.core import letters
from mailbot.core.inbound import read_parsed, sender_of
from mailbot.core.message import Inbound
from mailbot.core.model import Disposition, Reading, Verdict
from mailbot.core.quotes import trim
from mailbot.core.routing import Candidate, Clues, Route, prefixes_in, route
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import UseCase, reading_context

if TYPE_CHECKING:
    from mailbot.services.inbound import Incoming


class Router(UseCase):
    """Routes each inbound email to one meeting, or to a question back to its sender."""

    def route(self, tx: UnitOfWork, mail: Inbound) -> Route:
        """The meeting ``mail`` is for. Routing comes before reading: the reader takes a case
        reference only with its meeting's prefix, so that a reply to one meeting never acts
        on another's case; reading with every prefix would lose that. So the prefixes are
        found first by a cheap scan of what the sender newly wrote (the reading's own trim)."""
        meetings = self.settings.meetings
        rooms = tuple(Candidate(m.id, m.name, m.reference_prefix) for m in meetings)
        if len(rooms) == 1:  # nothing to decide: no look-up, no scan, exactly as before
            return route(Clues(), rooms, ())
        # The newest first: In-Reply-To, then References from the last.
        thread = tx.outbox.meeting_of_thread([mail.in_reply_to or "", *reversed(mail.references)])
        wrote = trim(mail.body, self.stationery[meetings[0].id].fingerprints).text
        partner = sender_of(mail, self.settings.directory).partner
        senders = tuple(m.id for m in self.settings.meetings_of(partner)) if partner else ()
        clues = Clues(thread, prefixes_in(f"{mail.subject}\n{wrote}"), mail.subject)
        return route(clues, rooms, senders, wrote)

    def read(self, tx: UnitOfWork, mail: Inbound, received: datetime
             ) -> tuple[MeetingSettings, Route, Reading]:
        """The meeting ``mail`` is for and how it reads there. While its sender is asked which
        meeting it is for, it is read for the first (only the checks that need no meeting
        count), and nothing in it is applied or forwarded: one question is asked. Thanks and
        greetings need no meeting, and no question."""
        found = self.route(tx, mail)
        meeting = self._meeting(found.meeting) if found.meeting else self.settings.meeting
        context = reading_context(self.settings, meeting, self.stationery[meeting.id],
                                  self.calendars[meeting.id].local(received).date())
        reading = read_parsed(mail, context)
        if found.asking and reading.verdict is Verdict.ACCEPTED \
                and reading.disposition is not Disposition.COURTESY:
            reading = dataclasses.replace(reading, commands=(), problems=(found.ask,), read_as=(),
                                          for_coordinators=(), disposition=Disposition.CLARIFY)
        return meeting, found, reading

    def ask(self, tx: UnitOfWork, item: Incoming, reading: Reading, inbound_id: int) -> None:
        """The one answer to an email whose meeting cannot be told: which meeting is it for?"""
        if reading.disposition is not Disposition.CLARIFY:
            return  # thanks and greetings: no answer, as for any meeting
        s = self.stationery[self.settings.meeting.id]
        mail = item.mail
        reply = letters.ReplyTo(f"ack:{inbound_id}:{mail.message_id or ''}"[:290], reading.sender.address,
                                mail.subject, mail.message_id, mail.references)
        # Every line the sender wrote is theirs to see, and withheld where details may not go.
        secrets = [line.strip() for line in reading.new_text.splitlines() if len(line.strip()) >= 2]
        letter = letters.acknowledgement(s, reply, letters.Answer(problems=reading.problems,
                                                                  secrets=secrets))
        # The question is no meeting's: the reply to it is routed by what that reply says.
        self._queue(tx, dataclasses.replace(letter, meeting=""), item.now, inbound_id)
