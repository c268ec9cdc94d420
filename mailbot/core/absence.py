"""Absence lines as partners write them: "Sorry, we can't make today's call".

The strict form is ``Apologies`` (see ``commands``); this module reads the
lenient forms, and only where the meaning is unambiguous: a verb of attending
(attend, make, join, dial in) negated, followed by the meeting ("today", "the
call", "the meeting", ...) or by nothing. "Police cannot attend the address
until Friday" is case prose and is not read; "Apologies for the late reply" is
courtesy. A question, a condition or a doubt ("if", "might", "not sure") is
never an absence: a person reads it.

Who is absent is decided here only as far as the words go: ``speaker`` is
what stands before the verb ("", "we", "CNWL"), for the caller to check
against the sender's agency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NEGATED = (r"(?:can\s*not|can['’]?t|could\s*n[o']?t|unable\s+to|not\s+able\s+to|"
            r"won['’]?t\s+be\s+able\s+to|will\s+not\s+be\s+able\s+to)")
_VERB = r"(?:attend|make|join|dial\s*in(?:to)?)"
_MEETING = (r"(?:today|this\s+(?:morning|afternoon|call|meeting|discussion)|"
            r"the\s+(?:call|case\s+call|meeting|discussion|marac|hrcd))\b")
_ABSENT = re.compile(
    rf"^(?P<speaker>[^?]{{0,80}}?)\b{_NEGATED}\s+{_VERB}(?:\s+it)?"
    rf"(?:(?:\s*[.!])?\s*$|\s+(?P<what>{_MEETING}.*)$)",
    re.IGNORECASE,
)
# Words that open an absence line and are not who is absent.
_OPENERS = re.compile(
    r"^(?:(?:apolog(?:y|ies)|sorry|unfortunately|afraid|i['’]?m\s+afraid|i\s+am\s+afraid|"
    r"please\s+note|just\s+to\s+say|just\s+to\s+let\s+you\s+know|fyi|hi|hello|all|everyone|"
    r"both|team)\b[\s,:;.!-]*)+",
    re.IGNORECASE,
)
# Doubt, or someone else coming in the sender's place: a person reads those.
_DOUBT = re.compile(r"\?|\b(?:if|whether|unless|might|may|maybe|perhaps|not\s+sure|possibly|but|instead|"
                    r"will\s+cover|(?:is|are|be)\s+covering|cover(?:ing)?\s+for\s+(?:me|us)|deputy|deputising|"
                    r"send(?:ing)?|in\s+(?:my|our)\s+place|"
                    r"on\s+(?:my|our)\s+behalf)\b", re.IGNORECASE)
_PRONOUNS = re.compile(r"^(?:i|we|i['’]?m|we['’]?re|i\s+am|we\s+are|i\s+will|we\s+will|"
                       r"i['’]ll|we['’]ll)?$", re.IGNORECASE)
_ACCEPT = re.compile(
    r"^(?:please\s+)?(?:accept|note)\s+(?:my|our|the)?\s*apolog(?:y|ies)"
    r"(?:\s+from\s+(?P<whom>[^,.;:!?]{1,60}))?(?:\s+for\s+(?:today|this\s+\w+)\b[^,.;:!?]{0,30})?"
    r"\s*[,.;:!]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_FOR_TODAY = re.compile(
    r"^(?:(?:my|our)\s+)?apolog(?:y|ies)\s+for\s+(?:today|this\s+(?:morning|afternoon|call|meeting))"
    r"\b[^,.;:!?]{0,30}[.!]?\s*$",
    re.IGNORECASE,
)


_FOR = re.compile(r"\s+for\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Absence:
    """An absence line read leniently: who stands before the verb, and why (may be empty)."""

    speaker: str  # "", "CNWL", "Mum", "DS Smith": the caller checks it against the sender
    reason: str  # the sender's own words, for the record
    # "apologies from DS Smith" names whose apologies they are, so a person's name is
    # fine there; "Mum can't make the meeting" is about someone else: case prose.
    named_by_sender: bool = False


def read_absence(line: str) -> Absence | None:
    """The absence a line announces, or None when it is not unmistakably one."""
    text = line.strip().strip("*•·").strip()
    if len(text) > 300 or _DOUBT.search(text):
        return None
    if _FOR_TODAY.match(text):
        return Absence("", "")
    accepted = _ACCEPT.match(text)
    if accepted:
        # "from CNWL for today's meeting": the agency is what comes before "for".
        whom = _FOR.split(accepted["whom"] or "", maxsplit=1)[0].strip()
        return Absence(whom, accepted["rest"].strip().rstrip(".!"), True)
    m = _ABSENT.match(text)
    if m is None:
        return None
    speaker = _OPENERS.sub("", m["speaker"]).strip(" ,;:-–—")
    reason = _OPENERS.sub("", text).strip().rstrip(".!")
    if _PRONOUNS.match(speaker):
        return Absence("", reason)
    return Absence(speaker, reason)
