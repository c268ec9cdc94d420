"""The store's repositories, one per kind of record, each over the transaction's connection.

``Tx`` (in ``db``) gathers them: ``tx.inbound``, ``tx.cases``, ``tx.actions``, ``tx.runs``,
``tx.outbox``, ``tx.audit``, ``tx.retention``, ``tx.minutes``. Their public methods are what
``mailbot.core.store`` describes to the use cases, which never import this module.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Update,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    null,
    or_,
    select,
    update,
)

import mailbot.adapters.schema as t
from mailbot.adapters.engine import insert_all, insert_ignore
from mailbot.core.actions import ActionView, NewAction
from mailbot.core.agenda import ApologyView, CaseView, DayView
from mailbot.core.changes import CaseWithdrawn, NewCase, PartnersAdded, Plan
from mailbot.core.lead import LeadSet
from mailbot.core.model import Disposition
from mailbot.core.ports import Actor, Decided, InboundRecord, OutboxRow, Outgoing
from mailbot.core.status import ActionState, CaseStatus, InboundStatus, OutboxStatus
from mailbot.core.store import OutboxEntry

_FINISHED = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.EXPIRED, OutboxStatus.CANCELLED)


def epoch_for_share(conn: Connection, office: str) -> int | None:
    """The epoch of whoever holds ``office`` now, read FOR SHARE: no process can take office
    (bump it) until this transaction ends."""
    found: int | None = conn.execute(_epoch_for_share(office)).scalar()
    return found


def _epoch_for_share(office: Any) -> Select[Any]:
    # The fence's one read, in a transaction (epoch_for_share) or inside a statement (mark_sent).
    return select(t.leadership.c.epoch).where(t.leadership.c.name == office).with_for_update(read=True)


# Built once: an email's own statements run once or twice an email, and building and
# caching a statement afresh each time cost more than running it (bench/run_all.py, ingest).
_I = t.inbound.c
_SAME_CONTENT = select(_I.id).where(
    (_I.content_key == bindparam("p_content")) & (_I.meeting_day == bindparam("p_day"))
    & (_I.disposition == Disposition.APPLIED)).order_by(_I.id).limit(1)
_SET_DISPOSITION = update(t.inbound).where(_I.id == bindparam("p_id")).values(
    disposition=bindparam("p_disposition"), forwarded=bindparam("p_forwarded"))
_STATUS = select(_I.status).where(_I.message_key == bindparam("p_key"))
_RECORD = insert(t.inbound)
_AUDIT = insert(t.audit)
_AUDIT_PERSONAL = insert(t.audit_personal)
_RUN_STATUS = select(t.runs.c.status).where(
    (t.runs.c.meeting == bindparam("p_meeting")) & (t.runs.c.kind == bindparam("p_kind"))
    & (t.runs.c.day == bindparam("p_day")))


class InboundLog:
    """Every email received: its key, how it was read, where it ended."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def same_content_applied(self, content_key: str, meeting_day: date) -> int | None:
        """An earlier email from the same sender with the same new text, applied for the same
        meeting day: its id (the second copy changes nothing and is not answered)."""
        row = self.conn.execute(_SAME_CONTENT, {"p_content": content_key, "p_day": meeting_day}).first()
        return int(row[0]) if row else None

    def set_disposition(self, inbound_id: int, disposition: str, *, forwarded: bool = False) -> None:
        self.conn.execute(_SET_DISPOSITION, {"p_id": inbound_id, "p_disposition": disposition,
                                             "p_forwarded": int(forwarded)})

    def status(self, message_key: str) -> str | None:
        row = self.conn.execute(_STATUS, {"p_key": message_key}).first()
        return row[0] if row else None

    def recorded(self, message_keys: Sequence[str]) -> set[str]:
        """Which of these keys were recorded already (with any status): one statement for a
        batch, where asking email by email was a seventh of a backlog's statements."""
        if not message_keys:
            return set()
        rows = self.conn.execute(select(_I.message_key).where(_I.message_key.in_(list(set(message_keys)))))
        return {r[0] for r in rows}

    def record(self, record: InboundRecord) -> int:
        a = record.arrival
        result = self.conn.execute(_RECORD, dict(
            message_key=record.message_key, folder=a.folder, uidvalidity=a.uidvalidity, uid=a.uid,
            received_at=record.received_at, processed_at=record.processed_at, sender=record.sender[:320],
            partner=record.partner, subject=record.subject, verdict=record.verdict, reason=record.reason,
            status=record.status, meeting_day=record.meeting_day, error=record.error, raw=record.raw,
            disposition=record.disposition, content_key=record.content_key))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def failed(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(t.inbound.c.id, t.inbound.c.message_key, t.inbound.c.sender, t.inbound.c.subject,
                   t.inbound.c.error, t.inbound.c.received_at)
            .where(t.inbound.c.status == InboundStatus.FAILED).order_by(t.inbound.c.id))
        return [dict(r._mapping) for r in rows]

    def raw(self, inbound_id: int) -> tuple[str, bytes] | None:
        row = self.conn.execute(select(t.inbound.c.status, t.inbound.c.raw)
                                .where(t.inbound.c.id == inbound_id)).first()
        return (row[0], row[1]) if row else None

    def set_aside_failed(self, inbound_id: int) -> None:
        """Keep a failed attempt as history under another key, so a retry can record afresh."""
        self.conn.execute(update(t.inbound).where(
            (t.inbound.c.id == inbound_id) & (t.inbound.c.status == InboundStatus.FAILED)
        ).values(message_key=func.substr(t.inbound.c.message_key, 1, 250) + f"#failed-{inbound_id}",
                 status=InboundStatus.RETRIED))


