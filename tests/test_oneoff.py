"""One-off sittings for one case, called by email: the invitations at each partner's content
level, the coordinators told, exactly once, replies routed by the thread, and the chair's plan
after the sitting reaching the partners it invited. Real SQLite and PostgreSQL, nothing sent."""

from __future__ import annotations

import email
from datetime import date
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import text

from mailbot.core.commands import is_command_line
from mailbot.errors import MailbotError
from mailbot.services import Outcome, Services
from tests.test_routing import CNWL, HIDVA, POLICE, case_call_id, sql, two_meetings
from tests.test_routing import email as mail
from tests.test_services import at, make

pytestmark = pytest.mark.usefixtures("database")

CHAIR = "adultmash@hillingdon.example"  # ASC, the daily call's coordinator
CALL = "Meeting HR-2026-0001: professionals' meeting 28/11/2026 10:00 - CNWL, HIDVA"


def rows(s: Services, query: str, like: str) -> list[tuple[object, ...]]:
    """``query`` with its ``:like`` bound (a literal % is read as a placeholder by psycopg)."""
    with s.store.transaction() as tx:
        return [tuple(r) for r in tx.conn.execute(text(query), {"like": like}).fetchall()]


def texts(s: Services, like: str) -> dict[str, str]:
    """The text part of each queued email whose key is like ``like``, by key."""
    out = {}
    for key, raw in rows(s, "select key, raw from outbox join outbox_raw using (key) where key like :like order by id", like):
        msg = email.message_from_bytes(bytes(raw), policy=policy.default)  # type: ignore[arg-type]
        part = msg.get_body(("plain",))
        assert part is not None
        calendar = [p.get_content() for p in msg.walk() if p.get_content_type() == "text/calendar"]
        out[str(key)] = part.get_content() + "".join(str(c) for c in calendar)
    return out


def with_case(tmp_path: Path) -> Services:
    """Monday 23 November 09:00: Police has referred R.K. (HR-2026-0001)."""
    s = make(tmp_path, at(23, "09:00"))
    assert s.ingest(mail(POLICE, "Case: R.K. - missing from the care home\nPartners: CNWL", "<c1@police>")) \
        is Outcome.APPLIED
    return s


