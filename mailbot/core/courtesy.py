"""Courtesy or prose: which of the sender's lines a person must read.

Every line of the newly written text that is not an instruction is either
courtesy (greetings, thanks, "nothing to add", "noted", "will attend",
sign-offs and the signature block after them, disclaimers) or prose that a
coordinator must read: a referral written in sentences, a question, "please
remove HR-2026-0041 from today". The prose lines go to the coordinators as the
sender wrote them.

When in doubt a line is prose: a referral lost is the worst thing the bot can
do, and a coordinator reading one extra "thanks" costs little. So courtesy is
a short list of shapes, and a line is courtesy only when every clause of it is.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_MAX_COURTESY = 200  # a longer line is never courtesy (except in a disclaimer paragraph)
_CLAUSES = re.compile(r"[,;!.…]+\s*|\s+[-–—]+\s+")
_NO_WORDS = re.compile(r"^[\W_]*$")
# Who says they will be there: an agency or a member of staff, never "Mum will attend" (that
# is news about a family, for a person to read).
_WHO = (r"(?-i:[A-Z]{2,6})|(?:DS|DC|PC|PS|DI|Sgt|Insp|Dr)\.?(?:\s+\d{1,6})?\s+(?-i:[A-Z][a-z'’-]{1,20})"
        r"|police|met|mash|team|colleague|someone|somebody|from|our|my|a|the|service|services|"
        r"safeguarding|social|care|adults?|children['’]?s?|mental|health|housing|hospital|trust|nhs|"
        r"community|safety|probation|idva|council")
# One courtesy phrase, optionally with "ok"/"great" before it and "thanks" after it.
_COURTESY = re.compile(
    r"^(?:(?:ok(?:ay)?|great|lovely|brilliant|perfect|noted|thanks?|many\s+thanks)\s+)?(?:"
    # greetings
    r"(?:hi|hello|hey|dear|morning|afternoon|good\s+(?:morning|afternoon|day))"
    r"(?:\s+(?:all|everyone|team|colleagues|both|there|again|[A-Z][a-z]{1,20}))?"
    r"|all|dear\s+(?:all|colleagues|chair|coordinators?)"
    # thanks
    r"|(?:many\s+|huge\s+|big\s+)?thanks?(?:\s+you)?(?:\s+(?:all|everyone|again|so\s+much|very\s+much|"
    r"in\s+advance|both))*(?:\s+for\s+(?:letting\s+(?:me|us)\s+know|(?:(?:the|your|this|that|all(?:\s+the)?|"
    r"sending(?:\s+the)?)\s+)?(?:agenda|invite|invitation|updates?|e-?mail|reminder|call|list|help|"
    r"information|info|message|reply|confirmation|notes|minutes|summary|everything|this|that|it)))?"
    r"|thx|ta|cheers|diolch(?:\s+yn\s+fawr)?|much\s+appreciated|appreciated|with\s+thanks"
    # nothing from us
    # ("from" only us or a partner agency: "no update from school" is about a person)
    r"|(?:there\s+is\s+|we\s+have\s+|i\s+have\s+)?(?:nothing|none|no\s+(?:new\s+)?(?:cases?|referrals?|"
    r"updates?|actions?))(?:\s+(?:to\s+(?:add|report|share|update)|further|new|"
    r"else|from\s+(?:us|me|our\s+side|the\s+agency|agency)|today|this\s+(?:week|time)|"
    r"for\s+(?:today|this\s+meeting|the\s+meeting)|at\s+(?:this\s+(?:time|stage|point)|this|the\s+moment|present)|"
    r"thanks?))*"
    r"|nil(?:\s+return)?(?:\s+(?:from\s+[\w'’&]{1,30}(?:\s+[\w'’&]{1,30}){0,3}|today|for\s+today))*"
    r"|n/?a|no\s+update\s+from\s+us"
    # apologies for the reply itself, not for an absence
    r"|(?:(?:my|our)\s+)?(?:apologies|sorry|apologise)\s+for\s+(?:the\s+|my\s+|our\s+|this\s+)?"
    r"(?:(?:late|slow|delayed|belated)\s+)?(?:reply|response|delay|email)"
    # acknowledgements
    r"|(?:noted|(?:all\s+)?received|understood|ok(?:ay)?)(?:\s+(?:with\s+)?(?:thanks?(?:\s+you)?|many\s+thanks))?"
    r"|will\s+do|acknowledged|confirmed|great|perfect|"
    r"lovely|brilliant|sounds\s+good|no\s+problem|got\s+it|fine|agreed|yes|yep|sure"
    r"|(?:i|we)(?:['’]ll|\s+will|\s+shall)\s+(?:be\s+(?:there|attending|on\s+the\s+call)|attend|dial\s+in|join)"
    r"(?:\s+(?:today|the\s+(?:call|meeting)|at\s+\d{1,2}(?::\d\d)?\s*(?:noon|pm|am)?))?"
    r"|(?:will\s+)?(?:attend(?:ing)?|dial(?:ling)?\s+in|join(?:ing)?)(?:\s+today)?|see\s+you\s+(?:there|later|at\s+\S+|then|soon)"
    # "Police will attend", "DS Smith from CNWL will dial in": who, then that they will be there
    r"|(?:" + _WHO + r")(?:\s+(?:" + _WHO + r")){0,4}\s+(?:will|shall|can|is|are)\s+(?:attend(?:ing)?|"
    r"dial(?:ling)?\s+in|join(?:ing)?|"
    r"be\s+(?:there|attending|on\s+the\s+call|dialling\s+in|joining))(?:\s+(?:today|the\s+(?:call|meeting)|"
    r"at\s+\d{1,2}(?::\d\d)?\s*(?:noon|pm|am)?))?"
    # sign-offs
    r"|(?:kind|best|warm|many|warmest)(?:est)?\s+(?:regards|wishes)|regards|best|all\s+the\s+best|"
    r"(?:yours\s+)?(?:sincerely|faithfully)|thanks\s+and\s+regards|speak\s+soon|take\s+care|rgds|kr|bw"
    r"|have\s+a\s+(?:good|nice|great)\s+(?:day|weekend|week|afternoon)"
    r"|(?:i\s+)?hope\s+(?:you|you['’]re|you\s+are|everyone\s+is|all\s+is)(?:\s+(?:all|both|keeping))?\s+well"
    r"|(?:i\s+)?hope\s+this\s+(?:e-?mail\s+)?finds\s+you\s+well"
    # protective markings (Government Security Classifications)
    r"|\[?(?:classification\s*:\s*)?(?:official|official[\s-]+sensitive|not\s+protectively\s+marked|"
    r"restricted|protect)\]?"
    r")(?:\s+(?:thanks?(?:\s+you)?|cheers|all|everyone))?$",
    re.IGNORECASE,
)
# An agency naming itself before its answer: "CNWL:", "From Police:", "Police - ".
_AGENCY_LABEL = re.compile(r"^(?:from\s+)?(?:" + _WHO + r")(?:\s+(?:" + _WHO + r")){0,3}\s*(?::|\s[-–—])\s+",
                           re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^(?:(?:kind|best|warm|many|warmest)\s+(?:regards|wishes|thanks)|regards|best|thanks|thank\s+you|"
    r"many\s+thanks|cheers|diolch|rgds|kr|bw|(?:yours\s+)?(?:sincerely|faithfully)|thanks\s+and\s+regards|"
    r"with\s+thanks|take\s+care|speak\s+soon|all\s+the\s+best)\b[\s,.!–—-]*"
    r"(?:(?:all|everyone|both)\b[\s,.!–—-]*)?(?:(?-i:[A-Z][\w'’-]{0,30}(?:\s+[A-Z][\w'’-]{0,30}){0,2})"
    r"[\s,.!]*)?$",
    re.IGNORECASE,
)
_DEVICE = re.compile(r"^(?:sent\s+(?:from|with|using)\s+\S|get\s+outlook\s+for)", re.IGNORECASE)
_SIG_DASHES = re.compile(r"^--\s*$")
# What a signature block is made of, recognised even without a sign-off above it.
_SIG_SURE = re.compile(
    r"\b(?:she|he|they)\s*/\s*(?:her|him|them)\b"
    r"|\bworking\s+(?:hours|days|pattern)\b|\bI\s+work\s+(?:part|mon|tue|wed|thu|fri)",
    re.IGNORECASE,
)
# An address, a link or a postcode: a signature's, unless the line reads as a sentence
# ("her new address is 12 High Road, UB8 1UW" is about a person).
_SIG_CONTACT = re.compile(r"\S@\S+\.\w|https?://|\bwww\.|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b",
                          re.IGNORECASE)
_SENTENCE = re.compile(r"\b(?:is|are|was|were|has|have|had|her|his|their|lives?|living|moved|moving|new|"
                       r"address|please|can|could|would|staying|stays|currently|now)\b", re.IGNORECASE)
# "Tel: 020 7123 4567 | Mob: 07700 900123": each piece a labelled phone number.
_PHONE = re.compile(r"^(?:(?:t|tel|telephone|m|mob|mobile|phone|ph|direct(?:\s+line)?|office|w|work|ext|"
                    r"fax|switchboard)\s*[.:]?\s*)?[+(]?\d[\d\s()+-]{6,30}\d\s*(?:\(?ext\.?\s*\d{1,6}\)?)?$",
                    re.IGNORECASE)
_PIECES = re.compile(r"\s*[|•·]\s*|\s{2,}")
# Job titles, teams and addresses: only in a line written like a title ("Detective
# Sergeant, MASH"), never in a sentence ("Police will attend the address").
_SIG_TITLE = re.compile(
    r"\b(?:officer|manager|sergeant|constable|inspector|detective|social\s+worker|practitioner|"
    r"coordinator|co-ordinator|advisor|adviser|nurse|lead|head|team|service|services|trust|"
    r"council|department|directorate|unit|hub|mash|idva|marac|nhs|police|safeguarding|"
    r"floor|centre|house|road|street|lane|avenue|uxbridge|hillingdon|london)\b",
    re.IGNORECASE,
)
_SMALL_WORDS = frozenset({"of", "and", "for", "the", "&", "-", "–", "in", "at", "to"})
_NAME = re.compile(r"^(?:(?:Dr|DS|DC|PC|PS|DI|DCI|Sgt|DSgt|Insp|Supt|Mr|Mrs|Ms|Miss|Mx|Cllr)\.?\s+"
                   r"(?:\d{1,6}\s+)?)?"
                   r"[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2}$")
# A person's initials or a case reference: never part of a signature.
_CASE_WORDS = re.compile(r"\b[A-Z]\.\s?[A-Z]\.|\b[a-z]{1,6}-\d{4}-\d", re.IGNORECASE)
# What is left of a damaged MIME structure read as text: not anybody's words.
_MIME_DEBRIS = re.compile(r"^(?:--[\w'()+,./:=?-]{1,70}|(?:content-[\w-]{1,40}|mime-version)\s*:.*)$",
                          re.IGNORECASE)
_DISCLAIMER = re.compile(
    r"\b(?:confidential|intended\s+(?:solely\s+)?(?:for|recipient)|privileged|received\s+this\s+"
    r"(?:e-?mail|message)\s+in\s+error|disclaimer|monitored|viruses?|unauthori[sz]ed|unlawful|"
    r"consider\s+the\s+environment|before\s+printing|freedom\s+of\s+information|views\s+expressed|"
    r"originated\s+from\s+outside|do\s+not\s+click|legally|gcsx|cjsm|nhsmail)\b",
    re.IGNORECASE,
)


def is_courtesy(line: str, agencies: Collection[str] = ()) -> bool:
    """Whether every clause of a line is a greeting, thanks, "nothing to add" or a sign-off.
    ``agencies`` are the partners' names, so "Nothing from CNWL" is courtesy."""
    text = line.strip()
    if _NO_WORDS.match(text):
        return True
    if len(text) > _MAX_COURTESY or "?" in text:
        return False
    text = _AGENCY_LABEL.sub("", text, count=1)  # "CNWL: nothing to add", "Police - no cases"
    clauses = [_agency_named(c.strip(), agencies) for c in _CLAUSES.split(text) if c.strip()]
    return all(_COURTESY.match(c) for c in clauses)


