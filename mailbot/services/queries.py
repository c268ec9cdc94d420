"""Read-only questions the coordinator's desk asks, each one transaction that changes nothing.
The CLI only parses arguments and prints what these return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from mailbot.config import MeetingSettings
from mailbot.core.actions import ActionView
from mailbot.core.agenda import CaseView, DayView
from mailbot.core.categories import agenda_view
from mailbot.core.oneoff import Sitting
from mailbot.core.status import ActionState, OutboxStatus
from mailbot.errors import MailbotError
from mailbot.services.kernel import UseCase
from mailbot.services.routing import chosen


@dataclass(frozen=True, slots=True)
class ActionLine:
    action: ActionView
    working_days_overdue: int  # 0 when not overdue


@dataclass(frozen=True, slots=True)
class CaseRecord:
    case: CaseView
    actions: list[ActionView]
    history: list[dict[str, Any]]
    sittings: list[Sitting] = field(default_factory=list)  # its one-off meetings, soonest first


class Queries(UseCase):
    def meeting(self, meeting_id: str | None) -> MeetingSettings:
        """The meeting ``--meeting`` names (default the first); an unknown id is an error."""
        return chosen(self.settings, meeting_id)

    def today(self) -> date:
        meeting = self.settings.meeting
        return self.calendars[meeting.id].local(self.clock.now()).date()

    def actions(self, *, owner: str | None, case: str | None, overdue: bool,
                meeting_id: str | None = None) -> list[ActionLine]:
        """Actions of the meeting a case or ``meeting_id`` names, else of every meeting, each
        counted overdue in its own meeting's working days."""
        meetings = [chosen(self.settings, meeting_id, case or "")] if meeting_id or case \
            else self.settings.meetings
        today = self.today()
        lines: list[ActionLine] = []
        for meeting in meetings:
            cal = self.calendars[meeting.id]
            with self.unit() as tx:
                found = tx.actions.find(meeting.id, owner=owner, case=case, open_only=overdue)
            lines += [ActionLine(a, cal.working_days_between(a.due, today)
                                 if a.status == ActionState.OPEN and a.due < today else 0) for a in found]
        return [line for line in lines if line.action.due < today] if overdue else lines

    def action(self, number: int) -> tuple[ActionView, list[dict[str, Any]]]:
        with self.unit() as tx:
            action = tx.actions.get(number)
            history = tx.actions.history(number)
        if action is None:
            raise MailbotError(f"no action A-{number}")
        return action, history

    def case(self, reference: str, meeting_id: str | None = None) -> CaseRecord:
        meeting = chosen(self.settings, meeting_id, reference)
        with self.unit() as tx:
            found = tx.cases.by_reference(meeting.id, [reference])
            if reference not in found:
                raise MailbotError(f"no case {reference}")
            return CaseRecord(found[reference], tx.actions.find(meeting.id, case=reference),
                              tx.audit.log(reference), tx.sittings.of_case(meeting.id, reference))

    def day(self, day: date | None, meeting_id: str | None = None) -> DayView:
        meeting = chosen(self.settings, meeting_id)
        with self.unit() as tx:
            when = day or self.calendars[meeting.id].meeting_for(self.clock.now())
            # In the order the agenda lists them, as the coordinator will hear them.
            return agenda_view(tx.cases.day_view(meeting.id, when), meeting.categories,
                               meeting.overnight_first)

    def failed_inbound(self) -> list[dict[str, Any]]:
        with self.unit() as tx:
            return tx.inbound.failed()

    def audit(self, reference: str | None, since: datetime | None) -> list[dict[str, Any]]:
        with self.unit() as tx:
            return tx.audit.log(reference, since)

    def waiting_to_send(self) -> int:
        with self.unit() as tx:
            return tx.outbox.counts().get(OutboxStatus.PENDING, 0)
