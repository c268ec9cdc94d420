"""Reply body -> the text the sender newly wrote.

Each line is classified (quote header, quoted, delimiter, signature, tagline,
banner, text) and one pass then keeps the text lines, stopping at the first
mark of an unmarked quoted copy. The rule that matters most: an "On ...
wrote:" attribution followed by ``>`` lines only introduces a marked quote, so
reading goes on past it, skipping the ``>`` lines: what the sender types
between or below them (an inline answer, a bottom-posted reply) is theirs.
Under text the sender wrote, an attribution followed by plain lines, an
Outlook header block or an "Original Message" line starts an unmarked copy,
and nothing after it is read; with nothing written above, any header is
passed (bottom-posting, a forward).

Once the quote has begun, an unmarked line is still someone else's when it
repeats a ``>`` line of the same email (or a line of ``known``), sits inside a
quoted signature, or is the rest of a long ``>`` line that a client re-wrapped
without marking it (see ``rewrapped.is_wrapped_tail``).

Pure: no I/O. ``fingerprints`` lets the caller name lines that only ever
appear in its own emails (the bot's heading, its "reply above this line"
marker): seeing one unmarked means the quoted copy has begun, whatever the
language of the header above it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mailbot.core.quote_marks import (
    DELIMITER,
    RULE,
    attribution_end,
    header_block_end,
    is_quoted,
    prefixed_header_block_end,
    unquote,
)
from mailbot.core.rewrapped import is_wrapped_tail

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
    r"nhsmail is the secure email and directory service|to unsubscribe\b[^@:]{0,40}[@:]|"
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
    lines: Sequence[str], i: int, fingerprints: frozenset[str], top: bool
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
    found = _quote_mark(lines, i)
    if found is None:
        return None
    end, reason = found
    # With nothing written above (bottom-posting, a forward), the sender's text
    # may follow any header. Under text, an "On ... wrote:" that introduces ">"
    # lines hides nothing: its client marked the quote line by line, and what the
    # sender types between or below those lines is an inline answer. An Outlook
    # header block or delimiter starts a copy its client did not mark: ">" lines
    # in it are the quoted author's own quotes, and the plain lines between them
    # that author's answers, never this sender's.
    if top or (reason == "attribution" and _is_quoted_at(lines, _next_written(lines, end, 10))):
        return end, reason
    return None, reason


def _quote_mark(lines: Sequence[str], i: int) -> tuple[int, str] | None:
    """If line ``i`` is a delimiter, a rule over a header block, an attribution or a header
    block: the index past it and which it is."""
    line = lines[i]
    if DELIMITER.match(line):
        end = i + 1
        following = _next_written(lines, end, 3)
        if following is not None:
            end = header_block_end(lines, following) or end
        return end, "original-message delimiter"
    if RULE.match(line):
        following = _next_written(lines, i + 1, 3)
        block = None if following is None else header_block_end(lines, following)
        return None if block is None else (block, "header block")
    wrote = attribution_end(lines, i)
    if wrote is not None:
        return wrote, "attribution"
    block = header_block_end(lines, i) or prefixed_header_block_end(lines, i)
    return None if block is None else (block, "header block")


def _next_written(lines: Sequence[str], start: int, within: int) -> int | None:
    """The index of the first non-blank line from ``start``, looking ``within`` lines ahead."""
    return next((j for j in range(start, min(start + within, len(lines))) if lines[j].strip()), None)


def _is_quoted_at(lines: Sequence[str], i: int | None) -> bool:
    # mbox storage escapes a line starting "From " as ">From ": not a quote mark.
    return i is not None and is_quoted(lines[i]) and not lines[i].startswith(">From ")


def trim(body: str, fingerprints: Sequence[str] = (), known: Sequence[str] = ()) -> Trimmed:
    """Return the part of a reply body that its sender newly wrote.

    ``body`` is the decoded text of the reply. ``fingerprints`` are lines of the
    bot's own emails; a line equal to one of them (ignoring case and spacing)
    starts the quoted copy, wherever it stands. ``known`` are texts known to be
    someone else's (the emails this one replies to): once the quote has begun,
    an unmarked line equal to one of their lines is not read, as is one equal
    to a ``>`` line of this email.
    """
    prints = frozenset(_norm(f) for f in fingerprints if f.strip())
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    reader = _Reader(lines, prints, _their_lines(lines, known))
    i = 0
    while i < len(lines):
        step = reader.step(i)
        if isinstance(step, Trimmed):
            return step
        i = step
    return Trimmed(_tidy(reader.kept), None, None)


@dataclass(slots=True)
class _Reader:
    """One pass over a reply's lines, keeping what the sender wrote."""

    lines: Sequence[str]
    prints: frozenset[str]
    theirs: frozenset[str]
    kept: list[str] = field(default_factory=list)
    wrote: bool = False  # has the sender written anything yet (above any quote header)?
    quote: _Quote = field(default_factory=lambda: _Quote())

    def step(self, i: int) -> int | Trimmed:
        """Read line ``i``: the index to read next, or where reading stopped and why."""
        line, quote = self.lines[i], self.quote
        if quote.passes(line):
            return i + 1
        start = _quote_start(self.lines, i, self.prints, not self.wrote)
        if start is not None:
            resume, why = start
            if resume is None:
                return Trimmed(_tidy(self.kept), i, why)
            quote.begin()
            return resume
        if quote.holds(self.lines, i, self.theirs):
            return i + 1
        stop = _stop_reason(line, bool(self.kept), quote.marked)
        if stop is not None:
            return Trimmed(_tidy(self.kept), i, stop)
        skip_to = i + 1 if _TAGLINE.match(line) else _banner_end(self.lines, i)
        if skip_to is not None:
            return skip_to
        self.kept.append(line)
        if line.strip():
            self.wrote, quote.last_read = True, i
        return i + 1


