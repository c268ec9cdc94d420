"""The reply grammar as partners really type it: lenient forms -> the canonical line.

``rewrite`` turns a line written in a tolerated form ("A-1 done", "Completed
A-1", "Partners needed: Police", "New case - T.W. - threats") into the
canonical line the strict grammar reads ("Done: A-1", ...); the caller tells
the sender how it was read, so a wrong reading can be corrected. Only what is
unambiguous is rewritten, and never what does harm when guessed: ``Action:``
lines and case decisions have no lenient form here.

``nearest`` is for a line that looks meant as an instruction but cannot be
read even leniently: the form the sender most likely meant, built from what
they typed, for a "did you mean" problem.

Every pattern is anchored and linear; lines are capped by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable

LEAD = r"^\s*(?:[-*•·>]+\s*|\(?\d{1,2}[.)]\s*|\(?[a-z][.)]\s+)?"
# A colon, a dash, or only a space. Written so that no two quantifiers over spaces
# meet: "case" and 2,000 tabs must not backtrack quadratically.
_SEP = r"(?:\s*[:：]\s*|\s*[-–—]+\s*|\s+)"
_OPT_SEP = r"(?:\s*[:：]\s*|\s*[-–—]+\s*|\s*)"
_DONE = r"done|completed?|finished"
_UPDATE = r"update|progress"
_CANNOT = r"(?:cannot|can\s*not|can['’]?t|unable\s+to)\s+complete"
_STATUS = rf"(?P<kw>{_DONE}|{_UPDATE}|{_CANNOT})"
_ID = r"A\s?-?\s?(?P<n>\d{1,7})\b"
# Initials a person would not mistake: "T.W.", "T. W.", "TW".
_INITIALS = r"(?P<ini>(?-i:(?:[A-Z]\.\s?){1,3}[A-Z]\.?|[A-Z]{2,3}\b))"
_CASE_REF = r"(?P<ref>[a-z]{1,6}\s?-\s?\d{4}\s?-\s?\d{1,4})\b"
_PARTNERS = r"partners?(?:\s+(?:needed|required|requested|to\s+attend|to\s+invite))?"

_POLITE_WORDS = ("thank you", "thanks", "please", "cheers", "pls")
_TRAILING = " \t\r\n\f\v,.!"
_NEGATION = re.compile(r"\b(?:not|n['’]t|no|yet\s+to|still\s+to|awaiting|pending)\b", re.I)
_FIRST_ID = re.compile(r"^A-?(\d{1,7})\b", re.I)
_KW_FIRST = re.compile(LEAD + _STATUS + _SEP + r"(?P<rest>A-?\d{1,7}\b.*)$", re.I)
_ID_FIRST = re.compile(LEAD + r"A-?(?P<n>\d{1,7})\b" + _OPT_SEP + _STATUS + r"\b" + _OPT_SEP
                       + r"(?P<note>.*)$", re.I)
_CASE_WORD = r"(?:new\s+|add\s+)?(?:case|referral)"
_CASE = re.compile(LEAD + _CASE_WORD + _SEP + _INITIALS + r"\s*[-–—]+\s*(?P<concern>\S.*)$", re.I)
# A comma for the dash only after dotted initials: "Case CSC, concerns" names no person.
_CASE_COMMA = re.compile(LEAD + _CASE_WORD + _SEP + r"(?P<ini>(?-i:(?:[A-Z]\.\s?){1,3}[A-Z]\.))"
                         r"\s*,\s*(?P<concern>\S.*)$", re.I)
_PARTNERS_FOR = re.compile(LEAD + _PARTNERS + r"\s+for\s+(?:case\s+)?" + _CASE_REF
                           + r"\s*(?:[:：]|[-–—]+)\s*(?P<rest>.*)$", re.I)
_PARTNERS_NEW = re.compile(LEAD + _PARTNERS + r"\s*(?:[:：]|[-–—]+)\s*(?P<rest>.*)$", re.I)


def unpolite(text: str) -> str:
    """Without a closing "please" or "thanks". Done by hand: the obvious regex
    (punctuation, a word, punctuation, end) backtracks quadratically on a long
    run of commas or spaces, which the fuzz test found."""
    text = text.strip().rstrip(_TRAILING)
    low = text.lower()
    for word in _POLITE_WORDS:
        if low.endswith(word) and (len(text) == len(word) or not text[-len(word) - 1].isalnum()):
            return text[:-len(word)].rstrip(_TRAILING)
    return text


def _canon(keyword: str) -> str:
    low = keyword.casefold()
    if low.startswith(("done", "complet", "finish")):
        return "Done"
    if low.startswith(("update", "progress")):
        return "Update"
    return "Cannot complete"


def _kw_first(m: re.Match[str]) -> str:
    rest = _FIRST_ID.sub(lambda i: f"A-{int(i[1])}", m["rest"].strip(), count=1)
    return f"{_canon(m['kw'])}: {rest}"


def _id_first(m: re.Match[str]) -> str:
    note = unpolite(m["note"]).strip(" .-–—:,")
    return f"{_canon(m['kw'])}: A-{int(m['n'])}" + (f" - {note}" if note else "")


def _case(m: re.Match[str]) -> str:
    return f"Case: {m['ini'].strip()} - {m['concern'].strip()}"


def _partners_for(m: re.Match[str]) -> str:
    ref = re.sub(r"\s", "", m["ref"]).upper()
    return f"Partners for {ref}: {m['rest'].strip()}"


def _partners_new(m: re.Match[str]) -> str:
    return f"Partners: {m['rest'].strip()}"


_REWRITES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_KW_FIRST, _kw_first),
    (_ID_FIRST, _id_first),
    (_CASE, _case),
    (_CASE_COMMA, _case),
    (_PARTNERS_FOR, _partners_for),
    (_PARTNERS_NEW, _partners_new),
)


def rewrite(line: str) -> str | None:
    """The canonical line for a line written in a tolerated form, or None. A question ("A-1
    done?") or a negation ("Done A-1 not yet") is never rewritten: a person reads it."""
    if "?" in line:
        return None
    for pattern, build in _REWRITES:
        m = pattern.match(line)
        if m:
            canonical = build(m)
            if canonical.startswith("Done") and _NEGATION.search(canonical):
                return None
            return canonical
    return None


_NEAR_STATUS = re.compile(LEAD + _STATUS + _OPT_SEP + _ID.replace(r"\b", ""), re.I)
_NEAR_CASE = re.compile(LEAD + r"(?:new\s+|add\s+)?(?:case|referral)(?:\s*[:：]\s*|\s+)" + _INITIALS
                        + r"\s+(?P<rest>\S.*)$", re.I)
_NEAR_PARTNERS = re.compile(LEAD + _PARTNERS + r"\s+for\s+(?:case\s+)?" + _CASE_REF
                            + r"\s*(?P<rest>.*)$", re.I)
_NEAR_ACTION = re.compile(LEAD + r"action(?:\s*[-–—]\s*|\s+)(?P<rest>[a-z]{1,6}\s?-\s?\d.*)$", re.I)
_NEAR_DECISION = re.compile(LEAD + r"decision\s+(?:for\s+)?" + _CASE_REF + r"\s*(?:[-–—]+\s*)?"
                            r"(?P<rest>.*)$", re.I)
_NEAR_CASE_WORD = re.compile(LEAD + r"(?P<kw>withdraw\b|apolog(?:y|ies)\s+for\s+(?:case\s+)?"
                             r"(?=[a-z]{1,6}\s?-\s?\d))", re.I)
_ANY_REF = re.compile(r"\b[a-z]{1,6}\s?-\s?\d{4}\s?-\s?\d{1,4}\b", re.I)


def _ref(text: str, prefix: str) -> str:
    found = _ANY_REF.search(text)
    return re.sub(r"\s", "", found[0]).upper() if found else f"{prefix}-2026-0041"


def nearest(line: str, prefix: str) -> str | None:
    """The form a line that looks like an instruction but was not read most likely meant."""
    if (m := _NEAR_STATUS.match(line)) and "?" not in line and not _NEGATION.search(line):
        kw = _canon(m["kw"])
        tail = {"Done": "", "Update": " - <news>", "Cannot complete": " - <reason>"}[kw]
        return f"{kw}: A-{int(m['n'])}{tail}"
    if m := _NEAR_PARTNERS.match(line):
        return f"Partners for {_ref(m['ref'], prefix)}: {m['rest'].strip() or '<partners>'}"
    if m := _NEAR_ACTION.match(line):
        return f"Action: {m['rest'].strip()}"
    if m := _NEAR_DECISION.match(line):
        return f"Decision for {_ref(m['ref'], prefix)}: {m['rest'].strip() or 'accepted'}"
    if m := _NEAR_CASE_WORD.match(line):
        word = "Withdraw" if m["kw"].casefold().startswith("withdraw") else "Apologies for"
        found = _ANY_REF.search(line)
        reason = line[found.end():].strip(" -–—:：.") if found else ""
        return f"{word} {_ref(line, prefix)}: {reason or '<reason>'}"
    if m := _NEAR_CASE.match(line):
        return f"Case: {m['ini'].strip()} - {m['rest'].strip() or '<concern>'}"
    return None
