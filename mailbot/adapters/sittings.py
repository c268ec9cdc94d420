"""One-off sittings of a meeting for one case, as ``mailbot.core.store.SittingBook`` describes."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, select

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
