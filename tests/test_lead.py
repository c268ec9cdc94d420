"""A case's lead coordinating professional, named by email and shown wherever the case is."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from mailbot.services import Outcome, Services
from tests.test_services import at, make, reply

LEAD = "jane.smith@met.police.example"


def sent(s: Services, key_like: str) -> list[str]:
    """The plain text of every queued email whose key matches ``key_like`` (SQL LIKE)."""
    with s.store.transaction() as tx:
        rows = tx.conn.exec_driver_sql("select raw from outbox join outbox_raw using (key) where key like ?", (key_like,)).fetchall()
    out = []
    for (raw,) in rows:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        body = msg.get_body(preferencelist=("plain",))
        assert body is not None
        out.append(str(body.get_content()))
    return out


def test_the_referrer_names_the_lead_and_every_agenda_and_action_plan_shows_it(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "09:00"))
    s.ingest(reply("mash@met.police.example", "Case: T.W. - threats to a neighbour\nPartners: CNWL"))
    # Another agency may not name the lead of a case it did not refer.
    s.ingest(reply("cnwl.highrisk@cnwl.example", "Lead HR-2026-0001: sam@cnwl.example", "<r2@cnwl>"))
    assert s.ingest(reply("mash@met.police.example", f"Lead HR-2026-0001: {LEAD}", "<r3@police>")) \
        is Outcome.APPLIED
    [refused] = sent(s, "ack:2:%")
    assert "only the referrer (Metropolitan Police) or a coordinator may name the lead" in refused
    [answer] = sent(s, "ack:3:%")
    assert f"HR-2026-0001: the lead coordinating professional is now {LEAD}" in answer
    s.clock.set(at(23, "10:00"))  # type: ignore[attr-defined]
    s.due()
    calls = sent(s, "case-call:daily:%")
    assert calls and all(f"lead professional: {LEAD}" in text for text in calls)
    s.by_hand("Decision HR-2026-0001: accepted", "cli:chair")
    assert s.send_summary(date(2026, 11, 23)) > 0
    plans = sent(s, "summary:daily:%")
    assert plans and all(f"lead professional: {LEAD}" in text for text in plans)
    with s.store.transaction() as tx:
        assert tx.cases.by_reference("daily", ["HR-2026-0001"])["HR-2026-0001"].lead == LEAD
        assert [e["action"] for e in tx.audit.log("HR-2026-0001")].count("lead set") == 1
