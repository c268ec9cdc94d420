"""A one-off sitting already called: more partners invited to it (by a second Meeting line, or
by a Partners line in its invitation's thread), apologies sent in that thread recorded for it.
Each exactly once. Real SQLite and PostgreSQL, nothing sent."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mailbot.services import Outcome, Services
from tests.test_oneoff import CALL, CHAIR, rows, texts, with_case
from tests.test_routing import CNWL, POLICE, sql
from tests.test_routing import email as mail
from tests.test_services import at

pytestmark = pytest.mark.usefixtures("database")

STAMP = "oneoff:daily:HR-2026-0001:20261128:1000"


def invitation(s: Services, partner: str) -> str:
    [(mid,)] = rows(s, "select message_id from outbox where key like :like", f"{STAMP}:{partner}")
    return str(mid)


def answer(s: Services, mid: str) -> str:
    [text] = texts(s, f"ack:%:{mid}").values()
    return " ".join(text.split())


def test_a_second_meeting_line_invites_only_the_partners_not_yet_invited(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    assert s.ingest(mail(POLICE, CALL, "<m1@police>")) is Outcome.APPLIED
    more = "Meeting HR-2026-0001: professionals' meeting 28/11/2026 10:00 - CNWL, SPA"
    assert s.ingest(mail(POLICE, more, "<m2@police>")) is Outcome.APPLIED
    assert sorted(texts(s, "oneoff:%")) == [f"{STAMP}:cnwl", f"{STAMP}:hidva", f"{STAMP}:spa"]
    assert "Invited: CNWL, SPA, HIDVA." in " ".join(texts(s, f"{STAMP}:spa")[f"{STAMP}:spa"].split())
    assert "Invited SPA to the professionals' meeting for HR-2026-0001 on Saturday 28 November 2026 at " \
           "10:00; already invited: CNWL" in answer(s, "<m2@police>")
    notices = texts(s, "notice:oneoff:%")
    assert len(notices) == 2  # the call, then the one partner added
    assert "invited SPA to the professionals' meeting" in " ".join(notices[f"notice:{STAMP}:added:spa"].split())
    assert sql(s, "select partners from sittings") == [("cnwl,hidva,spa",)]
    # The same line again, from another member: nothing more to invite, nothing sent.
    assert s.ingest(mail(CNWL, more, "<m3@cnwl>")) is Outcome.APPLIED
    assert "was already called; nothing new was sent (CNWL, SPA already invited)" in answer(s, "<m3@cnwl>")
    assert len(texts(s, "oneoff:%")) == 3 and len(texts(s, "notice:oneoff:%")) == 2


def test_a_partners_line_in_the_invitation_s_thread_invites_to_the_sitting(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    raw = mail(CNWL, "Partners for HR-2026-0001: SPA", "<p1@cnwl>", in_reply_to=invitation(s, "cnwl"))
    assert s.ingest(raw) is Outcome.APPLIED
    assert s.ingest(raw) is Outcome.DUPLICATE  # the same email twice adds nothing twice
    assert f"{STAMP}:spa" in texts(s, "oneoff:%")
    assert sql(s, "select partners from sittings") == [("cnwl,hidva,spa",)]
    # Not the regular day's case call: the case still requires there what it did.
    with s.store.transaction() as tx:
        [case] = tx.cases.by_reference("daily", ["HR-2026-0001"]).values()
    assert case.partners == ("police", "cnwl")
    assert "Invited SPA to the professionals' meeting for HR-2026-0001" in answer(s, "<p1@cnwl>")
    assert len(texts(s, "notice:oneoff:%")) == 2


def test_outside_the_thread_a_partners_line_is_for_the_case_call(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    s.ingest(mail(CNWL, "Partners for HR-2026-0001: SPA", "<p1@cnwl>"))
    assert sql(s, "select partners from sittings") == [("cnwl,hidva",)]
    with s.store.transaction() as tx:
        [case] = tx.cases.by_reference("daily", ["HR-2026-0001"]).values()
    assert case.partners == ("police", "cnwl", "spa")


def test_a_sitting_s_day_is_unchanged_by_more_partners(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    s.ingest(mail(POLICE, "Meeting HR-2026-0001: professionals' meeting 28/11/2026 10:00 - SPA", "<m2@police>"))
    with s.store.transaction() as tx:
        [sitting] = tx.sittings.on("daily", date(2026, 11, 28))
    assert sitting.partners == ("cnwl", "hidva", "spa") and sitting.called_by == POLICE


def test_apologies_in_the_invitation_s_thread_are_for_the_sitting(tmp_path: Path) -> None:
    s = with_case(tmp_path)
    s.ingest(mail(POLICE, CALL, "<m1@police>"))
    raw = mail(CNWL, "Apologies: in court", "<a1@cnwl>", in_reply_to=invitation(s, "cnwl"))
    assert s.ingest(raw) is Outcome.APPLIED
    assert s.ingest(raw) is Outcome.DUPLICATE
    # Keyed by the sitting's day and case, not by the regular call of Monday 23 November.
    assert [(str(day), *rest) for day, *rest in sql(s, "select day, partner, reference, reason from apologies")] \
        == [("2026-11-28", "cnwl", "HR-2026-0001", "in court")]
    assert "Apologies from CNWL recorded for the professionals' meeting for HR-2026-0001 on Saturday " \
           "28 November 2026 at 10:00: in court" in answer(s, "<a1@cnwl>")
    [told] = texts(s, "forward:%").values()  # CNWL was invited: the coordinators can arrange cover
    assert "apologies from CNWL for the professionals' meeting for HR-2026-0001" in " ".join(told.split())
    # The action plan after the sitting shows them.
    s.clock.set(at(28, "11:00"))  # type: ignore[attr-defined]
    s.ingest(mail(CHAIR, "Action: HR-2026-0001 | referrals@hidva.example | 30/11/2026 | safety plan", "<x1@asc>"))
    s.send_summary(date(2026, 11, 28))
    plan = next(iter(texts(s, "summary:daily:2026-11-28:%:asc").values()))
    assert "CNWL for HR-2026-0001" in plan
