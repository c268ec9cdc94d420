"""Classifying and authenticating mail before any command is read."""

from __future__ import annotations

from datetime import date

import pytest

from mailbot.config import Settings
from mailbot.core.inbound import Context, read
from mailbot.core.model import Disposition, ReadAs, Reason, Verdict


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


QUOTE = ("\r\n\r\nFrom: Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example>\r\n"
         "Sent: 23 November 2026 10:00\r\nTo: MASH <mash@met.police.example>\r\n"
         "Subject: Case call Monday 23 November 2026\r\n\r\nCase: Q.Q. - a colleague's case, quoted\r\n")


@pytest.mark.parametrize(
    ("body", "disposition", "for_coordinators"),
    [
        ("Done: A-1\r\nAlso, who is chairing today?\r\n", Disposition.APPLIED,
         ("Also, who is chairing today?",)),
        ("Done A1x\r\n\r\nThanks\r\n", Disposition.CLARIFY, ()),
        ("Could we add G.L. today please, 84, bruising to both arms\r\n\r\nThanks\r\nJane\r\n",
         Disposition.TO_COORDINATOR, ("Could we add G.L. today please, 84, bruising to both arms",)),
        ("Hi all,\r\n\r\nNothing to add from us today.\r\n\r\nKind regards\r\nJane Smith\r\nMASH\r\n",
         Disposition.COURTESY, ()),
    ],
    ids=["applied-with-prose", "clarify", "to-coordinator", "courtesy"],
)
def test_every_accepted_email_gets_its_disposition(body: str, disposition: Disposition,
                                                   for_coordinators: tuple[str, ...], ctx: Context) -> None:
    got = read(mail("mash@met.police.example", body + QUOTE), ctx)
    assert (got.disposition, got.for_coordinators) == (disposition, for_coordinators)


def test_a_quoted_instruction_is_never_read_nor_warned_about(ctx: Context) -> None:
    got = read(mail("mash@met.police.example", "See the case below" + QUOTE), ctx)
    assert got.commands == () and got.problems == ()
    assert got.for_coordinators == ("See the case below",)


def test_an_email_with_only_an_attachment_goes_to_a_person(ctx: Context) -> None:
    raw = (b"From: mash@met.police.example\r\nTo: highrisk-bot@hillingdon.example\r\nSubject: referral\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
           b"Content-Type: application/octet-stream\r\n"
           b"Content-Disposition: attachment; filename=\"referral.docx\"\r\n\r\nxxxx\r\n--b--\r\n")
    got = read(raw, ctx)
    assert got.disposition is Disposition.TO_COORDINATOR
    assert got.for_coordinators == ("(no text; attachments: referral.docx)",)
    assert len(got.problems) == 1 and "attachments are never read" in got.problems[0]


def test_lenient_readings_are_told_back(ctx: Context) -> None:
    got = read(mail("mash@met.police.example", "A-1 done\r\n"), ctx)
    assert got.read_as == (ReadAs(1, "A-1 done", "Done: A-1"),)
    assert got.disposition is Disposition.APPLIED
