"""Partners' replies: cases, partners, apologies, withdrawals, and the notices they cause."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from mailbot.core import letters, notices
from mailbot.core.agenda import DayView, Told
from mailbot.core.changes import Plan, Snapshot, plan
from mailbot.core.model import (
    ActionUpdate,
    AddAction,
    AddCase,
    Apologies,
    Attended,
    CallMeeting,
    CancelMeeting,
    Command,
    DecideCase,
    RequirePartners,
    ReviewCase,
    SetLead,
    WithdrawCase,
)
from mailbot.core.oneoff import in_thread
from mailbot.core.status import RunStatus
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import Kernel, Origin, UseCase
from mailbot.services.meeting import AfterMeeting
from mailbot.services.oneoff import OneOffs
from mailbot.services.oneoff_cancel import Cancellations
from mailbot.services.referrals import Referrals

log = logging.getLogger("mailbot")

class Replies(UseCase):
    """A reply's instructions: one snapshot, the pure plan, apply it, queue what it causes."""

    def __init__(self, kernel: Kernel, meeting: AfterMeeting) -> None:
        super().__init__(kernel)
        self.meeting = meeting

    def plan(self, tx: UnitOfWork, commands: tuple[Command, ...], origin: Origin, day: date,
             answered: bool = True) -> tuple[Plan, dict[str, object] | None]:
        """Plan and store what ``commands`` change for the meeting of ``day``, queueing the
        notices they cause; ``answered``: the sender gets an answer that says its own status."""
        meeting, local = origin.meeting, self.calendars[origin.meeting.id].local(origin.received)
        sitting = OneOffs(self.k).of_thread(tx, origin) if origin.thread else None
        sorry: tuple[Apologies, ...] = ()
        if sitting is not None:  # a reply to a sitting's invitation: its Partners and Apologies are for it
            commands, sorry = in_thread(commands, sitting)
        result = plan(commands, origin.sender, self._snapshot(tx, commands, origin, day),
                      self.stationery[meeting.id].directory, self._call_label(meeting, day, local.date()))
        tx.cases.apply(meeting.id, result, origin.actor)
        after = [c for c in commands if isinstance(c, AddAction | DecideCase | ReviewCase | Attended)]
        if after:
            self.meeting.chair(tx, after, origin, result)
        Referrals(self.k).answer(tx, commands, origin, result)  # returned or declined: the referrer told
        for update in (c for c in commands if isinstance(c, ActionUpdate)):
            self.meeting.report(tx, update, origin, result)
        for call in (c for c in commands if isinstance(c, CallMeeting)):
            OneOffs(self.k).call(tx, call, origin, result)
        if sitting is not None and sorry:
            OneOffs(self.k).apologies(tx, sitting, sorry, origin, result)
        for cancel in (c for c in commands if isinstance(c, CancelMeeting)):
            Cancellations(self.k).cancel(tx, cancel, origin, result)
        if result.changes or result.now_required:
            self._tell_partners(tx, result, origin, day, answered)
        s = self.stationery[meeting.id]
        for new_ref, earlier in result.repeats:
            self._queue(tx, notices.possible_repeat(s, origin.sender, new_ref, earlier), origin.now,
                        origin.inbound_id)
        return result, self._status(tx, result, origin)

    def _snapshot(self, tx: UnitOfWork, commands: tuple[Command, ...], origin: Origin, day: date) -> Snapshot:
        """Everything the pure plan needs, read in the transaction that will store it."""
        meeting = origin.meeting
        cal = self.calendars[meeting.id]
        local = cal.local(origin.received)
        refs = [c.case for c in commands if isinstance(c, RequirePartners | WithdrawCase | SetLead)]
        adds = any(isinstance(c, AddCase) for c in commands)
        apologies = any(isinstance(c, Apologies) for c in commands)
        upcoming_day = cal.upcoming_meeting(origin.received)
        return Snapshot(
            day=tx.cases.day_view(meeting.id, day) if adds or refs or apologies
            else DayView(meeting.id, day, ()),
            # Only a new case needs the repeat check and a number.
            earlier=tx.cases.earlier(meeting.id, day - timedelta(days=meeting.repeat_window_days), day)
            if adds else (),
            known=tx.cases.by_reference(meeting.id, refs),
            next_number=tx.cases.next_number(meeting.id, day.year) if adds else 0,
            reference_prefix=meeting.reference_prefix,
            after_cutoff=cal.after_close(origin.received),
            case_call_sent=tx.runs.status(meeting.id, "case-call", day) in (RunStatus.DONE, RunStatus.LATE),
            upcoming=tx.cases.day_view(meeting.id, upcoming_day) if apologies else None,
            upcoming_call=self._call_label(meeting, upcoming_day, local.date()),
            categories=meeting.categories,
        )

    def _tell_partners(self, tx: UnitOfWork, result: Plan, origin: Origin, day: date, answered: bool) -> None:
        """Partners whose status the change turned: now required, or free to stand down. The
        sender's own answer says its status, so it gets no second email."""
        meeting = origin.meeting
        s, cal = self.stationery[meeting.id], self.calendars[meeting.id]
        view = tx.cases.day_view(meeting.id, day)
        for code, refs in [*result.now_required.items(), *result.stand_down.items()]:
            required = code in result.now_required
            if not (answered and code == origin.sender.partner):
                partner = self.settings.directory.get(code)
                letter = letters.now_required(s, view, partner, refs, origin.now) if required else \
                    letters.stand_down(s, view, partner, refs, origin.now)
                self._queue(tx, letter, origin.now, origin.inbound_id, expires=cal.at(day, meeting.starts))
            tx.cases.set_told(meeting.id, day, code, Told.REQUIRED if required else Told.STAND_DOWN,
                              origin.now)

    def _status(self, tx: UnitOfWork, result: Plan, origin: Origin) -> dict[str, object] | None:
        """The sender's status for the next meeting that has not started, when it asked."""
        sender, meeting = origin.sender, origin.meeting
        if not (result.status_requested and sender.partner):
            return None
        cal = self.calendars[meeting.id]
        local = cal.local(origin.received)
        day = local.date() if cal.is_meeting_day(local.date()) and local.time() < meeting.starts \
            else cal.next_meeting_day(local.date())
        return letters.status_context(self.stationery[meeting.id], tx.cases.day_view(meeting.id, day),
                                      self.settings.directory.get(sender.partner))
