"""``Cancel meeting <ref>: <reason>``: a one-off sitting called for a case will not take place.

Read as people write it: ``Cancel meeting HR-2026-0041 - family moved``, ``cancel the
meeting for HR-2026-0041: ...``, ``Cancel the strategy discussion for HR-2026-0041 on
03/12/2026 14:00: ...``. The day and time are needed only when the case has more than one
sitting to come, which the service checks; the reason is always needed, since a cancelled
safeguarding meeting must say why. Nothing is cancelled on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, time

from mailbot.core.dates import DateError, parse_date
from mailbot.core.lenient import LEAD
from mailbot.core.model import CancelMeeting
from mailbot.core.readers import Parse

_KINDS = (r"(?:one[-\s]?off\s+)?(?:meeting|sitting|strategy\s+(?:discussion|meeting)"
          r"|professionals['’]?\s+meeting|best[-\s]interests?\s+meeting)")
CANCEL = re.compile(
    LEAD + r"cancel\s+(?:the\s+|our\s+|this\s+|my\s+)?" + _KINDS
    + r"\s+(?:for\s+|about\s+|of\s+|on\s+)?(?:case\s+)?([a-z]{1,6}\s?-\s?\d{4}\s?-\s?\d{1,4})(.*)$", re.I)
# A time as in a Meeting line (core.call_reader), but one a colon may follow: "14:00: moved".
_TIME = re.compile(
    r"(?<![\w/.:-])(?:(?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))?\s*(?P<ap>[ap])\.?m\.?"
    r"|(?P<h24>\d{1,2})[:.](?P<m24>\d{2})|(?P<noon>noon|midday))(?=[\s,:：–—-]|$)",
    re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*(?:[:：]|[-–—]+)\s*")
_ON = re.compile(r"^\s*(?:on|at|for|,)\s+", re.I)
_AT = re.compile(r"[\s,]+(?:at|@)\s*$", re.I)
_SPLIT = re.compile(r"\s*[:：]\s*|\s+[-–—]+\s+|\s*[–—]+\s*")
_WRAPPED_AT = 60
_ENDS_SENTENCE = re.compile(r"[.!?]\s*$")


def form(reference: str) -> str:
    return f"Cancel meeting {reference}: <reason>"


def cancel(p: Parse, ref: str, rest: str, line: int) -> None:
    """``Cancel meeting HR-2026-0041: family moved away``, with the sitting's day and time
    before the reason when it needs naming."""
    case = p.reference(ref, line)
    if case is None:
        return
    when = _when(rest, p.today)
    if isinstance(when, str):
        p.clarify(line, p.said, f"Cancel meeting {case} <dd/mm/yyyy> <hh:mm>: <reason>", when)
        return
    day, starts, reason = when
    reason = reason.strip().rstrip(" .!")
    if not reason:
        p.clarify(line, p.said, form(case), "say why it is cancelled")
        return
    p.commands.append(CancelMeeting(case, day, starts, reason, line))


def _when(rest: str, today: date) -> tuple[date | None, time | None, str] | str:
    """The day and time before the reason (either may be missing), and the reason; else why
    the day or the time cannot be read."""
    text = " ".join(rest.split())
    for m in _TIME.finditer(text):
        head = _AT.sub("", _ON.sub("", _SEPARATOR.sub("", text[:m.start()])))
        day = _day(head, today)
        if day is None and head.strip():
            break  # the time is part of the reason ("moved at 9am")
        starts = _time(m)
        if starts is None:
            return "that is not a time of day"
        return day, starts, _SEPARATOR.sub("", text[m.end():])
    body = _SEPARATOR.sub("", text)
    parts = _SPLIT.split(body, maxsplit=1)
    day = _day(_ON.sub("", parts[0]), today) if len(parts) == 2 else None
    # No day before a separator: all of it is the reason ("family moved: they left on Friday").
    return (day, None, parts[1]) if day is not None else (None, None, body)


def _day(text: str, today: date) -> date | None:
    try:
        return parse_date(text, today) if text.strip() else None
    except (DateError, ValueError):
        return None


def _time(m: re.Match[str]) -> time | None:
    if m["noon"]:
        return time(12, 0)
    if m["h24"] is not None:
        hour, minute = int(m["h24"]), int(m["m24"])
    else:
        if int(m["h12"]) > 12:
            return None
        hour, minute = int(m["h12"]) % 12 + (12 if m["ap"].lower() == "p" else 0), int(m["m12"] or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def unwrapped(lines: Sequence[str], is_instruction: Callable[[str], bool]) -> list[str]:
    """The lines with a cancel line that a mail client wrapped joined up again: a long cancel
    line not ending a sentence takes the next line when that goes on in lower case or with a
    number, and is no instruction; the next line is left empty so line numbers stay."""
    out = list(lines)
    for i, line in enumerate(out[:-1]):
        after = out[i + 1].strip()
        if not CANCEL.match(line) or not after or is_instruction(after):
            continue
        if len(line) >= _WRAPPED_AT and not _ENDS_SENTENCE.search(line) and (after[0].islower()
                                                                            or after[0].isdigit()):
            out[i], out[i + 1] = f"{line.rstrip()} {after}", ""
    return out
