"""A panel's letters: the agenda with the members' confidentiality statement and each returning
case's actions, and the referrer's word when a referral is returned or declined."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from mailbot.core.agenda import DayView
from mailbot.core.compose import Letter
from mailbot.core.directory import short_name
from mailbot.core.letters.day import _case_rows
from mailbot.core.letters.stationery import Draft, Stationery, brief_day, day_words, long_day
from mailbot.core.model import Partner


def panel_agenda(s: Stationery, view: DayView, partner: Partner, *, statement: str, late: bool,
                 reviews: Mapping[str, Sequence[dict[str, object]]]) -> Letter:
    """The agenda for one member. Its key is the case call's, so a meeting's agenda goes
    once whichever path sends it. ``reviews``: each case's earlier actions, for the chair."""
    cases = [{**row, "actions": list(reviews.get(str(row["reference"]), ()))}
             for row in _case_rows(s, view.cases)]
    ctx = {**s.base(view.day), "partner": short_name(partner), "cases": cases, "late": late,
           "statement": statement, "members": s.names([p.code for p in s.directory])}
    count = f"{len(cases)} case{'s' if len(cases) != 1 else ''}"
    what = "LATE panel agenda" if late else "Panel agenda"
    return s.letter(Draft(
        "panel_agenda", f"case-call:{s.meeting_id}:{view.day}:{partner.code}", partner.emails,
        f"{what} {brief_day(view.day)}: {count}", ctx,
        preview=f"{s.meeting_name}, {day_words(view.day)} at {s.starts:%H:%M}: {count}."))


@dataclass(frozen=True, slots=True)
class Referral:
    """A referral as its referrer is told of it: the case, the sitting it was heard for, and
    the chair's words (what is missing, or why it was declined)."""

    reference: str
    to: tuple[str, ...]
    day: date
    words: str


def referral_returned(s: Stationery, referral: Referral, *, next_panel: date, closes: str) -> Letter:
    ctx = {**s.base(referral.day), "reference": referral.reference, "rationale": referral.words,
           "next_panel": long_day(next_panel), "closes": closes}
    return s.letter(Draft(
        "referral_returned", f"returned:{s.meeting_id}:{referral.reference}:{referral.day}", referral.to,
        f"{referral.reference} returned: more information needed", ctx, route=True,
        preview=f"{referral.reference} needs more information before the panel can hear it."))


def referral_declined(s: Stationery, referral: Referral) -> Letter:
    ctx = {**s.base(referral.day), "reference": referral.reference, "rationale": referral.words}
    return s.letter(Draft(
        "referral_declined", f"declined:{s.meeting_id}:{referral.reference}:{referral.day}", referral.to,
        f"{referral.reference} declined by the {s.meeting_name}", ctx, route=True,
        preview=f"{referral.reference} was declined on {day_words(referral.day)}."))
