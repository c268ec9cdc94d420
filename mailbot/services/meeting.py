"""After the meeting: the chair's plan, owners' reports, summaries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime

from mailbot.config import MeetingSettings
from mailbot.core import letters, notices
from mailbot.core.actions import ChairPlan, MeetingRecord, plan_chair, plan_update
from mailbot.core.agenda import Told
from mailbot.core.changes import Plan
from mailbot.core.decisions import not_allowed
from mailbot.core.model import (
    ActionUpdate,
    AddAction,
    Command,
    DecideCase,
    ReviewCase,
)
from mailbot.core.ports import Decided
from mailbot.core.privacy import Level
from mailbot.core.status import ActionState, RunStatus
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import Kernel, Origin, UseCase
from mailbot.services.oneoff import OneOffs
from mailbot.services.summaries import Summaries

log = logging.getLogger("mailbot")

class AfterMeeting(UseCase):
    """The chair's action plan, decisions and reviews, owners' reports, and the summaries."""

    def __init__(self, kernel: Kernel) -> None:
        super().__init__(kernel)
        self.summary = Summaries(kernel)

    def chair(self, tx: UnitOfWork, commands: Sequence[Command], origin: Origin, result: Plan,
              replace: bool = True, held: date | None = None) -> date:
        """The chair's Action, Decision, Review and Attended lines for the meeting they follow
        (or the one held on ``held``); return that meeting's day. The summaries wait for the
        plan to be quiet (``Summaries``)."""
        meeting = origin.meeting
        commands, refused = not_allowed(commands, meeting.decisions)
        result.problems.extend(refused)
        held = held or OneOffs(self.k).held_today(tx, commands, origin) \
            or self.calendars[meeting.id].meeting_held(origin.received)
        chair = plan_chair(commands, self._record(tx, commands, meeting, held), self.settings.directory,
                           replace=replace)
        given = self._record_plan(tx, chair, origin, held, result)
        result.done.extend(chair.done)
        result.problems.extend(chair.problems)
        s = self.stationery[meeting.id]
        for owner in chair.unknown_owners:
            self._queue(tx, notices.unknown_owner(s, held, origin.sender.address, owner), origin.now,
                        origin.inbound_id)
        self._tell_reference_owners(tx, s, held, origin, given)
        if chair.changes_anything:
            self.summary.changed(tx, meeting, held, origin.now)
            if replace:  # the chair's email: say when the plan goes, so corrections can beat it
                at = self.calendars[meeting.id].local(self.summary.quiet_at(meeting, origin.now))
                result.done.append(f"the action plan goes to the partners at {at:%H:%M}, once the plan "
                                   f"has had no change for {meeting.summary_quiet_minutes} minutes")
        return held

    @staticmethod
    def _record(tx: UnitOfWork, commands: Sequence[Command], meeting: MeetingSettings, held: date
                ) -> MeetingRecord:
        """What the meeting has on record, and the open actions of each case decided."""
        refs = sorted({c.case for c in commands if isinstance(c, AddAction | DecideCase | ReviewCase)})
        decided = sorted({c.case for c in commands if isinstance(c, DecideCase)})
        return MeetingRecord(tx.actions.of_day(meeting.id, held), tx.cases.by_reference(meeting.id, refs),
                             tx.actions.decisions_of_day(meeting.id, held),
                             {ref: tx.actions.find(meeting.id, case=ref, open_only=True) for ref in decided})

    def _record_plan(self, tx: UnitOfWork, chair: ChairPlan, origin: Origin, held: date, result: Plan
                     ) -> list[dict[str, object]]:
        """Store the chair's plan; return the actions given, as the emails show them."""
        meeting, by = origin.meeting, origin.actor
        cal = self.calendars[meeting.id]
        given: list[dict[str, object]] = []
        for new in chair.new:
            number = tx.actions.add(meeting.id, held, new, by)
            due = self._due_label(cal, new.due)
            result.done.append(f"A-{number} ({new.case}): {new.owner}, due {due}: {new.text}")
            given.append({"id": f"A-{number}", "case": new.case, "owner": new.owner, "due": due,
                          "text": new.text})
        for number, due_on in chair.due_changes:
            tx.actions.update(number, ActionState.OPEN, "", by, due=due_on)
        for number in chair.withdrawn:
            tx.actions.update(number, ActionState.WITHDRAWN, "not in the corrected action plan", by)
        for number, decision in chair.withdrawn_with:
            tx.actions.update(number, ActionState.WITHDRAWN,
                              f"withdrawn when {decision.case} was {decision.decision.value}", by)
        self._record_decisions(tx, chair, origin, held)
        if chair.attended is not None:
            tx.minutes.set_attended(meeting.id, held, chair.attended)
            tx.audit.record(by, "attended", None, meeting.id, day=str(held), partners=list(chair.attended))
        return given

    def _record_decisions(self, tx: UnitOfWork, chair: ChairPlan, origin: Origin, held: date) -> None:
        meeting, by = origin.meeting, origin.actor
        cal = self.calendars[meeting.id]
        for decision in chair.decisions:
            tx.actions.decide(meeting.id, held, Decided(decision.case, decision.decision.value,
                                                        decision.rationale), by)
        for review in chair.reviews:
            day = cal.meeting_day_on_or_after(review.review_on)
            tx.actions.decide(meeting.id, held, Decided(review.case, "review", review_on=day), by)
            tx.cases.put_on_agenda(meeting.id, day, review.case, "review",
                             f"review agreed on {letters.short_day(held)}", origin.now)

    def _tell_reference_owners(self, tx: UnitOfWork, s: letters.Stationery, held: date, origin: Origin,
                               given: list[dict[str, object]]) -> None:
        """An owner whose address gets references only cannot read its action in any email:
        the coordinators are told, once per owner per meeting day, to phone it through."""
        d = self.settings.directory
        for owner in dict.fromkeys(str(a["owner"]).lower() for a in given):
            if s.policy.level((owner,)) is not Level.REFERENCE:
                continue
            code = d.sender(owner).partner
            self._queue(tx, letters.reference_owner_notice(
                s, key=f"notice:reference-owner:{held}:{owner}"[:290], chair=origin.sender.address,
                owner=owner, partner=d.get(code).name if code else "outside the directory",
                actions=[a for a in given if str(a["owner"]).lower() == owner]),
                origin.now, origin.inbound_id)

    def report(self, tx: UnitOfWork, command: ActionUpdate, origin: Origin, result: Plan) -> None:
        """An owner's Done, Update or Cannot complete; the last puts the case back on the call."""
        meeting, now = origin.meeting, origin.now
        action = tx.actions.get(int(command.action.removeprefix("A-")))
        outcome, line = plan_update(command, action, origin.sender)
        if outcome is None or action is None:
            result.problems.append(line)
            return
        tx.actions.update(outcome.number, outcome.status, outcome.note, origin.actor)
        result.done.append(line)
        if outcome.returns_case:
            day = self.calendars[meeting.id].meeting_for(origin.received)
            tx.cases.put_on_agenda(meeting.id, day, action.case, "returned",
                             f"{action.ident} could not be completed: {outcome.note}", now)
            s = self.stationery[meeting.id]
            self._queue(tx, notices.cannot_complete(s, origin.sender.address, action, outcome.note, day,
                                                    f"{now:%Y%m%d%H%M}"), now, origin.inbound_id)
            self._newly_required(tx, meeting, day, now, origin.inbound_id)

    def _newly_required(self, tx: UnitOfWork, meeting: MeetingSettings, day: date, now: datetime,
                        inbound_id: int | None) -> None:
        if tx.runs.status(meeting.id, "case-call", day) not in (RunStatus.DONE, RunStatus.LATE):
            return
        view = tx.cases.day_view(meeting.id, day)
        s = self.stationery[meeting.id]
        for code in view.required(self.settings.directory):
            if view.told.get(code) != Told.REQUIRED:
                refs = [c.reference for c in view.cases_for(code)]
                self._queue(tx, letters.now_required(s, view, self.settings.directory.get(code), refs, now),
                            now, inbound_id, expires=self.calendars[meeting.id].at(day, meeting.starts))
                tx.cases.set_told(meeting.id, day, code, Told.REQUIRED, now)
