"""README's first command: the demo day runs on embedded servers and shows what a newcomer should see."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from mailbot.demo import run_demo
from tests.rig.world import subject_of


def test_the_demo_week(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo(tmp_path / "out") == 0
    out = capsys.readouterr().out
    files = sorted((tmp_path / "out").glob("*.eml"))
    # Three days' case calls and attendance lists, answers, a now-required notice, notices, and
    # after the meeting every other kind of email the bot writes.
    mails = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    subjects = [subject_of(m) for m in mails]
    assert sum(bool(re.match(r"(REQUIRED 12:00|Stand down) - [^-]+ - Case call ", s)) for s in subjects) == 30
    assert sum(bool(re.match(r"(REQUIRED 12:00|Stand down) - [^-]+ - Attendance list ", s)) for s in subjects) == 30
    assert "Now REQUIRED 12:00 - SPA - Mon 16 Nov: HR-2026-0002" in subjects
    assert len(list((tmp_path / "out").glob("*.html"))) == len(files)
    # HIDVA is sent references only: the partner it named is not echoed, but the problem is.
    assert "line 2: unknown partner [your words withheld] (known: ASC," in out
    assert "to the Tuesday 17 November 2026 12:00 call (it came after the cut-off)" in out
    assert "emails sent by the bot: 93; waiting: 0" in out
    # The action plan waits for ten quiet minutes after the minutes, and the coordinators get it too.
    plans = [m for m in mails if "Action plan Mon 16 Nov 2026" in subject_of(m)]
    assert "adultmash@hillingdon.example" in {str(m["To"]) for m in plans}
    assert {m["Date"] for m in plans} == {"Mon, 16 Nov 2026 12:56:00 +0000"}
    # The days the demo skips are days the bot was off: the coordinators hear of them once.
    assert "mailbot: 15 scheduled emails not sent (2026-11-18 to 2026-11-24)" in subjects
    for kind in ("Action plan Mon 16 Nov 2026: 3 cases, 5 actions", "Your actions from Mon 16 Nov 2026: A-1, A-5",
                 "Reminder: A-2 (HR-2026-0001) is due today", "mailbot: A-3 cannot be completed",
                 "ESCALATED: A-4 (HR-2026-0003) is 6 working days overdue",
                 "Overdue actions Wed 25 Nov 2026: 3 overdue, 2 escalated"):
        assert kind in subjects, kind
    # The case that could not be completed is back on Tuesday's call, with the reason.
    [tuesday] = [m for m in mails if m["To"] == "cnwl.highrisk@cnwl.example"
                 and "Case call Tue 17 Nov" in subject_of(m)]
    assert "A-3 could not be completed: family have moved out of the borough" in \
        tuesday.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    # The out-of-office changed nothing and was not answered.
    to_thh = [subject_of(m) for m in mails if m["To"] == "safeguarding@thh.example"]
    assert [s for s in to_thh if not s.startswith("Stand down - THH - ")] == []