class CaseBook:
    """Cases, their agendas, who is required, and what each partner was told."""

    def __init__(self, conn: Connection, audit: AuditTrail) -> None:
        self.conn = conn
        self.audit = audit
        # Each day's view as this transaction last read it: a batch of replies to one case
        # call reads it once, not once an email. Every write here (and a decision, and an
        # undone savepoint) forgets it.
        self._days: dict[tuple[str, date], DayView] = {}

    def forget(self) -> None:
        self._days.clear()

    def _views(self, where: Any, day: date | None = None) -> list[CaseView]:
        c, a = t.cases.c, t.agenda.c
        query = select(c.id, c.reference, c.subject, c.concern, c.referrer, c.status,
                       a.reason, a.note, a.day, c.category, c.lead).join(t.agenda, a.case_id == c.id) \
            .where(where)
        query = query.order_by(a.day, a.id)
        rows = list(self.conn.execute(query))
        partners: dict[int, list[str]] = {}
        if rows:
            ids = {r.id for r in rows}
            for pr in self.conn.execute(
                    select(t.case_partners.c.case_id, t.case_partners.c.partner)
                    .where(t.case_partners.c.case_id.in_(ids)).order_by(t.case_partners.c.position)):
                partners.setdefault(pr.case_id, []).append(pr.partner)
        seen: dict[str, CaseView] = {}
        for r in rows:  # the latest agenda entry wins for "last_day"
            seen[r.reference] = CaseView(r.reference, r.subject, r.concern, r.referrer,
                                         tuple(partners.get(r.id, ())), r.reason, r.note, r.status, r.day,
                                         r.category, r.lead or "")
        return list(seen.values())

    def day_view(self, meeting: str, day: date) -> DayView:
        found = self._days.get((meeting, day))
        if found is None:
            found = self._days[(meeting, day)] = self._read_day(meeting, day)
        return found

    def _read_day(self, meeting: str, day: date) -> DayView:
        cases = self._views((t.agenda.c.meeting == meeting) & (t.agenda.c.day == day)
                                 & t.agenda.c.withdrawn.is_(None))
        told = {r.partner: r.status for r in self.conn.execute(
            select(t.told.c.partner, t.told.c.status)
            .where((t.told.c.meeting == meeting) & (t.told.c.day == day)))}
        ap = t.apologies.c
        apologies = tuple(ApologyView(r.partner, r.reference, r.reason) for r in self.conn.execute(
            select(ap.partner, ap.reference, ap.reason)
            .where((ap.meeting == meeting) & (ap.day == day)).order_by(ap.id)))
        return DayView(meeting, day, tuple(cases), told, apologies)

    def earlier(self, meeting: str, since: date, before: date) -> tuple[CaseView, ...]:
        """Cases still open, or on an agenda from ``since`` up to (not including) ``before``."""
        a, c = t.agenda.c, t.cases.c
        recent = (a.meeting == meeting) & (a.day >= since) & (a.day < before)
        still_open = (c.meeting == meeting) & (c.status == CaseStatus.OPEN) & (a.day < before)
        return tuple(self._views(recent | still_open))

    def by_reference(self, meeting: str, refs: Sequence[str]) -> dict[str, CaseView]:
        if not refs:
            return {}
        views = self._views((t.cases.c.meeting == meeting) & (t.cases.c.reference.in_(refs)))
        return {v.reference: v for v in views}

    def next_number(self, meeting: str, year: int) -> int:
        found = self.conn.execute(select(func.max(t.cases.c.number)).where(
            (t.cases.c.meeting == meeting) & (t.cases.c.year == year))).scalar()
        return int(found or 0) + 1

    def on(self, meeting: str, day: date) -> list[CaseView]:
        return list(self.day_view(meeting, day).cases)

    def apply(self, meeting: str, plan: Plan, by: Actor) -> None:
        actor, inbound_id, now = by.address, by.inbound_id, by.at
        # A new case or partners asked for are written into the days this transaction has
        # read, as a fresh read would find them: a backlog of referrals to one day re-read a
        # day growing with every email, once an email. Any other change forgets them.
        if any(not isinstance(change, NewCase | PartnersAdded) for change in plan.changes):
            self.forget()
        for change in plan.changes:
            if isinstance(change, NewCase):
                self._new_case(meeting, change, actor, inbound_id, now)
                self._keep_new(meeting, change)
                self.audit.record(by, "case added", change.reference, meeting,
                           subject=change.subject, concern=change.concern,
                           partners=list(change.partners), day=str(change.day),
                           repeat_of=change.repeat_of, category=change.category or None)
            elif isinstance(change, PartnersAdded):
                case_id = self.case_id(change.reference)
                self._add_partners(case_id, change.partners, actor, inbound_id, now)
                self._keep_partners(change.reference, change.partners)
                self.audit.record(by, "partners required", change.reference,
                           meeting, partners=list(change.partners), day=str(change.day))
            elif isinstance(change, LeadSet):
                self.conn.execute(update(t.cases).where(t.cases.c.reference == change.reference)
                                  .values(lead=change.lead))
                self.audit.record(by, "lead set", change.reference, meeting, lead=change.lead,
                                  was=change.was or None)
            elif isinstance(change, CaseWithdrawn):
                self._withdraw(meeting, change, now)
                self.audit.record(by, "case withdrawn", change.reference,
                                  meeting, day=str(change.day), note=change.reason)
            else:
                insert_ignore(self.conn, t.apologies, {
                    "meeting": meeting, "day": change.day, "partner": change.partner,
                    "reference": change.reference, "reason": change.reason, "at": now, "actor": actor,
                    "inbound_id": inbound_id}, ("meeting", "day", "partner", "reference"))
                self.audit.record(Actor(actor, now, change.partner, inbound_id), "apologies",
                                  change.reference or None, meeting, day=str(change.day), note=change.reason)

    def _keep_new(self, meeting: str, change: NewCase) -> None:
        view = self._days.get((meeting, change.day))
        if view is not None:
            case = CaseView(change.reference, change.subject, change.concern, change.referrer,
                            tuple(dict.fromkeys(change.partners)), "new", "", CaseStatus.OPEN,
                            change.day, change.category, "")
            self._days[(meeting, change.day)] = dataclasses.replace(view, cases=(*view.cases, case))

    def _keep_partners(self, reference: str, partners: Sequence[str]) -> None:
        """A case's partners are the same on every day it is on."""
        for key, view in self._days.items():
            if view.has_case(reference):
                cases = tuple(dataclasses.replace(c, partners=tuple(dict.fromkeys((*c.partners, *partners))))
                              if c.reference == reference else c for c in view.cases)
                self._days[key] = dataclasses.replace(view, cases=cases)

    def _withdraw(self, meeting: str, change: CaseWithdrawn, now: datetime) -> None:
        case_id = self.case_id(change.reference)
        self.conn.execute(update(t.agenda).where(
            (t.agenda.c.meeting == meeting) & (t.agenda.c.day == change.day) & (t.agenda.c.case_id == case_id)
        ).values(withdrawn=change.reason or "withdrawn"))
        # A case with no other day on any agenda was only ever this referral: it is withdrawn.
        others = self.conn.execute(select(func.count()).where(
            (t.agenda.c.case_id == case_id) & t.agenda.c.withdrawn.is_(None))).scalar_one()
        if not others:
            self.conn.execute(update(t.cases).where(t.cases.c.id == case_id)
                              .values(status=CaseStatus.WITHDRAWN))

    def _new_case(self, meeting: str, change: NewCase, actor: str, inbound_id: int | None,
                  now: datetime) -> None:
        _, year, number = change.reference.rsplit("-", 2)
        result = self.conn.execute(insert(t.cases).values(
            meeting=meeting, reference=change.reference, year=int(year), number=int(number),
            subject=change.subject, concern=change.concern, referrer=change.referrer,
            status=CaseStatus.OPEN, repeat_of=change.repeat_of, created_at=now, created_by=actor,
            inbound_id=inbound_id, category=change.category))
        key = result.inserted_primary_key
        assert key is not None
        case_id = int(key[0])
        self._add_partners(case_id, change.partners, actor, inbound_id, now)
        self.conn.execute(insert(t.agenda).values(meeting=meeting, day=change.day, case_id=case_id,
                                                  reason="new", note="", added_at=now))

    def case_id(self, reference: str) -> int:
        return int(self.conn.execute(
            select(t.cases.c.id).where(t.cases.c.reference == reference)).scalar_one())

    def _add_partners(self, case_id: int, partners: Sequence[str], actor: str,
                      inbound_id: int | None, now: datetime) -> None:
        position = self.conn.execute(select(func.count()).where(
            t.case_partners.c.case_id == case_id)).scalar_one()
        for code in partners:
            if insert_ignore(self.conn, t.case_partners, {
                "case_id": case_id, "partner": code, "position": position, "added_at": now,
                "added_by": actor, "inbound_id": inbound_id}, ("case_id", "partner")):
                position += 1

    def put_on_agenda(self, meeting: str, day: date, reference: str, reason: str, note: str,
                      now: datetime) -> bool:
        self.forget()
        return insert_ignore(self.conn, t.agenda, {
            "meeting": meeting, "day": day, "case_id": self.case_id(reference), "reason": reason,
            "note": note, "added_at": now}, ("meeting", "day", "case_id"))

    def set_told(self, meeting: str, day: date, partner: str, status: str, now: datetime) -> None:
        view = self._days.get((meeting, day))
        if view is not None:
            self._days[(meeting, day)] = dataclasses.replace(view, told={**view.told, partner: status})
        if not insert_ignore(self.conn, t.told, {"meeting": meeting, "day": day, "partner": partner,
                                                  "status": status, "at": now},
                              ("meeting", "day", "partner")):
            self.conn.execute(update(t.told).where(
                (t.told.c.meeting == meeting) & (t.told.c.day == day) & (t.told.c.partner == partner)
            ).values(status=status, at=now))

    def set_told_all(self, meeting: str, day: date, told: Mapping[str, str], now: datetime) -> None:
        """``set_told`` for many partners at once (status by partner code): one statement."""
        insert_all(self.conn, t.told, [{"meeting": meeting, "day": day, "partner": partner,
                                        "status": status, "at": now} for partner, status in told.items()],
                   ("meeting", "day", "partner"), replace=("status", "at"))


