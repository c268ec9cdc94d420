"""How much of a case an email may carry, decided by where it goes.

The partnership's information sharing agreement allows case details (initials,
concern, actions) only over secure email. Everything else gets the reference
level: case references, referring partner, required partners and times, with the
details read out on the call. A letter is only as open as its least secure
recipient, and withholding happens on the data before any template sees it, so
no template can leak what it was never given.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


class Level(enum.StrEnum):
    FULL = "full"  # initials, concern, action text
    REFERENCE = "reference"  # case reference and referring partner only


WITHHELD = "[details withheld: read on the call]"
# After the call there is no call to read them on: an action's owner is pointed to the
# partnership's secure route (``ContentPolicy.secure_route``), printed beside the actions.
WITHHELD_ROUTE = "[details not sent by email: see below how to get them]"
DEFAULT_SECURE_ROUTE = ("Ask the coordinator for the action's details by phone, or read them in the "
                        "partnership's secure workspace.")
# Initials and free text: simply left out. A case's category ("missing", "child exploitation")
# says what happened to a person, so it goes with the details.
_BLANKED = frozenset({"subject", "note", "rationale", "category"})
_REPLACED = frozenset({"concern", "text"})  # the line stays, saying why it is empty


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(">")


def _listed(domain: str, listed: Iterable[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in listed)


@dataclass(frozen=True, slots=True)
class ContentPolicy:
    secure_domains: tuple[str, ...] = ()
    default_level: Level = Level.REFERENCE
    subject_tags: tuple[tuple[str, str], ...] = ()
    secure_route: str = DEFAULT_SECURE_ROUTE  # how an owner sent references only learns the details

    def level(self, recipients: Sequence[str]) -> Level:
        if self.default_level is Level.FULL:
            return Level.FULL
        if recipients and all(_listed(_domain(r), self.secure_domains) for r in recipients):
            return Level.FULL
        return Level.REFERENCE

    def tag(self, recipients: Sequence[str]) -> str:
        domains = [_domain(r) for r in recipients]
        tags = [tag for listed, tag in self.subject_tags if any(_listed(d, (listed,)) for d in domains)]
        return " ".join(dict.fromkeys(tags))


# Answers that quote the sender's own lines back ("'Case Y.U. coercive control' was not read:
# did you mean 'Case: Y.U. - coercive control'?"). A suggestion is built from fragments of the
# line, so scrubbing whole lines is not enough: at reference level a quoted span survives only
# if every word in it is grammar, a reference or a partner's name.
_QUOTING = frozenset({"problems", "read_as"})
_QUOTED = re.compile(r"(?<!\w)'([^'\n]{1,400})'(?!\w)|(?<!\w)\"([^\"\n]{1,400})\"(?!\w)")
_WORD = re.compile(r"[^\s:|,;()]+")
_PUNCTUATION = ".-–—'\"?!"
_GRAMMAR_WORDS = frozenset([
    "case", "new", "add", "referral", "partners", "partner", "needed", "required", "to", "attend", "for",
    "done", "completed", "complete", "finished", "update", "progress", "cannot", "can't", "can", "not",
    "unable", "apologies", "withdraw", "action", "decision", "review", "status", "accepted", "declined",
    "closed", "and", "stop", "end", "a", "an", "the", "of", "on", "as", "is", "<initials>", "<concern>",
    "<reason>", "<news>", "<what>", "<owner>", "<due>", "<case>", "<partners>", "<date>", "<id>",
    "<action>",
])
_SAFE_WORD = re.compile(r"[A-Za-z]{1,8}-\d{2,4}(?:-\d{1,4})?|A-?\d{1,7}|\d{1,4}(?:/\d{1,4}){0,2}", re.I)


def says_nothing(text: str, safe_words: frozenset[str]) -> bool:
    """Whether every word of ``text`` is grammar, a reference, a date or a partner's name."""
    words = [w.strip(_PUNCTUATION) for w in _WORD.findall(text)]
    return all(not w or w.casefold() in _GRAMMAR_WORDS or w.casefold() in safe_words
               or _SAFE_WORD.fullmatch(w) for w in words)


def scrub_quotes(text: str, safe_words: frozenset[str]) -> str:
    """Every quoted span in ``text`` that holds a word other than grammar, a reference or a
    partner's name, replaced: it may be what the sender wrote about a person."""
    def replace(m: re.Match[str]) -> str:
        return m[0] if says_nothing(m[1] if m[1] is not None else m[2], safe_words) \
            else "[your words withheld]"

    return _QUOTED.sub(replace, text)


def withhold(context: Mapping[str, object], secrets: Sequence[str] = (),
             safe_words: frozenset[str] = frozenset(), placeholder: str = WITHHELD) -> dict[str, object]:
    """The context with case details removed (a detail that leaves its line empty says
    ``placeholder`` instead), and every string in ``secrets`` (what a partner wrote about a
    person) replaced wherever it is quoted."""
    patterns = _secret_patterns(tuple(secrets))  # once for the letter, not once a string

    def scrub(value: object, key: str = "") -> object:
        if isinstance(value, str):
            if key in _BLANKED:
                return ""
            if key in _REPLACED:
                return placeholder
            text = _replace_all(value, patterns)
            return scrub_quotes(text, safe_words) if key in _QUOTING else text
        if isinstance(value, Mapping):
            return {k: scrub(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(v, key if key in _QUOTING else "") for v in value]
        return value

    return {k: scrub(v, k) for k, v in context.items()}


def scrub_text(text: str, secrets: Sequence[str]) -> str:
    """``text`` with each of ``secrets`` replaced where it stands as a word or words of its own:
    initials "SP" are withheld, but the partner "SPA" and the word "look" keep their letters."""
    return _replace_all(text, _secret_patterns(tuple(secrets)))


def _secret_patterns(secrets: tuple[str, ...]) -> list[re.Pattern[str]]:
    """One pattern per secret, longest first, so "T.W. Smith" goes before "T.W." can split it."""
    return [re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
            for word in sorted({s.strip() for s in secrets if len(s.strip()) >= 2}, key=len, reverse=True)]


def _replace_all(text: str, patterns: list[re.Pattern[str]]) -> str:
    for pattern in patterns:
        text = pattern.sub("[withheld]", text)
    return text
