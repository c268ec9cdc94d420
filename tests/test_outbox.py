"""The outbox in view, and failures said out loud: the real SMTP adapter against the rig's
aiosmtpd server (told to offer no AUTH, or to refuse recipients or every email), the database
on SQLite, the clock injected, and the coordinator's commands run as typed."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot import config
from mailbot.adapters.clock import SettableClock
from mailbot.app import build_services, postman
from mailbot.cli import main
from mailbot.errors import MailbotError
from mailbot.services import Services
from tests.rig.smtp import SMTPServer
from tests.test_cli_commands import write_config

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
DAY = START.date()
COORDINATOR = "adultmash@hillingdon.example"
POLICE = "mash@met.police.example"


def bot(cfg: Path) -> Services:
    return build_services(config.load(cfg), SettableClock(START))


def rounds(s: Services, n: int, every: timedelta = timedelta(minutes=16)) -> None:
    """``n`` rounds of sending, ``every`` apart, as the running bot sends."""
    for _ in range(n):
        asyncio.run(s.drain(postman(s.settings)))
        s.clock.set(s.clock.now() + every)  # type: ignore[attr-defined]


def mail(data: bytes) -> EmailMessage:
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def counts(s: Services) -> dict[str, int]:
    with s.store.transaction() as tx:
        return tx.outbox.counts()


def notices_to_coordinators(server: SMTPServer) -> list[EmailMessage]:
    return [mail(m.data) for m in server.messages
            if m.rcpt_tos == [COORDINATOR] and b"refused by the mail server" in m.data]


def test_a_server_that_offers_no_auth_is_shown_with_its_reason_and_told_once(
        tmp_path: Path, smtp: tuple[SMTPServer, Path], capsys: pytest.CaptureFixture[str]) -> None:
    server, ca = smtp
    server.handler.offer_auth = False
    cfg = write_config(tmp_path, server, ca)
    s = bot(cfg)
    assert s.send_case_call("daily", DAY, by_hand=True)
    rounds(s, 1)
    assert s.send_attendance("daily", DAY, by_hand=True)  # a round later: given up a round later
    rounds(s, 12)  # over three hours of trying
    assert counts(s) == {"failed": 20, "pending": 1}  # all given up; one notice waits for them all
    assert main(["--config", str(cfg), "outbox", "--failed"]) == 0
    listing = capsys.readouterr().out
    assert "SMTP AUTH extension is not supported" in listing
    assert "case-call:daily:2026-11-23:police" in listing and "20 emails" in listing
    assert main(["--config", str(cfg), "outbox", "--failed", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 20 and {r["status"] for r in rows} == {"failed"}
    assert all("AUTH" in r["last_error"] and r["tries"] == 9 for r in rows)
    assert server.messages == []

    server.handler.offer_auth = True  # the server is put right
    rounds(s, 2)
    [told] = notices_to_coordinators(server)
    text = told.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "20 emails refused by the mail server" in str(told["Subject"])
    assert "SMTP AUTH extension is not supported" in text and "mailbot outbox retry --failed" in text
    assert "case call 2026-11-23 (police) to mash@met.police.example" in text
    assert "attendance 2026-11-23 (police) to mash@met.police.example" in text
    assert len(server.messages) == 1  # nothing else went: the refused ones wait for a person

    assert main(["--config", str(cfg), "outbox", "retry", "--failed"]) == 0
    assert "20 refused emails back in the queue" in capsys.readouterr().out
    rounds(s, 2)
    assert counts(s) == {"sent": 21}
    with s.store.transaction() as tx:
        stored = {e.message_id for e in tx.outbox.entries(prefixes=["case-call:", "attendance:"])}
    assert {mail(m.data)["Message-ID"] for m in server.messages[1:]} == stored  # the same emails
    assert len(notices_to_coordinators(server)) == 1


def test_refused_recipients_are_told_in_one_notice_and_the_rest_go(
        tmp_path: Path, smtp: tuple[SMTPServer, Path], capsys: pytest.CaptureFixture[str]) -> None:
    server, ca = smtp
    server.handler.refuse_rcpt = {POLICE: "550 5.1.1 mailbox unavailable",
                                  "spa@cnwl.example": "550 5.1.1 mailbox unavailable"}
    cfg = write_config(tmp_path, server, ca)
    assert main(["--config", str(cfg), "send", "case-call", "--date", "2026-11-23"]) == 1
    out = capsys.readouterr().out
    assert f"{POLICE}: refused: all recipients refused: " in out and "550" in out
    assert "asbit@hillingdon.example: delivered" in out
    [told] = notices_to_coordinators(server)
    text = told.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "2 emails refused" in str(told["Subject"]) and "mailbox unavailable" in text
    assert "case call 2026-11-23 (police)" in text and "case call 2026-11-23 (spa)" in text
    # Asked again, it says what became of each email rather than "already sent".
    assert main(["--config", str(cfg), "send", "case-call", "--date", "2026-11-23"]) == 1
    out = capsys.readouterr().out
    assert "already sent" not in out and "was queued earlier" in out and f"{POLICE}: refused" in out
    server.handler.refuse_rcpt = {}
    assert main(["--config", str(cfg), "outbox", "retry", "--failed"]) == 0
    assert "2 refused emails back in the queue" in capsys.readouterr().out
    assert main(["--config", str(cfg), "send", "case-call", "--date", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert f"{POLICE}: delivered" in out and "refused" not in out and "case-call: 2 emails sent now" in out
    assert main(["--config", str(cfg), "send", "case-call", "--date", "2026-11-23"]) == 0
    assert "was already sent; nothing sent again" in capsys.readouterr().out
    assert sorted(r for m in server.messages for r in m.rcpt_tos).count(POLICE) == 1


def test_a_refused_notice_is_not_itself_noticed(tmp_path: Path, smtp: tuple[SMTPServer, Path]) -> None:
    server, ca = smtp
    server.handler.refuse = "554 5.7.1 message refused"  # every email, the notices too
    s = bot(write_config(tmp_path, server, ca))
    assert s.send_case_call("daily", DAY, by_hand=True)
    rounds(s, 6)
    with s.store.transaction() as tx:
        failed = tx.outbox.entries(statuses=["failed"])
    assert len(failed) == 11  # the ten case calls, and the one notice about them: no loop
    assert sum(e.key.startswith("notice:refused:") for e in failed) == 1
    assert counts(s) == {"failed": 11}


def test_send_says_why_nothing_went(tmp_path: Path, smtp: tuple[SMTPServer, Path],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    server, ca = smtp
    server.handler.offer_auth = False
    cfg = str(write_config(tmp_path, server, ca))
    assert main(["--config", cfg, "send", "case-call", "--date", "2026-11-23"]) == 1
    out = capsys.readouterr().out
    assert f"{POLICE}: waiting to retry: " in out and "SMTP AUTH extension is not supported" in out
    assert "case-call: 0 emails sent now, 10 waiting to retry" in out
    assert main(["--config", cfg, "send", "case-call", "--date", "2026-11-23"]) == 1
    assert "already sent" not in capsys.readouterr().out


def test_retry_and_cancel_by_id_are_recorded_with_who(tmp_path: Path, smtp: tuple[SMTPServer, Path],
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    server, ca = smtp
    monkeypatch.setenv("USER", "jo")
    server.handler.refuse = "550 5.7.1 relay not permitted"
    cfg = write_config(tmp_path, server, ca)
    s = bot(cfg)
    assert s.send_case_call("daily", DAY, by_hand=True)
    rounds(s, 1)
    with s.store.transaction() as tx:
        police = tx.outbox.by_key("case-call:daily:2026-11-23:police")
        asbit = tx.outbox.by_key("case-call:daily:2026-11-23:asbit")
    assert police is not None and asbit is not None and police.status == asbit.status == "failed"
    assert main(["--config", str(cfg), "outbox", "cancel", str(asbit.id)]) == 0
    assert main(["--config", str(cfg), "outbox", "retry", str(police.id)]) == 0
    capsys.readouterr()
    assert main(["--config", str(cfg), "outbox", "retry", str(asbit.id)]) == 1
    assert "is cancelled: only failed, expired or waiting emails can be retried" in capsys.readouterr().err
    assert main(["--config", str(cfg), "outbox", "cancel", "9999"]) == 1
    assert "there is no email #9999 in the outbox" in capsys.readouterr().err
    server.handler.refuse = None
    rounds(s, 1)
    assert [m.rcpt_tos for m in server.messages] == [[POLICE]]  # the one retried; the cancelled not
    with s.store.transaction() as tx:
        log = [(e["action"], e["actor"], e["fields"]["key"]) for e in tx.audit.log()
               if e["action"].startswith("email ")]
    assert log == [("email cancelled", "cli:jo", asbit.key), ("email retried", "cli:jo", police.key)]
    with pytest.raises(MailbotError, match="is sent"):
        s.outbox_desk.retry(police.id, "cli:jo")  # delivered: never a second time


def test_emails_left_unsent_past_their_use_are_told_to_their_own_meetings_coordinators(
        tmp_path: Path, smtp: tuple[SMTPServer, Path]) -> None:
    server, ca = smtp
    cfg = write_config(tmp_path, server, ca)
    cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[[meeting]]\nid = "panel"\nname = "Complex Case Panel"\n'
                   'reference_prefix = "CCP"\nmembers = ["police", "cnwl"]\ncoordinators = ["cnwl"]\n',
                   encoding="utf-8")
    s = bot(cfg)
    s.clock.set(START.replace(hour=10))  # type: ignore[attr-defined]
    s.due()
    server.handler.refuse = "451 4.3.0 try later"  # down from the case call to past the cut-off
    rounds(s, 7)
    server.handler.refuse = None
    rounds(s, 1)
    told = {m.rcpt_tos[0]: mail(m.data) for m in server.messages if b"not sent in time" in m.data}
    assert set(told) == {COORDINATOR, "cnwl.highrisk@cnwl.example"}
    panel = told["cnwl.highrisk@cnwl.example"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    daily = told[COORDINATOR].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Each meeting's coordinators can ring the partners of their own meeting, and only those.
    assert "case call 2026-11-23 to mash@met.police.example" in panel and "asbit" not in panel.lower()
    assert "asbit" in daily.lower()
