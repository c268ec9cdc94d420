"""A panel's rhythm: the agenda a few working days before each sitting, owners reminded
before the sitting that reviews their actions, and the overdue digest on agenda and panel days.

A panel has no attendance list: every member sits on it, and the agenda is the one email
before a sitting. Actions are reported on at the next sitting, so nothing here runs daily.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from mailbot.config import MeetingSettings
from mailbot.core import letters, notices
from mailbot.core.actions import ActionView
from mailbot.core.agenda import Told
from mailbot.core.letters.panel import panel_agenda
from mailbot.core.ports import Actor
from mailbot.core.status import ActionState, RunStatus
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import LATE_AFTER, Kernel, UseCase

if TYPE_CHECKING:
    from mailbot.services.schedule import Schedule


class PanelRhythm(UseCase):
    """What the clock says is due for one panel; each email claimed once, as for any meeting."""

    def __init__(self, kernel: Kernel, schedule: Schedule) -> None:
        super().__init__(kernel)
        self.schedule = schedule  # the digest and the missed-job notice are the daily call's own

    def due(self, meeting: MeetingSettings, now: datetime) -> list[str]:
        cal = self.calendars[meeting.id]
        local = cal.local(now)
        today = local.date()
        try:
            sitting = cal.meeting_day_on_or_after(today)
        except ValueError:  # the published dates have run out: nothing is planned
            return []
        done = self._agenda(meeting, sitting, now)
        done += self.reminders(meeting, sitting, now)
        if today in (sitting, cal.release_day(sitting)) and local >= cal.at(today, meeting.digest_time):
            done += self.schedule.digest(meeting, now)
        return done

    def _agenda(self, meeting: MeetingSettings, sitting: date, now: datetime) -> list[str]:
        cal = self.calendars[meeting.id]
        release_at = cal.at(cal.release_day(sitting), meeting.case_call)
        if now < release_at or self.schedule._status(meeting.id, "case-call", sitting) is not None:
            return []
        if now >= cal.at(sitting, meeting.starts):
            return self.schedule._missed(meeting, [notices.Missed(
                "case-call", sitting,
                f"The agenda for the panel of {letters.long_day(sitting)} was not sent: mailbot was not "
                f"running between its release on {letters.long_day(release_at.date())} and the panel.")], now)
        if self.send_agenda(meeting.id, sitting, late=now >= release_at + LATE_AFTER):
            return [f"agenda {sitting}"]
        return []

    def send_agenda(self, meeting_id: str, sitting: date, *, late: bool = False, by_hand: bool = False
                    ) -> bool:
        """Queue the agenda for every member; False if it was already queued. Cases with
        actions to review come back onto it first, so the chair sees how each went."""
        now = self.clock.now()
        room = self.room(meeting_id)
        cal, s, meeting = room.calendar, room.stationery, room.settings
        expires = None if by_hand else cal.at(sitting, meeting.starts)
        with self.unit() as tx:
            if not tx.runs.claim(meeting_id, "case-call", sitting, RunStatus.LATE if late else RunStatus.DONE,
                                 now):
                return False
            self._carry_returning(tx, meeting_id, sitting, now)
            view = tx.cases.day_view(meeting_id, sitting)
            reviews = self._reviews(tx, meeting_id, sitting, [c.reference for c in view.cases])
            for partner in s.directory:  # its members only; every member sits on the panel
                self._queue(tx, panel_agenda(s, view, partner, statement=meeting.confidentiality_statement,
                                             late=late, reviews=reviews), now, expires=expires)
                tx.cases.set_told(meeting_id, sitting, partner.code, Told.REQUIRED, now)
            tx.audit.record(Actor("mailbot", now), "agenda queued", None, meeting_id, day=str(sitting),
                            cases=[c.reference for c in view.cases], late=late)
        return True

    def _carry_returning(self, tx: UnitOfWork, meeting_id: str, sitting: date, now: datetime) -> None:
        """A case with an open action, or one agreed at the last sitting, is heard again."""
        cal = self.calendars[meeting_id]
        try:
            last = cal.previous_meeting_day(sitting)
        except ValueError:
            last = None
        earlier = [a for a in tx.actions.find(meeting_id, open_only=True)
                   if a.meeting_day is not None and a.meeting_day < sitting]
        if last is not None:
            earlier += [a for a in tx.actions.of_day(meeting_id, last) if a.status != ActionState.WITHDRAWN]
        for case in dict.fromkeys(a.case for a in earlier):
            tx.cases.put_on_agenda(meeting_id, sitting, case, "review", "", now)

    def _reviews(self, tx: UnitOfWork, meeting_id: str, sitting: date, refs: Sequence[str]
                 ) -> dict[str, list[dict[str, object]]]:
        """Each case's actions from earlier sittings, with their status, as the agenda shows them."""
        s, cal = self.stationery[meeting_id], self.calendars[meeting_id]
        found: dict[str, list[dict[str, object]]] = {}
        for ref in refs:
            acts: list[ActionView] = [a for a in tx.actions.find(meeting_id, case=ref)
                                      if a.status != ActionState.WITHDRAWN
                                      and a.meeting_day is not None and a.meeting_day < sitting]
            if acts:
                found[ref] = letters.action_rows(s, acts, self._label(cal))
        return found

    def reminders(self, meeting: MeetingSettings, sitting: date, now: datetime) -> list[str]:
        """Every open action's owner, once, the configured working days before the sitting
        that reviews it (from the agenda's release time that day)."""
        cal = self.calendars[meeting.id]
        ahead = meeting.reminder_working_days
        remind_on = cal.working_days_before(sitting, ahead)
        if not ahead or now < cal.at(remind_on, meeting.case_call) or now >= cal.at(sitting, meeting.starts):
            return []
        s = self.stationery[meeting.id]
        when = f"by the panel on {letters.long_day(sitting)}"
        done = []
        with self.unit() as tx:
            open_ = [a for a in tx.actions.find(meeting.id, open_only=True)
                     if a.meeting_day is not None and a.meeting_day < sitting]
            for action, row in zip(open_, letters.action_rows(s, open_, self._label(cal)), strict=True):
                if not tx.outbox.key_used(f"reminder:{action.ident}:{when}"):
                    self._queue(tx, letters.reminder(s, action=row, owner=action.owner, when=when), now)
                    done.append(f"reminder {action.ident}")
        return done
