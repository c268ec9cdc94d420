"""Use cases, each one unit of work and idempotent by a key.

- ``ingest``: one raw email -> its changes, the inbound record and every email
  it causes, in one transaction keyed by the Message-ID (a second run finds the
  key and changes nothing).
- ``send_case_call`` / ``send_attendance``: a day's fan-out, claimed in the
  runs table first, so it is queued once whatever runs it.
- ``due``: what the clock says should have happened by now (also what runs on
  start, so a late start sends a late case call, or none after the cut-off).
- ``drain``: hands queued emails to SMTP and records the outcome of each.
- ``housekeeping`` / ``purge``: the daily retention purge, claimed like a send.
"""

from __future__ import annotations

import asyncio
import calendar
import dataclasses
import enum
import hashlib
import logging
import threading
import traceback
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from mailbot.adapters.db import OutboxRow, Store, Tx
from mailbot.config import MeetingSettings, Settings
from mailbot.core import letters
from mailbot.core.actions import plan_chair, plan_update, plan_version
from mailbot.core.agenda import DayView, Told
from mailbot.core.calendar import MeetingCalendar
from mailbot.core.changes import Plan, Snapshot, plan
from mailbot.core.commands import parse_commands
from mailbot.core.compose import Letter, Render, build
from mailbot.core.inbound import Context, read_parsed
from mailbot.core.message import Inbound, parse, slim
from mailbot.core.model import (
    ActionUpdate,
    AddAction,
    AddCase,
    Apologies,
    Command,
    DecideCase,
    Disposition,
    Reading,
    Reason,
    RequirePartners,
    ReviewCase,
    Sender,
    StatusRequest,
    Verdict,
    WithdrawCase,
)
from mailbot.core.privacy import ContentPolicy, Level, says_nothing
from mailbot.core.quotes import trim
from mailbot.core.status import ActionState, InboundStatus, OutboxStatus, RunStatus
from mailbot.errors import FetchError, SendError, StoreError

log = logging.getLogger("mailbot")


class Clock(Protocol):
    def now(self) -> datetime: ...


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    REJECTED = "rejected"
    FAILED = "failed"


class Postman(Protocol):
    """Sends stored emails; one connection for a batch, each outcome told to ``after`` at once."""

    async def send(self, rows: Sequence[OutboxRow],
                   after: Callable[[OutboxRow, SendError | None], Awaitable[None]] | None = None,
                   ) -> list[SendError | None]: ...


LATE_AFTER = timedelta(minutes=5)
STRANGER_NOTICES_A_DAY = 3  # emails from one unknown address shown to the coordinators a day
RETRY_DELAYS = (30, 60, 120, 300, 600, 900)  # seconds; then every 15 minutes


def calendar_of(meeting: MeetingSettings, settings: Settings) -> MeetingCalendar:
    return MeetingCalendar(settings.bot.zone, meeting.days, meeting.holidays,
                           frozenset(meeting.skip_dates), meeting.case_call, meeting.cutoff,
                           meeting.starts)


def stationery_of(settings: Settings, render: Render) -> dict[str, letters.Stationery]:
    """What every letter of each meeting shares, by meeting id."""
    d = settings.directory
    p = settings.privacy
    policy = ContentPolicy(p.secure_domains, Level(p.default_level), p.subject_tags, p.secure_route)
    return {
        m.id: letters.Stationery(render, d, settings.bot.display_name, settings.bot.address, m.id, m.name,
                                 m.starts, m.cutoff, m.dial_in, policy, p.confidentiality)
        for m in settings.meetings
    }


def reading_context(settings: Settings, meeting: MeetingSettings, stationery: letters.Stationery,
                    today: date, *, check_sender: bool = True) -> Context:
    """How an email is read for ``meeting``: the one place this is decided, so that
    ``mailbot explain`` reads an email exactly as the running bot does (sender checks and
    the bot's own fingerprints included). ``check_sender=False`` is only for an email saved
    without the receiving server's headers, and explain says so."""
    privacy = settings.privacy
    return Context(settings.bot.address, settings.directory, meeting.reference_prefix, today,
                   stationery.fingerprints, privacy.require_dmarc_pass and check_sender,
                   privacy.trusted_authserv_ids)


def content_key(reading: Reading) -> str | None:
    """The sender and the instructions they newly wrote, hashed: the same email sent again
    (the chair's plan resent, a reply sent twice) changes nothing the second time. A status
    request alone is always answered."""
    if reading.verdict is not Verdict.ACCEPTED or reading.disposition is not Disposition.APPLIED:
        return None
    if all(isinstance(c, StatusRequest) for c in reading.commands):
        return None
    text = " ".join(reading.new_text.split()).casefold()
    return "sha256:" + hashlib.sha256(f"{reading.sender.address.casefold()}\0{text}".encode()).hexdigest()


# Characters of a sender's prose quoted to the coordinators; the rest stays in the mailbox.
FORWARD_LIMIT = 6000


def capped(lines: Sequence[str], limit: int, inbound_id: int) -> list[str]:
    """The first ``limit`` characters of ``lines``, saying where the rest is."""
    out: list[str] = []
    left = limit
    for line in lines:
        if len(line) > left:
            out.append(line[:left] + " [...]")
            out.append(f"(cut here: the whole email is kept as inbound #{inbound_id} and in the "
                       "bot's processed folder)")
            break
        out.append(line)
        left -= len(line)
    return out


def sender_words(reading: Reading, safe_words: frozenset[str]) -> list[str]:
    """What the sender wrote about a person, line by line and field by field: withheld wherever
    it would be echoed to an address that may not see case details. A line of only grammar
    and partner names ("Partners: Police", a signature "HIDVA") says nothing about anyone."""
    words = [line.strip() for line in reading.new_text.splitlines()
             if len(line.strip()) >= 2 and not says_nothing(line, safe_words)]
    for command in reading.commands:
        if isinstance(command, AddCase):
            words += [command.subject, command.concern]
        elif isinstance(command, AddAction):
            words.append(command.text)
        elif isinstance(command, ActionUpdate):
            words.append(command.note)
        elif isinstance(command, DecideCase):
            words.append(command.rationale)
        elif isinstance(command, Apologies | WithdrawCase):
            words.append(command.reason)
    words += list(reading.for_coordinators)
    return [w for w in words if len(w.strip()) >= 2 and not says_nothing(w, safe_words)]