def _agency_named(clause: str, agencies: Collection[str]) -> str:
    """The clause with a partner's name after "from" written as "agency"."""
    head, sep, tail = clause.casefold().partition(" from ")
    if sep:
        for name in sorted(agencies, key=len, reverse=True):  # "metropolitan police" before "police"
            if tail == name or tail.startswith(name + " "):
                return f"{head} from agency{tail[len(name):]}"
    return clause


def _signature_line(line: str, signed: bool = False) -> bool:
    """Whether a line belongs to a signature block. After a sign-off (``signed``) a short
    line written like a title is enough ("HIDVA", "Adult Social Care MASH")."""
    text = line.strip()
    if not text or _NO_WORDS.match(text):
        return True
    if "?" in text or len(text) > _MAX_COURTESY or len(text.split()) > 10 or _CASE_WORDS.search(text):
        return False
    if _SIG_SURE.search(text) or _NAME.match(text) or _SIGN_OFF.match(text) or _DEVICE.match(text):
        return True
    if _SIG_CONTACT.search(text) and not _SENTENCE.search(text):
        return True
    if all(_PHONE.match(piece) for piece in _PIECES.split(text) if piece):
        return True
    if signed and len(text.split()) <= 5 and not any(c.isdigit() for c in text) and _title_case(text):
        return True
    return bool(_SIG_TITLE.search(text)) and _title_case(text)


