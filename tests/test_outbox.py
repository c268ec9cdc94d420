"""The outbox in view, and failures said out loud: the real SMTP adapter against the rig's
aiosmtpd server (told to offer no AUTH, or to refuse recipients or every email), the database
on SQLite, the clock injected, and the coordinator's commands run as typed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot import config
from mailbot.adapters.clock import SettableClock
from mailbot.app import build_services, postman
from mailbot.services import Services
from tests.rig.dovecot import make_tls
from tests.rig.smtp import SMTPServer
from tests.test_cli_commands import BOT, write_config

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
DAY = START.date()
COORDINATOR = "adultmash@hillingdon.example"
POLICE = "mash@met.police.example"


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SMTPServer, Path]]:
    ca = make_tls(tmp_path / "tls")
    server = SMTPServer({BOT: "pw"}, str(tmp_path / "tls/cert.pem"), str(tmp_path / "tls/key.pem"), None).start()
    monkeypatch.setenv("TEST_SMTP", "pw")
    yield server, ca
    server.stop()


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
