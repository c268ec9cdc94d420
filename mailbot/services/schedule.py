"""The day's emails, each claimed once."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from mailbot.config import MeetingSettings
from mailbot.core import letters, notices
from mailbot.core.agenda import Told
from mailbot.core.ports import Actor
from mailbot.core.status import RunStatus
from mailbot.services.kernel import LATE_AFTER, UseCase
from mailbot.services.summaries import Summaries

log = logging.getLogger("mailbot")

class Schedule(UseCase):
    """What the clock says should have happened by now: case calls, attendance lists, missed
    ones told to the coordinators, reminders and the overdue digest. Each claimed once."""

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
            if not tx.runs.claim(meeting_id, kind, day, RunStatus.LATE if late else RunStatus.DONE, now):
                return False
            view = tx.cases.day_view(meeting_id, day)
            for partner in self.settings.directory:
                if kind == "case-call":
                    letter = letters.case_call(s, view, partner, late=late, now=now)
                else:
                    letter = letters.attendance(s, view, partner, now=now.astimezone(self.settings.bot.zone))
                self._queue(tx, letter, now, expires=expires)
                tx.cases.set_told(meeting_id, day, partner.code,
                            Told.REQUIRED if view.is_required(partner.code) else Told.STAND_DOWN, now)
            tx.audit.record(Actor("mailbot", now), f"{kind} queued", None, meeting_id, day=str(day),
                            cases=[c.reference for c in view.cases], late=late)
        return True

    def due(self) -> list[str]:
        """Do whatever the clock says is due; return what was done, for the log."""
        now = self.clock.now()
        done: list[str] = self.meeting_summaries_due(now)
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

    def meeting_summaries_due(self, now: datetime) -> list[str]:
        """Action plans quiet for their meeting's quiet period, on any day (minutes are typed
        up on days without a meeting too)."""
        return Summaries(self.k).due(now)

    def _status(self, meeting_id: str, kind: str, day: date) -> str | None:
        with self.unit() as tx:
            return tx.runs.status(meeting_id, kind, day)

    def _missed(self, meeting: MeetingSettings, day: date, kind: str, now: datetime,
                why: str) -> str:
        s = self.stationery[meeting.id]
        with self.unit() as tx:
            if tx.runs.claim(meeting.id, kind, day, RunStatus.SKIPPED, now, why):
                self._queue(tx, notices.missed(s, kind, day, why), now)
        return f"{kind} {day} skipped"

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

    def reminders(self, meeting: MeetingSettings, today: date) -> list[str]:
        """To owners, on the working day before an action is due and on the due day."""
        cal = self.calendars[meeting.id]
        s = self.stationery[meeting.id]
        done = []
        with self.unit() as tx:
            # Due today, or on a day for which today is the last working day before it.
            soon = tx.actions.find(meeting.id, open_only=True, due_from=today,
                              due_before=cal.next_meeting_day(today) + timedelta(days=1))
            for action, row in zip(soon, letters.action_rows(s, soon, self._label(cal)), strict=True):
                before = cal.previous_meeting_day(action.due)
                when = "today" if action.due == today else (
                    f"on {letters.long_day(action.due)}" if before == today else None)
                if when and not tx.outbox.key_used(f"reminder:{action.ident}:{when}"):
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
            if tx.outbox.key_used(f"digest:{meeting.id}:{today}"):
                return []
            late = tx.actions.find(meeting.id, open_only=True, due_before=today)
            overdue = []
            for action, row in zip(late, letters.action_rows(s, late, self._label(cal)), strict=True):
                days = cal.working_days_between(action.due, today)
                escalated = days > meeting.escalate_after_working_days
                overdue.append({**row, "days": days, "escalated": escalated})
                key = f"escalation:{action.ident}"
                if escalated and action.owner_partner and not tx.outbox.key_used(key):
                    partner = self.settings.directory.get(action.owner_partner)
                    self._queue(tx, letters.escalation(s, partner=partner, action=row, days=days), now)
                    done.append(f"escalation {action.ident}")
            if overdue:
                self._queue(tx, letters.digest(s, day=today, overdue=overdue), now)
                done.append(f"digest {today}: {len(overdue)} overdue")
        return done
