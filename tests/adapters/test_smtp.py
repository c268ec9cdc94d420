"""The SMTP adapter against a real aiosmtpd server on 127.0.0.1 (STARTTLS and AUTH required)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailbot.adapters.smtp import SmtpPostman
from mailbot.config import ServerSettings
from mailbot.core.compose import Letter, build
from mailbot.core.ports import OutboxRow
from tests.rig.dovecot import make_tls
from tests.rig.smtp import SMTPServer

BOT = "highrisk-bot@hillingdon.example"


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SMTPServer, ServerSettings]]:
    ca = make_tls(tmp_path / "tls")
    server = SMTPServer({BOT: "right"}, str(tmp_path / "tls/cert.pem"), str(tmp_path / "tls/key.pem"),
                        None).start()
    monkeypatch.setenv("BOT_SMTP", "right")
    settings = ServerSettings("127.0.0.1", server.port, "starttls", BOT, "BOT_SMTP", 5.0, str(ca))
    yield server, settings
    server.stop()


def row(n: int, to: str = "mash@met.police.example") -> OutboxRow:
    from datetime import UTC, datetime

    letter = Letter(key=f"test:{n}", to=(to,), subject=f"Case call {n}", text="text", html="<p>html</p>",
                    in_reply_to="<" + "x" * 120 + "@partner.example>")
    mid, raw = build(letter, from_address=BOT, from_name="Bot", now=datetime(2026, 11, 23, 10, tzinfo=UTC))
    return OutboxRow(n, letter.key, mid, letter.to, letter.subject, raw, "sending", 1)


def test_a_batch_goes_over_one_connection_byte_for_byte(smtp: tuple[SMTPServer, ServerSettings]) -> None:
    server, settings = smtp
    rows = [row(n) for n in range(5)]
    assert asyncio.run(SmtpPostman(settings, BOT).send(rows)) == [None] * 5
    assert [m.data.replace(b"\r\n", b"\n") for m in server.messages] == \
        [r.raw.replace(b"\r\n", b"\n") for r in rows]
    assert {m.login for m in server.messages} == {BOT}
    # A long In-Reply-To stays a raw id: Outlook ignores RFC 2047-encoded ids.
    assert b"=?" not in server.messages[0].data.split(b"\r\n\r\n")[0]


def test_a_temporary_refusal_is_retried_a_permanent_one_is_not(smtp: tuple[SMTPServer, ServerSettings]) -> None:
    server, settings = smtp
    server.handler.refuse = "451 4.3.0 try again later"
    [error] = asyncio.run(SmtpPostman(settings, BOT).send([row(1)]))
    assert error is not None and not error.permanent
    server.handler.refuse = "550 5.1.1 no such user"
    [error] = asyncio.run(SmtpPostman(settings, BOT).send([row(2)]))
    assert error is not None and error.permanent


def test_a_wrong_password_or_a_dead_server_is_a_retryable_error(smtp: tuple[SMTPServer, ServerSettings],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    server, settings = smtp
    monkeypatch.setenv("BOT_SMTP", "wrong")
    [error] = asyncio.run(SmtpPostman(settings, BOT).send([row(1)]))
    assert error is not None and not error.permanent and "login" in str(error).lower()
    monkeypatch.setenv("BOT_SMTP", "right")
    server.stop()
    errors = asyncio.run(SmtpPostman(settings, BOT).send([row(1), row(2)]))
    assert all(e is not None and not e.permanent for e in errors)
    server.start()


def test_lines_go_as_aiosmtplib_sends_them_leading_dots_and_bare_line_ends_included(
        smtp: tuple[SMTPServer, ServerSettings]) -> None:
    import ssl

    import aiosmtplib

    server, settings = smtp
    raw = (b"From: Bot <" + BOT.encode() + b">\nSubject: dots\r\n\r\n.a line that starts with a dot\n"
           b"..and two\r.\r\n.\nlast line, no end")
    sent = OutboxRow(1, "test:dots", "<dots@bot>", ("mash@met.police.example",), "dots", raw, "sending", 1)
    assert asyncio.run(SmtpPostman(settings, BOT).send([sent])) == [None]

    async def by_aiosmtplib() -> None:
        context = ssl.create_default_context(cafile=settings.ca_file)
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=server.port, start_tls=True, tls_context=context,
                                   username=BOT, password="right") as client:
            await client.sendmail(BOT, ["mash@met.police.example"], raw)

    asyncio.run(by_aiosmtplib())
    ours, theirs = (m.data for m in server.messages)
    assert ours == theirs
    assert b"\r\n.a line that starts with a dot\r\n..and two\r\n.\r\n.\r\nlast line, no end" in ours


def test_an_email_whose_end_has_not_gone_is_not_delivered_when_the_batch_stops(
        smtp: tuple[SMTPServer, ServerSettings]) -> None:
    """The second email is written but for its last line while the first one's outcome is
    recorded; if recording fails, the connection is dropped and the server discards it."""
    server, settings = smtp

    class Lost(Exception):
        pass

    async def after(sent: OutboxRow, error: object) -> None:
        raise Lost(sent.key)

    with pytest.raises(Lost):
        asyncio.run(SmtpPostman(settings, BOT).send([row(1), row(2), row(3)], after))
    assert [m.data.split(b"Subject: ")[1].split(b"\r\n")[0] for m in server.messages] == [b"Case call 1"]
    # The server is none the worse: the next batch goes whole.
    assert asyncio.run(SmtpPostman(settings, BOT).send([row(2), row(3)])) == [None, None]
    assert len(server.messages) == 3


@given(st.lists(st.sampled_from([b"a", b".", b"\r", b"\n", b"\r\n", b"..", b"x.y", b" "]), max_size=40))
def test_data_lines_are_what_aiosmtplib_would_send_whatever_the_line_ends_and_dots(pieces: list[bytes]) -> None:
    from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

    from mailbot.adapters.smtp import _as_data

    raw = b"".join(pieces)
    assert _as_data(raw) == PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw))
