"""Letters (what to send) -> RFC 5322 bytes with the headers threading and loop-safety need.

- Message-ID is derived from the outbox key, so a letter rebuilt after a crash
  keeps its id (RFC 5322 §3.6.4) and a recipient sees one thread.
- In-Reply-To and References are never folded into RFC 2047 encoded words,
  which Outlook does not read (the policy's line limit is the RFC's 998).
- Date is aware, in the meeting's zone; Auto-Submitted is set (RFC 3834 §5)
  so that other robots do not answer, and Exchange is asked not to send
  auto-replies back (X-Auto-Response-Suppress).
- Nothing a partner wrote reaches a header except a cleaned subject.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email import encoders, policy
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from typing import Any

Render = Callable[[str, Mapping[str, object]], str]

# 998 is RFC 5322's hard limit; below it nothing is folded, so ids stay raw. compat32
# is used because the modern header registry made building an email the costliest
# step of answering a reply (bench/run_all.py).
class _Compat32(policy.Compat32):
    """compat32, with a short ASCII header written as it is: what compat32 writes too, after
    building a Header object for it, which was most of the time a fan-out spent building."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if isinstance(value, str) and value.isascii() and "\r" not in value and "\n" not in value \
                and len(name) + 2 + len(value) <= (self.max_line_length or 0):
            return f"{name}: {value}{self.linesep}"
        folded: str = super()._fold(name, value, sanitize)  # type: ignore[misc]
        return folded


_LINE_LIMIT = 998
_POLICY = _Compat32(linesep="\r\n", max_line_length=_LINE_LIMIT)
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable in the raw message, unlike base64
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    maintype: str
    subtype: str
    data: bytes
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Letter:
    """One email to one recipient's addresses, identified by its outbox key."""

    key: str  # unique: the same key is never sent twice
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    auto_submitted: str = "auto-generated"  # "auto-replied" for answers to a person
    attachments: tuple[Attachment, ...] = ()
    meeting: str = ""  # the meeting it is from: a reply threaded under it is routed there


