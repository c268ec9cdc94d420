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