def message_key(mail: Inbound, raw: bytes) -> str:
    """The inbound dedupe key: the Message-ID, or a hash of the bytes when there is none."""
    if mail.message_id and len(mail.message_id) <= 290:
        return mail.message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    render: Render

    def __post_init__(self) -> None:
        self.lock = threading.Lock()  # one unit of work at a time in this process
        self._purged_on: date | None = None
        self.calendars = {m.id: calendar_of(m, self.settings) for m in self.settings.meetings}
        today = self.clock.now().date()
        for cal in self.calendars.values():
            cal.warm(today)  # the holiday tables load once, at start, not inside a timed job
        self.stationery = stationery_of(self.settings, self.render)

    @contextmanager
    def unit(self) -> Iterator[Tx]:
        with self.lock, self.store.transaction() as tx:
            yield tx

    def _queue(self, tx: Tx, letter: Letter, now: datetime, inbound_id: int | None = None,
               expires: datetime | None = None) -> bool:
        mid, raw = self._build(letter, now)
        return tx.enqueue(key=letter.key, message_id=mid, recipients=letter.to, subject=letter.subject,
                          raw=raw, now=now, inbound_id=inbound_id, expires=expires)

    def _build(self, letter: Letter, now: datetime) -> tuple[str, bytes]:
        return build(letter, from_address=self.settings.bot.address,
                     from_name=self.settings.bot.display_name, now=now.astimezone(self.settings.bot.zone))

    def _meeting(self, meeting_id: str) -> MeetingSettings:
        return next(m for m in self.settings.meetings if m.id == meeting_id)

    # -- inbound -------------------------------------------------------------
    def ingest(self, raw: bytes, *, folder: str = "", uidvalidity: int | None = None,
               uid: int | None = None, arrived: datetime | None = None) -> Outcome:
        """Apply one received email exactly once. StoreError means: leave it and try later."""
        now = self.clock.now()
        # Arrival time counts (a reply sent at 11:20 and read at 11:40 was in time),
        # but never later than the bot's own clock.
        received = min(arrived, now) if arrived else now
        try:
            mail = parse(raw)
            key = message_key(mail, raw)
            # Attachments are never read, and the original stays in the mailbox's processed
            # folder: the database keeps the headers and the text the bot read.
            raw = slim(raw)
        except Exception as exc:  # a bug in reading: keep the email whole and tell a person
            mail = Inbound(from_addresses=(), from_display="", subject="(unreadable)", message_id=None,
                           in_reply_to=None, references=(), date=None, headers=(), content_type="",
                           report_type="", body="", body_was_html=False, attachments=(),
                           defects=(), damaged=True)
            key = "sha256:" + hashlib.sha256(raw).hexdigest()
            with self.unit() as tx:
                if tx.inbound_status(key) is not None:
                    return Outcome.DUPLICATE
            return self._park(mail, raw, key, received, now, folder, uidvalidity, uid, exc)
        try:
            with self.unit() as tx:
                if tx.inbound_status(key) is not None:
                    return Outcome.DUPLICATE
                return self._ingest(tx, mail, raw, key, received, now, folder, uidvalidity, uid)
        except StoreError:
            raise
        except Exception as exc:  # a bug must not stop the loop: park the email, tell a person
            return self._park(mail, raw, key, received, now, folder, uidvalidity, uid, exc)

    def _ingest(self, tx: Tx, mail: Inbound, raw: bytes, key: str, received: datetime,
                now: datetime, folder: str, uidvalidity: int | None, uid: int | None) -> Outcome:
        meeting = self.settings.meeting
        cal = self.calendars[meeting.id]
        s = self.stationery[meeting.id]
        local = cal.local(received)
        reading = read_parsed(mail, reading_context(self.settings, meeting, s, local.date()))
        day = cal.meeting_for(received)
        content = content_key(reading)
        earlier = tx.same_content_applied(content, day) if content else None
        if earlier is not None:  # the same instructions again: changes nothing, sends nothing
            reading = dataclasses.replace(reading, verdict=Verdict.IGNORED, reason=Reason.SAME_CONTENT,
                                          disposition=Disposition.IGNORED)
        status = {Verdict.ACCEPTED: InboundStatus.APPLIED, Verdict.IGNORED: InboundStatus.IGNORED,
                  Verdict.REJECTED: InboundStatus.REJECTED}[reading.verdict]
        inbound_id = tx.record_inbound(
            message_key=key, folder=folder, uidvalidity=uidvalidity, uid=uid, received_at=received,
            processed_at=now, sender=reading.sender.address[:320], partner=reading.sender.partner,
            subject=mail.subject, verdict=reading.verdict.value,
            reason=reading.reason.value if reading.reason else None, status=status,
            meeting_day=day if reading.verdict is Verdict.ACCEPTED or earlier else None, error=None,
            raw=raw, disposition=reading.disposition.value, content_key=content)
        if reading.verdict is Verdict.IGNORED:
            if reading.reason is Reason.BOUNCE:
                self._bounced(tx, mail, now, inbound_id)
            if earlier is not None:
                tx.audit(now, "mailbot", reading.sender.partner, "same content again: not applied", None,
                         inbound_id, meeting.id, first=earlier)
            return Outcome.IGNORED
        if reading.verdict is Verdict.REJECTED:
            if reading.reason is Reason.SPOOFED:
                self._spoofed(tx, mail, reading, now, inbound_id)
            elif reading.reason is Reason.ENCRYPTED:
                self._encrypted(tx, mail, reading, now, inbound_id)
            else:
                self._answer_stranger(tx, mail, reading, local.date(), now, inbound_id)
            return Outcome.REJECTED
        self._apply(tx, mail, reading, meeting, day, received, now, inbound_id)
        return Outcome.APPLIED

    def _apply(self, tx: Tx, mail: Inbound, reading: Reading, meeting: MeetingSettings,
               day: date, received: datetime, now: datetime, inbound_id: int) -> None:
        """Plan and store what the email asks, then answer it as its disposition says."""
        s = self.stationery[meeting.id]
        result, status = Plan(), None
        if reading.commands:
            result, status = self._plan(tx, reading.commands, reading.sender, meeting, day, received,
                                        now, inbound_id)
        problems = [*reading.problems, *result.problems]
        disposition = reading.disposition
        if disposition is Disposition.APPLIED and not result.done and not status:
            disposition = Disposition.CLARIFY  # every instruction was refused: the sender must act
        forwarded = self._forward(tx, mail, reading, result, meeting, now, inbound_id)
        if disposition is Disposition.COURTESY and forwarded:
            disposition = Disposition.TO_COORDINATOR
        tx.set_disposition(inbound_id, disposition.value,
                           forwarded=forwarded and disposition is not Disposition.TO_COORDINATOR)
        if disposition is Disposition.COURTESY:
            return  # "Nothing to add from us today": nothing to change, nobody to answer
        secrets = sender_words(reading, s.safe_words)
        headline = None
        if result.sender_status is not None and reading.sender.partner:
            view = tx.day_view(meeting.id, day)
            headline = letters.status_headline(s, view, self.settings.directory.get(reading.sender.partner),
                                               was=result.sender_status[0])
        self._queue(tx, letters.acknowledgement(
            s, key=f"ack:{inbound_id}:{mail.message_id or ''}"[:290], to=reading.sender.address,
            subject=mail.subject, message_id=mail.message_id, references=mail.references,
            done=result.done, problems=problems, status=status, secrets=secrets,
            read_as=[f"read {r.text.strip()!r} as {r.canonical!r}" for r in reading.read_as],
            headline=headline, forwarded=forwarded, only_forwarded=disposition is Disposition.TO_COORDINATOR),
            now, inbound_id)

    def _forward(self, tx: Tx, mail: Inbound, reading: Reading, result: Plan, meeting: MeetingSettings,
                 now: datetime, inbound_id: int) -> bool:
        """What needs a person goes to the coordinators in one email: the bot's own lines
        (a required partner's apologies, a withdrawal it may not make) and the sender's
        own human text, quoted. Never a quoted line of anyone else's."""
        if not reading.for_coordinators and not result.for_coordinators:
            return False
        sender = reading.sender
        who = self.settings.directory.get(sender.partner).name if sender.partner else "no partner"
        titles = [title for title, _ in result.for_coordinators]
        if reading.for_coordinators:
            titles.append(f"an email from {who} for a person to read")
        self._queue(tx, letters.forward(
            self.stationery[meeting.id], key=f"forward:{inbound_id}", title="; ".join(titles),
            sender=f"{sender.address} ({who})", subject=mail.subject,
            lines=[line for _, line in result.for_coordinators],
            words=capped(reading.for_coordinators, FORWARD_LIMIT, inbound_id),
            secrets=sender_words(reading, self.stationery[meeting.id].safe_words)), now, inbound_id)
        return True

    def _plan(self, tx: Tx, commands: tuple[Command, ...], sender: Sender, meeting: MeetingSettings,
              day: date, received: datetime, now: datetime, inbound_id: int | None,
              answered: bool = True) -> tuple[Plan, dict[str, object] | None]:
        """Plan and store what commands change, queueing the notices they cause."""
        cal = self.calendars[meeting.id]
        s = self.stationery[meeting.id]
        local = cal.local(received)
        refs = [c.case for c in commands if isinstance(c, RequirePartners | WithdrawCase)]
        adds = any(isinstance(c, AddCase) for c in commands)
        apologies = any(isinstance(c, Apologies) for c in commands)
        upcoming_day = cal.upcoming_meeting(received)
        upcoming = tx.day_view(meeting.id, upcoming_day) if apologies else None
        snap = Snapshot(
            day=tx.day_view(meeting.id, day) if adds or refs or apologies else DayView(meeting.id, day, ()),
            # Only a new case needs the repeat check and a number.
            earlier=tx.earlier_cases(meeting.id, day - timedelta(days=meeting.repeat_window_days), day)
            if adds else (),
            known=tx.cases_by_reference(meeting.id, refs),
            next_number=tx.next_case_number(meeting.id, day.year) if adds else 0,
            reference_prefix=meeting.reference_prefix,
            after_cutoff=cal.is_meeting_day(local.date()) and local.time() >= meeting.cutoff,
            case_call_sent=tx.run_status(meeting.id, "case-call", day) in (RunStatus.DONE, RunStatus.LATE),
            upcoming=upcoming,
            upcoming_call=self._call_label(meeting, upcoming_day, local.date()),
        )
        label = self._call_label(meeting, day, local.date())
        result = plan(commands, sender, snap, self.settings.directory, label)
        tx.apply(meeting.id, result, actor=sender.address, partner=sender.partner,
                 inbound_id=inbound_id, now=now)
        after = [c for c in commands if isinstance(c, AddAction | DecideCase | ReviewCase)]
        if after:
            self._chair(tx, after, sender, meeting, received, now, inbound_id, result)
        for update in (c for c in commands if isinstance(c, ActionUpdate)):
            self._report(tx, update, sender, meeting, received, now, inbound_id, result)
        if result.changes or result.now_required:
            view = tx.day_view(meeting.id, day)
            for code, refs_needed in result.now_required.items():
                partner = self.settings.directory.get(code)
                if not (answered and code == sender.partner):  # an acknowledgement says it
                    self._queue(tx, letters.now_required(s, view, partner, refs_needed), now, inbound_id,
                                expires=cal.at(day, meeting.starts))
                tx.set_told(meeting.id, day, code, Told.REQUIRED, now)
            for code, withdrawn in result.stand_down.items():
                partner = self.settings.directory.get(code)
                if not (answered and code == sender.partner):
                    self._queue(tx, letters.stand_down(s, view, partner, withdrawn), now, inbound_id,
                                expires=cal.at(day, meeting.starts))
                tx.set_told(meeting.id, day, code, Told.STAND_DOWN, now)
        for new_ref, earlier in result.repeats:
            self._queue(tx, letters.notice(
                s, key=f"notice:repeat:{new_ref}", title=f"possible repeat case {new_ref}",
                lines=[f"{sender.address} ({sender.partner}) added {new_ref} with initials that match "
                       f"{earlier.reference} ({earlier.subject}: {earlier.concern}), last on the "
                       f"agenda {earlier.last_day}.",
                       "Only new concerns come to the meeting: please check whether it is the same "
                       "person and tell the referrer."]), now, inbound_id)
        status = None
        if result.status_requested and sender.partner:
            status_day = local.date() if (cal.is_meeting_day(local.date())
                                          and local.time() < meeting.starts) \
                else cal.next_meeting_day(local.date())
            status = letters.status_context(s, tx.day_view(meeting.id, status_day),
                                            self.settings.directory.get(sender.partner))
        return result, status

    @staticmethod
    def _call_label(meeting: MeetingSettings, day: date, today: date) -> str:
        return (f"today's {meeting.starts:%H:%M} call" if day == today
                else f"the {letters.long_day(day)} {meeting.starts:%H:%M} call")

    # -- after the meeting -------------------------------------------------------
    def _chair(self, tx: Tx, commands: Sequence[Command], sender: Sender, meeting: MeetingSettings,
               received: datetime, now: datetime, inbound_id: int | None, result: Plan,
               replace: bool = True) -> None:
        cal = self.calendars[meeting.id]
        s = self.stationery[meeting.id]
        held = cal.meeting_held(received)
        refs = sorted({c.case for c in commands if isinstance(c, AddAction | DecideCase | ReviewCase)})
        cases = tx.cases_by_reference(meeting.id, refs)
        chair = plan_chair(commands, held, tx.actions_of_day(meeting.id, held), cases,
                           self.settings.directory, replace=replace,
                           decided=tx.decisions_of_day(meeting.id, held))
        actor = sender.address
        given: list[dict[str, object]] = []
        for new in chair.new:
            number = tx.add_action(meeting.id, held, new, actor=actor, inbound_id=inbound_id, now=now)
            result.done.append(f"A-{number} ({new.case}): {new.owner}, due {self._due_label(cal, new.due)}:"
                               f" {new.text}")
            given.append({"id": f"A-{number}", "case": new.case, "owner": new.owner,
                          "due": self._due_label(cal, new.due), "text": new.text})
        for number, due in chair.due_changes:
            tx.update_action(number, status=ActionState.OPEN, note="", actor=actor, inbound_id=inbound_id,
                             now=now, due=due)
        for number in chair.withdrawn:
            tx.update_action(number, status=ActionState.WITHDRAWN, note="not in the corrected action plan",
                             actor=actor, inbound_id=inbound_id, now=now)
        for decision in chair.decisions:
            tx.decide(meeting.id, held, decision.case, decision.decision.value, decision.rationale,
                      review_on=None, actor=actor, inbound_id=inbound_id, now=now)
        for review in chair.reviews:
            day = cal.meeting_day_on_or_after(review.review_on)
            tx.decide(meeting.id, held, review.case, "review", "", review_on=day, actor=actor,
                      inbound_id=inbound_id, now=now)
            tx.put_on_agenda(meeting.id, day, review.case, "review",
                             f"review agreed on {letters.short_day(held)}", now)
        result.done.extend(chair.done)
        result.problems.extend(chair.problems)
        for owner in chair.unknown_owners:
            self._queue(tx, letters.notice(
                s, key=f"notice:unknown-owner:{held}:{owner.lower()}",
                title="action owner outside the directory",
                lines=[f"{actor} gave an action to {owner}, an address that belongs to no partner.",
                       "It was recorded; please check the address is right and the person is expected."]),
                now, inbound_id)
        self._tell_reference_owners(tx, s, held, actor, given, now, inbound_id)
        if chair.changes_anything:
            self._summaries(tx, meeting, held, now, inbound_id)

    def _tell_reference_owners(self, tx: Tx, s: letters.Stationery, held: date, actor: str,
                               given: list[dict[str, object]], now: datetime,
                               inbound_id: int | None) -> None:
        """An owner whose address gets references only cannot read its action in any email:
        the coordinators are told, once per owner per meeting day, to phone it through."""
        d = self.settings.directory
        for owner in dict.fromkeys(str(a["owner"]).lower() for a in given):
            if s.policy.level((owner,)) is not Level.REFERENCE:
                continue
            code = d.sender(owner).partner
            self._queue(tx, letters.reference_owner_notice(
                s, key=f"notice:reference-owner:{held}:{owner}"[:290], chair=actor, owner=owner,
                partner=d.get(code).name if code else "outside the directory",
                actions=[a for a in given if str(a["owner"]).lower() == owner]), now, inbound_id)

    def _summaries(self, tx: Tx, meeting: MeetingSettings, day: date, now: datetime,
                   inbound_id: int | None) -> int:
        """One summary per partner and one list per owner, for the plan's current version."""
        cal = self.calendars[meeting.id]
        s = self.stationery[meeting.id]
        d = self.settings.directory
        acts = [a for a in tx.actions_of_day(meeting.id, day) if a.status != ActionState.WITHDRAWN]
        decided = tx.decisions_of_day(meeting.id, day)
        version = plan_version(acts, decided)
        queued = 0
        view = tx.day_view(meeting.id, day)
        refs = list(dict.fromkeys([*(c.reference for c in view.cases), *decided, *(a.case for a in acts)]))
        known = tx.cases_by_reference(meeting.id, refs)
        cases: list[dict[str, object]] = [{"reference": r, "subject": known[r].subject if r in known else "",
                  "decision": decided.get(r, ("no decision recorded", ""))[0],
                  "rationale": decided.get(r, ("", ""))[1]} for r in refs]
        rows = letters.action_rows(s, acts, lambda due: self._due_label(cal, due))
        partners = set(view.required(d)) | {a.owner_partner for a in acts if a.owner_partner}
        for partner in d:
            if partner.code in partners:
                queued += self._queue(tx, letters.summary(s, day=day, version=version, partner=partner,
                                                          cases=cases, actions=rows), now, inbound_id)
        for owner in dict.fromkeys(a.owner.lower() for a in acts):
            mine = [row for row, a in zip(rows, acts, strict=True) if a.owner.lower() == owner]
            queued += self._queue(tx, letters.owner_actions(s, day=day, version=version, owner=owner,
                                                            actions=mine), now, inbound_id)
        return queued

    def send_summary(self, day: date) -> int:
        """Queue the action plan of the meeting on ``day``; 0 when this version already went."""
        with self.unit() as tx:
            return self._summaries(tx, self.settings.meeting, day, self.clock.now(), None)

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
            self._chair(tx, commands, sender, meeting, now, now, None, result, replace=False)
        return result

    def _report(self, tx: Tx, command: ActionUpdate, sender: Sender, meeting: MeetingSettings,
                received: datetime, now: datetime, inbound_id: int | None, result: Plan) -> None:
        cal = self.calendars[meeting.id]
        s = self.stationery[meeting.id]
        action = tx.action(int(command.action.removeprefix("A-")))
        outcome, line = plan_update(command, action, sender)
        if outcome is None or action is None:
            result.problems.append(line)
            return
        tx.update_action(outcome.number, status=outcome.status, note=outcome.note, actor=sender.address,
                         inbound_id=inbound_id, now=now)
        result.done.append(line)
        if outcome.returns_case:
            day = cal.meeting_for(received)
            reason = f"{action.ident} could not be completed: {outcome.note}"
            tx.put_on_agenda(meeting.id, day, action.case, "returned", reason, now)
            self._queue(tx, letters.notice(
                s, key=f"notice:cannot:{action.ident}:{now:%Y%m%d%H%M}",
                title=f"{action.ident} cannot be completed",
                lines=[f"{sender.address} reports that {action.ident} ({action.case}: {action.text}) cannot "
                       f"be completed: {outcome.note}",
                       f"{action.case} is back on the case call for {letters.long_day(day)}."]),
                now, inbound_id)
            self._newly_required(tx, meeting, day, now, inbound_id)

    def _newly_required(self, tx: Tx, meeting: MeetingSettings, day: date, now: datetime,
                        inbound_id: int | None) -> None:
        if tx.run_status(meeting.id, "case-call", day) not in (RunStatus.DONE, RunStatus.LATE):
            return
        view = tx.day_view(meeting.id, day)
        s = self.stationery[meeting.id]
        for code in view.required(self.settings.directory):
            if view.told.get(code) != Told.REQUIRED:
                refs = [c.reference for c in view.cases_for(code)]
                self._queue(tx, letters.now_required(s, view, self.settings.directory.get(code), refs),
                            now, inbound_id, expires=self.calendars[meeting.id].at(day, meeting.starts))
                tx.set_told(meeting.id, day, code, Told.REQUIRED, now)

    @staticmethod
    def _due_label(cal: MeetingCalendar, due: date) -> str:
        label = letters.short_day(due)
        if not cal.is_meeting_day(due):
            why = cal.bank_holiday(due) or f"a {due:%A}"
            label += f" ({why}, not a working day)"
        return label

    def follow_up(self, meeting: MeetingSettings, now: datetime) -> list[str]:
        """Reminders to owners, then (from the digest time) the overdue digest. Each once."""
        cal = self.calendars[meeting.id]
        local = cal.local(now)
        today = local.date()
        if not cal.is_meeting_day(today) or local < cal.at(today, meeting.case_call):
            return []
        done = self.reminders(meeting, today)
        if local >= cal.at(today, meeting.digest_time):
            done += self.digest(meeting, now)
        return done

    def _label(self, cal: MeetingCalendar) -> Callable[[date], str]:
        def label(due: date) -> str:
            return self._due_label(cal, due)

        return label

    def reminders(self, meeting: MeetingSettings, today: date) -> list[str]:
        """To owners, on the working day before an action is due and on the due day."""
        cal = self.calendars[meeting.id]
        s = self.stationery[meeting.id]
        done = []
        with self.unit() as tx:
            # Due today, or on a day for which today is the last working day before it.
            soon = tx.actions(meeting.id, open_only=True, due_from=today,
                              due_before=cal.next_meeting_day(today) + timedelta(days=1))
            for action, row in zip(soon, letters.action_rows(s, soon, self._label(cal)), strict=True):
                before = cal.previous_meeting_day(action.due)
                when = "today" if action.due == today else (
                    f"on {letters.long_day(action.due)}" if before == today else None)
                if when and not tx.key_used(f"reminder:{action.ident}:{when}"):
                    self._queue(tx, letters.reminder(s, action=row, owner=action.owner, when=when),
                                self.clock.now())
                    done.append(f"reminder {action.ident}")
        return done

    def digest(self, meeting: MeetingSettings, now: datetime) -> list[str]:
        """The coordinators' digest of overdue actions, and one escalation per long-late action."""
        cal = self.calendars[meeting.id]
        s = self.stationery[meeting.id]
        today = cal.local(now).date()
        done = []
        with self.unit() as tx:
            if tx.key_used(f"digest:{meeting.id}:{today}"):
                return []
            late = tx.actions(meeting.id, open_only=True, due_before=today)
            overdue = []
            for action, row in zip(late, letters.action_rows(s, late, self._label(cal)), strict=True):
                days = cal.working_days_between(action.due, today)
                escalated = days > meeting.escalate_after_working_days
                overdue.append({**row, "days": days, "escalated": escalated})
                if escalated and action.owner_partner and not tx.key_used(f"escalation:{action.ident}"):
                    partner = self.settings.directory.get(action.owner_partner)
                    self._queue(tx, letters.escalation(s, partner=partner, action=row, days=days), now)
                    done.append(f"escalation {action.ident}")
            if overdue:
                self._queue(tx, letters.digest(s, day=today, overdue=overdue), now)
                done.append(f"digest {today}: {len(overdue)} overdue")
        return done

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
            result, _ = self._plan(tx, tuple(commands), sender, meeting, day, now, now, None,
                                   answered=False)
        result.problems[:0] = problems
        return result

    def _bounced(self, tx: Tx, mail: Inbound, now: datetime, inbound_id: int) -> None:
        """A bounce is never answered (no loop can form); each address it names is marked
        bad in the audit log and reported to the coordinators, once."""
        s = self.stationery[self.settings.meeting.id]
        for address in mail.failed_recipients:
            if tx.key_used(f"notice:bounced:{address}"[:290]):
                continue
            partner = self.settings.directory.sender(address).partner
            who = self.settings.directory.get(partner).name if partner else "no partner in the directory"
            tx.audit(now, "mailbot", partner, "address bounced", None, inbound_id, address=address,
                     subject=mail.subject[:200])
            self._queue(tx, letters.notice(
                s, key=f"notice:bounced:{address}"[:290], title=f"email to {address} bounced",
                lines=[f"Email from the bot to {address} ({who}) could not be delivered "
                       f"(the bounce's subject: {mail.subject[:120]!r}).",
                       "Until the address is put right in the config, that partner may be missing "
                       "its case calls: please check it and tell them by phone.",
                       "This is reported once; later bounces for the address are recorded only."]),
                now, inbound_id)

    def _spoofed(self, tx: Tx, mail: Inbound, reading: Reading, now: datetime, inbound_id: int) -> None:
        """Not applied and not answered (an answer would go to whoever was impersonated)."""
        s = self.stationery[self.settings.meeting.id]
        why = reading.problems[0] if reading.problems else "sender checks failed"
        tx.audit(now, "mailbot", reading.sender.partner, "email rejected as spoofed", None, inbound_id,
                 sender=reading.sender.address, why=why)
        self._queue(tx, letters.notice(
            s, key=f"notice:spoofed:{inbound_id}", title="an email was rejected as possibly spoofed",
            lines=[f"An email claiming to be from {reading.sender.address} (subject {mail.subject[:120]!r}) "
                   f"was not applied and not answered: {why}.",
                   "If it was genuine, ask the sender to resend it, or their IT team to fix their "
                   "domain's SPF/DKIM/DMARC records; if not, report it to your IT security team.",
                   f"It is kept as inbound #{inbound_id}."]), now, inbound_id)

    def _encrypted(self, tx: Tx, mail: Inbound, reading: Reading, now: datetime, inbound_id: int) -> None:
        """Cannot be read automatically: a person must open it; the sender is told why."""
        s = self.stationery[self.settings.meeting.id]
        what = reading.problems[0] if reading.problems else "an encrypted email"
        who = self.settings.directory.get(reading.sender.partner).name if reading.sender.partner \
            else "no partner in the directory"
        self._queue(tx, letters.notice(
            s, key=f"notice:encrypted:{inbound_id}", title="an encrypted email cannot be read automatically",
            lines=[f"The email from {reading.sender.address} ({who}), subject {mail.subject[:120]!r}, "
                   f"is {what}.",
                   "Nothing in it was applied. Please open it in the bot's mailbox (processed folder) "
                   "and add any case by hand with 'mailbot cases add', or ask the sender to resend it.",
                   f"It is kept as inbound #{inbound_id}."]), now, inbound_id)
        if reading.sender.partner is not None:
            self._queue(tx, letters.acknowledgement(
                s, key=f"ack:{inbound_id}:{mail.message_id or ''}"[:290], to=reading.sender.address,
                subject=mail.subject, message_id=mail.message_id, references=mail.references,
                done=[], status=None,
                problems=[f"Your email arrived as {what}: the bot cannot open it, so nothing in it "
                          "was applied. The coordinators have been told and will open it by hand. "
                          "To be read automatically, reply without encryption (the bot's mailbox is on "
                          "the partnership's secure list) or put the case to the coordinator on the call."]),
                now, inbound_id)

    def _answer_stranger(self, tx: Tx, mail: Inbound, reading: Reading, today: date,
                         now: datetime, inbound_id: int) -> None:
        """Someone outside the partnership: at most one answer a day, saying who to turn to
        instead; the coordinators read what they wrote, which may be a concern about someone."""
        s = self.stationery[self.settings.meeting.id]
        address = reading.sender.address.lower()
        coordinators = [a for p in self.settings.directory.coordinators() for a in p.emails]
        answered = "," not in address and self._queue(tx, letters.unknown_sender(
            s, key=f"error:{today}:{address}:unknown-sender", to=reading.sender.address,
            subject=mail.subject, message_id=mail.message_id, coordinators=coordinators,
            public_reply=self.settings.bot.public_reply), now, inbound_id)
        # Each email is shown, a second one may say something new; a few an address a day,
        # so a flood cannot bury the coordinators' mailbox (the rest stay in the bot's mailbox).
        for n in range(1, STRANGER_NOTICES_A_DAY + 1):
            key = f"notice:unknown-sender:{today}:{address[:200]}:{n}"
            if not tx.key_used(key):
                self._queue(tx, letters.stranger_notice(
                    s, key=key, sender=reading.sender.address, subject=mail.subject,
                    written=trim(mail.body, s.fingerprints).text, answered=answered,
                    inbound_id=inbound_id, last=n == STRANGER_NOTICES_A_DAY), now, inbound_id)
                return

    def _park(self, mail: Inbound, raw: bytes, key: str, received: datetime, now: datetime,
              folder: str, uidvalidity: int | None, uid: int | None, exc: Exception) -> Outcome:
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        s = self.stationery[self.settings.meeting.id]
        with self.unit() as tx:
            sender = mail.from_addresses[0] if mail.from_addresses else "(no From)"
            inbound_id = tx.record_inbound(
                message_key=key, folder=folder, uidvalidity=uidvalidity, uid=uid,
                received_at=received, processed_at=now, sender=sender[:320], partner=None,
                subject=mail.subject, verdict="failed", reason=None, status=InboundStatus.FAILED,
                meeting_day=None, error=error, raw=raw,
                # Nothing was applied and the coordinators are told: a person has it.
                disposition=Disposition.TO_COORDINATOR.value)
            self._queue(tx, letters.notice(
                s, key=f"notice:failed:{inbound_id}", title="an email could not be read",
                lines=[f"The email from {sender} (subject {mail.subject[:120]!r}) failed: {error}",
                       f"It is kept as inbound #{inbound_id}; nothing in it was applied. "
                       f"'mailbot inbox retry {inbound_id}' tries again."]), now, inbound_id)
        return Outcome.FAILED

    def retry(self, inbound_id: int) -> Outcome:
        with self.unit() as tx:
            found = tx.inbound_raw(inbound_id)
            if found is None or found[0] != InboundStatus.FAILED:
                raise StoreError(f"inbound #{inbound_id} is not a failed email")
            tx.set_aside_failed_inbound(inbound_id)
        return self.ingest(found[1], folder="retry")

    # -- the day's emails ------------------------------------------------------
    def send_case_call(self, meeting_id: str, day: date, *, late: bool = False,
                       by_hand: bool = False) -> bool:
        """Queue the case call for every partner; False if it was already queued."""
        return self._fan_out(meeting_id, day, "case-call", late, by_hand)

    def send_attendance(self, meeting_id: str, day: date, *, by_hand: bool = False) -> bool:
        return self._fan_out(meeting_id, day, "attendance", False, by_hand)

    def _fan_out(self, meeting_id: str, day: date, kind: str, late: bool, by_hand: bool) -> bool:
        now = self.clock.now()
        s = self.stationery[meeting_id]
        meeting, cal = self._meeting(meeting_id), self.calendars[meeting_id]
        # A case call is of no use after the cut-off, an attendance list after the start;
        # unless a coordinator sends one by hand, who knows why.
        expires = None if by_hand else cal.at(day, meeting.cutoff if kind == "case-call" else meeting.starts)
        with self.unit() as tx:
            if not tx.claim_run(meeting_id, kind, day, RunStatus.LATE if late else RunStatus.DONE, now):
                return False
            view = tx.day_view(meeting_id, day)
            for partner in self.settings.directory:
                if kind == "case-call":
                    letter = letters.case_call(s, view, partner, late=late)
                else:
                    letter = letters.attendance(s, view, partner, now=now.astimezone(self.settings.bot.zone))
                self._queue(tx, letter, now, expires=expires)
                tx.set_told(meeting_id, day, partner.code,
                            Told.REQUIRED if view.is_required(partner.code) else Told.STAND_DOWN, now)
            tx.audit(now, "mailbot", None, f"{kind} queued", None, None, meeting_id, day=str(day),
                     cases=[c.reference for c in view.cases], late=late)
        return True

    def due(self) -> list[str]:
        """Do whatever the clock says is due; return what was done, for the log."""
        now = self.clock.now()
        done: list[str] = []
        for meeting in self.settings.meetings:
            cal = self.calendars[meeting.id]
            local = cal.local(now)
            day = local.date()
            if not cal.is_meeting_day(day):
                continue
            call_at, cutoff_at, starts_at = (cal.at(day, meeting.case_call), cal.at(day, meeting.cutoff),
                                             cal.at(day, meeting.starts))
            if local >= call_at and self._status(meeting.id, "case-call", day) is None:
                if local < cutoff_at:
                    if self.send_case_call(meeting.id, day, late=local >= call_at + LATE_AFTER):
                        done.append(f"case call {day}")
                else:
                    done.append(self._missed(meeting, day, "case-call", now,
                                             f"The case call for {letters.long_day(day)} was not sent: "
                                             f"mailbot was not running between {meeting.case_call:%H:%M} "
                                             f"and the {meeting.cutoff:%H:%M} cut-off."))
            if local >= cutoff_at and self._status(meeting.id, "attendance", day) is None:
                if local < starts_at:
                    if self.send_attendance(meeting.id, day):
                        done.append(f"attendance {day}")
                else:
                    done.append(self._missed(meeting, day, "attendance", now,
                                             f"The attendance list for {letters.long_day(day)} was not "
                                             f"sent: mailbot was not running between the "
                                             f"{meeting.cutoff:%H:%M} cut-off and the meeting."))
            done.extend(self.follow_up(meeting, now))
        return done

    # -- retention -------------------------------------------------------------
    def retention_start(self, now: datetime) -> datetime:
        """The moment before which personal details are deleted: ``retention_months`` ago."""
        local = now.astimezone(self.settings.bot.zone)
        months = local.year * 12 + local.month - 1 - self.settings.privacy.retention_months
        year, month = divmod(months, 12)
        day = min(local.day, calendar.monthrange(year, month + 1)[1])
        return local.replace(year=year, month=month + 1, day=day)

    def purge(self, *, actor: str = "mailbot") -> dict[str, int]:
        """Delete raw emails and personal details past retention; the audit trail keeps
        who did what and when, and records the purge itself with counts only."""
        now = self.clock.now()
        with self.unit() as tx:
            return self._purge(tx, now, actor)

    def _purge(self, tx: Tx, now: datetime, actor: str) -> dict[str, int]:
        before = self.retention_start(now)
        counts = tx.purge(before, before.date())
        tx.audit(now, actor, None, "records purged", None, None, before=before.isoformat(),
                 months=self.settings.privacy.retention_months, counts=counts)
        log.info("purged records from before %s: %s", before.date(),
                 ", ".join(f"{n} {what}" for what, n in counts.items()))
        return counts

    def housekeeping(self) -> list[str]:
        """Daily upkeep that is not about a meeting: the retention purge, once a day from
        ``purge_time`` (a process down at that time purges when it is back)."""
        now = self.clock.now()
        local = now.astimezone(self.settings.bot.zone)
        if local.time() < self.settings.privacy.purge_time or self._purged_on == local.date():
            return []
        with self.unit() as tx:  # claimed and done in one transaction: a crash redoes both
            claimed = tx.claim_run("mailbot", "purge", local.date(), RunStatus.DONE, now)
            if claimed:
                self._purge(tx, now, "mailbot")
        self._purged_on = local.date()  # no database write each round for the rest of the day
        return [f"purge {local.date()}"] if claimed else []

    def _status(self, meeting_id: str, kind: str, day: date) -> str | None:
        with self.unit() as tx:
            return tx.run_status(meeting_id, kind, day)

    def _missed(self, meeting: MeetingSettings, day: date, kind: str, now: datetime,
                why: str) -> str:
        s = self.stationery[meeting.id]
        with self.unit() as tx:
            if tx.claim_run(meeting.id, kind, day, RunStatus.SKIPPED, now, why):
                self._queue(tx, letters.notice(s, key=f"notice:missed:{kind}:{meeting.id}:{day}",
                                               title=f"{kind} for {day} not sent", lines=[why]), now)
        return f"{kind} {day} skipped"

    # -- sending ---------------------------------------------------------------
    async def drain(self, postman: Postman) -> int:
        """Send every email that is due; return how many went. Safe to run at any time."""
        sent = 0
        while True:
            now = self.clock.now()
            rows = await asyncio.to_thread(self._claim, now)
            if not rows:
                return sent

            async def record(row: OutboxRow, error: SendError | None) -> None:
                await asyncio.to_thread(self._record, [row], [error], self.clock.now())

            results = await postman.send(rows, record)
            sent += sum(1 for r in results if r is None or r.partial)
            if any(r is not None and not r.permanent for r in results):
                return sent  # the server is struggling: wait for the next round

    def _claim(self, now: datetime) -> list[OutboxRow]:
        with self.unit() as tx:
            expired = tx.expire_outbox(now)
            if expired:
                self._tell_expired(tx, expired, now)
            rows = [self._refresh_late(tx, row, now) for row in tx.due_outbox(now)]
            for row in rows:
                tx.mark_outbox(row.id, status=OutboxStatus.SENDING, attempts=row.attempts + 1)
            return rows

    def _tell_expired(self, tx: Tx, expired: list[tuple[str, str, str | None]], now: datetime) -> None:
        lines = ["These emails could not be sent before they stopped being of use, and were not sent:"]
        for key, recipients, error in expired:
            kind, _, rest = key.partition(":")
            day = rest.split(":")[1] if rest.count(":") >= 2 else ""
            lines.append(f"- {kind.replace('-', ' ')} {day} to {recipients.replace(',', ', ')}"
                         f" (last error: {error or 'none'})")
        lines.append("Please make sure these partners know what they need to by phone or email.")
        log.error("%d emails expired unsent: %s", len(expired), ", ".join(k for k, _, _ in expired))
        s = self.stationery[self.settings.meeting.id]
        self._queue(tx, letters.notice(s, key=f"notice:expired:{expired[0][0]}"[:290],
                                       title=f"{len(expired)} emails not sent in time", lines=lines), now)

    def _refresh_late(self, tx: Tx, row: OutboxRow, now: datetime) -> OutboxRow:
        """A case call that failed to go on time is rewritten as a late one, with today's cases."""
        if not row.key.startswith("case-call:") or row.attempts == 0 or row.subject.startswith("LATE "):
            return row
        _, meeting_id, day_text, code = row.key.split(":", 3)
        meeting, day = self._meeting(meeting_id), date.fromisoformat(day_text)
        if now < self.calendars[meeting_id].at(day, meeting.case_call) + LATE_AFTER:
            return row
        letter = letters.case_call(self.stationery[meeting_id], tx.day_view(meeting_id, day),
                                   self.settings.directory.get(code), late=True)
        mid, raw = self._build(letter, now)
        assert mid == row.message_id  # the same key: the same Message-ID
        tx.mark_outbox(row.id, subject=letter.subject, raw=raw)
        return dataclasses.replace(row, subject=letter.subject, raw=raw)

    def _record(self, rows: Sequence[OutboxRow], results: Sequence[SendError | None],
                now: datetime) -> None:
        with self.unit() as tx:
            for row, error in zip(rows, results, strict=True):
                if error is None or error.partial:
                    tx.mark_outbox(row.id, status=OutboxStatus.SENT, sent_at=now,
                                   last_error=str(error)[:2000] if error else None)
                elif error.permanent:
                    tx.mark_outbox(row.id, status=OutboxStatus.FAILED, last_error=str(error)[:2000])
                else:
                    delay = RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS) - 1)]
                    tx.mark_outbox(row.id, status=OutboxStatus.PENDING, last_error=str(error)[:2000],
                                   next_attempt_at=now + timedelta(seconds=delay))

    def recover(self, already_sent: Callable[[list[str]], set[str]] | None = None) -> tuple[int, int]:
        """On start: emails left 'sending' by a crash; returns (found sent, queued again).

        Each outcome is recorded the moment SMTP gives it, so a crash leaves at most
        one email whose fate is unknown: SMTP may have accepted it just before. Where
        the server keeps a copy of what was sent (``already_sent`` searches it by
        Message-ID), such an email is marked sent; otherwise it goes again, so at most
        one email per crash can arrive twice, with the same Message-ID, which mail
        clients show once in the thread.
        """
        with self.unit() as tx:
            stuck = tx.stuck_sending()
        found: set[str] = set()
        if stuck and already_sent is not None:
            try:
                found = already_sent([row.message_id for row in stuck])
            except FetchError as exc:  # better twice than never
                log.warning("cannot check the sent folder (%s): sending %d emails again", exc, len(stuck))
        now = self.clock.now()
        with self.unit() as tx:
            for row in stuck:
                if row.message_id in found:
                    tx.mark_outbox(row.id, status=OutboxStatus.SENT, sent_at=now,
                                   last_error="found in the sent folder after a restart")
                else:
                    tx.mark_outbox(row.id, status=OutboxStatus.PENDING)
        return len(found), len(stuck) - len(found)
