"""The chair cannot close or decline a case by email while its actions are open, unless the
decision withdraws them: on a real SQLite database, with the clock injected."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mailbot.services import Outcome, Services
from tests.test_services import at, make, reply
from tests.test_strangers import sent, text

CHAIR, POLICE, ASBIT = "adultmash@hillingdon.example", "mash@met.police.example", "asbit@hillingdon.example"
PLAN = ("Action: HR-2026-0001 | mash@met.police.example | 27/11/2026 | welfare visit to T.W.\n"
        "Action: HR-2026-0001 | asbit@hillingdon.example | 27/11/2026 | check CCTV of the stairwell\n")


def set_clock(s: Services, when: datetime) -> None:
    s.clock.set(when)  # type: ignore[attr-defined]


def after_the_meeting(tmp_path: Path) -> Services:
    s = make(tmp_path, at(23, "09:00"))
    assert s.ingest(reply(POLICE, "Case: T.W. - threats to neighbour\nPartners: ASBIT", "<c1@p>")) \
        is Outcome.APPLIED
    for hhmm in ("10:00", "11:30", "12:45"):
        set_clock(s, at(23, hhmm))
        s.due()
    return s


def test_the_chair_cannot_close_a_case_with_open_actions_by_email(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    assert s.ingest(reply(CHAIR, PLAN, "<p@h>")) is Outcome.APPLIED
    set_clock(s, at(24, "09:00"))
    assert s.ingest(reply(CHAIR, "Decision HR-2026-0001: closed - risk reduced", "<d1@h>")) is Outcome.APPLIED
    answer = text(sent(s, "ack:")[-1])
    assert "HR-2026-0001 was not closed: it still has open actions: A-1 (mash@met.police.example, due " \
           "Fri 27 Nov 2026); A-2 (asbit@hillingdon.example, due Fri 27 Nov 2026)" in answer
    assert "'Decision HR-2026-0001: closed - risk reduced; withdraw A-1, A-2'" in answer
    with s.store.transaction() as tx:
        assert tx.actions.decisions_of_day("daily", at(23, "12:00").date()) == {}
    assert s.ingest(reply(CHAIR, "Decision HR-2026-0001: closed - risk reduced; withdraw A-1, A-2",
                          "<d2@h>")) is Outcome.APPLIED
    with s.store.transaction() as tx:
        assert [a.status for a in tx.actions.find("daily")] == ["withdrawn", "withdrawn"]
        assert tx.actions.decisions_of_day("daily", at(23, "12:00").date()) == {
            "HR-2026-0001": ("closed", "risk reduced")}
