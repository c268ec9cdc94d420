"""Inbound email: ingest (a backlog in batches, one savepoint an email), park a reader
failure for a person, retry it."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from mailbot.core import letters, notices
from mailbot.core.changes import Plan, filed_under
from mailbot.core.echoed import FORWARD_LIMIT, capped, sender_words
from mailbot.core.invitation import Method
from mailbot.core.message import Inbound, parse, slim
from mailbot.core.model import Disposition, Reading, Reason, StatusRequest, Verdict
from mailbot.core.ports import Actor, Arrival, InboundRecord
from mailbot.core.readers import quoted
from mailbot.core.status import InboundStatus
from mailbot.core.store import UnitOfWork
from mailbot.errors import StoreError
from mailbot.services.kernel import Kernel, Origin, Outcome, UseCase
from mailbot.services.rejects import Rejects
from mailbot.services.replies import Replies
from mailbot.services.routing import Router

log = logging.getLogger("mailbot")

def content_key(reading: Reading, meeting: str = "") -> str | None:
    """The sender and the instructions they newly wrote, hashed: the same email sent again
    (the chair's plan resent, a reply sent twice) changes nothing the second time. A status
    request alone is always answered. ``meeting``: the meeting, but for the first one, whose
    keys stay as they were, so "Apologies" to each of two meetings is applied to both."""
    if reading.verdict is not Verdict.ACCEPTED or reading.disposition is not Disposition.APPLIED:
        return None
    if all(isinstance(c, StatusRequest) for c in reading.commands):
        return None
    text = " ".join(reading.new_text.split()).casefold()
    if meeting:
        text = f"{meeting}\0{text}"
    return "sha256:" + hashlib.sha256(f"{reading.sender.address.casefold()}\0{text}".encode()).hexdigest()


def message_key(mail: Inbound, raw: bytes) -> str:
    """The inbound dedupe key: the Message-ID, or a hash of the bytes when there is none."""
    if mail.message_id and len(mail.message_id) <= 290:
        return mail.message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, slots=True)
class Incoming:
    """One email on its way through ingest: as it arrived, as parsed, as it will be kept."""

    arrival: Arrival
    mail: Inbound
    raw: bytes  # without attachments: the original stays in the mailbox's processed folder
    key: str  # the Message-ID, or a hash of the bytes
    received: datetime
    now: datetime


@dataclass(frozen=True, slots=True)
class Handled:
    """An accepted email once applied: what the answer is made from."""

    reading: Reading
    result: Plan
    status: dict[str, object] | None  # the sender's status, when it asked
    origin: Origin
    day: date
    disposition: Disposition
    forwarded: bool


# What a reader failure leaves to show: nothing of the email could be trusted.
UNREADABLE = Inbound(from_addresses=(), from_display="", subject="(unreadable)", message_id=None,
                     in_reply_to=None, references=(), date=None, headers=(), content_type="",
                     report_type="", body="", body_was_html=False, attachments=(), defects=(),
                     damaged=True)


class InboundMail(UseCase):
    """One received email -> its changes, its inbound record and every email it causes, in
    one transaction keyed by the Message-ID (a second run finds the key, changes nothing)."""

    def __init__(self, kernel: Kernel, replies: Replies, rejects: Rejects) -> None:
        super().__init__(kernel)
        self.replies = replies
        self.rejects = rejects
        self.router = Router(kernel)

    def ingest(self, arrival: Arrival) -> Outcome:
        """Apply one received email exactly once. StoreError means: leave it and try later."""
        return self.ingest_many([arrival])[0]

    def ingest_many(self, arrivals: Sequence[Arrival]) -> list[Outcome]:
        """Apply received emails exactly once each, in one transaction: each in a savepoint of
        its own, so an email a bug stops is undone alone and parked while the others stand.
        StoreError means: none of them was recorded; leave them all and try later."""
        read = [self._read(arrival) for arrival in arrivals]  # pure: outside the lock
        with self.unit() as tx:
            known = tx.inbound.recorded([item.key for item, _ in read])
            return [self._one(tx, item, error, known) for item, error in read]

    def _read(self, arrival: Arrival) -> tuple[Incoming, Exception | None]:
        now = self.clock.now()
        # Arrival time counts (a reply sent at 11:20 and read at 11:40 was in time),
        # but never later than the bot's own clock.
        received = min(arrival.arrived, now) if arrival.arrived else now
        try:
            mail = parse(arrival.raw)
            # Attachments are never read, and the original stays in the mailbox's processed
            # folder: the database keeps the headers and the text the bot read.
            return Incoming(arrival, mail, slim(arrival.raw), message_key(mail, arrival.raw), received,
                            now), None
        except Exception as exc:  # a bug in reading: keep the email whole and tell a person
            return Incoming(arrival, UNREADABLE, arrival.raw,
                            "sha256:" + hashlib.sha256(arrival.raw).hexdigest(), received, now), exc

    def _one(self, tx: UnitOfWork, item: Incoming, error: Exception | None, known: set[str]) -> Outcome:
        """``known``: the keys recorded already, this batch's included as each is recorded."""
        if item.key in known:
            return Outcome.DUPLICATE
        known.add(item.key)  # recorded below, or the whole batch is undone
        if error is None:
            try:
                with tx.savepoint():
                    return self._ingest(tx, item)
            except StoreError:
                raise
            except Exception as exc:  # a bug must not stop the loop: park the email, tell a person
                error = exc
        return self._park(tx, item, error)

    def _ingest(self, tx: UnitOfWork, item: Incoming) -> Outcome:
        mail, received, now = item.mail, item.received, item.now
        meeting, found, reading = self.router.read(tx, mail, received)
        cal = self.calendars[meeting.id]
        day = cal.meeting_for(received)
        content = content_key(reading, "" if meeting.id == self.settings.meeting.id else meeting.id)
        earlier = tx.inbound.same_content_applied(content, day) if content else None
        if earlier is not None:  # the same instructions again: changes nothing, sends nothing
            reading = dataclasses.replace(reading, verdict=Verdict.IGNORED, reason=Reason.SAME_CONTENT,
                                          disposition=Disposition.IGNORED)
        status = {Verdict.ACCEPTED: InboundStatus.APPLIED, Verdict.IGNORED: InboundStatus.IGNORED,
                  Verdict.REJECTED: InboundStatus.REJECTED}[reading.verdict]
        inbound_id = tx.inbound.record(InboundRecord(
            item.key, item.arrival, received, now, reading.sender.address, reading.sender.partner,
            mail.subject, reading.verdict.value, reading.reason.value if reading.reason else None, status,
            item.raw, day if reading.verdict is Verdict.ACCEPTED or earlier else None,
            disposition=reading.disposition.value, content_key=content))
        if reading.verdict is Verdict.IGNORED:
            if reading.reason is Reason.BOUNCE:
                self.rejects.bounced(tx, mail, now, inbound_id, meeting.id)
            if earlier is not None:
                tx.audit.record(Actor("mailbot", now, reading.sender.partner, inbound_id),
                                "same content again: not applied", None, meeting.id, first=earlier)
            return Outcome.IGNORED
        if reading.verdict is Verdict.REJECTED:
            if reading.reason is Reason.SPOOFED:
                self.rejects.spoofed(tx, mail, reading, now, inbound_id, meeting.id)
            elif reading.reason is Reason.ENCRYPTED:
                self.rejects.encrypted(tx, mail, reading, now, inbound_id, meeting.id)
            else:
                origin = Origin(reading.sender, meeting, received, now, inbound_id)
                self.rejects.answer_stranger(tx, mail, reading, origin)
            return Outcome.REJECTED
        if found.asking:
            self.router.ask(tx, item, reading, inbound_id)
        else:
            thread = (mail.in_reply_to or "", *reversed(mail.references))
            self._apply(tx, item, reading, Origin(reading.sender, meeting, received, now, inbound_id, thread),
                        day)
        return Outcome.APPLIED

    def _apply(self, tx: UnitOfWork, item: Incoming, reading: Reading, origin: Origin, day: date) -> None:
        """Plan and store what the email asks, then answer it as its disposition says."""
        result, status = Plan(), None
        if reading.commands:
            result, status = self.replies.plan(tx, reading.commands, origin, day)
        disposition = reading.disposition
        if disposition is Disposition.APPLIED and not result.done and not status:
            disposition = Disposition.CLARIFY  # every instruction was refused: the sender must act
        forwarded = self._forward(tx, item, reading, result, origin)
        if disposition is Disposition.COURTESY and forwarded:
            disposition = Disposition.TO_COORDINATOR
        assert origin.inbound_id is not None
        tx.inbound.set_disposition(origin.inbound_id, disposition.value,
                           forwarded=forwarded and disposition is not Disposition.TO_COORDINATOR)
        if disposition is not Disposition.COURTESY:  # "Nothing to add from us today": no answer
            self._answer(tx, item, Handled(reading, result, status, origin, day, disposition, forwarded))

    def _answer(self, tx: UnitOfWork, item: Incoming, handled: Handled) -> None:
        reading, result, origin = handled.reading, handled.result, handled.origin
        s = self.stationery[origin.meeting.id]
        mail = item.mail
        headline, invite = None, None
        if result.sender_status is not None and reading.sender.partner:
            view = tx.cases.day_view(origin.meeting.id, handled.day)
            partner = self.settings.directory.get(reading.sender.partner)
            headline = letters.status_headline(s, view, partner, was=result.sender_status[0])
            # The acknowledgement is the sender's only word of its new status: it carries the
            # invitation, or cancels the one sent.
            invite = letters.invitation(s, view, partner, Method.REQUEST if view.is_required(partner.code)
                                        else Method.CANCEL, item.now)
        key = f"ack:{origin.inbound_id}:{mail.message_id or ''}"[:290]
        reply = letters.ReplyTo(key, reading.sender.address, mail.subject, mail.message_id, mail.references)
        answer = letters.Answer(
            done=result.done, problems=[*reading.problems, *result.problems], status=handled.status,
            secrets=[*sender_words(reading, s.safe_words), *filed_under(result.changes)],
            read_as=[f"read {quoted(r.text)} as {quoted(r.canonical)}" for r in reading.read_as],
            headline=headline, forwarded=handled.forwarded,
            only_forwarded=handled.disposition is Disposition.TO_COORDINATOR, invite=invite)
        self._queue(tx, letters.acknowledgement(s, reply, answer), item.now, origin.inbound_id)

    def _forward(self, tx: UnitOfWork, item: Incoming, reading: Reading, result: Plan,
                 origin: Origin) -> bool:
        """What needs a person goes to the coordinators in one email: the bot's own lines
        (a required partner's apologies, a withdrawal it may not make) and the sender's
        own human text, quoted. Never a quoted line of anyone else's."""
        if not reading.for_coordinators and not result.for_coordinators:
            return False
        sender, inbound_id = reading.sender, origin.inbound_id
        assert inbound_id is not None
        s = self.stationery[origin.meeting.id]
        who = self.settings.directory.get(sender.partner).name if sender.partner else "no partner"
        titles = [title for title, _ in result.for_coordinators]
        if reading.for_coordinators:
            titles.append(f"an email from {who} for a person to read")
        handover = letters.Handover(
            title="; ".join(titles), sender=f"{sender.address} ({who})", subject=item.mail.subject,
            lines=[line for _, line in result.for_coordinators],
            words=capped(reading.for_coordinators, FORWARD_LIMIT, inbound_id),
            secrets=sender_words(reading, s.safe_words))
        self._queue(tx, letters.forward(s, f"forward:{inbound_id}", handover), item.now, inbound_id)
        return True

    def _park(self, tx: UnitOfWork, item: Incoming, exc: Exception) -> Outcome:
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        s = self.stationery[self.settings.meeting.id]
        mail = item.mail
        sender = mail.from_addresses[0] if mail.from_addresses else "(no From)"
        # Nothing was applied and the coordinators are told: a person has it.
        inbound_id = tx.inbound.record(InboundRecord(
            item.key, item.arrival, item.received, item.now, sender, None, mail.subject, "failed", None,
            InboundStatus.FAILED, item.raw, error=error, disposition=Disposition.TO_COORDINATOR))
        self._queue(tx, notices.parked(s, inbound_id, sender, mail.subject, error), item.now, inbound_id)
        return Outcome.FAILED

    def retry(self, inbound_id: int) -> Outcome:
        with self.unit() as tx:
            found = tx.inbound.raw(inbound_id)
            if found is None or found[0] != InboundStatus.FAILED:
                raise StoreError(f"inbound #{inbound_id} is not a failed email")
            tx.inbound.set_aside_failed(inbound_id)
        return self.ingest(Arrival(found[1], folder="retry"))