class ActionBook:
    """The chair's actions, their updates, and decisions."""

    def __init__(self, conn: Connection, audit: AuditTrail, cases: CaseBook) -> None:
        self.conn = conn
        self.audit = audit
        self.cases = cases

    def _views(self, where: Any) -> list[ActionView]:
        a, c = t.actions.c, t.cases.c
        rows = self.conn.execute(select(a.id, c.reference, a.owner, a.owner_partner, a.due, a.text,
                                        a.status, a.last_note, a.meeting_day)
                                 .join(t.cases, c.id == a.case_id).where(where).order_by(a.due, a.id))
        return [ActionView(r.id, r.reference, r.owner, r.owner_partner, r.due, r.text, r.status,
                           r.last_note, r.meeting_day) for r in rows]

    def of_day(self, meeting: str, day: date) -> list[ActionView]:
        return self._views((t.actions.c.meeting == meeting) & (t.actions.c.meeting_day == day))

    def get(self, number: int) -> ActionView | None:
        found = self._views(t.actions.c.id == number)
        return found[0] if found else None

    def find(self, meeting: str, *, owner: str | None = None, case: str | None = None,
                open_only: bool = False, due_from: date | None = None,
                due_before: date | None = None) -> list[ActionView]:
        """Actions of a meeting; the due bounds are what keep reminders and digests cheap."""
        where = t.actions.c.meeting == meeting
        if due_from is not None:
            where = where & (t.actions.c.due >= due_from)
        if due_before is not None:
            where = where & (t.actions.c.due < due_before)
        if owner:
            where = where & (func.lower(t.actions.c.owner) == owner.lower())
        if case:
            where = where & (t.cases.c.reference == case)
        if open_only:
            where = where & (t.actions.c.status == ActionState.OPEN)
        return self._views(where)

    def add(self, meeting: str, day: date, action: NewAction, by: Actor) -> int:
        actor, inbound_id, now = by.address, by.inbound_id, by.at
        result = self.conn.execute(insert(t.actions).values(
            meeting=meeting, case_id=self.cases.case_id(action.case), meeting_day=day, owner=action.owner,
            owner_partner=action.owner_partner, due=action.due, text=action.text, status=ActionState.OPEN,
            last_note="", updated_at=now, created_at=now, created_by=actor, inbound_id=inbound_id))
        key = result.inserted_primary_key
        assert key is not None
        number = int(key[0])
        self.conn.execute(insert(t.action_updates).values(action_id=number, at=now, actor=actor,
                                                          status=ActionState.OPEN, note="agreed",
                                                          inbound_id=inbound_id))
        self.audit.record(Actor(actor, now, None, inbound_id), "action agreed", action.case, meeting,
                   action_id=f"A-{number}", owner=action.owner, due=str(action.due), text=action.text)
        return number

    def update(self, number: int, status: str, note: str, by: Actor, due: date | None = None) -> None:
        actor, inbound_id, now = by.address, by.inbound_id, by.at
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if note:
            values["last_note"] = note
        if due is not None:
            values["due"] = due
        self.conn.execute(update(t.actions).where(t.actions.c.id == number).values(**values))
        self.conn.execute(insert(t.action_updates).values(
            action_id=number, at=now, actor=actor, status=status,
            note=note or (f"due date now {due}" if due else ""), inbound_id=inbound_id))
        view = self.get(number)
        self.audit.record(Actor(actor, now, None, inbound_id), f"action {status}",
                          view.case if view else None, None, action_id=f"A-{number}", note=note,
                          due=str(due) if due else None)

    def history(self, number: int) -> list[dict[str, Any]]:
        u = t.action_updates.c
        rows = self.conn.execute(select(u.at, u.actor, u.status, u.note, t.inbound.c.message_key)
                                 .outerjoin(t.inbound, t.inbound.c.id == u.inbound_id)
                                 .where(u.action_id == number).order_by(u.id))
        return [dict(r._mapping) for r in rows]

    def decide(self, meeting: str, day: date, decided: Decided, by: Actor) -> None:
        reference, decision, rationale, review_on = (decided.reference, decided.decision, decided.rationale,
                                                     decided.review_on)
        actor, inbound_id, now = by.address, by.inbound_id, by.at
        case_id = self.cases.case_id(reference)
        self.cases.forget()  # a decision opens or closes the case
        self.conn.execute(insert(t.decisions).values(
            meeting=meeting, case_id=case_id, meeting_day=day, decision=decision, rationale=rationale,
            review_on=review_on, at=now, actor=actor, inbound_id=inbound_id))
        if decision in ("closed", "declined"):
            self.conn.execute(update(t.cases).where(t.cases.c.id == case_id).values(status=CaseStatus.CLOSED))
        elif decision == "accepted":
            self.conn.execute(update(t.cases).where(t.cases.c.id == case_id).values(status=CaseStatus.OPEN))
        self.audit.record(Actor(actor, now, None, inbound_id), f"decision {decision}", reference, meeting,
                          rationale=rationale, review_on=str(review_on) if review_on else None, day=str(day))

    def decisions_of_day(self, meeting: str, day: date) -> dict[str, tuple[str, str]]:
        d = t.decisions.c
        rows = self.conn.execute(select(t.cases.c.reference, d.decision, d.rationale)
                                 .join(t.cases, t.cases.c.id == d.case_id)
                                 .where((d.meeting == meeting) & (d.meeting_day == day)
                                        & (d.decision != "review")).order_by(d.id))
        return {r.reference: (r.decision, r.rationale) for r in rows}


