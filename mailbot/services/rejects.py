"""The answers and notices for emails the bot will not act on."""

from __future__ import annotations

import logging
from datetime import datetime

from mailbot.core import letters, notices
from mailbot.core.message import Inbound
from mailbot.core.model import (
    Reading,
)
from mailbot.core.ports import Actor
from mailbot.core.quotes import trim
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import Origin, UseCase

log = logging.getLogger("mailbot")

STRANGER_NOTICES_A_DAY = 3  # emails from one unknown address shown to the coordinators a day


class Rejects(UseCase):
    """Emails not read for instructions but never dropped in silence: bounces, forgeries,
    encrypted wrappers and strangers each end with a person told."""

    def bounced(self, tx: UnitOfWork, mail: Inbound, now: datetime, inbound_id: int,
                meeting_id: str = "") -> None:
        """A bounce is never answered (no loop can form); each address it names is marked
        bad in the audit log and reported, once, to the coordinators of the meeting whose
        email bounced (found by the thread, as for any reply)."""
        s = self.stationery[meeting_id or self.settings.meeting.id]
        for address in mail.failed_recipients:
            if tx.outbox.key_used(f"notice:bounced:{address}"[:290]):
                continue
            partner = self.settings.directory.sender(address).partner
            who = self.settings.directory.get(partner).name if partner else "no partner in the directory"
            tx.audit.record(Actor("mailbot", now, partner, inbound_id), "address bounced", None,
                            address=address, subject=mail.subject[:200])
            self._queue(tx, notices.bounced(s, address, who, mail.subject), now, inbound_id)

    def spoofed(self, tx: UnitOfWork, mail: Inbound, reading: Reading, now: datetime,
                inbound_id: int, meeting_id: str = "") -> None:
        """Not applied and not answered (an answer would go to whoever was impersonated); the
        coordinators of the meeting it was routed to are told."""
        s = self.stationery[meeting_id or self.settings.meeting.id]
        why = reading.problems[0] if reading.problems else "sender checks failed"
        tx.audit.record(Actor("mailbot", now, reading.sender.partner, inbound_id),
                        "email rejected as spoofed", None, sender=reading.sender.address, why=why)
        self._queue(tx, notices.spoofed(s, inbound_id, reading.sender.address, mail.subject, why), now,
                    inbound_id)

    def encrypted(self, tx: UnitOfWork, mail: Inbound, reading: Reading, now: datetime,
                  inbound_id: int, meeting_id: str = "") -> None:
        """Cannot be read automatically: a person must open it (a coordinator of the meeting it
        was routed to); the sender is told why."""
        s = self.stationery[meeting_id or self.settings.meeting.id]
        what = reading.problems[0] if reading.problems else "an encrypted email"
        who = self.settings.directory.get(reading.sender.partner).name if reading.sender.partner \
            else "no partner in the directory"
        self._queue(tx, notices.encrypted(s, inbound_id, reading.sender.address, who, mail.subject, what),
                    now, inbound_id)
        if reading.sender.partner is not None:
            reply = letters.ReplyTo(f"ack:{inbound_id}:{mail.message_id or ''}"[:290], reading.sender.address,
                                    mail.subject, mail.message_id, mail.references)
            answer = letters.Answer(problems=[
                f"Your email arrived as {what}: the bot cannot open it, so nothing in it was applied. The "
                "coordinators have been told and will open it by hand. To be read automatically, reply "
                "without encryption (the bot's mailbox is on the partnership's secure list) or put the "
                "case to the coordinator on the call."])
            self._queue(tx, letters.acknowledgement(s, reply, answer), now, inbound_id)

    def answer_stranger(self, tx: UnitOfWork, mail: Inbound, reading: Reading, origin: Origin) -> None:
        """Someone outside the partnership: at most one answer a day, saying who to turn to
        instead; the coordinators of the meeting it names (by thread, reference or subject;
        else the first meeting's) read what they wrote, which may be a concern about someone."""
        s = self.stationery[origin.meeting.id]
        today = self.calendars[origin.meeting.id].local(origin.received).date()
        now, inbound_id = origin.now, origin.inbound_id
        assert inbound_id is not None
        address = reading.sender.address.lower()
        coordinators = [a for p in s.directory.coordinators() for a in p.emails]
        reply = letters.ReplyTo(f"error:{today}:{address}:unknown-sender", reading.sender.address,
                                mail.subject, mail.message_id)
        answer = letters.unknown_sender(s, reply, coordinators=coordinators,
                                        public_reply=self.settings.bot.public_reply)
        answered = "," not in address and self._queue(tx, answer, now, inbound_id)
        # Each email is shown, a second one may say something new; a few an address a day,
        # so a flood cannot bury the coordinators' mailbox (the rest stay in the bot's mailbox).
        for n in range(1, STRANGER_NOTICES_A_DAY + 1):
            key = f"notice:unknown-sender:{today}:{address[:200]}:{n}"
            if not tx.outbox.key_used(key):
                written = letters.Written(reading.sender.address, mail.subject,
                                          trim(mail.body, s.fingerprints).text)
                letter = letters.stranger_notice(s, key, written, answered=answered, inbound_id=inbound_id,
                                                 last=n == STRANGER_NOTICES_A_DAY)
                self._queue(tx, letter, now, inbound_id)
                return
