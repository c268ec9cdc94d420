"""Minutes without floods, on a real SQLite database with the clock injected: one action plan
per recipient per quiet period whatever typed the minutes, and who attended in it."""

from __future__ import annotations

import email.utils
from datetime import datetime
from pathlib import Path

import pytest

from mailbot.errors import MailbotError
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
    assert "the action plan goes to the partners at 13:00, once the plan has had no change for 10 " \
           "minutes" in text(sent(s, "ack:")[-1])
    set_clock(s, at(23, "12:59"))
    assert s.due() == []  # nine minutes after the last change: still waiting
    set_clock(s, at(23, "13:00"))
    assert s.due() == ["summary 2026-11-23: 6 emails"]
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


def test_minutes_send_one_version_with_who_attended_and_the_coordinators_copy(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    set_clock(s, at(23, "13:30"))
    filed = s.desk.minutes(MINUTES, "cli:chair")
    assert filed.applied and filed.meeting_day == at(23, "12:00").date()
    assert filed.plan.problems == []
    # Police, CNWL, ASBIT (attended, required or owners) and the coordinators' copy; three owners.
    assert recipients(s) == sorted([ASBIT, ASBIT, CHAIR, CNWL, CNWL, POLICE, POLICE])
    assert len(filed.emails) == 7
    [plan] = summaries_to(s, CHAIR)
    assert "Who attended: CNWL, Police, ASBIT\nApologies sent by: HIDVA\n" in plan
    assert "Action plan for Monday 23 November" in plan
    set_clock(s, at(23, "14:00"))
    assert s.due() == []
    assert len(summaries_to(s, POLICE)) == 1


def test_single_lines_typed_at_the_desk_wait_for_the_quiet_period(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    set_clock(s, at(23, "13:30"))
    lines = [line for line in MINUTES.splitlines() if not line.startswith("Attended")]
    for n, line in enumerate(lines):
        set_clock(s, at(23, f"13:3{n}"))
        filed = s.desk.minutes(line, "cli:chair", send=False)
        assert filed.applied and filed.summary_at == at(23, f"13:{30 + n + 10}")
        assert s.due() == []
    assert sent(s, "summary:") == []
    set_clock(s, at(23, "13:45"))
    assert s.due() == ["summary 2026-11-23: 7 emails"]
    assert "4 actions" in str(sent(s, "summary:")[0]["Subject"])


def test_a_dry_run_changes_nothing_and_sends_nothing(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    filed = s.desk.minutes(MINUTES, "cli:chair", dry_run=True)
    assert not filed.applied and filed.plan.problems == []
    assert ("mash@met.police.example", "OFFICIAL-SENSITIVE: Action plan Mon 23 Nov 2026: 2 cases, 4 actions") \
        in filed.emails
    assert sent(s, "summary:") == []
    with s.store.transaction() as tx:
        assert tx.actions.find("daily") == []
        assert tx.minutes.unsummarised() == []


def test_minutes_typed_the_next_day_are_filed_under_the_last_meeting_or_the_one_named(
        tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    set_clock(s, at(24, "09:00"))
    assert s.desk.minutes(MINUTES, "cli:chair", dry_run=True).meeting_day == at(23, "12:00").date()
    with pytest.raises(MailbotError, match="has not been held yet"):
        s.desk.minutes(MINUTES, "cli:chair", held=at(24, "12:00").date())
    with pytest.raises(MailbotError, match=r"there was no meeting on Sunday 22 November 2026 \(a Sunday\)"):
        s.desk.minutes(MINUTES, "cli:chair", held=at(22, "12:00").date())


def test_minutes_with_a_line_that_cannot_be_read_change_nothing(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    filed = s.desk.minutes(MINUTES + "Decision HR-2026-0001: closed\n", "cli:chair")
    assert not filed.applied
    assert filed.plan.problems == ["line 8: a case closed needs its rationale after a dash"]
    assert filed.plan.done == []  # nothing the other lines asked for was kept
    with s.store.transaction() as tx:
        assert tx.actions.find("daily") == []
    assert sent(s, "summary:") == []


def test_apologies_in_the_minutes_name_the_partners(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    filed = s.desk.minutes("Attended: Police\nApologies: SPA and THH\n" + MINUTES.split("\n", 1)[1],
                           "cli:chair")
    assert filed.plan.problems == []
    [plan] = summaries_to(s, CHAIR)
    assert "Apologies sent by: SPA, THH, HIDVA" in plan or "Apologies sent by: HIDVA, SPA, THH" in plan
    bad = s.desk.minutes("Apologies: on leave", "cli:chair")
    assert "name the partners that sent apologies, like 'Apologies: HIDVA, SPA'" in bad.plan.problems[0]
