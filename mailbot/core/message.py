"""Raw email bytes -> the few fields mailbot reads, never raising on bad mail.

RFC 5322 headers and RFC 2045-2049 MIME are parsed by the standard library.
Any defect (a broken header, a wrong charset, a missing boundary) leaves a
field empty or decoded with replacement characters rather than stopping the
mail from being read, and is noted in ``defects``.
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from mailbot.core.htmltext import html_to_text

_MAX_TEXT = 1_000_000  # characters of a body read at most; the rest is never a reply
_MAX_FROM = 2_000  # characters of a From header parsed: no real one is longer
_LOOSE_ADDRESS = re.compile(r"[^\s<>,;:\"()\[\]@]+@[^\s<>,;:\"()\[\]@]+")
_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True, slots=True)
class Inbound:
    """One received email, decoded."""

    from_addresses: tuple[str, ...]
    from_display: str
    subject: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    date: datetime | None
    headers: tuple[tuple[str, str], ...]  # every header, name lower-cased, value unfolded
    content_type: str
    report_type: str
    body: str  # text/plain, or the HTML part as text when there is none
    body_was_html: bool
    attachments: tuple[str, ...]  # file names (or types) of the parts that were not read
    defects: tuple[str, ...]
    damaged: bool  # the MIME structure was broken and the body was read as raw text
    failed_recipients: tuple[str, ...] = ()  # of a bounce: the addresses it reports undelivered

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def has_header(self, name: str) -> bool:
        return self.header(name) is not None


def _raw_header(msg: Message, name: str) -> str:
    values = msg.get_all(name) or []
    return " ".join(str(v) for v in values[:1])


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


_HEADER_END = re.compile(rb"\r?\n\r?\n")
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;]{1,200}))', re.IGNORECASE)
_TYPE = re.compile(rb"^content-type:[ \t]*([\w.+-]+/[\w.+-]+)", re.IGNORECASE | re.MULTILINE)
_SLIM_ABOVE = 256_000  # smaller mail is parsed as it is


def slim(raw: bytes) -> bytes:
    """The same message with the bodies of non-text parts emptied, headers kept.

    Only text/plain and text/html are ever read; a 10 MB attachment would cost
    the standard parser about eight times its size in memory. Works on offsets
    into ``raw``, so only headers and text parts are copied. Anything it does
    not understand is returned unchanged.
    """
    if len(raw) < _SLIM_ABOVE:
        return raw
    out: list[bytes] = []
    return b"".join(out) if _slim_part(raw, 0, len(raw), out, 0) else raw


def _slim_part(raw: bytes, start: int, end: int, out: list[bytes], depth: int) -> bool:
    """Append the slimmed part raw[start:end] to ``out``; False if it cannot be understood."""
    split = _HEADER_END.search(raw, start, min(end, start + 64_000))
    if split is None or depth > 10:
        return False
    head = raw[start:split.end()]
    header_text = head.replace(b"\r\n", b"\n").replace(b"\n ", b" ").replace(b"\n\t", b" ")
    kind = _TYPE.search(header_text)
    ctype = kind.group(1).lower() if kind else b"text/plain"
    if ctype.startswith((b"text/", b"message/")):
        out.append(raw[start:end])
        return True
    if not ctype.startswith(b"multipart/"):
        out.append(head + b"\r\n")
        return True
    found = _BOUNDARY.search(header_text)
    if found is None:
        return False
    delimiter = b"--" + (found.group(1) or found.group(2))
    out.append(head)
    cut = raw.find(delimiter, split.end(), end)
    if cut < 0:
        return False
    out.append(raw[split.end():cut])  # the preamble
    while cut >= 0:
        line_end = raw.find(b"\n", cut, end)
        if line_end < 0 or raw.startswith(delimiter + b"--", cut):
            out.append(raw[cut:end])  # the closing delimiter and any epilogue
            return True
        out.append(raw[cut:line_end + 1])
        nxt = raw.find(delimiter, line_end + 1, end)
        part_end = nxt if nxt >= 0 else end
        if not _slim_part(raw, line_end + 1, part_end, out, depth + 1):
            out.append(raw[line_end + 1:part_end])
        cut = nxt
    return True


_FINAL_RECIPIENT = re.compile(
    rb"^(?:Final|Original)-Recipient:[ \t]*rfc822[ \t]*;[ \t]*<?([^\s<>;@]{1,200}@[^\s<>;@]{1,200})>?",
    re.I | re.M)


def _failed_recipients(raw: bytes) -> tuple[str, ...]:
    """The recipients a delivery status notification (RFC 3464) names; the report
    is small and near the top, so the first 200 KB are enough."""
    head = raw[:200_000]
    # An email that is no report has no such line: finding that out with a plain search is
    # a tenth of the cost of running the pattern, which tries every line of every reply.
    if b"-recipient:" not in head.lower():
        return ()
    found = (m.decode("ascii", "replace").lower() for m in _FINAL_RECIPIENT.findall(head))
    return tuple(dict.fromkeys(found))[:20]


def _addresses(value: str, defects: list[str]) -> list[tuple[str, str]]:
    """The From header's (name, address) pairs. The stdlib's parser recurses once per
    group separator, so a hostile header can exhaust the stack; then, and for an
    over-long header, the addresses are picked out plainly (and the sender checks
    still decide whether they belong to a partner)."""
    if len(value) <= _MAX_FROM:
        try:
            return getaddresses([value])
        except RecursionError:
            pass
    defects.append("From header too long or too deeply nested to parse; addresses picked out plainly")
    return [("", a) for a in _LOOSE_ADDRESS.findall(value[:_MAX_FROM])]


def parse(raw: bytes) -> Inbound:
    """Decode one email. Never raises on malformed input."""
    defects: list[str] = []
    failed = _failed_recipients(raw)
    # compat32 keeps headers as the sender wrote them (for From matching and
    # ids) and is several times faster than the modern policy's header registry.
    legacy = email.message_from_bytes(slim(raw), policy=email.policy.compat32)
    from_value = _decoded(legacy, "From", defects)
    pairs = _addresses(from_value, defects) if from_value else []
    body, was_html, damaged = _readable_body(legacy, defects)
    for part in _parts(legacy):
        defects.extend(type(d).__name__ for d in part.defects)
    return Inbound(
        from_addresses=tuple(addr.strip() for _, addr in pairs if "@" in addr),
        from_display=next((name for name, _ in pairs if name), ""),
        subject=_text(_decoded(legacy, "Subject", defects)),
        message_id=_first_id(_raw_header(legacy, "Message-ID")),
        in_reply_to=_first_id(_raw_header(legacy, "In-Reply-To")),
        references=tuple(_ID.findall(_raw_header(legacy, "References"))),
        date=_date(_raw_header(legacy, "Date")),
        headers=tuple((k.lower(), _unfold(v)) for k, v in legacy.items()),
        content_type=legacy.get_content_type(),
        report_type=str(legacy.get_param("report-type") or ""),
        body=body,
        body_was_html=was_html,
        attachments=_attachment_names(legacy),
        defects=tuple(dict.fromkeys(defects)),
        damaged=damaged,
        failed_recipients=failed + tuple(
            a.strip().lower() for a in _raw_header(legacy, "X-Failed-Recipients").split(",")
            if "@" in a and a.strip().lower() not in failed)[:20],
    )


def _readable_body(legacy: Message, defects: list[str]) -> tuple[str, bool, bool]:
    """(text, whether it came from HTML, whether the structure was damaged)."""
    body, was_html = _body(legacy, defects)
    if not body and isinstance(legacy.get_payload(), str) and legacy.get_content_maintype() in (
        "multipart", "text"
    ):
        # A multipart with no usable boundary: its text is still there, unparsed.
        return _content(legacy, defects), was_html, legacy.get_content_maintype() == "multipart"
    return body, was_html, False


def _attachment_names(legacy: Message) -> tuple[str, ...]:
    return tuple(
        part.get_filename() or part.get_content_type()
        for part in _parts(legacy)
        if _is_attachment(part) or (not part.is_multipart()
                                    and part.get_content_maintype() not in ("text", "multipart"))
    )


def _unfold(value: object) -> str:
    return " ".join(str(value).split())


def _decoded(msg: Message, name: str, defects: list[str]) -> str:
    """A header decoded from RFC 2047 encoded words, or as raw text if that fails."""
    raw = msg.get(name)
    if raw is None:
        return ""
    try:
        parts = email.header.decode_header(str(raw))
        return "".join(
            p.decode(enc or "ascii", errors="replace") if isinstance(p, bytes) else p
            for p, enc in parts
        )
    except (LookupError, ValueError, email.errors.HeaderParseError):
        defects.append(f"undecodable {name} header")
        return str(raw)


def _first_id(value: str) -> str | None:
    m = _ID.search(value)
    return m.group(0) if m else (value.strip() or None)


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _parts(msg: Message, depth: int = 0) -> Iterator[Message]:
    """Every part, depth first, not descending into attached emails (message/*)."""
    yield msg
    if depth > 20 or not msg.is_multipart() or msg.get_content_maintype() == "message":
        return
    payload = msg.get_payload()
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from _parts(sub, depth + 1)


def _is_attachment(part: Message) -> bool:
    return str(part.get("Content-Disposition") or "").strip().lower().startswith("attachment")


def _body(msg: Message, defects: list[str]) -> tuple[str, bool]:
    """The text/plain part the sender wrote in, or else the HTML one (RFC 2046 §5.1.4)."""
    html: Message | None = None
    for part in _parts(msg):
        if part.is_multipart() or _is_attachment(part):
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            return _content(part, defects), False
        if kind == "text/html" and html is None:
            html = part
    if html is None:
        return "", False
    return html_to_text(_content(html, defects)), True


def _content(part: Message, defects: list[str]) -> str:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, AssertionError):
        payload = None
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, errors="replace")
    except (LookupError, ValueError):  # unknown, or not even a name (a NUL in it)
        defects.append(f"unknown charset {charset!r}")
        text = payload.decode("windows-1252", errors="replace")
    return text[:_MAX_TEXT]
