"""Cancelling a one-off sitting by email: by the agency that called it or a coordinator, each
partner invited told with the calendar entry cancelled, an invitation still unsent stopped,
exactly once; asked, not guessed, when the case has two to come. Real SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from mailbot.core.commands import is_command_line
from mailbot.services import Outcome, Services
from tests.test_oneoff import CALL, CHAIR, rows, texts, with_case
from tests.test_routing import CNWL, POLICE, sql
from tests.test_routing import email as mail

pytestmark = pytest.mark.usefixtures("database")

STAMP = "daily:HR-2026-0001:20261128:1000"
CANCEL = "Cancel meeting HR-2026-0001: the family have moved away"


def answer(s: Services, mid: str) -> str:
    [body] = texts(s, f"ack:%:{mid}").values()
    return " ".join(body.split())


def sent(s: Services, like: str) -> None:
    """The emails whose key is like ``like`` have gone (nothing is sent in these tests)."""
    with s.store.transaction() as tx:
        tx.conn.execute(text("update outbox set status = 'sent' where key like :like"), {"like": like})


def statuses(s: Services, like: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in rows(s, "select key, status from outbox where key like :like", like)}


def ical(body: str, name: str) -> str:
    found = re.search(rf"^{name}:(.*)$", body, re.MULTILINE)
    assert found is not None
    return found[1].strip()


def test_the_caller_cancels_and_each_partner_invited_is_told_once(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    sent(s, f"oneoff:{STAMP}:cnwl")  # CNWL's invitation went; HIDVA's still waits
    raw = mail(POLICE, CANCEL, "<k1@police>")
    assert s.ingest(raw) is Outcome.APPLIED
    assert s.ingest(raw) is Outcome.DUPLICATE
    assert sql(s, "select status from sittings") == [("cancelled",)]
    # HIDVA's invitation will not go, and HIDVA is not told of a meeting it never heard of.
    assert statuses(s, f"oneoff:{STAMP}:%") == {f"oneoff:{STAMP}:cnwl": "sent", f"oneoff:{STAMP}:hidva": "cancelled"}
    [(key, body)] = texts(s, "oneoff-cancel:%").items()
    assert key == f"oneoff-cancel:{STAMP}:cnwl"
    assert "METHOD:CANCEL" in body and "STATUS:CANCELLED" in body and "the family have moved away" in body
    invite = texts(s, f"oneoff:{STAMP}:cnwl")[f"oneoff:{STAMP}:cnwl"]
    assert ical(body, "UID") == ical(invite, "UID")  # the same calendar entry ...
    assert int(ical(body, "SEQUENCE")) > int(ical(invite, "SEQUENCE"))  # ... replaced by the cancellation
    [notice] = texts(s, "notice:oneoff-cancel:%").values()
    assert "Told it is cancelled: CNWL." in notice and "stopped: the invitation to HIDVA" in notice
    assert "Cancelled the professionals' meeting for HR-2026-0001 on Saturday 28 November 2026 at 10:00; " \
           "told: CNWL" in answer(s, "<k1@police>")
    # Another email saying the same: nothing is cancelled or sent again.
    s.ingest(mail(CHAIR, CANCEL, "<k2@asc>"))
    assert len(texts(s, "oneoff-cancel:%")) == 1 and len(texts(s, "notice:oneoff-cancel:%")) == 1
    assert "HR-2026-0001 has no one-off meeting to come; nothing was cancelled" in answer(s, "<k2@asc>")


def test_another_member_is_told_who_may_cancel(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    s.ingest(mail(CNWL, CANCEL, "<k1@cnwl>"))
    assert sql(s, "select status from sittings") == [("called",)]
    assert texts(s, "oneoff-cancel:%") == {}
    assert rows(s, "select disposition from inbound where message_key = :like", "<k1@cnwl>") == [("clarify",)]
    assert "only Police, who called it, or a coordinator (ASC) may cancel the professionals' meeting for " \
           "HR-2026-0001; nothing was cancelled" in answer(s, "<k1@cnwl>")


def test_with_two_sittings_to_come_the_sender_is_asked_which(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    s.ingest(mail(POLICE, "Meeting HR-2026-0001: 01/12/2026 14:00 - CNWL", "<m2@police>"))
    s.ingest(mail(CHAIR, CANCEL, "<k1@asc>"))  # a coordinator may, but which one?
    assert sql(s, "select status from sittings order by day") == [("called",), ("called",)]
    assert "HR-2026-0001 has 2 one-off meetings to come (Saturday 28 November 2026 at 10:00; Tuesday 1 " \
           "December 2026 at 14:00): say which" in answer(s, "<k1@asc>")
    s.ingest(mail(CHAIR, "Cancel meeting HR-2026-0001 on 01/12/2026 14:00: merged with the other", "<k2@asc>"))
    assert [st for _, st in sql(s, "select day, status from sittings order by day")] == ["called", "cancelled"]


def test_a_cancelled_sitting_is_not_called_again_at_the_same_time(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    s.ingest(mail(POLICE, CANCEL, "<k1@police>"))
    s.ingest(mail(CNWL, CALL, "<m2@cnwl>"))
    assert "was cancelled; to meet again, call it at another time" in answer(s, "<m2@cnwl>")
    assert len(texts(s, "oneoff:%")) == 2  # no invitation again


def test_a_cancel_in_reply_to_an_invitation_is_for_that_sitting(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    s.ingest(mail(POLICE, "Meeting HR-2026-0001: 01/12/2026 14:00 - CNWL", "<m2@police>"))
    sent(s, "oneoff:%")
    [(invitation,)] = rows(s, "select message_id from outbox where key like :like", f"oneoff:{STAMP}:cnwl")
    s.ingest(mail(POLICE, CANCEL, "<k1@police>", in_reply_to=str(invitation)))  # which one: its thread says
    assert [st for _, st in sql(s, "select day, status from sittings order by day")] == ["cancelled", "called"]
    cancellations = texts(s, "oneoff-cancel:%")
    assert sorted(cancellations) == [f"oneoff-cancel:{STAMP}:cnwl", f"oneoff-cancel:{STAMP}:hidva"]
    # HIDVA's address gets case references only: not the canceller's words about the family.
    assert "moved away" not in cancellations[f"oneoff-cancel:{STAMP}:hidva"]
    assert "moved away" in cancellations[f"oneoff-cancel:{STAMP}:cnwl"]
    for body in cancellations.values():
        assert not [line for line in body.splitlines() if is_command_line(line)]  # a quoted copy reads as nothing


def test_partners_named_in_a_cancelled_sitting_s_thread_change_nothing(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    sent(s, "oneoff:%")
    [(invitation,)] = rows(s, "select message_id from outbox where key like :like", f"oneoff:{STAMP}:cnwl")
    s.ingest(mail(POLICE, CANCEL, "<k1@police>"))
    s.ingest(mail(CNWL, "Partners for HR-2026-0001: SPA", "<p1@cnwl>", in_reply_to=str(invitation)))
    assert "was cancelled; to meet again, call it at another time" in answer(s, "<p1@cnwl>")
    with s.store.transaction() as tx:
        [case] = tx.cases.by_reference("daily", ["HR-2026-0001"]).values()
    assert case.partners == ("police", "cnwl")  # nor was the case call changed
    s.ingest(mail(CNWL, "Apologies: in court", "<a1@cnwl>", in_reply_to=str(invitation)))
    assert "was cancelled: no apologies are needed" in answer(s, "<a1@cnwl>")
    assert sql(s, "select count(*) from apologies") == [(0,)]
