"""The conversation with partners on the real servers (Dovecot, aiosmtpd stamping
Authentication-Results, SQLite): reply-all chains, a prose referral, apologies, a withdrawal,
the chair's email twice, and Done for a list of actions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_day import ASC, CNWL, HIDVA, POLICE, at
from tests.rig.world import World, subject_of, text_of, world_for

pytestmark = [pytest.mark.servers, pytest.mark.usefixtures("database")]
SPA = "spa@cnwl.example"

OUTLOOK_CHAIN = """Nothing to add from HIDVA today, thanks.

Kind regards
Referrals Team

From: Police MASH <mash@met.police.example>
Sent: 23 November 2026 09:30
To: Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example>
Cc: referrals@hidva.example; cnwl.highrisk@cnwl.example
Subject: New cases

Case: D.M. - missing from care, exploitation concerns
Partners: HIDVA, CNWL

Case: this email and any attachment are confidential to the Metropolitan Police Service.
"""

GMAIL_CHAIN = """Partners for HR-2026-0001: SPA

On Mon, 23 Nov 2026 at 09:30, Police MASH <mash@met.police.example> wrote:
> Case: D.M. - missing from care, exploitation concerns
> Partners: HIDVA, CNWL
>
> Case: T.W. - threats to neighbour
"""

PROSE = """Hi all,

Could we please add a new case today: G.L., 84, bruising to both arms, lives with her
grandson who has been asking neighbours for money. We'd need ASC and Police.

Thanks
DS Jane Smith
"""


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    return world_for(dc, smtp, tmp_path / "mailbot.db", at("09:30"))



def received(world: World, address: str, start: str) -> list[str]:
    return [subject_of(m) for m in world.inbox(address) if subject_of(m).startswith(start)]


def test_the_conversation_on_the_real_servers(world: World) -> None:
    world.reply(POLICE, "Case: D.M. - missing from care, exploitation concerns\nPartners: HIDVA, CNWL\n\n"
                        "Case: T.W. - threats to neighbour", subject="New cases")
    world.step(at("09:31"))
    world.step(at("10:00"))
    world.wait_for(HIDVA, lambda m: "Case call" in str(m["Subject"]))

    # Reply-all chains quoting Police's email: nothing quoted is read, warned about or added.
    world.clock.set(at("10:10"))
    world.reply(HIDVA, OUTLOOK_CHAIN)
    world.reply(CNWL, GMAIL_CHAIN)
    world.step(at("10:11"))
    spa_notice = world.wait_for(SPA, lambda m: subject_of(m).startswith("Now REQUIRED"))
    assert "HR-2026-0001" in text_of(spa_notice)
    cnwl_ack = world.wait_for(CNWL, lambda m: subject_of(m).startswith("RE: Case call"))
    assert "HR-2026-0001: now also requires CNWL Single Point of Access" in text_of(cnwl_ack)
    for ack in (cnwl_ack, *world.inbox(HIDVA)):
        assert "below the quoted" not in text_of(ack) and "send it again" not in text_of(ack)
    assert received(world, HIDVA, "RE:") == []  # courtesy: no answer at all
    with world.store.transaction() as tx:
        assert tx.cases.next_number("daily", 2026) == 3  # D.M. and T.W., each once

    # A referral written as prose reaches a person, and its sender is told.
    world.clock.set(at("10:20"))
    world.reply(POLICE, PROSE, subject="Another one")
    world.step(at("10:21"))
    forward = world.wait_for(ASC, lambda m: "for a person to read" in str(m["Subject"]))
    assert "G.L., 84, bruising to both arms" in text_of(forward)
    told = world.wait_for(POLICE, lambda m: subject_of(m) == "Re: Another one")
    assert "passed to the coordinators" in text_of(told)

    # Apologies from a required partner: the coordinators hear at once.
    world.clock.set(at("10:30"))
    world.reply(CNWL, "Apologies: clinic all morning")
    world.step(at("10:31"))
    world.wait_for(ASC, lambda m: "apologies from Central and North West London" in str(m["Subject"]))

    # The referrer withdraws D.M.; HIDVA, required only for it, may stand down again.
    world.clock.set(at("10:40"))
    world.reply(POLICE, "Withdraw HR-2026-0001: found safe and back at the placement")
    world.step(at("10:41"))
    stand_down = world.wait_for(HIDVA, lambda m: " withdrawn" in str(m["Subject"]))
    assert str(stand_down["Subject"]).startswith("OFFICIAL-SENSITIVE: Stand down - HIDVA - ")
    assert "HR-2026-0001" in str(stand_down["Subject"])
    world.step(at("11:30"))
    attendance = world.wait_for(CNWL, lambda m: " - Attendance list " in subject_of(m))
    assert "Apologies: CNWL (clinic all morning)" \
        in text_of(attendance)
    assert "HR-2026-0001" not in text_of(attendance).split("Must attend")[0]

    # The chair's email twice: the second changes nothing and sends nothing.
    plan = ("Decision HR-2026-0002: accepted\n"
            "Action: HR-2026-0002 | mash@met.police.example | 26/11/2026 | Visit the neighbour\n"
            "Action: HR-2026-0002 | mash@met.police.example | 26/11/2026 | Check the PNC record")
    world.clock.set(at("13:30"))
    world.reply(ASC, plan, subject="Minutes")
    world.step(at("13:31"))
    world.step(at("13:41"))  # the summaries go after 10 quiet minutes
    sent_before = len(world.smtp.messages)
    world.clock.set(at("13:45"))
    world.reply(ASC, plan, subject="Minutes")
    world.step(at("13:46"))
    assert len(world.smtp.messages) == sent_before + 1  # only the chair's own second email
    with world.store.transaction() as tx:
        assert tx.conn.exec_driver_sql("select count(*) from decisions").scalar() == 1
        assert len(tx.actions.find("daily")) == 2

    # Done for a list closes each action.
    world.clock.set(at("09:00", 24))
    world.reply(POLICE, "Done: A-1, A-2")
    world.step(at("09:01", 24))
    ack = world.wait_for(POLICE, lambda m: "marked done" in text_of(m))
    assert "A-1 (HR-2026-0002): marked done" in text_of(ack)
    assert "A-2 (HR-2026-0002): marked done" in text_of(ack)
    with world.store.transaction() as tx:
        assert [a.status for a in tx.actions.find("daily")] == ["done", "done"]
        dispositions = [r[0] for r in tx.conn.exec_driver_sql(
            "select disposition from inbound order by id").fetchall()]
    assert dispositions == ["applied", "courtesy", "applied", "to-coordinator", "applied", "applied",
                            "applied", "ignored", "applied"]
