"""Reply body -> the text the sender newly wrote.

Each line is classified (quote header, quoted, delimiter, signature, tagline,
banner, text) and one pass then keeps the text lines, stopping at the first
mark of an unmarked quoted copy. The rule that matters most: an Outlook or
Gmail header that is followed by ``>`` lines only introduces a marked quote
(the text after it is still the sender's, as in bottom-posting); one that is
followed by plain lines starts an unmarked copy, and nothing after it is read.

Pure: no I/O. ``fingerprints`` lets the caller name lines that only ever
appear in its own emails (the bot's heading, its "reply above this line"
marker): seeing one means the quoted copy has begun, whatever the language of
the header above it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mailbot.core.quote_marks import DELIMITER, RULE, attribution_end, header_block_end, is_quoted

_SIGNATURE_DELIMITER = re.compile(r"^(?:--|-- |—|__)\s*$")

_TAGLINE = re.compile(
    r"^\s*(?:sent (?:from|via|using|with) (?:my |the )?\S.{0,60}"
    r"|get outlook for \S.{0,30}"
    r"|envoyé (?:de|depuis) (?:mon )?\S.{0,40}"
    r"|von meinem \S.{0,40}(?:gesendet)?"
    r"|gesendet von (?:meinem )?\S.{0,40}"
    r"|enviado (?:desde|de) (?:mi |meu )?\S.{0,40}"
    r"|inviato da(?:l mio)? \S.{0,40}"
    r"|verzonden (?:vanaf|met) (?:mijn )?\S.{0,40}"
    r"|skickat från (?:min )?\S.{0,40}"
    r"|anfonwyd o['’]?m \S.{0,40}"
    r"|sent from outlook|sent from mail for windows.{0,20}"
    r"|download (?:the )?outlook .{0,40})\s*$",
    re.IGNORECASE,
)

_BANNER = re.compile(
    r"^\s*[\[*(]*\s*(?:caution|warning|external|external email|external sender|"
    r"this (?:e-?mail|message) (?:originated|was sent|came) from outside|"
    r"you don['’]t often get email from)\b.{0,400}$",
    re.IGNORECASE,
)
_BANNER_BODY = re.compile(
    r"outside (?:of )?(?:the |your |our )?(?:organi[sz]ation|council|trust|network|nhs)|"
    r"do not click links|unless you recognise|unless you recognize|external (?:e-?mail|sender)|"
    r"learn why this is important|don['’]t often get email",
    re.IGNORECASE,
)

_DISCLAIMER = re.compile(
    r"^\s*(?:disclaimer\b|confidentiality notice\b|"
    r"this (?:e-?mail|message|communication)(?: and any (?:files|attachments?)[^.]{0,60})? "
    r"(?:is|are|and any|may (?:contain|be))\s+(?:confidential|private|intended|privileged|"
    r"strictly confidential|for the (?:sole|exclusive) use)|"
    r"the information (?:contained )?in this (?:e-?mail|message)|"
    r"if you (?:are not|have received this (?:e-?mail|message) in error)|"
    r"please consider the environment before printing|"
    r"nhsmail is the secure email and directory service|"
    r"all nhsmail email is scanned)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Trimmed:
    """What the sender newly wrote, and why reading stopped where it did."""

    text: str
    cut_at: int | None  # 0-based index of the first line not read, None if read to the end
    cut_reason: str | None


def _norm(line: str) -> str:
    return " ".join(line.split()).casefold()


def _quote_start(
    lines: Sequence[str], i: int, fingerprints: frozenset[str], position: _Position
) -> tuple[int | None, str] | None:
    """Whether line ``i`` opens quoted material.

    Returns ``(resume, reason)``: ``resume`` is where reading may go on (a header
    that only introduces ``>`` lines, or one that heads a forwarded message
    with nothing written above it), or None when nothing after it is the
    sender's.
    """
    line = lines[i]
    if fingerprints and _norm(line) in fingerprints:
        return None, "own email"
    end: int | None
    if DELIMITER.match(line):
        end, reason = i + 1, "original-message delimiter"
        following = next((j for j in range(end, min(end + 3, len(lines))) if lines[j].strip()), None)
        if following is not None:
            end = header_block_end(lines, following) or end
    elif RULE.match(line):
        following = next((j for j in range(i + 1, min(i + 4, len(lines))) if lines[j].strip()), None)
        block = None if following is None else header_block_end(lines, following)
        if block is None:
            return None
        end, reason = block, "header block"
    else:
        end, reason = attribution_end(lines, i), "attribution"
        if end is None:
            end, reason = header_block_end(lines, i), "header block"
        if end is None:
            return None
    # Under text the sender wrote, a header starts the history, even when it only
    # introduces ">" lines: a top-poster's answer is above it. With nothing
    # above (bottom-posting, or a forward), the sender's text may follow it.
    if position is _Position.TOP:
        return end, reason
    if position is _Position.AFTER_GREETING and _nextis_quoted(lines, end):
        return end, reason
    return None, reason


def _nextis_quoted(lines: Sequence[str], start: int) -> bool:
    following = next((line for line in lines[start:] if line.strip()), None)
    return following is not None and is_quoted(following)


class _Position(enum.Enum):
    TOP = "nothing written yet"
    AFTER_GREETING = "only a greeting written"
    AFTER_TEXT = "text written"


_GREETING = re.compile(r"^\s*\S+(?:\s+\S+){0,3}\s*,\s*$")


def _position(written: Sequence[str]) -> _Position:
    """Where the reader stands, from the first two lines written so far."""
    if not written:
        return _Position.TOP
    # A greeting is short; the length test keeps the regex off a 1 MB line.
    if len(written) == 1 and len(written[0]) <= 200 and _GREETING.match(written[0]):
        return _Position.AFTER_GREETING
    return _Position.AFTER_TEXT


def trim(body: str, fingerprints: Sequence[str] = ()) -> Trimmed:
    """Return the part of a reply body that its sender newly wrote.

    ``body`` is the decoded text of the reply. ``fingerprints`` are lines of the
    bot's own emails; a line equal to one of them (ignoring case and spacing)
    starts the quoted copy, wherever it stands.
    """
    prints = frozenset(_norm(f) for f in fingerprints if f.strip())
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    written: list[str] = []  # the first two non-blank lines kept: all _position needs
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_quoted(line):
            i += 1
            continue
        start = _quote_start(lines, i, prints, _position(written))
        if start is not None:
            resume, why = start
            if resume is None:
                return Trimmed(_tidy(kept), i, why)
            i = resume
            continue
        if _SIGNATURE_DELIMITER.match(line):
            return Trimmed(_tidy(kept), i, "signature")
        if kept and _DISCLAIMER.match(line):
            return Trimmed(_tidy(kept), i, "disclaimer")
        if _TAGLINE.match(line):
            i += 1
            continue
        banner_end = _banner_end(lines, i)
        if banner_end is not None:
            i = banner_end
            continue
        kept.append(line)
        if len(written) < 2 and line.strip():
            written.append(line)
        i += 1
    return Trimmed(_tidy(kept), None, None)


def _banner_end(lines: Sequence[str], i: int) -> int | None:
    """An external-mail banner: a short paragraph warning about outside senders."""
    if len(lines[i]) > 600 or not _BANNER.match(lines[i]):
        return None
    j = i
    while j < len(lines) and lines[j].strip() and j - i < 6:
        j += 1
    return j if _BANNER_BODY.search(" ".join(lines[i:j])) else None


def _tidy(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