class MinutesBook:
    """Who attended each meeting, and when its action plan last changed and was summarised."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _row(self, meeting: str, day: date) -> Any:
        m = t.minutes.c
        insert_ignore(self.conn, t.minutes, {"meeting": meeting, "day": day, "attended": ""},
                      ("meeting", "day"))
        return (m.meeting == meeting) & (m.day == day)

    def changed(self, meeting: str, day: date, now: datetime) -> None:
        self.conn.execute(update(t.minutes).where(self._row(meeting, day)).values(changed_at=now))

    def summarised(self, meeting: str, day: date, now: datetime) -> None:
        self.conn.execute(update(t.minutes).where(self._row(meeting, day)).values(summarised_at=now))

    def set_attended(self, meeting: str, day: date, partners: Sequence[str]) -> None:
        self.conn.execute(update(t.minutes).where(self._row(meeting, day))
                          .values(attended=",".join(partners)))

    def attended(self, meeting: str, day: date) -> tuple[str, ...]:
        m = t.minutes.c
        found = self.conn.execute(select(m.attended).where((m.meeting == meeting) & (m.day == day))).scalar()
        return tuple(code for code in (found or "").split(",") if code)

    def unsummarised(self) -> list[tuple[str, date, datetime]]:
        """Meetings whose plan changed since its last summary: (meeting, day, changed at)."""
        m = t.minutes.c
        rows = self.conn.execute(select(m.meeting, m.day, m.changed_at).where(
            m.changed_at.is_not(None) & (m.summarised_at.is_(None) | (m.summarised_at < m.changed_at)))
            .order_by(m.changed_at))
        return [(r.meeting, r.day, r.changed_at) for r in rows]


class Runs:
    """Scheduled jobs claimed once: case calls, attendance lists, the purge."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def claim(self, meeting: str, kind: str, day: date, status: str, now: datetime,
                  note: str = "") -> bool:
        """Claim a day's job; False when it was already done (or skipped)."""
        return insert_ignore(self.conn, t.runs, {"meeting": meeting, "kind": kind, "day": day,
                                                  "status": status, "at": now, "note": note},
                              ("meeting", "kind", "day"))

    def status(self, meeting: str, kind: str, day: date) -> str | None:
        row = self.conn.execute(_RUN_STATUS, {"p_meeting": meeting, "p_kind": kind, "p_day": day}).first()
        return row[0] if row else None

    def first_day(self, meeting: str, kinds: Sequence[str]) -> date | None:
        """The first day any of these jobs was claimed: the bot has run this meeting since."""
        found = self.conn.execute(select(func.min(t.runs.c.day)).where(
            (t.runs.c.meeting == meeting) & t.runs.c.kind.in_(list(kinds)))).scalar()
        return found if isinstance(found, date) else None


