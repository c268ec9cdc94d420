"""A meeting day's agenda: its cases, and who is required or may stand down.

Pure values read from the store in one transaction; the rules that say who
must attend live here and nowhere else.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from mailbot.core.directory import Directory


class Told(enum.StrEnum):
    """What a partner was last told about a meeting day."""

    REQUIRED = "required"
    STAND_DOWN = "stand-down"


@dataclass(frozen=True, slots=True)
class CaseView:
    """One case as the agenda shows it."""

    reference: str
    subject: str  # initials, as the referrer wrote them
    concern: str
    referrer: str  # partner code
    partners: tuple[str, ...]  # required partners, referrer first
    reason: str = "new"  # why it is on this day's agenda: new, review, returned, carried
    note: str = ""  # shown beside it, e.g. the reason an action could not be completed
    status: str = "open"
    last_day: date | None = None  # the last meeting day it was on
    category: str = ""  # one of the meeting's categories, or "" where it has none
    lead: str = ""  # the lead coordinating professional's email address, once named


@dataclass(frozen=True, slots=True)
class ApologyView:
    """A partner that cannot attend a meeting day (all of it, or only ``reference``)."""

    partner: str
    reference: str  # "" for the whole meeting
    reason: str


@dataclass(frozen=True)
class DayView:
    """A meeting day as it stands: its cases and what each partner has been told."""

    meeting: str
    day: date
    cases: tuple[CaseView, ...]
    told: Mapping[str, str] = field(default_factory=dict)
    apologies: tuple[ApologyView, ...] = ()

    def has_case(self, reference: str) -> bool:
        return any(case.reference == reference for case in self.cases)

    def required(self, directory: Directory) -> list[str]:
        """Partner codes required at the meeting, in directory order."""
        needed = {code for case in self.cases for code in case.partners}
        return [p.code for p in directory if p.code in needed]

    def standing_down(self, directory: Directory) -> list[str]:
        needed = set(self.required(directory))
        return [p.code for p in directory if p.code not in needed]

    def is_required(self, code: str) -> bool:
        return any(code in case.partners for case in self.cases)

    def cases_for(self, code: str) -> list[CaseView]:
        return [case for case in self.cases if code in case.partners]


def initials_key(subject: str) -> str:
    """Initials compared for repeats: letters only, upper case ("t.w." == "TW")."""
    return re.sub(r"[^A-Za-z]", "", subject).upper()


def possible_repeat(subject: str, earlier: Iterable[CaseView]) -> CaseView | None:
    """An open or recently discussed case with the same initials, if any."""
    key = initials_key(subject)
    if not key:
        return None
    for case in earlier:
        if initials_key(case.subject) == key:
            return case
    return None


def newly_required(day: DayView, cases: Iterable[CaseView]) -> list[str]:
    """Partners told to stand down (or told nothing) whom the day's cases now need."""
    needed = {code for case in cases for code in case.partners}
    return sorted(code for code in needed if day.told.get(code) != Told.REQUIRED)


def no_longer_required(day: DayView, cases: Iterable[CaseView]) -> list[str]:
    """Partners told they were required whom no remaining case needs (after a withdrawal)."""
    needed = {code for case in cases for code in case.partners}
    return sorted(code for code, told in day.told.items() if told == Told.REQUIRED and code not in needed)
