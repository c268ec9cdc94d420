"""Decoding: large attachments are never parsed, and nothing the sender wrote is lost."""

from __future__ import annotations

import tracemalloc
from email.message import EmailMessage

from mailbot.core.message import parse, slim


def big_mail(size: int = 5_000_000) -> bytes:
    msg = EmailMessage()
    msg["From"] = "mash@met.police.example"
    msg["Subject"] = "RE: Case call"
    msg.set_content("Case: T.W. - threats\n")
    msg.add_alternative("<p>Case: T.W. - threats</p>", subtype="html")
    msg.add_attachment(bytes(range(256)) * (size // 256), maintype="application", subtype="pdf",
                       filename="referral.pdf")
    msg.add_attachment(b"GIF89a" + bytes(400_000), maintype="image", subtype="gif", filename="x.gif")
    return msg.as_bytes()


def test_a_big_attachment_costs_almost_no_memory_and_loses_no_text() -> None:
    raw = big_mail()
    tracemalloc.start()
    try:
        mail = parse(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(raw)  # the standard parser alone would take several times the size
    assert mail.body.strip() == "Case: T.W. - threats"
    assert mail.attachments == ("referral.pdf", "x.gif")


def test_slimming_keeps_every_text_part_and_header() -> None:
    raw = big_mail()
    small = slim(raw)
    assert len(small) < 10_000
    for needle in (b"Case: T.W. - threats", b"<p>Case: T.W.", b'filename="referral.pdf"',
                   b"From: mash@met.police.example"):
        assert needle in small


def test_mail_it_cannot_follow_is_left_as_it_is() -> None:
    broken = b"Content-Type: multipart/mixed\r\n\r\n" + b"x" * 300_000  # no boundary
    assert slim(broken) == broken
    unterminated = b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n' + b"y" * 300_000
    assert b"y" * 1000 in slim(unterminated)


def test_a_delivery_report_names_its_failed_recipients_in_whatever_case_it_is_written() -> None:
    report = (b"From: MAILER-DAEMON@mail.example\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n"
              b"--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
              b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.example\r\n\r\n"
              b"FINAL-RECIPIENT: RFC822; <Duty.Sergeant@Met.Police.Example>\r\nAction: failed\r\n"
              b"original-recipient: rfc822;idva@refuge.example\r\n--r--\r\n")
    assert parse(report).failed_recipients == ("duty.sergeant@met.police.example", "idva@refuge.example")
    reply = report.replace(b"FINAL-RECIPIENT", b"Final-Addressee").replace(b"original-recipient", b"Note")
    assert parse(reply).failed_recipients == ()
