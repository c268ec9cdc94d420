"""Email from outside the partnership, on a real SQLite database: one useful answer a day to
the sender, and what they wrote put before the coordinators."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.services import Outcome, Services
from tests.test_services import at, make, outbox, reply

pytestmark = pytest.mark.usefixtures("database")
NEIGHBOUR = "worried.neighbour@mail.example"
QUOTING = ("My neighbour J.J. shouts at his children every night. Please can someone help.\n\n"
           "On Mon, 23 Nov 2026 at 10:00, Hillingdon High Risk Case Discussion "
           "<highrisk-bot@hillingdon.example> wrote:\n"
           "> Case call for Monday 23 November 2026\n"
           "> HR-2026-0001  T.W.  threats to neighbour with a knife\n")


def sent(s: Services, key_start: str) -> list[EmailMessage]:
    with s.store.transaction() as tx:
        rows = tx.conn.exec_driver_sql("select key, raw from outbox join outbox_raw using (key) order by id").fetchall()
    out = []
    for key, raw in rows:
        if key.startswith(key_start):
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            out.append(msg)
    return out


def text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_a_member_of_the_public_gets_the_numbers_to_call_and_no_partner_footers(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    assert s.ingest(reply(NEIGHBOUR, QUOTING, "<w1@mail.example>")) is Outcome.REJECTED
    [answer] = sent(s, "error:")
    assert str(answer["To"]) == NEIGHBOUR
    body = text(answer)
    assert "has not been read by anyone" in body
    assert "If someone is in immediate danger call 999" in body and "01895 556633" in body
    assert "Case details are not sent" not in body and "OFFICIAL-SENSITIVE" not in body
    assert "T.W." not in body  # nothing of any case, whatever they quoted


def test_the_coordinators_read_what_was_newly_written_and_never_the_quoted_case_call(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    s.ingest(reply(NEIGHBOUR, QUOTING, "<w1@mail.example>"))
    [notice] = sent(s, "notice:unknown-sender:")
    assert str(notice["To"]) == "adultmash@hillingdon.example"
    body = text(notice)
    assert "  | My neighbour J.J. shouts at his children every night. Please can someone help." in body
    assert "T.W." not in body and "threats to neighbour" not in body and "Case call for" not in body
    assert "They were told it was not read" in body


def test_a_second_email_the_same_day_reaches_the_coordinators_but_is_not_answered(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    s.ingest(reply(NEIGHBOUR, "My neighbour J.J. shouts every night.", "<w1@mail.example>"))
    s.ingest(reply(NEIGHBOUR, "Now I heard glass breaking at number 4.", "<w2@mail.example>"))
    assert len(sent(s, "error:")) == 1
    notices = [text(m) for m in sent(s, "notice:unknown-sender:")]
    assert len(notices) == 2
    assert "glass breaking at number 4" in notices[1]
    assert "They were not answered again: an address gets one answer a day." in notices[1]
    assert [k for k, _ in outbox(s)][-1] == f"notice:unknown-sender:2026-11-23:{NEIGHBOUR}:2"
