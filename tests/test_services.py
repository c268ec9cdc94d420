"""Use cases on a real SQLite database, with the clock injected and nothing sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from mailbot import config
from mailbot.adapters.clock import SettableClock
from mailbot.adapters.db import Store
from mailbot.adapters.templates import renderer
from mailbot.config import Settings
from mailbot.core.compose import Render
from mailbot.services import Outcome, Services
from tests.conftest import EXAMPLE_CONFIG
from tests.rig import database
from tests.rig.received import arrived

LONDON = ZoneInfo("Europe/London")


def at(day: int, hhmm: str, month: int = 11) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, month, day, h, m, tzinfo=LONDON)

pytestmark = pytest.mark.usefixtures("database")


def make(tmp_path: Path, start: datetime, render: Render | None = None,
         settings: Settings | None = None) -> Services:
    settings = settings or config.load(EXAMPLE_CONFIG)
    engine = database.engine(tmp_path)
    return Services(settings, Store(engine), SettableClock(start), render or renderer())


def outbox(services: Services) -> list[tuple[str, str]]:
    with services.store.transaction() as tx:
        rows = tx.conn.exec_driver_sql("select key, subject from outbox order by id").fetchall()
    return [(r[0], r[1]) for r in rows]


def reply(sender: str, body: str, mid: str = "<r1@partner.example>") -> bytes:
    """A reply as the bot's mailbox holds it: stamped by the receiving server."""
    return arrived(f"From: {sender}\r\nTo: highrisk-bot@hillingdon.example\r\nSubject: RE: Case call\r\n"
                   f"Message-ID: {mid}\r\n\r\n{body}\r\n".encode())


def test_started_at_ten_forty_sends_the_case_call_at_once_marked_late(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:40"))
    assert s.due() == ["case call 2026-11-23"]
    subjects = [subject for _, subject in outbox(s)]
    assert len(subjects) == 10 and all(" - LATE case call " in x for x in subjects)
    assert s.due() == []  # and never again


def test_started_after_the_cutoff_sends_no_stale_case_call_and_tells_coordinators(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "11:40"))
    done = s.due()
    assert done == ["case-call 2026-11-23 skipped", "attendance 2026-11-23"]
    keys = [k for k, _ in outbox(s)]
    assert not any(k.startswith("case-call:") for k in keys)
    assert "notice:missed:case-call:daily:2026-11-23" in keys
    assert sum(k.startswith("attendance:") for k in keys) == 10


def test_started_after_the_meeting_sends_neither(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "12:10"))
    s.due()
    keys = [k for k, _ in outbox(s)]
    assert [k for k in keys if not k.startswith("notice:")] == []
    assert keys == ["notice:missed:case-call:daily:2026-11-23"]  # one notice for both
    assert outbox(s)[0][1].endswith("2 scheduled emails not sent (2026-11-23)")


def test_a_week_with_a_bank_holiday_on_a_frozen_clock(tmp_path: Path) -> None:
    # Christmas week 2026: Friday 25 is Christmas Day, Monday 28 the Boxing Day holiday.
    s = make(tmp_path, at(21, "09:00", 12))
    for day in range(21, 30):
        for hhmm in ("09:59", "10:00", "10:01", "11:30", "11:31", "16:00"):
            s.clock.set(at(day, hhmm, 12))  # type: ignore[attr-defined]
            s.due()
    keys = [k for k, _ in outbox(s)]
    days = sorted({k.split(":")[2] for k in keys if k.startswith("case-call:")})
    assert days == ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-29"]
    assert sum(k.startswith("case-call:") for k in keys) == 50
    assert sum(k.startswith("attendance:") for k in keys) == 50


def test_an_email_that_breaks_the_bot_is_parked_and_can_be_retried(tmp_path: Path) -> None:
    working = renderer()

    def broken(name: str, context: Mapping[str, object]) -> str:
        if name.startswith("ack"):
            raise RuntimeError("template bug")
        return working(name, context)

    s = make(tmp_path, at(23, "09:00"), broken)
    raw = reply("mash@met.police.example", "Case: T.W. - threats")
    assert s.ingest(raw) is Outcome.FAILED
    with s.store.transaction() as tx:
        [failed] = tx.inbound.failed()
        assert tx.cases.next_number("daily", 2026) == 1  # nothing half-applied
    assert "template bug" in failed["error"]
    assert any(k.startswith("notice:failed:") for k, _ in outbox(s))
    assert s.ingest(raw) is Outcome.DUPLICATE  # kept: not read again by the mailbox loop
    s.render = working  # the template is mended (the stationery follows the renderer)
    assert s.retry(failed["id"]) is Outcome.APPLIED
    with s.store.transaction() as tx:
        assert tx.inbound.failed() == []
        statuses = tx.conn.exec_driver_sql("select status from inbound order by id").fetchall()
        assert [r[0] for r in statuses] == ["retried", "applied"]  # the failure stays on record
        assert [c.reference for c in tx.cases.on("daily", at(23, "09:00").date())] == ["HR-2026-0001"]