@functools.cache
def _mark_statement(columns: tuple[str, ...]) -> Update:
    """The UPDATE of one outbox row's ``columns``, built once: a send records its outcome with
    two of them, and building each anew cost more than SQLite took to run it."""
    return update(t.outbox).where(t.outbox.c.id == bindparam("row_id")).values(
        {name: bindparam(name) for name in columns})


def mark_sent(conn: Connection, row_id: int, next_id: int | None, now: datetime,
              fence: tuple[str, int] | None) -> bool:
    """Record one email as sent and move the next one's claim to ``now``, in one statement;
    with a ``fence`` (office, epoch) only while that epoch holds office, read FOR SHARE in that
    very statement as ``Store.transaction`` does. False if the fence held it back."""
    done = conn.execute(_sent_statement(fence is not None), {
        "row_id": row_id, "next_id": next_id, "sent_at": now, "claimed_at": now,
        "office": fence[0] if fence else None, "fence": fence[1] if fence else None})
    return done.rowcount > 0


@functools.cache
def _sent_statement(fenced: bool) -> Update:
    # Between every two emails of a fan-out. As one statement it can commit on its own: on
    # PostgreSQL one round trip where a pooled transaction took five (the pool's ping, BEGIN,
    # two UPDATEs, COMMIT), each of which the end of the next email waits for
    # (mailbot.adapters.smtp).
    o = t.outbox.c
    this, following = o.id == bindparam("row_id"), o.id == bindparam("next_id")
    statement = update(t.outbox).where(this | following).values(
        status=case((this, OutboxStatus.SENT), else_=o.status),
        sent_at=case((this, bindparam("sent_at", type_=o.sent_at.type)), else_=o.sent_at),
        last_error=case((this, null()), else_=o.last_error),
        claimed_at=case((following, bindparam("claimed_at", type_=o.claimed_at.type)), else_=o.claimed_at))
    if fenced:
        statement = statement.where(exists(
            _epoch_for_share(bindparam("office")).where(t.leadership.c.epoch == bindparam("fence"))))
    return statement


