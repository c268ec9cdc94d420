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

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

Render = Callable[[str, Mapping[str, object]], str]

# 998 is RFC 5322's hard limit; below it nothing is folded, so ids stay raw.
_POLICY = policy.SMTP.clone(max_line_length=998)
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
    msg = EmailMessage(policy=_POLICY)
    username, _, addr_domain = from_address.partition("@")
    msg["From"] = Address(clean_header_text(from_name), username, addr_domain)
    msg["To"] = ", ".join(letter.to)
    msg["Subject"] = clean_header_text(letter.subject, 300)
    msg["Date"] = format_datetime(now)
    mid = message_id(letter.key, domain)
    msg["Message-ID"] = mid
    if letter.in_reply_to and _is_id(letter.in_reply_to):
        msg["In-Reply-To"] = letter.in_reply_to
        refs = [*letter.references, letter.in_reply_to]
        msg["References"] = " ".join(dict.fromkeys(r for r in refs if _is_id(r)))
    msg["Auto-Submitted"] = letter.auto_submitted
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    msg.set_content(letter.text)
    msg.add_alternative(letter.html, subtype="html")
    if letter.attachments:
        msg.make_mixed()
        for att in letter.attachments:
            msg.add_attachment(att.data, maintype=att.maintype, subtype=att.subtype,
                               filename=att.filename, params=dict(att.params))
    return mid, msg.as_bytes()


def _is_id(value: str) -> bool:
    return bool(re.fullmatch(r"<[^<>\s]{1,250}>", value))
