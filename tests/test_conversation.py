"""The conversation with partners, on a real SQLite database: every email ends in one
disposition, apologies and withdrawals work, what needs a person reaches one, and the same
email twice changes nothing and sends nothing."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.services import Outcome, Services
from tests.rig.received import arrived
from tests.test_services import at, make

pytestmark = pytest.mark.usefixtures("database")
POLICE = "mash@met.police.example"
HIDVA = "referrals@hidva.example"
CNWL = "cnwl.highrisk@cnwl.example"
CHAIR = "adultmash@hillingdon.example"  # Adult Social Care: a coordinator
COORDINATORS = [CHAIR]


def mail(sender: str, body: str, mid: str, subject: str = "RE: Case call") -> bytes:
    """A partner's email as the receiving server hands it on (stamped as the rig's server does)."""
    return arrived((f"From: {sender}\r\nTo: highrisk-bot@hillingdon.example\r\nSubject: {subject}\r\n"
                    f"Message-ID: <{mid}@partner.example>\r\n\r\n{body}\r\n").encode())


def sent(s: Services) -> list[tuple[str, str, EmailMessage]]:
    """(key, recipients, message) of everything queued, in order."""
    with s.store.transaction() as tx:
        rows = tx.conn.exec_driver_sql("select key, recipients, raw from outbox join outbox_raw using (key) order by id").fetchall()
    return [(r[0], r[1], email.message_from_bytes(r[2], policy=email.policy.default))  # type: ignore[misc]
            for r in rows]


def text(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def to(s: Services, address: str, since: int = 0) -> list[EmailMessage]:
    return [m for _, r, m in sent(s)[since:] if address in r.split(",")]


def dispositions(s: Services) -> list[tuple[str, str, int]]:
    with s.store.transaction() as tx:
        rows = tx.conn.exec_driver_sql(
            "select message_key, disposition, forwarded from inbound order by id").fetchall()
    return [(r[0].split("@")[0].strip("<"), r[1], r[2]) for r in rows]


def ingest(s: Services, when: datetime, raw: bytes) -> Outcome:
    s.clock.set(when)  # type: ignore[attr-defined]
    return s.ingest(raw)


def morning(tmp_path: Path) -> Services:
    """Police refers T.W. with CNWL before the case call, which then goes at 10:00."""
    s = make(tmp_path, at(23, "09:00"))
    assert ingest(s, at(23, "09:00"), mail(POLICE, "Case: T.W. - threats to neighbour\nPartners: CNWL",
                                           "p1")) is Outcome.APPLIED
    s.clock.set(at(23, "10:00"))  # type: ignore[attr-defined]
    assert s.due() == ["case call 2026-11-23"]
    return s


def test_apologies_from_a_required_partner_reach_the_coordinators_and_the_attendance_list(
        tmp_path: Path) -> None:
    s = morning(tmp_path)
    before = len(sent(s))
    ingest(s, at(23, "10:40"), mail(CNWL, "Apologies: on a training course today", "c1"))
    [ack] = to(s, CNWL, before)
    assert "Apologies from Central and North West London NHS Mental Health Trust recorded for today's " \
           "12:00 call: on a training course today" in text(ack)
    [notice] = to(s, CHAIR, before)
    assert "apologies from Central and North West London NHS Mental Health Trust, required for " \
           "HR-2026-0001" in str(notice["Subject"])
    assert dispositions(s)[-1] == ("c1", "applied", 1)
    s.clock.set(at(23, "11:30"))  # type: ignore[attr-defined]
    s.due()
    [attendance] = [m for m in to(s, POLICE) if " - Attendance list " in str(m["Subject"])]
    assert "Apologies: CNWL (on a training course " \
           "today)" in text(attendance)


def test_apologies_between_the_cutoff_and_the_start_are_for_today(tmp_path: Path) -> None:
    s = morning(tmp_path)
    ingest(s, at(23, "11:45"), mail(CNWL, "Apologies", "c1"))
    with s.store.transaction() as tx:
        view = tx.cases.day_view("daily", at(23, "11:45").date())
    assert [a.partner for a in view.apologies] == ["cnwl"]


def test_apologies_from_a_partner_nobody_needs_are_recorded_without_a_notice(tmp_path: Path) -> None:
    s = morning(tmp_path)
    before = len(sent(s))
    ingest(s, at(23, "10:40"), mail(HIDVA, "Apologies, we cannot attend today", "h1"))
    assert to(s, CHAIR, before) == []
    [ack] = to(s, HIDVA, before)
    assert "recorded for today's 12:00 call" in text(ack)


def test_the_referrer_withdraws_a_case_and_partners_needed_only_for_it_stand_down(tmp_path: Path) -> None:
    s = morning(tmp_path)
    before = len(sent(s))
    ingest(s, at(23, "10:50"), mail(POLICE, "Withdraw HR-2026-0001: family moved out of the borough", "p2"))
    [ack] = to(s, POLICE, before)
    assert str(ack["Subject"]).endswith("Police: may now stand down")
    assert text(ack).split("\n\n")[0].startswith("Police: you may now stand down")
    assert "Withdrew HR-2026-0001 from today's 12:00 call: family moved out of the borough" in text(ack)
    [stand_down] = to(s, CNWL, before)
    assert str(stand_down["Subject"]) == "OFFICIAL-SENSITIVE: Stand down - CNWL - Mon 23 Nov: HR-2026-0001 withdrawn"
    with s.store.transaction() as tx:
        assert tx.cases.day_view("daily", at(23, "10:50").date()).cases == ()
        audit = [e["action"] for e in tx.audit.log("HR-2026-0001")]
    assert "case withdrawn" in audit
    s.clock.set(at(23, "11:30"))  # type: ignore[attr-defined]
    s.due()
    [attendance] = [m for m in to(s, CNWL) if " - Attendance list " in str(m["Subject"])]
    assert "HR-2026-0001" not in text(attendance).split("How to reply")[0]


def test_only_the_referrer_or_a_coordinator_may_withdraw_and_a_person_is_told(tmp_path: Path) -> None:
    s = morning(tmp_path)
    before = len(sent(s))
    ingest(s, at(23, "10:50"), mail(CNWL, "Withdraw HR-2026-0001: not ours to discuss", "c2"))
    [ack] = to(s, CNWL, before)
    assert "only the referrer (Metropolitan Police) or a coordinator may withdraw HR-2026-0001" in text(ack)
    [notice] = to(s, CHAIR, before)
    assert "withdrawal of HR-2026-0001 needs a person" in str(notice["Subject"])
    with s.store.transaction() as tx:
        assert [c.reference for c in tx.cases.day_view("daily", at(23, "10:50").date()).cases] == ["HR-2026-0001"]
    assert dispositions(s)[-1][1] == "clarify"


def test_a_withdrawal_after_the_cutoff_goes_to_a_person(tmp_path: Path) -> None:
    s = morning(tmp_path)
    before = len(sent(s))
    ingest(s, at(23, "11:40"), mail(POLICE, "Withdraw HR-2026-0001: family moved", "p3"))
    assert "withdrawals close at the cut-off" in text(to(s, POLICE, before)[0])
    assert len(to(s, CHAIR, before)) == 1
    with s.store.transaction() as tx:
        assert [c.reference for c in tx.cases.day_view("daily", at(23, "10:50").date()).cases] == ["HR-2026-0001"]


def test_a_prose_referral_reaches_the_coordinators_and_its_sender_is_told(tmp_path: Path) -> None:
    s = morning(tmp_path)
    before = len(sent(s))
    body = ("Hi all,\n\nCould we please add a new case today: G.L., 84, bruising on both arms, lives "
            "alone with her son. We'd need ASC and Police.\n\nKind regards\nJane Smith\nDS 4411")
    ingest(s, at(23, "10:45"), mail(POLICE, body, "p4"))
    [forward] = to(s, CHAIR, before)
    assert "G.L., 84, bruising on both arms" in text(forward)
    assert "Case: T.W." not in text(forward)  # only what the sender newly wrote
    [ack] = to(s, POLICE, before)
    assert "passed to the coordinators: a person will read it" in text(ack)
    with s.store.transaction() as tx:
        assert tx.cases.next_number("daily", 2026) == 2  # nothing guessed
    assert dispositions(s)[-1] == ("p4", "to-coordinator", 0)


def test_courtesy_gets_no_answer(tmp_path: Path) -> None:
    s = morning(tmp_path)
    before = len(sent(s))
    ingest(s, at(23, "10:45"), mail(CNWL, "Thanks, nothing further from us today.\n\nKind regards\n"
                                          "Sam Jones\nSafeguarding Lead", "c3"))
    assert sent(s)[before:] == []
    assert dispositions(s)[-1] == ("c3", "courtesy", 0)


def test_a_partner_told_to_stand_down_who_refers_a_case_is_told_it_is_now_required(tmp_path: Path) -> None:
    s = morning(tmp_path)
    before = len(sent(s))
    subject = "RE: Case call Mon 23 Nov 2026: 1 case, 2 partners required - HIDVA: may stand down"
    ingest(s, at(23, "10:20"), mail(HIDVA, "Case: R.P. - threats from ex-partner", "h2", subject))
    [ack] = to(s, HIDVA, before)
    assert str(ack["Subject"]) == ("RE: OFFICIAL-SENSITIVE: Case call Mon 23 Nov 2026: 1 case, 2 partners required - "
                                   "HIDVA: now REQUIRED at 12:00")
    assert text(ack).splitlines()[0] == ("HIDVA: you are now REQUIRED at 12:00 on Monday 23 November 2026 "
                                          "(HR-2026-0002).")
    # HIDVA's domain is not on the secure list: its own words are not echoed back.
    assert "R.P." not in text(ack) and "ex-partner" not in text(ack)


def test_the_chair_email_sent_twice_changes_nothing_and_sends_nothing(tmp_path: Path) -> None:
    s = morning(tmp_path)
    plan = ("Decision HR-2026-0001: accepted\n"
            "Action: HR-2026-0001 | mash@met.police.example | 27/11/2026 | Visit and assess risk")
    assert ingest(s, at(23, "13:30"), mail(CHAIR, plan, "chair1", "Minutes")) is Outcome.APPLIED
    before = len(sent(s))
    assert ingest(s, at(23, "13:45"), mail(CHAIR, plan, "chair2", "Minutes")) is Outcome.IGNORED
    assert sent(s)[before:] == []
    with s.store.transaction() as tx:
        decided = tx.conn.exec_driver_sql("select count(*) from decisions").scalar()
        actions = tx.conn.exec_driver_sql("select count(*) from actions").scalar()
    assert (decided, actions) == (1, 1)
    assert dispositions(s)[-1] == ("chair2", "ignored", 0)


def test_a_chair_correction_does_not_record_the_same_decision_again(tmp_path: Path) -> None:
    s = morning(tmp_path)
    ingest(s, at(23, "13:30"), mail(CHAIR, "Decision HR-2026-0001: accepted", "chair1", "Minutes"))
    ingest(s, at(23, "13:40"), mail(CHAIR, "Decision HR-2026-0001: accepted\nAction: HR-2026-0001 | "
                                           "mash@met.police.example | 27/11/2026 | Visit", "chair2", "Minutes"))
    with s.store.transaction() as tx:
        assert tx.conn.exec_driver_sql("select count(*) from decisions").scalar() == 1


def test_done_for_a_list_of_actions_closes_each(tmp_path: Path) -> None:
    s = morning(tmp_path)
    plan = ("Action: HR-2026-0001 | mash@met.police.example | 27/11/2026 | Visit\n"
            "Action: HR-2026-0001 | mash@met.police.example | 27/11/2026 | Check records")
    ingest(s, at(23, "13:30"), mail(CHAIR, plan, "chair1", "Minutes"))
    before = len(sent(s))
    ingest(s, at(24, "09:00"), mail(POLICE, "Done: A-1, A-2", "p5"))
    with s.store.transaction() as tx:
        assert [a.status for a in tx.actions.find("daily")] == ["done", "done"]
    assert "A-2 (HR-2026-0001): marked done" in text(to(s, POLICE, before)[0])


def test_an_unreadable_instruction_is_asked_about_and_changes_nothing(tmp_path: Path) -> None:
    s = morning(tmp_path)
    before = len(sent(s))
    ingest(s, at(23, "10:30"), mail(CHAIR, "Action: HR-2026-0001 | mash@met.police.example | Visit", "a1"))
    [ack] = to(s, CHAIR, before)
    assert "an action needs four parts" in text(ack)
    with s.store.transaction() as tx:
        assert tx.actions.find("daily") == []
    assert dispositions(s)[-1][1] == "clarify"
