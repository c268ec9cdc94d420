"""Partners' replies: cases, partners, apologies, withdrawals, and the notices they cause."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from mailbot.adapters.db import Tx
from mailbot.config import MeetingSettings
from mailbot.core import letters
from mailbot.core.agenda import DayView, Told
from mailbot.core.changes import Plan, Snapshot, plan
from mailbot.core.model import (
    ActionUpdate,
    AddAction,
    AddCase,
    Apologies,
    Command,
    DecideCase,
    RequirePartners,
    ReviewCase,
    Sender,
    WithdrawCase,
)
from mailbot.core.status import RunStatus
from mailbot.services.kernel import Kernel, UseCase
from mailbot.services.meeting import AfterMeeting

log = logging.getLogger("mailbot")

class Replies(UseCase):
    """A reply's instructions: snapshot, plan, apply, queue what they cause."""

    def __init__(self, kernel: Kernel, meeting: AfterMeeting) -> None:
        super().__init__(kernel)
        self.meeting = meeting

    def plan(self, tx: Tx, commands: tuple[Command, ...], sender: Sender, meeting: MeetingSettings,
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
            self.meeting.chair(tx, after, sender, meeting, received, now, inbound_id, result)
        for update in (c for c in commands if isinstance(c, ActionUpdate)):
            self.meeting.report(tx, update, sender, meeting, received, now, inbound_id, result)
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