def _stop_reason(line: str, kept_any: bool, under_marked_quote: bool) -> str | None:
    """Why reading ends at ``line``, if it does: the sender's signature, a footer a server
    added below ">" lines, or a disclaimer under what they wrote."""
    if _SIGNATURE_DELIMITER.match(line):
        return "signature"
    if under_marked_quote and RULE.match(line):
        return "footer"
    if kept_any and _DISCLAIMER.match(line):
        return "disclaimer"
    return None


def _counts(text: str) -> bool:
    """Too short to tell whose it is ("Yes", "ok"): such a line is read as written."""
    return sum(c.isalnum() for c in text[:20]) >= 3


def _their_lines(lines: Sequence[str], known: Sequence[str]) -> frozenset[str]:
    """Normalised lines known to be someone else's: this email's ">" lines and ``known``."""
    theirs = {unquote(line) for line in lines if is_quoted(line)}
    theirs.update(unquote(line) for text in known for line in text.splitlines())
    return frozenset(_norm(t) for t in theirs if _counts(t))


@dataclass(slots=True)
class _Quote:
    """The marked quote as the reader meets it, to tell whose each unmarked line is."""

    begun: bool = False  # a ">" line, or a header introducing them, has been met
    marked: bool = False  # a ">" line has been met
    in_signature: bool = False  # inside a quoted signature ("> --"), no blank line since
    last_read: int = -1  # the index of the last line read as the sender's

    def begin(self) -> None:
        """A header that introduces ">" lines was passed."""
        self.begun, self.in_signature = True, False

    def passes(self, line: str) -> bool:
        """Whether ``line`` is a ``>`` line (never read), noting quoted signatures."""
        if not is_quoted(line):
            return False
        self.begun = self.marked = True
        content = unquote(line)
        if _SIGNATURE_DELIMITER.match(content):
            self.in_signature = True
        elif not content:
            self.in_signature = False
        return True

    def holds(self, lines: Sequence[str], i: int, theirs: frozenset[str]) -> bool:
        """Whether unmarked line ``i`` is part of the quote all the same."""
        line = lines[i]
        if not line.strip():
            self.in_signature = False
            return False
        # A line glued under one the sender wrote goes on with their paragraph:
        # "Partners: HIDVA, SPA" under their own "Case:" line is theirs even when
        # a quoted colleague wrote the same words.
        if not self.begun or self.last_read == i - 1:
            return False
        return self.in_signature or _norm(line) in theirs or is_wrapped_tail(lines, i)


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
