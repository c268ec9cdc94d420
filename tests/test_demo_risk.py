"""``mailbot demo --example risk``: a week of the daily risk meeting, checked as its coordinator
would check it."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.cli import main
from mailbot.demo import run_demo
from tests.rig.world import subject_of

POLICE, YJS, HEAD = "mash.cs@met.police.example", "yjs.mash@southwark.example", "head.mash@southwark.example"


def text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_a_week_of_the_daily_risk_meeting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--example", "risk", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    mails = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
             for f in sorted((tmp_path / "out").glob("*.eml"))]
    assert all(isinstance(m, EmailMessage) for m in mails)

    def one(to: str, words: str) -> EmailMessage:
        [found] = [m for m in mails if m["To"] == to and words in subject_of(m)]
        assert isinstance(found, EmailMessage)
        return found

    # Monday's agenda: the overnight critical incident first, though referred after the missing child.
    monday = text(one(POLICE, "Case call Mon 16 Nov"))
    assert monday.index("DRM-2026-0002  [critical incident]") < monday.index("DRM-2026-0001  [missing]") \
        < monday.index("DRM-2026-0004  [child exploitation]") < monday.index("DRM-2026-0003  [high-risk")
    # The referral sent at 10:20 is on Tuesday's agenda, and YJS was told so in its answer.
    assert "DRM-2026-0005  [gangs]" in text(one(POLICE, "Case call Tue 17 Nov"))
    [late] = [m for m in mails if m["To"] == YJS and "DRM-2026-0005" in text(m) and "Re:" in subject_of(m)]
    assert "(it came after the cut-off): it will be heard on Tuesday 17 November 2026" in text(late)
    # The agenda is final: no attendance list.
    assert not [m for m in mails if "Attendance list" in subject_of(m)]
    # The strategy discussion is in the action plan, with what it means.
    assert "DRM-2026-0002  C.D.: strategy discussion (the threshold for a joint investigation is met)" in \
        text(one(POLICE, "Action plan Mon 16 Nov 2026"))
    # A week later the late joint visit is escalated with the head of MASH copied, and the digest names them.
    escalated = [m for m in mails if subject_of(m).startswith("ESCALATED: A-1 (DRM-2026-0002)")]
    assert [str(m["To"]) for m in escalated] == [f"{POLICE}, {HEAD}"] * 2  # one delivery each
    digest = [m for m in mails if subject_of(m).startswith("Overdue actions Mon 23 Nov 2026")]
    assert "Escalation contact for this meeting: Head of MASH <head.mash@southwark.example>" in text(digest[0])
    # The demo jumps over Wednesday to Friday as if the bot were off: one notice says what was missed.
    assert "6 scheduled emails not sent (2026-11-18 to 2026-11-20)" in out
    # The declined referral is told to its referrer, with the reason.
    assert "bot -> yjs.mash@southwark.example: OFFICIAL-SENSITIVE: DRM-2026-0004 declined by" in out
    assert "emails sent by the bot: 42; waiting: 0" in out


def test_an_unknown_example_is_named_with_the_known_ones(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo(tmp_path / "out", example="weekly") == 2
    assert "no example 'weekly' (examples: daily, risk" in capsys.readouterr().err
