"""A forged report or withdrawal, on the real servers: the receiving server's DMARC verdict
is what the bot believes, so an email in a partner's name from elsewhere changes nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.rig.world import World, subject_of, text_of, world_for

pytestmark = pytest.mark.servers
LONDON = ZoneInfo("Europe/London")
POLICE, CHAIR = "mash@met.police.example", "adultmash@hillingdon.example"


def at(day: int, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, h, m, tzinfo=LONDON)


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    return world_for(dc, smtp, tmp_path / "db.sqlite", at(23, "09:00"))



def subjects(world: World, address: str) -> list[str]:
    return [subject_of(m) for m in world.inbox(address)]


def test_a_forged_done_or_cannot_complete_changes_nothing_and_coordinators_are_told(world: World) -> None:
    world.reply(POLICE, "Case: T.W. - threats to neighbour\nPartners: ASBIT", subject="case")
    for when in ("09:30", "10:00", "11:30"):
        world.step(at(23, when))
    world.clock.set(at(23, "12:45"))
    world.reply(CHAIR, "Action: HR-2026-0001 | mash@met.police.example | 26/11/2026 | welfare visit",
                subject="Outcome")
    world.step(at(23, "12:46"))
    world.step(at(23, "12:56"))  # the summaries wait for 10 quiet minutes
    police_before = subjects(world, POLICE)
    assert any(s.startswith("Your actions from Mon 23 Nov 2026: A-1") for s in police_before)

    # Someone else's server sends in the police's name: From is the police, MAIL FROM is not.
    world.clock.set(at(24, "09:00"))
    world.reply(POLICE, "Done: A-1", subject="RE: Your actions", envelope="mash@forger.example")
    world.reply(POLICE, "Cannot complete: A-1 - family moved away", subject="RE: Your actions",
                envelope="bounces@mailer.forger.example")
    world.step(at(24, "09:01"))

    with world.store.transaction() as tx:
        action = tx.actions.get(1)
        statuses = [r[0] for r in tx.conn.exec_driver_sql("select status from inbound order by id")]
        returned = [c.reference for c in tx.cases.on("daily", at(24, "09:00").date())]
    assert action is not None and action.status == "open" and not action.last_note
    assert statuses[-2:] == ["rejected", "rejected"]
    assert returned == []  # "Cannot complete" would have put the case back on the call
    assert subjects(world, POLICE) == police_before  # no answer to whoever was impersonated
    notices = [text_of(m) for m in world.inbox(CHAIR)
               if subject_of(m) == "mailbot: an email was rejected as possibly spoofed"]
    assert len(notices) == 2
    assert all("DMARC fail for met.police.example" in n for n in notices)
    assert "claiming to be from mash@met.police.example" in notices[0]

    # The real police, through their own server, are believed.
    world.reply(POLICE, "Done: A-1", subject="RE: Your actions")
    world.step(at(24, "09:05"))
    with world.store.transaction() as tx:
        action = tx.actions.get(1)
    assert action is not None and action.status == "done"
    assert any(s.startswith("RE: Your actions") for s in subjects(world, POLICE))


def test_a_forged_withdraw_leaves_the_case_on_the_call_and_stands_nobody_down(world: World) -> None:
    hidva = "referrals@hidva.example"
    world.reply(POLICE, "Case: T.W. - threats to neighbour\nPartners: HIDVA", subject="case")
    world.step(at(23, "09:30"))
    world.step(at(23, "10:00"))
    world.wait_for(hidva, lambda m: subject_of(m).startswith("REQUIRED 12:00 - HIDVA - Case call"))
    police_before, hidva_before = subjects(world, POLICE), subjects(world, hidva)

    world.clock.set(at(23, "10:30"))
    world.reply(POLICE, "Withdraw HR-2026-0001: family moved out of the borough", subject="RE: Case call",
                envelope="mash@forger.example")
    world.step(at(23, "10:31"))

    with world.store.transaction() as tx:
        on_the_call = [c.reference for c in tx.cases.on("daily", at(23, "10:00").date())]
    assert on_the_call == ["HR-2026-0001"]
    assert subjects(world, hidva) == hidva_before  # not told to stand down
    assert subjects(world, POLICE) == police_before  # no answer to whoever was impersonated
    [notice] = [text_of(m) for m in world.inbox(CHAIR)
                if subject_of(m) == "mailbot: an email was rejected as possibly spoofed"]
    assert "DMARC fail for met.police.example" in notice

    world.step(at(23, "11:30"))
    attendance = world.wait_for(hidva, lambda m: " - Attendance list " in subject_of(m))
    assert "HIDVA: you must attend at 12:00" in text_of(attendance)
