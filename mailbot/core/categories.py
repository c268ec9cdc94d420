"""Case categories of a daily risk meeting: the ``Category:`` line, the category it names,
and the agenda order they give.

Pure. A meeting with no categories orders its agenda as before (as the cases came). With
categories, the agenda leads with the overnight-first category's new cases (a critical
incident referred since the last meeting's cut-off: a new case on a day's agenda came after
the previous meeting day's cut-off, by ``MeetingCalendar.meeting_for``), then every case in
the configured category order, cases with no category last; within a rank, as they came.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from mailbot.core.agenda import CaseView, DayView
from mailbot.core.model import AddCase
from mailbot.core.readers import Parse

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_SHORTEST_PREFIX = 4  # "crit" reads as "critical incident"; "ce" is read as nothing


def category_key(text: str) -> str:
    """A category as compared: case, dashes and spacing ignored ("High-risk  domestic abuse")."""
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def find_category(written: str, categories: Sequence[str]) -> str | None:
    """The configured category a referrer named: the same words, or the start of only one."""
    key = category_key(written)
    if not key:
        return None
    for category in categories:
        if category_key(category) == key:
            return category
    starts = [c for c in categories if category_key(c).startswith(key)]
    return starts[0] if len(starts) == 1 and len(key) >= _SHORTEST_PREFIX else None


def category(p: Parse, rest: str, line: int) -> None:
    """``Category: <name>`` under a case line, like ``Partners:``: the case's category,
    checked against the meeting's list when the case is added."""
    last = p.commands[-1] if p.commands else None
    if p.last_case_line is not None and not p.last_case_added:
        p.problem(line, f"not applied: the case on line {p.last_case_line} was not added")
        return
    if not isinstance(last, AddCase):
        p.problem(line, "'Category:' must follow a 'Case:' line")
        return
    if not rest.strip():
        p.problem(line, "no category named")
        return
    p.commands[-1] = dataclasses.replace(last, category=" ".join(rest.split()))


def is_overnight(case: CaseView, first: str) -> bool:
    """A case of the overnight-first category that is new on this day's agenda."""
    return bool(first) and case.category == first and case.reason == "new"


def agenda_order(cases: Sequence[CaseView], categories: Sequence[str], first: str = ""
                 ) -> tuple[CaseView, ...]:
    """The cases as the agenda lists them (see the module's docstring)."""
    if not categories:
        return tuple(cases)

    def rank(case: CaseView) -> tuple[int, int]:
        if is_overnight(case, first):
            return 0, 0
        return 1, categories.index(case.category) if case.category in categories else len(categories)

    return tuple(sorted(cases, key=rank))  # sorted is stable: as they came within a rank


def agenda_view(view: DayView, categories: Sequence[str], first: str = "") -> DayView:
    """``view`` with its cases in agenda order."""
    return dataclasses.replace(view, cases=agenda_order(view.cases, categories, first))


def case_category(written: str, categories: Sequence[str], reference: str) -> tuple[str, str | None]:
    """The category a new case is filed under, and what to tell the referrer when it is not
    the one they named (or they named none): the case is added all the same, with no category,
    so a referral is never lost over a word; it is listed after the categorised cases."""
    if not categories:
        return "", (f"{reference}: this meeting has no case categories, so the Category line was "
                    "not used") if written else None
    found = find_category(written, categories) if written else None
    if found is not None:
        return found, None
    listed = ", ".join(categories)
    if written:
        return "", (f"{reference}: unknown category '{written}', so it is listed after the cases "
                    f"that have one; the categories are: {listed}")
    return "", (f"{reference}: no category given, so it is listed after the cases that have one; "
                f"next time write 'Category: <one of {listed}>' under the Case line")

