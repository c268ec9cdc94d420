"""Use cases, each one unit of work and idempotent by a key, one module each:

- ``inbound``: one received email -> its changes, its inbound record and every email it
  causes, in one transaction keyed by the Message-ID; ``rejects`` answers what is not read.
- ``replies``: a reply's instructions planned from one snapshot and applied;
  ``meeting``: the chair's plan, owners' reports and summaries; ``desk``: the terminal.
- ``schedule``: what the clock says is due (case calls, attendance lists, reminders, the
  digest), each claimed in the runs table first; ``outbox``: sending and recovery;
  ``outbox_desk``: the outbox listed, retried and cancelled from the terminal;
  ``retention``: the daily purge.

``Services`` wires them over one ``Kernel`` and is what the composition root builds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from mailbot.config import MeetingSettings, Settings
from mailbot.core.changes import Plan
from mailbot.core.compose import Render
from mailbot.core.ports import Arrival, Clock, Postman
from mailbot.core.store import Store
from mailbot.services.desk import Desk
from mailbot.services.inbound import InboundMail
from mailbot.services.kernel import Kernel, Outcome, UseCase, calendar_of, reading_context, stationery_of
from mailbot.services.meeting import AfterMeeting
from mailbot.services.outbox import Outbox
from mailbot.services.outbox_desk import OutboxDesk
from mailbot.services.queries import Queries
from mailbot.services.rejects import Rejects
from mailbot.services.replies import Replies
from mailbot.services.retention import Retention
from mailbot.services.schedule import Schedule

__all__ = ["Outcome", "Services", "calendar_of", "reading_context", "stationery_of"]


class Services(UseCase):
    """Every use case of one process, over one kernel."""

    def __init__(self, settings: Settings, store: Store, clock: Clock, render: Render,
                 own: Mapping[str, Render] | None = None) -> None:
        super().__init__(Kernel(settings, store, clock, render, own))
        self.meeting = AfterMeeting(self.k)
        self.replies = Replies(self.k, self.meeting)
        self.inbound = InboundMail(self.k, self.replies, Rejects(self.k))
        self.desk = Desk(self.k, self.replies, self.meeting)
        self.schedule = Schedule(self.k)
        self.outbox = Outbox(self.k)
        self.retention = Retention(self.k)
        self.queries = Queries(self.k)
        self.outbox_desk = OutboxDesk(self.k)

    # The settings, store, clock, calendars and stationery come from UseCase, over the kernel.
    @property
    def render(self) -> Render:
        return self.k.render

    @render.setter
    def render(self, render: Render) -> None:
        self.k.render = render
        self.k.stationery = stationery_of(self.k.settings, render)

    def ingest(self, item: Arrival | bytes) -> Outcome:
        return self.inbound.ingest(item if isinstance(item, Arrival) else Arrival(item))

    def ingest_many(self, items: Sequence[Arrival]) -> list[Outcome]:
        return self.inbound.ingest_many(items)

    def retry(self, inbound_id: int) -> Outcome:
        return self.inbound.retry(inbound_id)

    def due(self) -> list[str]:
        return self.schedule.due()

    def send_case_call(self, meeting_id: str, day: date, *, late: bool = False,
                       by_hand: bool = False) -> bool:
        return self.schedule.send_case_call(meeting_id, day, late=late, by_hand=by_hand)

    def send_attendance(self, meeting_id: str, day: date, *, by_hand: bool = False) -> bool:
        return self.schedule.send_attendance(meeting_id, day, by_hand=by_hand)

    def follow_up(self, meeting: MeetingSettings, now: datetime) -> list[str]:
        return self.schedule.follow_up(meeting, now)

    def reminders(self, meeting: MeetingSettings, today: date) -> list[str]:
        return self.schedule.reminders(meeting, today)

    def digest(self, meeting: MeetingSettings, now: datetime) -> list[str]:
        return self.schedule.digest(meeting, now)

    async def drain(self, postman: Postman) -> int:
        return await self.outbox.drain(postman)

    def recover(self, already_sent: Callable[[list[str]], set[str]] | None = None) -> tuple[int, int]:
        return self.outbox.recover(already_sent)

    def send_summary(self, day: date, meeting_id: str | None = None) -> int:
        return self.desk.send_summary(day, meeting_id)

    def by_hand(self, text: str, actor: str, meeting_id: str | None = None) -> Plan:
        return self.desk.by_hand(text, actor, meeting_id)

    def add_case_by_hand(self, *, subject: str, concern: str, partners: str, referrer: str,
                         actor: str, meeting_id: str | None = None) -> Plan:
        return self.desk.add_case_by_hand(subject=subject, concern=concern, partners=partners,
                                          referrer=referrer, actor=actor, meeting_id=meeting_id)

    def retention_start(self, now: datetime) -> datetime:
        return self.retention.retention_start(now)

    def purge(self, *, actor: str = "mailbot") -> dict[str, int]:
        return self.retention.purge(actor=actor)

    def housekeeping(self) -> list[str]:
        return self.retention.housekeeping()