def test_the_same_reply_twice_is_applied_once(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "09:00"))
    raw = reply("mash@met.police.example", "Case: T.W. - threats")
    assert s.ingest(raw) is Outcome.APPLIED
    assert s.ingest(raw) is Outcome.DUPLICATE
    with s.store.transaction() as tx:
        assert tx.cases.next_number("daily", 2026) == 2
    assert [k for k, _ in outbox(s) if k.startswith("ack:")] != []
    assert len(outbox(s)) == 1


def test_errors_to_one_address_are_limited_to_one_a_day(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "09:00"))
    for n in range(5):
        assert s.ingest(reply("pest@elsewhere.example", "hello", f"<p{n}@x>")) is Outcome.REJECTED
    keys = [k for k, _ in outbox(s)]
    # One answer; the coordinators see the first three emails, the third saying it is the last.
    assert keys == ["error:2026-11-23:pest@elsewhere.example:unknown-sender",
                    *(f"notice:unknown-sender:2026-11-23:pest@elsewhere.example:{n}" for n in (1, 2, 3))]
    s.clock.set(at(24, "09:00"))  # type: ignore[attr-defined]
    assert s.ingest(reply("pest@elsewhere.example", "hello", "<p9@x>")) is Outcome.REJECTED
    assert len([k for k, _ in outbox(s) if k.startswith("error:2026-11-24:")]) == 1