class OutboxQueue:
    """Every email to send, keyed so that it is queued once, with its outcome."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def enqueue(self, email: Outgoing, now: datetime, inbound_id: int | None = None,
                expires: datetime | None = None) -> bool:
        """Queue an email under its key; False (and nothing queued) if the key was used."""
        queued = insert_ignore(self.conn, t.outbox, {
            "key": email.key, "message_id": email.message_id, "recipients": ",".join(email.recipients),
            "subject": email.subject, "status": OutboxStatus.PENDING, "attempts": 0,
            "next_attempt_at": now, "created_at": now, "inbound_id": inbound_id,
            "expires_at": expires, "meeting": email.meeting}, ("key",))
        if queued:
            self.conn.execute(insert(t.outbox_raw).values(key=email.key, raw=email.raw))
        return queued

    def enqueue_all(self, emails: Sequence[Outgoing], now: datetime, expires: datetime | None = None
                    ) -> None:
        """Queue a fan-out's emails in one statement, each under its key; a used key is skipped."""
        insert_all(self.conn, t.outbox, [{
            "key": e.key, "message_id": e.message_id, "recipients": ",".join(e.recipients),
            "subject": e.subject, "status": OutboxStatus.PENDING, "attempts": 0,
            "next_attempt_at": now, "created_at": now, "inbound_id": None, "expires_at": expires,
            "meeting": e.meeting} for e in emails], ("key",))
        # A key used already has its bytes already: they are left as they are, as its row is.
        insert_all(self.conn, t.outbox_raw, [{"key": e.key, "raw": e.raw} for e in emails], ("key",))

    def expire(self, now: datetime) -> list[tuple[str, str, str | None]]:
        """Unsent emails past their use, marked expired: (key, recipients, last error) of each."""
        o = t.outbox.c
        stale = (o.status == OutboxStatus.PENDING) & o.expires_at.is_not(None) & (o.expires_at <= now)
        rows = self.conn.execute(select(o.key, o.recipients, o.last_error).where(stale).order_by(o.id)).all()
        if rows:
            self.conn.execute(update(t.outbox).where(stale).values(status=OutboxStatus.EXPIRED))
        return [(r.key, r.recipients, r.last_error) for r in rows]

    def key_used(self, key: str) -> bool:
        return self.conn.execute(select(t.outbox.c.id).where(t.outbox.c.key == key)).first() is not None

    def meeting_of_thread(self, message_ids: Sequence[str]) -> str | None:
        """The meeting of the first of ``message_ids`` (in the order given) that the bot sent
        for a meeting; None when it sent none of them, or none for a meeting."""
        ids = [m for m in dict.fromkeys(message_ids) if m][:50]
        if not ids:
            return None
        o = t.outbox.c
        found = {r.message_id: r.meeting for r in self.conn.execute(select(o.message_id, o.meeting).where(
            o.message_id.in_(ids) & o.meeting.is_not(None)))}
        return next((found[m] for m in ids if m in found), None)

    def key_of_thread(self, message_ids: Sequence[str], prefix: str) -> str | None:
        """The key of the first of ``message_ids`` (in the order given) that the bot sent
        under a key starting with ``prefix``: which of its emails a reply answers."""
        ids = [m for m in dict.fromkeys(message_ids) if m][:50]
        if not ids:
            return None
        o = t.outbox.c
        found = {r.message_id: r.key for r in self.conn.execute(select(o.message_id, o.key).where(
            o.message_id.in_(ids) & o.key.startswith(prefix, autoescape=True)))}
        return next((found[m] for m in ids if m in found), None)

    def due(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        o = t.outbox.c
        return self._rows((o.status == OutboxStatus.PENDING) & (o.next_attempt_at <= now), limit)

    def claim(self, row_ids: Sequence[int], now: datetime) -> None:
        """These emails are being sent: one more attempt each, claimed ``now``. One statement
        for the batch: a row at a time made claiming cost as much as recording the outcomes."""
        o = t.outbox.c
        if row_ids:
            self.conn.execute(update(t.outbox).where(o.id.in_(list(row_ids))).values(
                status=OutboxStatus.SENDING, attempts=o.attempts + 1, claimed_at=now))

    def stuck_sending(self) -> list[OutboxRow]:
        return self._rows(t.outbox.c.status == OutboxStatus.SENDING)

    def _rows(self, where: ColumnElement[bool], limit: int | None = None) -> list[OutboxRow]:
        """The rows to send, with their bytes."""
        o = t.outbox.c
        rows = self.conn.execute(
            select(o.id, o.key, o.message_id, o.recipients, o.subject, t.outbox_raw.c.raw, o.status,
                   o.attempts).join_from(t.outbox, t.outbox_raw, o.key == t.outbox_raw.c.key)
            .where(where).order_by(o.id).limit(limit))
        return [OutboxRow(r.id, r.key, r.message_id, tuple(r.recipients.split(",")), r.subject,
                          r.raw, r.status, r.attempts) for r in rows]

    def last_claim(self) -> datetime | None:
        """When the newest email still 'sending' was claimed (or its batch last moved on)."""
        o = t.outbox.c
        found: datetime | None = self.conn.execute(
            select(func.max(o.claimed_at)).where(o.status == OutboxStatus.SENDING)).scalar()
        return found

    def mark(self, row_id: int, **values: str | int | datetime | bytes | None) -> None:
        raw = values.pop("raw", None)
        if isinstance(raw, bytes):  # a letter rewritten: a late case call, a notice added to
            self.conn.execute(update(t.outbox_raw).where(t.outbox_raw.c.key == select(t.outbox.c.key).where(
                t.outbox.c.id == row_id).scalar_subquery()).values(raw=raw))
        if values:
            self.conn.execute(_mark_statement(tuple(sorted(values))), {"row_id": row_id, **values})

    def counts(self) -> dict[str, int]:
        rows = self.conn.execute(select(t.outbox.c.status, func.count()).group_by(t.outbox.c.status))
        return {r[0]: int(r[1]) for r in rows}

    def entries(self, *, statuses: Sequence[str] = (), since: datetime | None = None,
                before: datetime | None = None, prefixes: Sequence[str] = ()) -> list[OutboxEntry]:
        """Queued emails, oldest first: of these statuses, queued in [since, before), and
        whose key starts with one of ``prefixes`` (each given filter must hold)."""
        o = t.outbox.c
        where: list[ColumnElement[bool]] = []
        if statuses:
            where.append(o.status.in_(list(statuses)))
        if since is not None:
            where.append(o.created_at >= since)
        if before is not None:
            where.append(o.created_at < before)
        if prefixes:
            where.append(or_(*(o.key.startswith(p, autoescape=True) for p in prefixes)))
        query = self._select().where(*where).order_by(o.id)
        return [self._entry(r) for r in self.conn.execute(query)]

    def entry(self, row_id: int) -> OutboxEntry | None:
        row = self.conn.execute(self._select().where(t.outbox.c.id == row_id)).first()
        return self._entry(row) if row else None

    def by_key(self, key: str) -> OutboxEntry | None:
        row = self.conn.execute(self._select().where(t.outbox.c.key == key)).first()
        return self._entry(row) if row else None

    @staticmethod
    def _select() -> Select[Any]:
        o = t.outbox.c
        return select(o.id, o.key, o.message_id, o.recipients, o.subject, o.status, o.attempts,
                      o.last_error, o.created_at, o.next_attempt_at, o.sent_at, o.expires_at)

    @staticmethod
    def _entry(r: Row[Any]) -> OutboxEntry:
        return OutboxEntry(r.id, r.key, r.message_id, tuple(r.recipients.split(",")), r.subject, r.status,
                           r.attempts, r.last_error, r.created_at, r.next_attempt_at, r.sent_at,
                           r.expires_at)


class AuditTrail:
    """Who changed what, when, from which email. Append only."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record(self, by: Actor, action: str, reference: str | None, meeting: str | None = None,
               **detail: Any) -> None:
        """Append an entry. What it says about a person goes to audit_personal, which the
        retention purge may delete; the entry itself is never changed (the database refuses)."""
        personal = {k: detail.pop(k) for k in t.PERSONAL_KEYS if k in detail}
        audit_id = self.conn.execute(_AUDIT, dict(
            at=by.at, meeting=meeting, actor=by.address, partner=by.partner, action=action,
            reference=reference, detail=json.dumps(detail, ensure_ascii=False, default=str),
            inbound_id=by.inbound_id)
        ).inserted_primary_key[0]  # type: ignore[index]
        if personal:
            self.conn.execute(_AUDIT_PERSONAL, dict(
                audit_id=audit_id, at=by.at, detail=json.dumps(personal, ensure_ascii=False, default=str)))

    def log(self, reference: str | None = None, since: datetime | None = None
                  ) -> list[dict[str, Any]]:
        a, i, p = t.audit.c, t.inbound.c, t.audit_personal.c
        query = (select(a.id, a.at, a.actor, a.partner, a.action, a.reference, a.detail, a.inbound_id,
                        i.message_key, i.received_at, i.sender, p.detail.label("personal"))
                 .outerjoin(t.inbound, i.id == a.inbound_id)
                 .outerjoin(t.audit_personal, p.audit_id == a.id))
        if reference:
            query = query.where(a.reference == reference)
        if since is not None:
            query = query.where(a.at >= since)
        out = []
        for r in self.conn.execute(query.order_by(a.id)):
            row = dict(r._mapping)
            detail = json.loads(row["detail"] or "{}")
            detail.update(json.loads(row.pop("personal") or "{}"))
            row["detail"] = json.dumps(detail, ensure_ascii=False) if detail else ""
            row["fields"] = detail
            out.append(row)
        return out


class Retention:
    """Deleting personal details past retention."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def purge(self, before: datetime, cutoff_day: date) -> dict[str, int]:
        """Delete raw emails and personal details older than ``before``; keep every row that
        makes the bot idempotent (Message-IDs, outbox keys) and every audit entry."""
        counts: dict[str, int] = {}
        i, o, c = t.inbound.c, t.outbox.c, t.cases.c
        counts["emails received"] = self.conn.execute(
            update(t.inbound).where((i.received_at < before) & (func.length(i.raw) > 0))
            .values(raw=b"", subject="", error=None)).rowcount
        old = (o.created_at < before) & o.status.in_(_FINISHED)
        counts["emails sent"] = self.conn.execute(
            update(t.outbox_raw).where(t.outbox_raw.c.key.in_(select(o.key).where(old))
                                       & (func.length(t.outbox_raw.c.raw) > 0))
            .values(raw=b"")).rowcount
        self.conn.execute(update(t.outbox).where(old & (o.subject != "")).values(subject=""))
        # A case is purged once nothing about it is recent: made, on an agenda, or an action
        # touched since the cut-off, and no action still open.
        act = t.actions.c
        recent_agenda = select(t.agenda.c.case_id).where(t.agenda.c.day >= cutoff_day)
        live_actions = select(act.case_id).where((act.status == ActionState.OPEN)
                                                 | (act.updated_at >= before))
        stale = [r[0] for r in self.conn.execute(
            select(c.id).where((c.created_at < before) & (c.concern != "")
                               & c.id.not_in(recent_agenda) & c.id.not_in(live_actions)))]
        counts["cases"] = len(stale)
        counts["actions"] = 0
        for chunk in (stale[n:n + 500] for n in range(0, len(stale), 500)):
            self.conn.execute(update(t.cases).where(c.id.in_(chunk)).values(subject="", concern=""))
            self.conn.execute(update(t.agenda).where(t.agenda.c.case_id.in_(chunk)).values(note=""))
            self.conn.execute(update(t.decisions).where(t.decisions.c.case_id.in_(chunk))
                              .values(rationale=""))
            ids = select(act.id).where(act.case_id.in_(chunk))
            counts["actions"] += self.conn.execute(
                update(t.actions).where(act.id.in_(ids)).values(text="", last_note="")).rowcount
            self.conn.execute(update(t.action_updates).where(t.action_updates.c.action_id.in_(ids))
                              .values(note=""))
        counts["audit details"] = self.conn.execute(
            delete(t.audit_personal).where(t.audit_personal.c.at < before)).rowcount
        return counts
