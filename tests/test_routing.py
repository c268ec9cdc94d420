"""Replies routed to their meeting when one mailbox serves two, on a real SQLite database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mailbot import config
from mailbot.services import Outcome, Services
from tests.conftest import EXAMPLE_CONFIG
from tests.rig.received import arrived
from tests.test_services import at, make

POLICE = "mash@met.police.example"  # a member of both meetings
CNWL = "cnwl.highrisk@cnwl.example"  # a member of both meetings
HIDVA = "referrals@hidva.example"  # a member of the daily call only


def two_meetings(tmp_path: Path) -> Services:
    base = config.load(EXAMPLE_CONFIG)
    panel = replace(base.meeting, id="panel", name="Complex Case Panel", reference_prefix="CCP",
                    members=("police", "cnwl"), coordinators=("police",))
    return make(tmp_path, at(23, "10:00"), settings=replace(base, meetings=(base.meeting, panel)))


def email(sender: str, body: str, mid: str, *, subject: str = "Re: your email", in_reply_to: str = "") -> bytes:
    thread = f"In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n" if in_reply_to else ""
    return arrived(f"From: {sender}\r\nTo: highrisk-bot@hillingdon.example\r\nSubject: {subject}\r\n"
                   f"Message-ID: {mid}\r\n{thread}\r\n{body}\r\n".encode())


def sql(s: Services, query: str) -> list[tuple[object, ...]]:
    with s.store.transaction() as tx:
        return [tuple(r) for r in tx.conn.exec_driver_sql(query).fetchall()]


def case_call_id(s: Services, meeting: str, partner: str) -> str:
    [(mid,)] = sql(s, f"select message_id from outbox where key = 'case-call:{meeting}:2026-11-23:{partner}'")
    return str(mid)


def test_the_outbox_tells_which_meeting_a_thread_belongs_to(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    panel, daily = case_call_id(s, "panel", "police"), case_call_id(s, "daily", "police")
    with s.store.transaction() as tx:
        assert tx.outbox.meeting_of_thread(["<unknown@x>", panel]) == "panel"
        assert tx.outbox.meeting_of_thread([daily, panel]) == "daily"  # the first known wins
        assert tx.outbox.meeting_of_thread(["<unknown@x>", ""]) is None


def test_a_member_of_two_meetings_replying_to_each_meetings_email_lands_in_each(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    for n, meeting in enumerate(("panel", "daily")):
        raw = email(POLICE, "Apologies: in court all day", f"<a{n}@police>",
                    in_reply_to=case_call_id(s, meeting, "police"))
        assert s.ingest(raw) is Outcome.APPLIED
    # The same words to each meeting are two instructions, not one sent twice.
    assert sorted(sql(s, "select meeting, partner from apologies")) == [("daily", "police"), ("panel", "police")]
    # Each answer belongs to the meeting it answers, so a reply to it goes there too.
    assert sorted(sql(s, "select meeting from outbox where key like 'ack:%'")) == [("daily",), ("panel",)]


def test_a_case_reference_routes_an_email_outside_any_thread(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    s.ingest(email(POLICE, "Case: T.W. - threats to a neighbour", "<c1@police>",
                   in_reply_to=case_call_id(s, "panel", "police")))
    assert sql(s, "select meeting, reference from cases") == [("panel", "CCP-2026-0001")]
    s.ingest(email(POLICE, "Withdraw CCP-2026-0001: the family moved away", "<w1@police>"))
    assert sql(s, "select status from inbound where message_key = '<w1@police>'") == [("applied",)]
    assert sql(s, "select withdrawn from agenda") == [("the family moved away",)]


def test_the_subject_or_the_only_meeting_decides_when_nothing_else_does(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.ingest(email(CNWL, "Apologies: short staffed", "<s1@cnwl>", subject="Complex Case Panel apologies"))
    s.ingest(email(HIDVA, "Apologies: short staffed", "<s2@hidva>"))
    assert sorted(sql(s, "select meeting, partner from apologies")) == [("daily", "hidva"), ("panel", "cnwl")]


def test_a_member_of_two_meetings_naming_neither_is_asked_which_and_nothing_is_applied(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    assert s.ingest(email(POLICE, "Case: T.W. - threats to a neighbour", "<q1@police>")) is Outcome.APPLIED
    assert sql(s, "select count(*) from cases") == [(0,)]
    assert sql(s, "select disposition from inbound") == [("clarify",)]
    [(key, meeting, raw)] = sql(s, "select key, meeting, raw from outbox join outbox_raw using (key)")
    assert str(key).startswith("ack:") and meeting is None  # the question is no meeting's
    text = bytes(raw).decode().replace("=\r\n", "")  # type: ignore[arg-type]
    assert "Hillingdon Multi-Agency High Risk Case Discussion, Complex Case Panel" in text
    assert "reply to that meeting's own email" in text
    # Thanks need no meeting, and no question.
    s.ingest(email(POLICE, "Many thanks", "<q2@police>"))
    assert len(sql(s, "select key from outbox")) == 1


def test_the_status_answer_and_the_digest_name_their_meeting(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    status = arrived(f"From: {POLICE}\r\nTo: highrisk-bot@hillingdon.example\r\nSubject: status\r\n"
                     f"Message-ID: <st@police>\r\nIn-Reply-To: {case_call_id(s, 'panel', 'police')}\r\n"
                     "\r\n\r\n".encode())
    assert s.ingest(status) is Outcome.APPLIED
    [(raw,)] = sql(s, "select raw from outbox join outbox_raw using (key) where key like 'ack:%'")
    text = bytes(raw).decode().replace("=\r\n", "")  # type: ignore[arg-type]
    assert "Complex Case Panel\r\nYour status for Monday 23 November: you may stand down" in text
    # An overdue action of the panel: its digest says whose it is.
    s.ingest(email(POLICE, "Case: T.W. - threats", "<c@police>", in_reply_to=case_call_id(s, "panel", "police")))
    assert s.by_hand("Action: CCP-2026-0001 | mash@met.police.example | 24/11/2026 | visit", "cli:chair").done
    panel = s.room("panel").settings
    s.clock.set(at(26, "16:00"))  # type: ignore[attr-defined]
    assert any(line.startswith("digest") for line in s.follow_up(panel, at(26, "16:00")))
    [(digest,)] = sql(s, "select raw from outbox join outbox_raw using (key) where key like 'digest:panel:%'")
    assert "Complex Case Panel\r\nOverdue actions on" in bytes(digest).decode()  # type: ignore[arg-type]


def test_a_report_on_an_action_goes_to_the_meeting_of_its_case(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    s.ingest(email(POLICE, "Case: T.W. - threats", "<c@police>", in_reply_to=case_call_id(s, "panel", "police")))
    assert s.by_hand("Action: CCP-2026-0001 | cnwl.highrisk@cnwl.example | 30/11/2026 | visit", "cli:chair").done
    # CNWL sits in both meetings; its fresh email names only the action.
    assert s.ingest(email(CNWL, "Done: A-1", "<d@cnwl>")) is Outcome.APPLIED
    assert sql(s, "select status from actions") == [("done",)]
    assert sql(s, "select disposition from inbound where message_key = '<d@cnwl>'") == [("applied",)]


def test_a_forged_reply_in_the_panels_thread_is_told_to_the_panels_coordinators(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    forged = arrived(f"From: {CNWL}\r\nTo: highrisk-bot@hillingdon.example\r\nSubject: Re: agenda\r\n"
                     f"Message-ID: <f@evil>\r\nIn-Reply-To: {case_call_id(s, 'panel', 'cnwl')}\r\n\r\n"
                     "Withdraw CCP-2026-0001: no longer needed\r\n".encode(), envelope_from="x@evil.example")
    assert s.ingest(forged) is Outcome.REJECTED
    assert sql(s, "select recipients from outbox where key like 'notice:spoofed:%'") == [(POLICE,)]


def test_a_stranger_writing_about_a_panel_case_is_shown_to_the_panels_coordinators(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    raw = email("worried.neighbour@gmail.example", "About CCP-2026-0003: he is back at the flat",
                "<n@gmail>", subject="Concern")
    assert s.ingest(raw) is Outcome.REJECTED
    # The panel's coordinators have it, and the stranger is pointed to them, not to the daily call's.
    assert sql(s, "select recipients from outbox where key like 'notice:unknown-sender:%'") == [(POLICE,)]
    [(body,)] = sql(s, "select raw from outbox join outbox_raw using (key) where key like 'error:%unknown-sender'")
    assert POLICE in str(body)


def test_a_bounce_of_a_panel_email_is_told_to_the_panels_coordinators(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    bounce = arrived(
        "From: MAILER-DAEMON@hillingdon.example\r\nTo: highrisk-bot@hillingdon.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b@mx>\r\n"
        f"In-Reply-To: {case_call_id(s, 'panel', 'cnwl')}\r\nAuto-Submitted: auto-replied\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        f"Final-Recipient: rfc822; {CNWL}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--B--\r\n".encode(),
        envelope_from="")
    assert s.ingest(bounce) is Outcome.IGNORED
    assert sql(s, "select recipients from outbox where key like 'notice:bounced:%'") == [(POLICE,)]


def test_each_meetings_reply_help_shows_references_that_meeting_reads(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    [(panel_call,)] = sql(s, "select raw from outbox join outbox_raw using (key) where key = 'case-call:panel:2026-11-23:police'")
    [(daily_call,)] = sql(s, "select raw from outbox join outbox_raw using (key) where key = 'case-call:daily:2026-11-23:police'")
    # A panel member copying the example must not write a reference the panel reads as another's.
    assert b"Partners for CCP-2026-0041" in bytes(panel_call) and b"HR-2026-0041" not in bytes(panel_call)
    assert b"Partners for HR-2026-0041" in bytes(daily_call)
