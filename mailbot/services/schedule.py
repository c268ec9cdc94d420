"""The day's emails, each claimed once."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from mailbot.config import MeetingSettings
from mailbot.core import letters, notices
from mailbot.core.agenda import Told
from mailbot.core.categories import agenda_view
from mailbot.core.ports import Actor
from mailbot.core.status import RunStatus
from mailbot.services.kernel import LATE_AFTER, Kernel, UseCase
from mailbot.services.panel import PanelRhythm
from mailbot.services.summaries import Summaries

log = logging.getLogger("mailbot")

LOOK_BACK = 10  # meeting days searched for scheduled emails missed while the bot was down


def _call_ends(meeting: MeetingSettings) -> time:
    """Until when a case call is still of use: the cut-off; or, where it goes at the cut-off
    as the final agenda (a daily risk meeting), the meeting's start."""
    return meeting.cutoff if meeting.cutoff > meeting.case_call else meeting.starts


def _kinds(meeting: MeetingSettings) -> tuple[str, ...]:
    """What a meeting day sends on a schedule: a meeting without an attendance list sends none."""
    return ("case-call", "attendance") if meeting.attendance_list else ("case-call",)


class Schedule(UseCase):
    """What the clock says should have happened by now: case calls, attendance lists, missed
    ones told to the coordinators, reminders and the overdue digest. Each claimed once."""

    def __init__(self, kernel: Kernel) -> None:
        super().__init__(kernel)
        # The day each meeting's earlier days were last searched: once a day is enough, as a
        # past day's claims can only be added to, and the search is a query per day.
        self._looked_back: dict[str, date] = {}

    def send_case_call(self, meeting_id: str, day: date, *, late: bool = False,
                       by_hand: bool = False) -> bool:
        """Queue the case call for every partner; False if it was already queued."""
        if self._meeting(meeting_id).is_panel:  # a panel's case call is its agenda
            return PanelRhythm(self.k, self).send_agenda(meeting_id, day, late=late, by_hand=by_hand)
        return self._fan_out(meeting_id, day, "case-call", late, by_hand)

    def send_attendance(self, meeting_id: str, day: date, *, by_hand: bool = False) -> bool:
        return self._fan_out(meeting_id, day, "attendance", False, by_hand)

    def _fan_out(self, meeting_id: str, day: date, kind: str, late: bool, by_hand: bool) -> bool:
        now = self.clock.now()
        s = self.stationery[meeting_id]
        meeting, cal = self._meeting(meeting_id), self.calendars[meeting_id]
        # A case call is of no use after the cut-off, an attendance list after the start;
        # unless a coordinator sends one by hand, who knows why.
        ends = _call_ends(meeting) if kind == "case-call" else meeting.starts
        expires = None if by_hand else cal.at(day, ends)
        with self.unit() as tx:
            if not tx.runs.claim(meeting_id, kind, day, RunStatus.LATE if late else RunStatus.DONE, now):
                return False
            view = agenda_view(tx.cases.day_view(meeting_id, day), meeting.categories,
                               meeting.overnight_first)
            partners = list(s.directory)  # its members only
            if kind == "case-call":
                final = meeting.case_call >= meeting.cutoff
                day_letters = [letters.case_call(s, view, p, late=late, now=now, final=final)
                               for p in partners]
            else:
                local = now.astimezone(self.settings.bot.zone)
                day_letters = [letters.attendance(s, view, p, now=local) for p in partners]
            # One statement each for the letters and for what each partner was told, not one
            # per partner: they were the costliest part of queueing a large fan-out.
            self._queue_all(tx, day_letters, now, expires=expires)
            told = {p.code: Told.REQUIRED if view.is_required(p.code) else Told.STAND_DOWN for p in partners}
            tx.cases.set_told_all(meeting_id, day, told, now)
            tx.audit.record(Actor("mailbot", now), f"{kind} queued", None, meeting_id, day=str(day),
                            cases=[c.reference for c in view.cases], late=late)
        return True

    def due(self) -> list[str]:
        """Do whatever the clock says is due; return what was done, for the log."""
        now = self.clock.now()
        done: list[str] = self.meeting_summaries_due(now)
        for meeting in self.settings.meetings:
            if meeting.is_panel:  # a panel keeps its own rhythm
                done.extend(PanelRhythm(self.k, self).due(meeting, now))
                continue
            cal = self.calendars[meeting.id]
            day = cal.local(now).date()
            missed = self._missed_before(meeting, day) if self._looked_back.get(meeting.id) != day else []
            sent = self._today(meeting, now, missed) if cal.is_meeting_day(day) else []
            # What was missed is told first: it was due before what goes now.
            done += self._missed(meeting, missed, now) + sent
            self._looked_back[meeting.id] = day
            if cal.is_meeting_day(day):
                done.extend(self.follow_up(meeting, now))
        return done

    def _today(self, meeting: MeetingSettings, now: datetime, missed: list[notices.Missed]) -> list[str]:
        """Today's case call and attendance list, each sent while still of use, else added
        to ``missed``."""
        cal = self.calendars[meeting.id]
        local = cal.local(now)
        day, done = local.date(), []
        call_at, cutoff_at, starts_at = (cal.at(day, meeting.case_call), cal.at(day, meeting.cutoff),
                                         cal.at(day, meeting.starts))
        if local >= call_at and self._status(meeting.id, "case-call", day) is None:
            if local < cal.at(day, _call_ends(meeting)):
                if self.send_case_call(meeting.id, day, late=local >= call_at + LATE_AFTER):
                    done.append(f"case call {day}")
            else:
                missed.append(self._why(meeting, "case-call", day))
        if meeting.attendance_list and local >= cutoff_at \
                and self._status(meeting.id, "attendance", day) is None:
            if local < starts_at:
                if self.send_attendance(meeting.id, day):
                    done.append(f"attendance {day}")
            else:
                missed.append(self._why(meeting, "attendance", day))
        return done

    def meeting_summaries_due(self, now: datetime) -> list[str]:
        """Action plans quiet for their meeting's quiet period, on any day (minutes are typed
        up on days without a meeting too)."""
        return Summaries(self.k).due(now)

    def _status(self, meeting_id: str, kind: str, day: date) -> str | None:
        with self.unit() as tx:
            return tx.runs.status(meeting_id, kind, day)

    @staticmethod
    def _why(meeting: MeetingSettings, kind: str, day: date) -> notices.Missed:
        when, ends = letters.long_day(day), _call_ends(meeting)
        what = "cut-off" if ends == meeting.cutoff else "start"
        why = {
            "case-call": f"The case call for {when} was not sent: mailbot was not running between "
                         f"{meeting.case_call:%H:%M} and the {ends:%H:%M} {what}.",
            "attendance": f"The attendance list for {when} was not sent: mailbot was not running "
                          f"between the {meeting.cutoff:%H:%M} cut-off and the meeting.",
            "digest": f"The overdue actions digest for {when} was not sent: mailbot was not running "
                      f"at {meeting.digest_time:%H:%M}.",
        }[kind]
        return notices.Missed(kind, day, why)

    def _missed_before(self, meeting: MeetingSettings, today: date) -> list[notices.Missed]:
        """The scheduled emails of earlier meeting days that were never claimed: the bot was
        down when they were due. It looks back at most LOOK_BACK meeting days (two working
        weeks: a long weekend and a week's outage; anything older the coordinators have long
        known of, and a notice listing it would help nobody) and never before the first day the
        bot ran this meeting, so a new database reports no past it was not there for."""
        cal = self.calendars[meeting.id]
        missed: list[notices.Missed] = []
        days: list[date] = []
        with self.unit() as tx:
            first = tx.runs.first_day(meeting.id, ("case-call", "attendance"))
            day = today
            while first is not None and len(days) < LOOK_BACK:
                day = cal.previous_meeting_day(day)
                if day < first:
                    break
                days.append(day)
            for day in reversed(days):
                missed += [self._why(meeting, kind, day) for kind in _kinds(meeting)
                           if tx.runs.status(meeting.id, kind, day) is None]
                if (tx.runs.status(meeting.id, "digest", day) is None
                        and not tx.outbox.key_used(f"digest:{meeting.id}:{day}")
                        and tx.actions.find(meeting.id, open_only=True, due_before=day)):
                    missed.append(self._why(meeting, "digest", day))
        return missed

    def _missed(self, meeting: MeetingSettings, missed: list[notices.Missed], now: datetime) -> list[str]:
        """Claim each missed email as skipped, and tell the coordinators of all of them in one
        notice, in the same transaction: a second process, or a restart, claims none again."""
        if not missed:
            return []
        with self.unit() as tx:
            claimed = [m for m in missed
                       if tx.runs.claim(meeting.id, m.kind, m.day, RunStatus.SKIPPED, now, m.why)]
            if claimed:
                self._queue(tx, notices.missed_days(self.stationery[meeting.id], claimed), now)
        return [f"{m.kind} {m.day} skipped" for m in claimed]

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
                    self._queue(tx, letters.escalation(s, partner=partner, action=row, days=days,
                                                       contact=meeting.escalation_contact), now)
                    done.append(f"escalation {action.ident}")
            if overdue:
                self._queue(tx, letters.digest(s, day=today, overdue=overdue,
                                               contact=meeting.escalation_contact), now)
                done.append(f"digest {today}: {len(overdue)} overdue")
        return done
