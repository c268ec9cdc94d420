"""Minutes without floods, on a real SQLite database with the clock injected: one action plan
per recipient per quiet period whatever typed the minutes, and who attended in it."""

from __future__ import annotations

import email.utils
from datetime import datetime
from pathlib import Path

from mailbot.services import Outcome, Services
from tests.test_services import at, make, reply
from tests.test_strangers import sent, text

CHAIR, POLICE, CNWL = "adultmash@hillingdon.example", "mash@met.police.example", "cnwl.highrisk@cnwl.example"
ASBIT, HIDVA = "asbit@hillingdon.example", "referrals@hidva.example"
PLAN = ("Action: HR-2026-0001 | mash@met.police.example | 27/11/2026 | welfare visit to T.W.\n"
        "Action: HR-2026-0001 | asbit@hillingdon.example | 27/11/2026 | check CCTV of the stairwell\n")
MINUTES = """Attended: Police, CNWL, ASBIT
Action: HR-2026-0001 | mash@met.police.example | 27/11/2026 | welfare visit to T.W.
Action: HR-2026-0001 | asbit@hillingdon.example | 27/11/2026 | check CCTV of the stairwell
Action: HR-2026-0002 | cnwl.highrisk@cnwl.example | 30/11/2026 | review the care plan
Action: HR-2026-0002 | mash@met.police.example | 30/11/2026 | check the PNC for M.K.
Decision HR-2026-0001: accepted
Decision HR-2026-0002: accepted
"""


def set_clock(s: Services, when: datetime) -> None:
    s.clock.set(when)  # type: ignore[attr-defined]


def after_the_meeting(tmp_path: Path) -> Services:
    """Monday 23 November: two cases, HIDVA's apologies, the case call and attendance list."""
    s = make(tmp_path, at(23, "09:00"))
    assert s.ingest(reply(POLICE, "Case: T.W. - threats to neighbour\nPartners: ASBIT", "<c1@p>")) \
        is Outcome.APPLIED
    assert s.ingest(reply(CNWL, "Case: M.K. - missed appointments", "<c2@p>")) is Outcome.APPLIED
    assert s.ingest(reply(HIDVA, "Apologies: on a training course", "<a1@p>")) is Outcome.APPLIED
    for hhmm in ("10:00", "11:30", "12:45"):
        set_clock(s, at(23, hhmm))
        s.due()
    return s


def summaries_to(s: Services, address: str) -> list[str]:
    return [text(m) for m in sent(s, "summary:") if str(m["To"]) == address]


def recipients(s: Services) -> list[str]:
    return sorted(str(m["To"]) for m in [*sent(s, "summary:"), *sent(s, "owner-actions:")])


def test_a_chair_correcting_three_times_in_five_minutes_sends_one_version(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    for n, (hhmm, due) in enumerate((("12:45", "27/11"), ("12:47", "30/11"), ("12:50", "01/12"))):
        set_clock(s, at(23, hhmm))
        assert s.ingest(reply(CHAIR, PLAN.replace("27/11/2026", f"{due}/2026"), f"<p{n}@h>")) \
            is Outcome.APPLIED
        assert s.due() == []
    assert sent(s, "summary:") == sent(s, "owner-actions:") == []
    set_clock(s, at(23, "12:59"))
    assert s.due() == []  # nine minutes after the last change: still waiting
    set_clock(s, at(23, "13:00"))
    assert s.due() == ["summary 2026-11-23: 6 email(s)"]
    [plan] = summaries_to(s, POLICE)
    assert "due Tue 1 Dec 2026" in plan and "27 Nov" not in plan and "30 Nov" not in plan
    # Each version is dated when it was built, not when the first correction came in.
    dates = {email.utils.parsedate_to_datetime(str(m["Date"])) for m in sent(s, "summary:")}
    assert dates == {at(23, "13:00")}
    set_clock(s, at(23, "14:00"))
    assert s.due() == []
    assert len(summaries_to(s, POLICE)) == 1


def test_the_plan_says_who_attended_and_the_coordinators_get_a_copy(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    assert s.ingest(reply(CHAIR, "Attended: Police, CNWL, ASBIT and SPA\n" + PLAN, "<p@h>")) \
        is Outcome.APPLIED
    set_clock(s, at(23, "12:55"))
    s.due()
    [plan] = summaries_to(s, CHAIR)
    assert "Who attended: CNWL, SPA, Police, ASBIT\nApologies sent by: HIDVA\n" in plan
    # SPA attended though no case required it: it gets the plan too.
    assert len(summaries_to(s, "spa@cnwl.example")) == 1


def test_send_summary_sends_at_once_and_the_quiet_period_sends_nothing_more(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    assert s.ingest(reply(CHAIR, PLAN, "<p@h>")) is Outcome.APPLIED
    assert s.send_summary(at(23, "12:00").date()) == 6
    set_clock(s, at(23, "13:30"))
    assert s.due() == []
    assert len(summaries_to(s, POLICE)) == 1
