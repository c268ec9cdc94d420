"""The ``panel`` demo: three months of the complex case panel, checked as its coordinator
would check them."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.demo import Demo
from mailbot.demos import EXAMPLES
from tests.test_panel_config import PANEL_EXAMPLE

MEMBERS = 6
POLICE, CMHT, HOUSING = "wyvern.nht@police.example", "cmht@wyvernhealth.example", \
    "housing.safeguarding@wyvern.example"


def text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def subject(msg: EmailMessage) -> str:
    return str(msg["Subject"]).removeprefix("OFFICIAL-SENSITIVE: ")


def sent_on(msg: EmailMessage) -> str:
    return str(msg["Date"])[:16]  # "Fri, 04 Dec 2026"


def test_three_months_of_the_panel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = Demo(tmp_path / "out", PANEL_EXAMPLE)
    demo.controller.start()
    try:
        asyncio.run(EXAMPLES["panel"](demo))
    finally:
        demo.controller.stop()
        demo.runtime.close()
    out = capsys.readouterr().out
    mails = []
    for f in sorted((tmp_path / "out").glob("*.eml")):
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        mails.append(msg)
    # The agenda, two working days before each sitting, to each member once, with the statement.
    agendas = [m for m in mails if subject(m).startswith("Panel agenda ")]
    assert Counter(sent_on(m) for m in agendas) == {
        "Fri, 04 Dec 2026": MEMBERS, "Fri, 08 Jan 2027": MEMBERS, "Fri, 05 Feb 2027": MEMBERS}
    assert len({(str(m["To"]), subject(m)) for m in agendas}) == len(agendas)
    assert all("CONFIDENTIAL: By opening the agenda you agree" in text(m) for m in agendas)
    # The referral after Thursday's close was heard in January, and its referrer was told so.
    [answer] = [m for m in mails if m["To"] == CMHT and subject(m).startswith("Re: ")
                and "CCP-2027-0001" in text(m)]
    assert "Tuesday 12 January 2027" in text(answer) and "after the cut-off" in text(answer)
    # Returned in December: off that agenda, to its referrer, and on January's.
    [returned] = [m for m in mails if subject(m) == "CCP-2026-0002 returned: more information needed"]
    assert returned["To"] == POLICE and "the tenancy history" in text(returned)
    january = text(next(m for m in agendas if m["To"] == POLICE and "12 Jan" in subject(m)))
    assert "CCP-2026-0002" in january and "[returned" in january
    # January's agenda reviews December's actions with their status.
    assert "A-1  due Fri 18 Dec 2026" in january and "status done" in january
    assert "A-2  due Fri 8 Jan 2027" in january and "status open" in january
    # Declined with the justification, to the referrer.
    [declined] = [m for m in mails if "CCP-2027-0001 declined" in subject(m)]
    assert declined["To"] == CMHT and "no multi-agency need" in text(declined)
    # Reminders five working days before a sitting, never daily; the digest on agenda and panel days.
    assert sorted({sent_on(m) for m in mails if subject(m).startswith("Reminder: ")}) == [
        "Tue, 02 Feb 2027", "Tue, 05 Jan 2027"]
    assert sorted(sent_on(m) for m in mails if subject(m).startswith("Overdue actions ")) == [
        "Fri, 05 Feb 2027", "Tue, 09 Feb 2027", "Tue, 12 Jan 2027"]
    assert not [m for m in mails if subject(m).startswith("Attendance list")]
    assert "CCP-2027-0001  CMHT               declined   already open to the CMHT" in out