def message_id(key: str, domain: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def clean_header_text(text: str, limit: int = 200) -> str:
    """One line of text safe to put in a header: no CR, LF or other controls."""
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


def reply_subject(original: str) -> str:
    subject = clean_header_text(original) or "your email"
    return subject if re.match(r"(?i)^re\s*:", subject) else f"Re: {subject}"


def build(letter: Letter, *, from_address: str, from_name: str, now: datetime) -> tuple[str, bytes]:
    """The letter as bytes ready for SMTP, and its Message-ID."""
    if now.tzinfo is None:
        raise ValueError("Date needs an aware datetime")
    domain = from_address.rpartition("@")[2]
    mid = message_id(letter.key, domain)
    # Boundaries of the key's own, not random ones the generator must look for in every
    # part: "=_" occurs in neither quoted-printable nor base64, the parts' only encodings.
    boundary = f"=_{mid[1:33]}"
    headers = _headers(letter, mid, from_address=from_address, from_name=from_name, now=now)
    if not letter.attachments:
        written = _alternative(letter, headers, f"{boundary}_alt")
        if written is not None:
            return mid, written
    body: Message = MIMEMultipart("alternative", boundary=f"{boundary}_alt")
    # The stdlib takes a Charset here (its stubs say str): it is what selects QP.
    body.attach(MIMEText(letter.text, "plain", _UTF8_QP))  # type: ignore[arg-type]
    body.attach(MIMEText(letter.html, "html", _UTF8_QP))  # type: ignore[arg-type]
    calendars = [a for a in letter.attachments if (a.maintype, a.subtype) == ("text", "calendar")]
    others = [a for a in letter.attachments if a not in calendars]
    for att in calendars:
        body.attach(_calendar_part(att))
    msg = _mixed(body, others, f"{boundary}_mix") if others else body
    for name, value in headers:
        msg[name] = value
    return mid, msg.as_bytes(policy=_POLICY)


def _headers(letter: Letter, mid: str, *, from_address: str, from_name: str,
             now: datetime) -> list[tuple[str, str]]:
    headers = [
        ("From", formataddr((clean_header_text(from_name), from_address), charset="utf-8")),
        ("To", ", ".join(letter.to)),
        ("Subject", _header(clean_header_text(letter.subject, 300))),
        ("Date", format_datetime(now)),
        ("Message-ID", mid),
    ]
    if letter.in_reply_to and _is_id(letter.in_reply_to):
        refs = [*letter.references, letter.in_reply_to]
        headers += [("In-Reply-To", letter.in_reply_to),
                    ("References", " ".join(dict.fromkeys(r for r in refs if _is_id(r))))]
    headers += [("Auto-Submitted", letter.auto_submitted),
                ("X-Auto-Response-Suppress", "OOF, AutoReply")]
    return headers


def _alternative(letter: Letter, headers: list[tuple[str, str]], boundary: str) -> bytes | None:
    """The plain and HTML parts as the stdlib would lay them out, written directly; None
    when a header would need folding, left to the stdlib. Every email goes through here
    (a fan-out, every acknowledgement), and the stdlib's generator and its pure-Python
    quoted-printable were most of the time spent building one. binascii's C encoder gives
    the same decoded text; its soft breaks may fall elsewhere, and a line holding only "."
    comes out as "=2E", which no SMTP hop can mistake for the end of the data."""
    lines = [f'Content-Type: multipart/alternative; boundary="{boundary}"', "MIME-Version: 1.0"]
    for name, value in headers:
        line = f"{name}: {value}"
        if not line.isascii() or "\r" in line or "\n" in line or len(line) > _LINE_LIMIT:
            return None
        lines.append(line)
    head = "\r\n".join(lines).encode("ascii")
    out = [head, b"\r\n\r\n"]
    for subtype, text in (("plain", letter.text), ("html", letter.html)):
        out += [b"--", boundary.encode("ascii"),
                f'\r\nContent-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode("ascii"),
                _quoted_printable(text), b"\r\n"]
    out += [b"--", boundary.encode("ascii"), b"--\r\n"]
    return b"".join(out)


def _quoted_printable(text: str) -> bytes:
    """Text as quoted-printable UTF-8 with CRLF line ends; any CR or CRLF the text holds is
    a line end, as the stdlib reads it."""
    flat = text.replace("\r\n", "\n").replace("\r", "\n")
    # A lone surrogate (no decoder of ours makes one) becomes "?" rather than stop the email.
    return binascii.b2a_qp(flat.encode("utf-8", "replace"), istext=True).replace(b"\n", b"\r\n")


def _mixed(body: Message, attachments: list[Attachment], boundary: str) -> Message:
    """The body, then each attachment in base64: multipart/mixed."""
    mixed = MIMEMultipart("mixed", boundary=boundary)
    mixed.attach(body)
    for att in attachments:
        part = MIMEBase(att.maintype, att.subtype)
        for name, value in att.params:
            part.set_param(name, value)
        part.set_payload(att.data)
        encoders.encode_base64(part)
        part.add_header("Content-Disposition", "attachment", filename=att.filename)
        mixed.attach(part)
    return mixed


def _calendar_part(att: Attachment) -> Message:
    """An invitation as iMIP wants it (RFC 6047 §2.4): the last alternative of the body,
    ``text/calendar`` with a ``method`` parameter equal to the calendar's METHOD, which is
    what makes Outlook and Gmail show Accept and Decline instead of an attachment to import."""
    part = MIMEText(att.data.decode("utf-8"), "calendar", "utf-8")
    for name, value in att.params:
        part.set_param(name, value)
    return part


def _header(text: str) -> str:
    """Plain ASCII as it is; anything else as RFC 2047 encoded words."""
    return text if text.isascii() else Header(text, "utf-8", maxlinelen=76).encode()


def _is_id(value: str) -> bool:
    return bool(re.fullmatch(r"<[^<>\s]{1,250}>", value))