def test_emails_left_sending_by_a_crash_go_back_to_the_queue(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:00"))
    s.due()
    with s.store.transaction() as tx:
        claimed = tx.outbox.due(s.clock.now(), limit=3)
        for row in claimed:
            tx.outbox.mark(row.id, status="sending")
    assert s.recover() == (0, 3)
    with s.store.transaction() as tx:
        assert tx.outbox.counts() == {"pending": 10}


def test_an_email_the_sent_folder_holds_is_not_sent_again_after_a_crash(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:00"))
    s.due()
    with s.store.transaction() as tx:
        claimed = tx.outbox.due(s.clock.now(), limit=3)
        for row in claimed:
            tx.outbox.mark(row.id, status="sending")
    asked: list[list[str]] = []

    def sent_folder(ids: list[str]) -> set[str]:
        asked.append(ids)
        return {claimed[0].message_id}

    assert s.recover(sent_folder) == (1, 2)
    assert asked == [[r.message_id for r in claimed]]
    with s.store.transaction() as tx:
        assert tx.outbox.counts() == {"sent": 1, "pending": 9}


def test_when_the_sent_folder_cannot_be_searched_the_email_goes_again(tmp_path: Path) -> None:
    from mailbot.errors import FetchError

    s = make(tmp_path, at(23, "10:00"))
    s.due()
    with s.store.transaction() as tx:
        [row] = tx.outbox.due(s.clock.now(), limit=1)
        tx.outbox.mark(row.id, status="sending")

    def unreachable(ids: list[str]) -> set[str]:
        raise FetchError("IMAP down")

    assert s.recover(unreachable) == (0, 1)  # twice is better than never
    with s.store.transaction() as tx:
        assert tx.outbox.counts() == {"pending": 10}


@pytest.mark.parametrize("when", ["11:45", "12:30"])
def test_a_status_request_answers_with_today_or_the_next_meeting(tmp_path: Path, when: str) -> None:
    s = make(tmp_path, at(23, when))
    raw = arrived(b"From: mash@met.police.example\r\nTo: highrisk-bot@hillingdon.example\r\n"
                  b"Subject: status\r\nMessage-ID: <st@x>\r\n\r\n\r\n")
    assert s.ingest(raw) is Outcome.APPLIED
    with s.store.transaction() as tx:
        [raw_ack] = [r[0] for r in tx.conn.exec_driver_sql("select raw from outbox join outbox_raw using (key)").fetchall()]
    # Before the meeting starts, today's status; after it, the next meeting day's.
    expected = "Monday 23 November" if when == "11:45" else "Tuesday 24 November"
    assert f"Your status for {expected}: you may stand down" in raw_ack.decode()


def test_an_email_the_reader_chokes_on_is_parked_whole_and_coordinators_told(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mailbot.services.inbound as services_module

    def broken(raw: bytes) -> object:
        raise RecursionError("a reader bug")

    s = make(tmp_path, at(23, "10:30"))
    raw = reply("mash@met.police.example", "Case: T.W. - threats")
    monkeypatch.setattr(services_module, "parse", broken)
    assert s.ingest(raw) is Outcome.FAILED
    assert s.ingest(raw) is Outcome.DUPLICATE  # parked once, by the hash of its bytes
    with s.store.transaction() as tx:
        [failed] = tx.inbound.failed()
        assert "a reader bug" in failed["error"]
        assert tx.inbound.raw(failed["id"]) == ("failed", raw)  # kept whole, for a retry
    assert [k for k, _ in outbox(s) if k.startswith("notice:failed:")] != []


def dsn(mid: str, failed: str) -> bytes:
    return (f"From: Mail Delivery System <MAILER-DAEMON@mx.met.police.example>\r\n"
            f"To: highrisk-bot@hillingdon.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            f"Message-ID: {mid}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"
            f"--r\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message "
            f"could not be delivered. Case: Q.Q. - not a case\r\n"
            f"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.met.police.example\r\n\r\n"
            f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            f"--r--\r\n").encode()


def test_a_bouncing_partner_address_is_reported_once_and_never_answered(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    for n in range(3):  # the case call, then the next two emails, all bounce
        assert s.ingest(dsn(f"<bounce{n}@mx>", "mash@met.police.example")) is Outcome.IGNORED
    notices = [(k, subj) for k, subj in outbox(s)]
    assert notices == [("notice:bounced:mash@met.police.example",
                        "OFFICIAL-SENSITIVE: mailbot: email to mash@met.police.example bounced")]
    with s.store.transaction() as tx:
        marks = [r for r in tx.audit.log() if r["action"] == "address bounced"]
        cases = tx.cases.on("daily", at(23, "10:05").date())
    assert len(marks) == 1 and '"mash@met.police.example"' in marks[0]["detail"]
    assert cases == []  # nothing in a bounce is ever read as a command


def test_an_auto_responder_answering_everything_makes_no_loop(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    assert s.ingest(reply("robot@elsewhere.example", "Case: A.R. - hello")) is Outcome.REJECTED
    sent_before = len(outbox(s))  # one short answer to the stranger, one notice
    for n in range(20):  # it answers our answer, and every answer after
        raw = (f"From: robot@elsewhere.example\r\nTo: highrisk-bot@hillingdon.example\r\n"
               f"Subject: Automatic reply: RE: Case call\r\nAuto-Submitted: auto-replied\r\n"
               f"Message-ID: <auto{n}@elsewhere>\r\n\r\nI am away. Case: Z.Z. - from an auto-reply\r\n").encode()
        assert s.ingest(raw) is Outcome.IGNORED
    assert len(outbox(s)) == sent_before == 2


def test_each_meeting_writes_only_to_its_own_members_and_coordinators(tmp_path: Path) -> None:
    base = config.load(EXAMPLE_CONFIG)
    panel = replace(base.meeting, id="panel", name="Complex Case Panel", reference_prefix="CCP",
                    members=("police", "cnwl"), coordinators=("police",))
    s = make(tmp_path, at(23, "10:00"), settings=replace(base, meetings=(base.meeting, panel)))
    assert sorted(s.due()) == ["case call 2026-11-23", "case call 2026-11-23"]
    keys = [key for key, _ in outbox(s)]
    assert sorted(k.rsplit(":", 1)[1] for k in keys if k.startswith("case-call:panel:")) == ["cnwl", "police"]
    assert len([k for k in keys if k.startswith("case-call:daily:")]) == len(base.partners)
    # Missed: each meeting's notice goes to its own coordinators only.
    s.clock.set(at(23, "12:30"))  # type: ignore[attr-defined]
    s.due()
    with s.store.transaction() as tx:
        told = dict(tx.conn.execute(text(
            "select key, recipients from outbox where key like 'notice:missed:%'")).all())
    assert told == {"notice:missed:attendance:daily:2026-11-23": "adultmash@hillingdon.example",
                    "notice:missed:attendance:panel:2026-11-23": "mash@met.police.example"}
