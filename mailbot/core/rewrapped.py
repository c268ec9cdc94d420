"""Broken quoting: the unmarked rest of a ``>`` line that a client re-wrapped.

Used by ``quotes.trim`` once the quote has begun, to tell the rest of a quoted
line from an answer the sender typed under it. Pure; every look is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailbot.core.quote_marks import is_attribution, is_quoted, quote_depth, unquote

# Broken quoting: a client (or a list server) that re-wraps a long ">" line
# leaves the rest of it unmarked on the next lines, glued to it with no blank
# line. An unmarked line glued under a quote of a quote (">>") is such a rest:
# nobody answers inside the older history. Under a first-level quote, the rest
# goes on mid-sentence (lower case, or the quoted line stops on a comma or a
# word like "the"), and every line of the run but the last is long, because it
# was wrapped. An answer typed under a quoted line that is shaped like an
# instruction ("Case: ...", "Done: A-12") is read all the same.
_WRAPPED_MIN = 50
_SENTENCE_END = (".", "!", "?", ":", ";")
_OPEN_END = re.compile(
    r"(?:[,(&/-]|\b(?:the|a|an|of|to|and|or|but|for|by|with|in|on|at|from|that|which|then|is|are|"
    r"was|were|be|if|as|so|not|my|your|our|their|this|these|und|der|die|das|dem|den|et|le|la|les|de))$",
    re.IGNORECASE,
)
# "Case: ...", "- Partners for HR-2026-0041: SPA", "2) Done: A-12": a label that starts with a
# letter, after an optional bullet or number, with something written after its colon.
_LABEL = re.compile(
    r"^\s*(?:[-*•·–—]+\s*|\(?\d{1,3}[.)]\s*)?[^\W\d_][\w'’.-]+(?:\s+[\w'’.-]+){0,3}\s*[:：]\s*\S"
)
_CONTINUING = tuple("([{)]},;")  # a wrapped line may go on with a bracket, never a bullet
_SHORT_TAIL = 40
_TAIL_LOOKBACK = 12  # lines of one re-wrapped paragraph; bounds the look back


def is_wrapped_tail(lines: Sequence[str], i: int) -> bool:
    """Whether unquoted line ``i`` is the rest of a re-wrapped ``>`` line above it."""
    for j in range(i - 1, max(i - 1 - _TAIL_LOOKBACK, -1), -1):
        above = lines[j].rstrip()
        if is_quoted(above):
            return _goes_on(above, lines[j + 1], glued=j + 1 == i, sandwiched=_quote_below(lines, i))
        if len(above) < _WRAPPED_MIN:
            return False
    return False


def _quote_below(lines: Sequence[str], i: int) -> bool:
    """Whether the unmarked lines from ``i`` run straight into a ``>`` line."""
    for k in range(i + 1, min(i + 1 + _TAIL_LOOKBACK, len(lines))):
        if is_quoted(lines[k]):
            return True
        if not lines[k].strip():
            return False
    return False


def _goes_on(quoted: str, tail: str, glued: bool, sandwiched: bool) -> bool:
    """Whether ``tail``, the line under ``quoted``, goes on with it; ``glued``: the line
    read is ``tail``; ``sandwiched``: a ">" line follows the run of unmarked lines at once."""
    if is_attribution(f"{unquote(quoted)} {tail.strip()}"[-400:]):
        return True  # "On ..., Name <a@b.c>" + "wrote:"
    if glued and _LABEL.match(tail[:80]):
        return False
    if quote_depth(quoted) > 1:
        return True
    if len(quoted) < _WRAPPED_MIN or quoted.endswith(_SENTENCE_END) or _LABEL.match(tail[:80]):
        return False
    first = tail.lstrip()[:1]
    if first.islower() or first in _CONTINUING:
        return True
    # A capital after "the", "of", "and" ... may be a name going on ("referred by
    # the\nPolice"): a short fragment, or a run the quote goes on under at once.
    # A sentence under it with a blank line or the end below is the sender's.
    if not _OPEN_END.search(quoted[-12:]):
        return False
    return len(tail.strip()) <= _SHORT_TAIL or sandwiched
