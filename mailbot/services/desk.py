"""The coordinator's desk: by-hand cases, minutes lines and summaries."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from mailbot.config import MeetingSettings
from mailbot.core import letters
from mailbot.core.changes import ApologiesGiven, Plan
from mailbot.core.commands import parse_commands
from mailbot.core.model import (
    AddAction,
    Apologies,
    Attended,
    Command,
    DecideCase,
    ReturnCase,
    ReviewCase,
    Sender,
)
from mailbot.core.oneoff import SittingStatus
from mailbot.core.store import UnitOfWork
from mailbot.errors import MailbotError
from mailbot.services.kernel import Kernel, Origin, UseCase
from mailbot.services.meeting import AfterMeeting
from mailbot.services.referrals import Referrals
from mailbot.services.replies import Replies
from mailbot.services.routing import chosen

log = logging.getLogger("mailbot")

_NAMES = re.compile(r"\s*(?:[,;&/]|\band\b)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Filed:
    """What lines typed up from a meeting did: the plan, the meeting they were filed under, and
    the summary emails (to, subject) sent now, or that would be sent."""

    plan: Plan
    meeting_day: date
    applied: bool  # False: a dry run, or a line that could not be read (then nothing changed)
    emails: tuple[tuple[str, str], ...] = ()
    summary_at: datetime | None = None  # when the summary goes, unless sent by hand before
    meeting_id: str = ""


class _Undo(Exception):
    """Leaves the transaction without a trace: a dry run, or minutes with a problem."""


class Desk(UseCase):
    """What a coordinator types at the terminal, read with the same rules as email."""

    def __init__(self, kernel: Kernel, replies: Replies, meeting: AfterMeeting) -> None:
        super().__init__(kernel)
        self.replies = replies
        self.meeting = meeting

    def send_summary(self, day: date, meeting_id: str | None = None) -> int:
        """Queue the action plan of the meeting on ``day`` now; 0 when this version already went."""
        with self.unit() as tx:
            meeting = chosen(self.settings, meeting_id)
            return len(self.meeting.summary.send(tx, meeting, day, self.clock.now()))

    def by_hand(self, text: str, actor: str, meeting_id: str | None = None) -> Plan:
        """Lines typed by a coordinator at the terminal, read with the reply grammar; the
        summary waits for the quiet period."""
        return self.minutes(text, actor, send=False, meeting_id=meeting_id).plan

    def minutes(self, text: str, actor: str, *, held: date | None = None, dry_run: bool = False,
                send: bool = True, meeting_id: str | None = None) -> Filed:
        """A meeting's minutes as the chair would email them (Action, Decision, Review, Return,
        Attended, Apologies lines), for the meeting their case references name (else
        ``meeting_id``, else the first), filed under its meeting of ``held`` (default: the last
        one held) in one transaction. With ``send`` the summary is queued at once, else it
        waits for the quiet period. A dry run, or a line that cannot be read, changes nothing."""
        meeting = chosen(self.settings, meeting_id, text)
        now = self.clock.now()
        day = self._held(meeting, held, now)
        coordinator = self.settings.directory.coordinators()[0]
        sender = Sender(actor, coordinator.code, True)
        commands, problems = parse_commands(
            text, sender=sender, directory=self.settings.directory,
            reference_prefix=meeting.reference_prefix, today=self.calendars[meeting.id].local(now).date())
        result = Plan(problems=list(problems))
        filed = Filed(result, day, False)
        try:
            with self.unit() as tx:
                filed = self._file(tx, commands, Origin(sender, meeting, now, now, None), day, result,
                                   send=send and not dry_run)
                if dry_run or result.problems:
                    raise _Undo
        except _Undo:
            if result.problems:  # nothing of it was kept: say only what stopped it
                result.done.clear()
            return Filed(result, day, False, filed.emails if not result.problems else (),
                         meeting_id=meeting.id)
        return replace(filed, meeting_id=meeting.id)

    def _file(self, tx: UnitOfWork, commands: list[Command], origin: Origin, day: date, result: Plan,
              *, send: bool) -> Filed:
        meeting = origin.meeting
        chair = [c for c in commands
                 if isinstance(c, AddAction | DecideCase | ReviewCase | Attended | ReturnCase)]
        for command in commands:
            if isinstance(command, Apologies):
                self._apologies(tx, command, origin, day, result)
            elif command not in chair:
                result.problems.append(f"line {command.line}: not a line for the minutes (Action, "
                                       "Decision, Review, Return, Attended or Apologies); nothing was "
                                       "changed")
        self.meeting.chair(tx, chair, origin, result, replace=False, held=day)
        Referrals(self.k).answer(tx, chair, origin, result)
        if send:  # the minutes as one batch; a single line typed at the desk is its own entry
            tx.audit.record(origin.actor, "minutes typed up", None, meeting.id, day=str(day),
                            lines=len(commands))
        if send:
            sent = self.meeting.summary.send(tx, meeting, day, origin.now)
            return Filed(result, day, True, tuple((", ".join(x.to), x.subject) for x in sent))
        waiting = [x for x in self.meeting.summary.build(tx, meeting, day) if not tx.outbox.key_used(x.key)]
        return Filed(result, day, True, tuple((", ".join(x.to), x.subject) for x in waiting),
                     summary_at=origin.now + timedelta(minutes=meeting.summary_quiet_minutes))

    def _apologies(self, tx: UnitOfWork, command: Apologies, origin: Origin, day: date, result: Plan) -> None:
        """``Apologies: HIDVA, SPA`` in the minutes: those partners sent apologies."""
        d = self.settings.directory
        names = [n for n in _NAMES.split(command.reason) if n.strip()]
        found = [d.find(n) for n in names]
        if command.case or not names or None in found:
            result.problems.append(f"line {command.line}: in the minutes, name the partners that sent "
                                   "apologies, like 'Apologies: HIDVA, SPA'; nothing was changed")
            return
        codes = list(dict.fromkeys(p.code for p in found if p is not None))
        tx.cases.apply(origin.meeting.id, Plan(changes=[ApologiesGiven(c, "", "", day) for c in codes]),
                       origin.actor)
        result.done.append(f"apologies recorded from {', '.join(d.get(c).name for c in codes)}")
        self.meeting.summary.changed(tx, origin.meeting, day, origin.now)

    def _held(self, meeting: MeetingSettings, held: date | None, now: datetime) -> date:
        """The meeting the minutes are of: ``held``, which must be a meeting day that has
        started, or the last one held."""
        cal = self.calendars[meeting.id]
        if held is None:
            return cal.meeting_held(now)
        if self._sat(meeting, held, now):  # a one-off sitting that day, started: its minutes
            return held
        if not cal.is_meeting_day(held):
            why = cal.bank_holiday(held) or f"a {held:%A}"
            raise MailbotError(f"there was no meeting on {letters.long_day(held)} ({why})")
        if cal.at(held, meeting.starts) > now:
            raise MailbotError(f"the meeting of {letters.long_day(held)} has not been held yet")
        return held

    def _sat(self, meeting: MeetingSettings, day: date, now: datetime) -> bool:
        """Whether a one-off sitting of the meeting was called for ``day`` and has started."""
        cal = self.calendars[meeting.id]
        with self.unit() as tx:
            return any(cal.at(day, s.starts) <= now for s in tx.sittings.on(meeting.id, day)
                       if s.status is SittingStatus.CALLED)  # a cancelled sitting was never held

    def add_case_by_hand(self, *, subject: str, concern: str, partners: str, referrer: str,
                         actor: str, meeting_id: str | None = None) -> Plan:
        """A coordinator typing a case at the terminal: the same rules as an emailed case."""
        meeting = chosen(self.settings, meeting_id)
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
