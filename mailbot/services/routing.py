"""Which meeting an inbound email is for: what the outbox and the email say, handed to the
pure rules of ``core.routing``; and the question to a sender when they cannot tell."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from mailbot.config import MeetingSettings, Settings
from mailbot.core import letters
from mailbot.core.inbound import read_parsed, sender_of
from mailbot.core.message import Inbound
from mailbot.core.model import Disposition, Reading, Verdict
from mailbot.core.quotes import trim
from mailbot.core.routing import Candidate, Clues, Route, action_ids_in, prefixes_in, route
from mailbot.core.store import UnitOfWork
from mailbot.errors import MailbotError
from mailbot.services.kernel import UseCase, reading_context

if TYPE_CHECKING:
    from mailbot.services.inbound import Incoming


def chosen(settings: Settings, meeting_id: str | None = None, text: str = "") -> MeetingSettings:
    """The meeting a coordinator's command at the terminal acts on: the one whose prefix the
    case references in ``text`` carry, else ``meeting_id`` (``--meeting``), else the first."""
    meetings = settings.meetings
    by_ref = [m for p in prefixes_in(text) for m in meetings if m.reference_prefix.casefold() == p.casefold()]
    if by_ref:
        if meeting_id and by_ref[0].id != meeting_id:
            raise MailbotError(f"{by_ref[0].reference_prefix}- is the reference prefix of the meeting "
                               f"{by_ref[0].id!r} ({by_ref[0].name}), not of {meeting_id!r}")
        return by_ref[0]
    found = [m for m in meetings if meeting_id in (None, m.id)]
    if not found:
        raise MailbotError(f"no meeting {meeting_id!r} (meetings: {', '.join(m.id for m in meetings)})")
    return found[0]


def routed(settings: Settings, mail: Inbound, thread: str | None, fingerprints: tuple[str, ...],
           case_of: Callable[[int], str | None] = lambda number: None) -> Route:
    """The meeting ``mail`` is for, given the meeting of its thread and the case of an action
    by its number (looked up by the caller: ``mailbot explain`` opens no database)."""
    rooms = tuple(Candidate(m.id, m.name, m.reference_prefix) for m in settings.meetings)
    if len(rooms) == 1:
        return route(Clues(), rooms, ())
    wrote = trim(mail.body, fingerprints).text
    partner = sender_of(mail, settings.directory).partner
    senders = tuple(m.id for m in settings.meetings_of(partner)) if partner else ()
    cases = " ".join(filter(None, map(case_of, action_ids_in(wrote)[:20])))
    prefixes = prefixes_in(f"{mail.subject}\n{wrote}\n{cases}")
    return route(Clues(thread, prefixes, mail.subject), rooms, senders, wrote)


def asked(reading: Reading, found: Route) -> Reading:
    """``reading`` as it stands when its sender is asked which meeting it is for: nothing in
    it applied or forwarded, one question asked. Thanks and greetings need no meeting."""
    if not found.asking or reading.verdict is not Verdict.ACCEPTED \
            or reading.disposition is Disposition.COURTESY:
        return reading
    return dataclasses.replace(reading, commands=(), problems=(found.ask,), read_as=(),
                               for_coordinators=(), disposition=Disposition.CLARIFY)


class Router(UseCase):
    """Routes each inbound email to one meeting, or to a question back to its sender."""

    def route(self, tx: UnitOfWork, mail: Inbound) -> Route:
        """The meeting ``mail`` is for. Routing comes before reading: the reader takes a case
        reference only with its meeting's prefix, so that a reply to one meeting never acts
        on another's case; reading with every prefix would lose that. So the prefixes are
        found first by a cheap scan of what the sender newly wrote (the reading's own trim)."""
        if len(self.settings.meetings) == 1:  # nothing to decide: no look-up, no scan, as before
            return routed(self.settings, mail, None, ())
        # The newest first: In-Reply-To, then References from the last.
        thread = tx.outbox.meeting_of_thread([mail.in_reply_to or "", *reversed(mail.references)])
        return routed(self.settings, mail, thread, self.stationery[self.settings.meeting.id].fingerprints,
                      lambda number: action.case if (action := tx.actions.get(number)) else None)

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
        return meeting, found, asked(read_parsed(mail, context), found)

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