def _title_case(text: str) -> bool:
    """Whether a line is written like a title: its words capitalised, small words aside."""
    words = [w for w in re.split(r"[\s,/|]+", text) if w and w.casefold() not in _SMALL_WORDS]
    return bool(words) and all(w[0].isupper() or not w[0].isalpha() for w in words)


def _paragraphs(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    out: list[list[tuple[int, str]]] = [[]]
    for number, line in lines:
        if line.strip():
            out[-1].append((number, line))
        elif out[-1]:
            out.append([])
    return [p for p in out if p]


def _disclaimer(paragraph: list[tuple[int, str]]) -> bool:
    """A legal footer: two markers in one paragraph, since one word ("confidential") may be prose."""
    text = " ".join(line for _, line in paragraph)
    return len({m.casefold() for m in _DISCLAIMER.findall(text)}) >= 2


def _signature_block(lines: list[tuple[int, str]]) -> set[int]:
    """The lines from each sign-off ("Kind regards", "--", "Sent from my iPhone") on, as long
    as they read as a signature: the first line that does not ends the block, so a referral
    written below an early "Thanks" is still read."""
    block: set[int] = set()
    inside = False
    for number, line in lines:
        text = line.strip()
        if len(text) <= 80 and (_SIGN_OFF.match(text) or _DEVICE.match(text) or _SIG_DASHES.match(text)):
            inside = True
        elif inside and not _signature_line(line, signed=True):
            inside = False
        if inside:
            block.add(number)
    return block


def _trailing_signature(lines: list[tuple[int, str]]) -> set[int]:
    """A last paragraph made only of signature lines ("Jane Smith / MASH") with no sign-off."""
    paragraphs = _paragraphs(lines)
    if len(paragraphs) < 2 or not all(_signature_line(line) for _, line in paragraphs[-1]):
        return set()
    return {number for number, _ in paragraphs[-1]}


def for_coordinators(text: str, instructions: Collection[int], until: int | None = None,
                     agencies: Collection[str] = ()) -> tuple[str, ...]:
    """The sender's lines a person must read, in order and as written: every line that is
    not an instruction, courtesy, the signature block or a disclaimer. ``until`` is the
    first line not read at all (a ``stop`` line); ``agencies`` are the partners' names,
    casefolded."""
    lines = [(n, line.rstrip()) for n, line in enumerate(text.splitlines(), start=1)
             if until is None or n < until]
    footer: set[int] = set()
    for paragraph in _paragraphs(lines):
        if _disclaimer(paragraph):
            footer.update(n for n, _ in paragraph)
    footer |= _signature_block([(n, line) for n, line in lines if n not in instructions])
    footer |= _trailing_signature([(n, line) for n, line in lines if n not in footer])
    following = _next_written(lines)
    prose = []
    for number, line in lines:
        if number in instructions or number in footer or is_courtesy(line, agencies) \
                or _MIME_DEBRIS.match(line):
            continue
        if _lead_in(line, following[number], instructions):
            continue
        prose.append(line)
    return tuple(prose)


def _lead_in(line: str, following: int | None, instructions: Collection[int]) -> bool:
    """"Two from us today:" right above the instructions it introduces (``following`` is
    the next line that is not blank)."""
    text = line.strip()
    return (text.endswith(":") and len(text.split()) <= 6 and "?" not in text
            and following is not None and following in instructions)


def _next_written(lines: list[tuple[int, str]]) -> dict[int, int | None]:
    """For each line, the number of the next line that is not blank."""
    out: dict[int, int | None] = {}
    after: int | None = None
    for number, line in reversed(lines):
        out[number] = after
        if line.strip():
            after = number
    return out
