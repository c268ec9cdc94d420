"""Classifying and authenticating mail before any command is read."""

from __future__ import annotations

from datetime import date

import pytest

from mailbot.config import Settings
from mailbot.core.inbound import Context, read
from mailbot.core.model import Reason, Verdict


def mail(frm: str, body: str = "Case: A.B. - concern\n", subject: str = "RE: Case call",
         headers: str = "") -> bytes:
    return (f"From: {frm}\r\nTo: highrisk-bot@hillingdon.example\r\nSubject: {subject}\r\n"
            f"Message-ID: <x@y.example>\r\n{headers}\r\n{body}").encode()


@pytest.fixture
def ctx(settings: Settings) -> Context:
    return Context(settings.bot.address, settings.directory, "HR", date(2026, 11, 23))


@pytest.mark.parametrize(
    ("raw", "verdict", "reason"),
    [
        (mail("highrisk-bot@hillingdon.example"), Verdict.IGNORED, Reason.OWN_MAIL),
        (mail("MAILER-DAEMON@mx.example"), Verdict.IGNORED, Reason.BOUNCE),
        (mail("mash@met.police.example", headers="Return-Path: <>\r\n"), Verdict.IGNORED, Reason.BOUNCE),
        (mail("mash@met.police.example", headers="Auto-Submitted: auto-replied\r\n"),
         Verdict.IGNORED, Reason.AUTO_REPLY),
        (mail("mash@met.police.example", subject="Out of Office: Case call"),
         Verdict.IGNORED, Reason.AUTO_REPLY),
        (mail("mash@met.police.example", headers="Precedence: junk\r\n"), Verdict.IGNORED, Reason.AUTO_REPLY),
        (mail("mash@met.police.example", headers="Auto-Submitted: no\r\n"), Verdict.ACCEPTED, None),
        (mail("someone@elsewhere.example"), Verdict.REJECTED, Reason.UNKNOWN_SENDER),
        (mail('"mash@met.police.example" <spoof@evil.example>'), Verdict.REJECTED, Reason.UNKNOWN_SENDER),
        (mail("spoof@evil.example", headers="Reply-To: mash@met.police.example\r\n"),
         Verdict.REJECTED, Reason.UNKNOWN_SENDER),
    ],
    ids=["own", "mailer-daemon", "empty-return-path", "auto-submitted", "ooo-subject", "precedence",
         "auto-submitted-no", "unknown", "display-name-spoof", "reply-to-spoof"],
)
def test_classification_order(raw: bytes, verdict: Verdict, reason: Reason | None, ctx: Context) -> None:
    got = read(raw, ctx)
    assert (got.verdict, got.reason) == (verdict, reason)
    if verdict is not Verdict.ACCEPTED:
        assert got.commands == () and got.new_text == ""


def test_an_auto_reply_from_a_partner_never_adds_a_case(ctx: Context) -> None:
    raw = mail("mash@met.police.example", headers="X-Autoreply: yes\r\n")
    assert read(raw, ctx).commands == ()


@pytest.mark.parametrize("raw", [b"", b"\x00\xff\xfe garbage", b"From: \r\n\r\n", b"Subject: =?x?q?\r\n\r\nhi",
                                 b"Content-Type: multipart/mixed; boundary=\"\"\r\nFrom: mash@met.police.example\r\n\r\n--\r\n"])
def test_garbage_is_read_without_raising(raw: bytes, ctx: Context) -> None:
    got = read(raw, ctx)
    assert got.verdict in (Verdict.REJECTED, Verdict.ACCEPTED)