def test_the_invited_partners_get_the_invitation_at_their_own_content_level(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    assert s.ingest(mail(POLICE, CALL, "<m1@police>")) is Outcome.APPLIED
    invites = texts(s, "oneoff:%")
    stamp = "oneoff:daily:HR-2026-0001:20261128:1000"
    assert sorted(invites) == [f"{stamp}:cnwl", f"{stamp}:hidva"]  # exactly those invited
    full, reference = invites[f"{stamp}:cnwl"], invites[f"{stamp}:hidva"]
    assert "missing from the care home" in full and "R.K." in full
    assert "care home" not in reference and "R.K." not in reference  # hidva.example gets references only
    for body in (full, reference):
        assert "professionals' meeting about HR-2026-0001, on Saturday 28 November at 10:00" in body
        assert "METHOD:REQUEST" in body and "https://teams.microsoft.example/" in body
        assert not [line for line in body.splitlines() if is_command_line(line)]  # a quoted copy reads as nothing
    assert "UID:oneoff-daily-HR-2026-0001-20261128-1000-hidva@" in reference
    subjects = dict(rows(s, "select key, subject from outbox where key like :like", "oneoff:%"))
    assert subjects[f"{stamp}:cnwl"].endswith("Professionals' meeting HR-2026-0001 - Sat 28 Nov 10:00 - CNWL")
    [(to,)] = rows(s, "select recipients from outbox where key like :like", "notice:oneoff:%")
    assert to == CHAIR  # the coordinators are told
    [answer] = texts(s, "ack:%:<m1@police>").values()  # the caller's answer says who was invited
    assert ("Called a professionals' meeting for HR-2026-0001 on Saturday 28 November 2026 at 10:00; "
            "invited: CNWL, HIDVA") in " ".join(answer.split())


def test_the_same_call_applied_twice_calls_the_meeting_once(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    raw = mail(POLICE, CALL, "<m1@police>")
    assert s.ingest(raw) is Outcome.APPLIED
    assert s.ingest(raw) is Outcome.DUPLICATE
    s.ingest(mail(CNWL, CALL, "<m2@cnwl>"))  # another member sends the same call
    assert sql(s, "select count(*) from sittings") == [(1,)]
    assert len(texts(s, "oneoff:%")) == 2
    assert len(texts(s, "notice:oneoff:%")) == 1


def test_a_call_for_an_unknown_case_or_a_time_gone_by_calls_nothing(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, "Meeting HR-2026-0099: 28/11/2026 10:00 - CNWL", "<m1@police>"))
    s.ingest(mail(POLICE, "Meeting HR-2026-0001: 23/11/2026 08:30 - CNWL", "<m2@police>"))
    assert sql(s, "select count(*) from sittings") == [(0,)]
    assert texts(s, "oneoff:%") == {} and texts(s, "notice:oneoff:%") == {}
    assert rows(s, "select disposition from inbound where message_key like :like order by id", "<m%") \
        == [("clarify",), ("clarify",)]


def test_a_reply_to_the_invitation_goes_to_the_case_s_meeting(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    s.ingest(mail(POLICE, "Case: T.W. - threats to a neighbour", "<c1@police>",
                  in_reply_to=case_call_id(s, "panel", "police")))
    s.ingest(mail(POLICE, "Meeting CCP-2026-0001: 28/11/2026 10:00 - CNWL", "<m1@police>"))
    [(invitation,)] = rows(s, "select message_id from outbox where key like :like",
                           "oneoff:panel:CCP-2026-0001:%:cnwl")
    # CNWL sits in both meetings: only the thread tells which one its apologies are for.
    assert s.ingest(mail(CNWL, "Apologies: on leave", "<a1@cnwl>", in_reply_to=str(invitation))) \
        is Outcome.APPLIED
    assert sql(s, "select meeting, partner from apologies") == [("panel", "cnwl")]


def test_the_chair_s_actions_after_a_sitting_are_filed_on_its_day_and_reach_its_guests(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    s.clock.set(at(28, "11:00"))  # type: ignore[attr-defined]
    s.ingest(mail(CHAIR, "Action: HR-2026-0001 | cnwl.highrisk@cnwl.example | 30/11/2026 | welfare visit",
                  "<x1@asc>"))
    with s.store.transaction() as tx:
        assert [a.text for a in tx.actions.of_day("daily", date(2026, 11, 28))] == ["welfare visit"]
    assert s.send_summary(date(2026, 11, 28)) > 0
    plans = {str(k).rsplit(":", 1)[1] for (k,) in rows(s, "select key from outbox where key like :like",
                                                         "summary:%")}
    assert {"hidva", "cnwl", "asc"} <= plans  # HIDVA owns nothing but was invited


def test_the_minutes_of_a_sitting_typed_at_the_terminal_are_filed_on_its_day(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    line = "Action: HR-2026-0001 | cnwl.highrisk@cnwl.example | 30/11/2026 | welfare visit"
    s.clock.set(at(28, "09:30"))  # type: ignore[attr-defined]
    with pytest.raises(MailbotError, match="no meeting on Saturday 28 November 2026"):
        s.desk.minutes(line, "cli:jsmith", held=date(2026, 11, 28))  # not started yet
    s.clock.set(at(28, "11:00"))  # type: ignore[attr-defined]
    filed = s.desk.minutes(line, "cli:jsmith", held=date(2026, 11, 28))
    assert filed.applied and filed.meeting_day == date(2026, 11, 28)
    assert any(to == "referrals@hidva.example" for to, _ in filed.emails)  # the plan reaches the guests


def test_only_a_member_of_the_case_s_meeting_may_call_one(tmp_path: Path) -> None:
    s = two_meetings(tmp_path)
    s.due()
    s.ingest(mail(POLICE, "Case: T.W. - threats to a neighbour", "<c1@police>",
                  in_reply_to=case_call_id(s, "panel", "police")))
    s.ingest(mail(HIDVA, "Meeting CCP-2026-0001: 28/11/2026 10:00 - CNWL", "<m1@hidva>"))  # daily call only
    assert sql(s, "select count(*) from sittings") == [(0,)]
    [answer] = texts(s, "ack:%:<m1@hidva>").values()
    assert "only a member of the Complex Case Panel may call a meeting for CCP-2026-0001" in " ".join(answer.split())
