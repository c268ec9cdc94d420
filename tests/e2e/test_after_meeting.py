"""After the meeting, on the real servers: action plan, summary, owners' reports, digest, escalation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.rig.world import World, subject_of, text_of, world_for

pytestmark = pytest.mark.servers
LONDON = ZoneInfo("Europe/London")
POLICE, CNWL, ASBIT = "mash@met.police.example", "cnwl.highrisk@cnwl.example", "asbit@hillingdon.example"
CHAIR, HIDVA = "adultmash@hillingdon.example", "referrals@hidva.example"

PLAN = """Actions agreed today:
Action: HR-2026-0001 | mash@met.police.example | 25/11/2026 | welfare visit to T.W.
Action: HR-2026-0001 | asbit@hillingdon.example | Friday | check CCTV of the stairwell
Action: HR-2026-0002 | cnwl.highrisk@cnwl.example | 24/11/2026 | review the care plan
Decision HR-2026-0001: accepted
Decision HR-2026-0002: closed - engaged with CNWL, risk reduced
"""


def at(day: int, hhmm: str, month: int = 11) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, month, day, h, m, tzinfo=LONDON)


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    return world_for(dc, smtp, tmp_path / "db.sqlite", at(23, "09:00"))



def starting(world: World, address: str, prefix: str) -> list[str]:
    return [text_of(m) for m in world.inbox(address) if subject_of(m).startswith(prefix)]


def test_a_meetings_aftermath(world: World) -> None:
    world.reply(POLICE, "Case: T.W. - threats to neighbour\nPartners: ASBIT", subject="case")
    world.reply(CNWL, "Case: M.K. - missed appointments", subject="case")
    for when in ("09:30", "10:00", "11:30"):
        world.step(at(23, when))

    # 12:45 the chair sends the plan: three actions, two decisions.
    world.clock.set(at(23, "12:45"))
    world.reply(CHAIR, PLAN, subject="Outcome of today's meeting")
    world.step(at(23, "12:46"))
    assert starting(world, POLICE, "Action plan") == []  # the summaries wait for 10 quiet minutes
    world.step(at(23, "12:56"))
    ack = starting(world, CHAIR, "Re: Outcome")[0]
    assert "A-1 (HR-2026-0001): mash@met.police.example, due Wed 25 Nov 2026: welfare visit" in ack
    assert "A-2 (HR-2026-0001): asbit@hillingdon.example, due Fri 27 Nov 2026" in ack
    assert "HR-2026-0002: decision recorded: closed - engaged with CNWL, risk reduced" in ack
    # Every partner that attended or owns an action gets the plan; each owner its own list.
    for address in (POLICE, ASBIT, CNWL):
        [summary] = starting(world, address, "Action plan Mon 23 Nov 2026: 2 cases, 3 actions")
        assert "A-3  HR-2026-0002  due Tue 24 Nov 2026" in summary
        assert "HR-2026-0002  M.K.: closed - engaged with CNWL, risk reduced" in summary
    assert starting(world, HIDVA, "Action plan") == []
    assert "A-2" in starting(world, ASBIT, "Your actions from Mon 23 Nov 2026: A-2")[0]

    # The same email again changes nothing; a corrected one replaces, keeping the ids.
    world.reply(CHAIR, PLAN, subject="Outcome of today's meeting")
    world.step(at(23, "12:57"))
    world.step(at(23, "13:10"))
    assert len(starting(world, POLICE, "Action plan")) == 1
    world.reply(CHAIR, PLAN.replace("| Friday |", "| 30/11/2026 |"), subject="Corrected outcome")
    world.step(at(23, "13:15"))
    assert "A-2: due date changed to 30/11/2026" in starting(world, CHAIR, "Re: Corrected")[0]
    assert len(starting(world, POLICE, "Action plan")) == 1
    world.step(at(23, "13:25"))
    assert len(starting(world, POLICE, "Action plan")) == 2
    with world.store.transaction() as tx:
        assert [(a.ident, str(a.due)) for a in tx.actions.find("daily")] == [
            ("A-3", "2026-11-24"), ("A-1", "2026-11-25"), ("A-2", "2026-11-30")]

    # Owners report back; someone else cannot report on an action that is not theirs.
    world.clock.set(at(24, "09:00"))
    world.reply(POLICE, "Done: A-1 visited, T.W. safe", subject="RE: Your actions")
    world.reply(CNWL, "Cannot complete: A-3 - family have moved out of the borough", subject="RE: actions")
    world.reply(HIDVA, "Done: A-2", subject="RE: Action plan")
    world.step(at(24, "09:01"))
    assert "A-1 (HR-2026-0001): marked done" in starting(world, POLICE, "RE: Your actions")[0]
    assert "only asbit@hillingdon.example (the owner) or a coordinator may update A-2" in \
        starting(world, HIDVA, "RE: Action plan")[0]
    notice = starting(world, CHAIR, "mailbot: A-3 cannot be completed")[0]
    assert "family have moved out of the borough" in notice
    # The case comes back on the next case call, with the reason.
    world.step(at(24, "10:00"))
    [call] = starting(world, CNWL, "REQUIRED 12:00 - CNWL - Case call Tue 24 Nov")
    assert "HR-2026-0002  M.K.  missed appointments [returned: A-3 could not be completed: " \
           "family have moved out of the borough]" in call

    # A-2 was due Monday 30 November. On Tuesday 1 December at 16:00: one digest.
    for day, month in ((30, 11), (1, 12)):
        for when in ("10:00", "11:30", "16:00", "16:30"):
            world.step(at(day, when, month))
    digests = starting(world, CHAIR, "Overdue actions")
    assert len(digests) == 1
    assert "A-2  HR-2026-0001  due Mon 30 Nov 2026, 1 working day overdue" in digests[0]
    assert "A-1" not in digests[0] and "A-3" not in digests[0]
    assert starting(world, ASBIT, "ESCALATED") == []
    # Six working days late (Tuesday 8 December): escalated, and ASBIT is told once.
    for day in (8, 9):
        for when in ("16:00", "16:30"):
            world.step(at(day, when, 12))
    assert len(starting(world, ASBIT, "ESCALATED: A-2")) == 1
    assert "A-2  ESCALATED  HR-2026-0001" in starting(world, CHAIR, "Overdue actions Tue 8 Dec 2026")[0]
