"""A whole working day on the real servers: bot -> SMTP -> partner mailbox, partner -> SMTP -> bot.

Monday 23 November 2026 (GMT). The clock is injected; everything else is real:
Dovecot over IMAPS, aiosmtpd with STARTTLS and AUTH, SQLite.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot import config
from mailbot.core.directory import short_name
from tests.rig.world import World, rig_config, subject_of, text_of

pytestmark = pytest.mark.servers
LONDON = ZoneInfo("Europe/London")
POLICE = "mash@met.police.example"
CNWL = "cnwl.highrisk@cnwl.example"
SPA = "spa@cnwl.example"
THH = "safeguarding@thh.example"
HIDVA = "referrals@hidva.example"
ASC = "adultmash@hillingdon.example"
BOT = "highrisk-bot@hillingdon.example"


def at(hhmm: str, day: int = 23) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, h, m, tzinfo=LONDON)


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    settings = config.parse(rig_config(dc, smtp, tmp_path / "mailbot.db"))
    return World(dc, smtp, settings, at("09:30"))


def step(world: World, when: str, runtime=None) -> None:  # type: ignore[no-untyped-def]
    world.step(at(when), runtime)


def subjects(world: World, address: str) -> list[str]:
    return [subject_of(m) for m in world.inbox(address)]


def play_day(world: World) -> None:
    world.reply(POLICE, "Case: T.W. - threats to neighbour with a knife\nPartners: Children's Services, ASBIT",
                subject="New case for today")
    step(world, "09:31")
    step(world, "10:00")
    call = world.wait_for(CNWL, lambda m: "Case call" in subject_of(m))
    world.clock.set(at("10:20"))
    world.reply(CNWL, "Case: M.K. - missed three appointments, family worried\nPartners: SPA\n\n"
                      "From: Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example>\n"
                      "Sent: 23 November 2026 10:00\nTo: CNWL\nSubject: Case call\n\n" + text_of(call),
                to=call)
    step(world, "10:21")
    world.reply(THH, "I am out of the office.\nCase: Z.Z. - from an auto-reply",
                subject="Automatic reply: Case call", extra={"Auto-Submitted": "auto-replied"})
    world.reply("stranger@elsewhere.example", "Case: Q.Q. - who am I", subject="hello")
    step(world, "10:35")
    step(world, "11:30")
    world.reply(HIDVA, "Case: S.P. - perpetrator released today\nPartners: Police")
    step(world, "11:40")


def test_a_whole_day(world: World) -> None:
    play_day(world)

    # The early case was acknowledged, threaded under the partner's email.
    ack = world.wait_for(POLICE, lambda m: "New case for today" in subject_of(m))
    assert "Added HR-2026-0001 (T.W.) to today's 12:00 call" in text_of(ack)
    assert ack["Auto-Submitted"] == "auto-replied"

    # Every partner got exactly one case call, saying where it stands at the top.
    for partner in world.settings.partners:
        for address in partner.emails:
            calls = [m for m in world.inbox(address) if " - Case call " in subject_of(m)]
            assert len(calls) == 1, address
            # The status leads the subject, after the protective marking.
            status = "REQUIRED 12:00" if partner.code in ("police", "childrens", "asbit") else "Stand down"
            assert str(calls[0]["Subject"]) == (f"OFFICIAL-SENSITIVE: {status} - {short_name(partner)} - "
                                                "Case call Mon 23 Nov: 1 case"), address
            body = text_of(calls[0])
            required = partner.code in ("police", "childrens", "asbit")
            headline = body.splitlines()[0]
            assert ("you are required at 12:00" in headline) is required, (address, headline)
            assert ("you may stand down" in headline) is (not required)
            if partner.code == "hidva":  # not on the secure list: references only
                assert "HR-2026-0001    [details withheld: read on the call]" in body
                assert "T.W.  " not in body and "knife" not in body  # (the help example says "T.W. - ")
                assert "details are read out on the call" in body
            else:
                assert "HR-2026-0001  T.W.  threats to neighbour with a knife" in body
            assert "OFFICIAL-SENSITIVE" in body
            assert calls[0].get_body(preferencelist=("html",)) is not None
            # Required partners get the meeting in their calendar with the case call.
            invites = [p for p in calls[0].walk() if p.get_content_type() == "text/calendar"]
            assert [p.get_param("method") for p in invites] == (["REQUEST"] if required else []), address

    # CNWL's reply, quoting the whole case call, added one case and re-read nothing.
    cnwl_ack = world.wait_for(CNWL, lambda m: subject_of(m).startswith("RE: Case call"))
    # It had been told to stand down; the answer starts with its new status, subject and all.
    assert str(cnwl_ack["Subject"]) == "RE: OFFICIAL-SENSITIVE: Case call - CNWL: now REQUIRED at 12:00"
    assert text_of(cnwl_ack).split("\n\n")[0].startswith("CNWL: you are now REQUIRED at 12:00")
    assert "Added HR-2026-0002 (M.K.) to today's 12:00 call; required: Central and North West London NHS " \
           "Mental Health Trust, CNWL Single Point of Access" in text_of(cnwl_ack)
    assert "T.W." not in text_of(cnwl_ack).split("How to reply")[0]

    # CNWL referred it, so its acknowledgement says it is required; no second email.
    assert not [s for s in subjects(world, CNWL) if s.startswith("Now REQUIRED")]
    # SPA had been told to stand down: it is told at once that it is now required.
    notice = world.wait_for(SPA, lambda m: subject_of(m).startswith("Now REQUIRED"))
    assert "you are now required at 12:00" in text_of(notice)
    assert "HR-2026-0002" in text_of(notice)
    # Both get the invitation with the email that tells them.
    for told in (notice, cnwl_ack):
        assert [p.get_param("method") for p in told.walk() if p.get_content_type() == "text/calendar"] \
            == ["REQUEST"]

    # The out-of-office changed nothing and got no answer; the stranger got a short
    # answer with no case data and the coordinator was told.
    assert [s for s in subjects(world, THH) if " - Case call " not in s and " - Attendance list " not in s] == []
    stranger = world.smtp.messages
    to_stranger = [m for m in stranger if m.rcpt_tos == ["stranger@elsewhere.example"]]
    assert len(to_stranger) == 1
    assert b"HR-2026" not in to_stranger[0].data and b"T.W." not in to_stranger[0].data
    world.wait_for(ASC, lambda m: "unknown sender" in subject_of(m))

    # The attendance list went at 11:30 with both cases; required partners get an invitation.
    att = world.wait_for(POLICE, lambda m: " - Attendance list " in subject_of(m))
    assert subject_of(att) == "REQUIRED 12:00 - Police - Attendance list Mon 23 Nov: 2 cases"
    assert "you must attend at 12:00" in text_of(att)
    assert "HR-2026-0002" in text_of(att)
    # The invitation went with the case call: the cut-off sends none again.
    assert [p for p in att.walk() if p.get_content_type() == "text/calendar"] == []
    cnwl_att = world.wait_for(CNWL, lambda m: " - Attendance list " in subject_of(m))
    assert "you must attend" in text_of(cnwl_att)
    thh_att = world.wait_for(THH, lambda m: " - Attendance list " in subject_of(m))
    assert subject_of(thh_att) == "Stand down - THH - Attendance list Mon 23 Nov: 2 cases"
    assert "you may stand down" in text_of(thh_att)
    assert [p for p in thh_att.walk() if p.get_content_type() == "text/calendar"] == []

    # HIDVA's case came after the cut-off: it goes to Tuesday's call, and HIDVA is told.
    late = world.wait_for(HIDVA, lambda m: subject_of(m).startswith("RE: Case call"))
    # (HIDVA's domain is not on the secure list: its own initials are not echoed back.)
    assert "Added HR-2026-0003 ([withheld]) to the Tuesday 24 November 2026 12:00 call " \
           "(it came after the cut-off)" in text_of(late)
    assert "S.P." not in text_of(late)
    assert "HR-2026-0003" not in text_of(att)


def test_the_same_day_run_twice_sends_nothing_twice(world: World) -> None:
    play_day(world)
    first = Counter(m.data.split(b"Message-ID: ")[1].split(b"\r\n")[0] for m in world.smtp.messages)
    assert max(first.values()) == 1
    # A second process, same database, replaying every step of the day.
    for when in ("09:31", "10:00", "10:21", "10:35", "11:30", "11:40"):
        step(world, when)
    again = Counter(m.data.split(b"Message-ID: ")[1].split(b"\r\n")[0] for m in world.smtp.messages)
    assert again == first


def test_a_bot_restarted_halfway_loses_nothing_and_repeats_nothing(world: World) -> None:
    first = world.runtime()
    world.reply(POLICE, "Case: T.W. - threats to neighbour\nPartners: ASBIT", subject="New case")
    step(world, "09:31", first)
    step(world, "10:00", first)
    # Two replies arrive; the bot reads and commits the first, then dies before
    # moving it out of the inbox and before sending its answer.
    world.clock.set(at("10:10"))
    world.reply(CNWL, "Case: M.K. - missed appointments\nPartners: SPA", subject="RE: Case call")
    world.reply(HIDVA, "Partners for HR-2026-0001: HIDVA", subject="RE: Case call")
    waiting = first.mailbox.fetch_new()
    assert len(waiting) == 2
    first.services.ingest(waiting[0])
    first.close()  # killed: no move, no send

    second = world.runtime()
    step(world, "10:11", second)
    step(world, "11:30")
    with world.store.transaction() as tx:
        cases = tx.cases.on("daily", at("10:00").date())
        counts = tx.outbox.counts()
    assert [c.reference for c in cases] == ["HR-2026-0001", "HR-2026-0002"]
    assert "hidva" in cases[0].partners
    assert counts == {"sent": counts["sent"]}  # nothing left pending or half-sent
    ids = [m.data.split(b"Message-ID: ")[1].split(b"\r\n")[0] for m in world.smtp.messages]
    assert len(ids) == len(set(ids))
    # Both replies answered exactly once, and the inbox is empty.
    assert len([s for s in subjects(world, CNWL) if s.startswith(("Re: RE: Case call", "RE: Case call"))]) == 1
    assert len([s for s in subjects(world, HIDVA) if s.startswith("RE: Case call")]) == 1
    assert world.inbox(BOT) == []
