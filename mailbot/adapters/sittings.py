"""One-off sittings of a meeting for one case, as ``mailbot.core.store.SittingBook`` describes."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, select, update

import mailbot.adapters.schema as t
from mailbot.adapters.engine import insert_ignore
from mailbot.core.oneoff import Sitting, SittingStatus


class SittingBook:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def call(self, sitting: Sitting, now: datetime) -> bool:
        """Store a sitting; False when that case's sitting at that day and time was already called."""
        return insert_ignore(self.conn, t.sittings, {
            "meeting": sitting.meeting, "reference": sitting.reference, "kind": sitting.kind,
            "day": sitting.day, "starts": f"{sitting.starts:%H:%M}", "partners": ",".join(sitting.partners),
            "called_by": sitting.called_by, "called_from": sitting.called_from[:300], "created_at": now,
            "status": sitting.status.value}, ("meeting", "reference", "day", "starts"))

    def get(self, meeting: str, reference: str, day: date, starts: time) -> Sitting | None:
        """The case's sitting at that day and time, whatever its status."""
        found = self._select(self._one(meeting, reference, day, starts))
        return found[0] if found else None

    def invite(self, sitting: Sitting) -> None:
        """The sitting's partners are now ``sitting.partners`` (more were invited)."""
        self.conn.execute(update(t.sittings).where(self._one(*_at(sitting)))
                          .values(partners=",".join(sitting.partners)))

    def cancel(self, sitting: Sitting) -> bool:
        """Mark a called sitting cancelled; False when it was not (or no longer) called."""
        s = t.sittings.c
        done = self.conn.execute(update(t.sittings).where(
            self._one(*_at(sitting)) & (s.status == SittingStatus.CALLED.value))
            .values(status=SittingStatus.CANCELLED.value))
        return bool(done.rowcount)

    @staticmethod
    def _one(meeting: str, reference: str, day: date, starts: time) -> Any:
        s = t.sittings.c
        return ((s.meeting == meeting) & (s.reference == reference) & (s.day == day)
                & (s.starts == f"{starts:%H:%M}"))

    def on(self, meeting: str, day: date) -> list[Sitting]:
        s = t.sittings.c
        return self._select((s.meeting == meeting) & (s.day == day))

    def of_case(self, meeting: str, reference: str) -> list[Sitting]:
        s = t.sittings.c
        return self._select((s.meeting == meeting) & (s.reference == reference))

    def from_day(self, day: date) -> list[Sitting]:
        """Every meeting's sittings on ``day`` or after, soonest first."""
        return self._select(t.sittings.c.day >= day)

    def _select(self, where: Any) -> list[Sitting]:
        s = t.sittings.c
        rows = self.conn.execute(select(t.sittings).where(where).order_by(s.day, s.starts, s.id))
        return [Sitting(r.meeting, r.reference, r.kind, r.day, time.fromisoformat(r.starts),
                        tuple(c for c in r.partners.split(",") if c), r.called_by, r.called_from,
                        SittingStatus(r.status), r.created_at) for r in rows]


def _at(sitting: Sitting) -> tuple[str, str, date, time]:
    return sitting.meeting, sitting.reference, sitting.day, sitting.starts
