"""When a monthly panel sits: a published list of dates, or a rule such as "second tuesday".

Pure. Councils publish their panel dates a year ahead, so a list is the usual form; a rule
saves writing them out. A sitting whose day is not a working day (a bank holiday) moves to
the next working day, because a panel that slips a day still hears its cases, while one
that is dropped leaves a month's referrals waiting; a date in the meeting's ``skip_dates``
is a sitting the coordinators cancelled, and is not moved.
"""

from __future__ import annotations

import calendar as months
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RULE = re.compile(r"^\s*(\w+)\s+(\w+?)(?:s)?(?:\s+of\s+(?:the|each|every)\s+month)?\s*$", re.IGNORECASE)


class RuleError(ValueError):
    """A rule that does not say which day of the month."""


@dataclass(frozen=True, slots=True)
class MonthlyRule:
    """The ``ordinal`` ``weekday`` of every month: ordinal 1-4, or -1 for the last."""

    ordinal: int
    weekday: int  # Monday 0

    def in_month(self, year: int, month: int) -> date:
        weeks = months.Calendar().monthdatescalendar(year, month)
        days = [d for week in weeks for d in week if d.month == month and d.weekday() == self.weekday]
        return days[self.ordinal - 1] if self.ordinal > 0 else days[-1]

    def __str__(self) -> str:
        word = next(w for w, n in ORDINALS.items() if n == self.ordinal)
        return f"{word} {WEEKDAY_NAMES[self.weekday]}"


def parse_rule(text: str) -> MonthlyRule:
    """``"second tuesday"``, ``"last Friday of the month"`` -> the rule; RuleError if not one."""
    found = _RULE.match(text)
    if found is None:
        raise RuleError(f"{text!r} is not a rule like 'second tuesday' or 'last friday'")
    ordinal, weekday = found[1].casefold(), found[2].casefold()
    if ordinal not in ORDINALS:
        raise RuleError(f"{found[1]!r} is not one of {', '.join(ORDINALS)}")
    names = [n for n in WEEKDAY_NAMES if n.startswith(weekday) and len(weekday) >= 3]
    if len(names) != 1:
        raise RuleError(f"{found[2]!r} is not a weekday")
    return MonthlyRule(ORDINALS[ordinal], WEEKDAY_NAMES.index(names[0]))


@dataclass(frozen=True)
class Sittings:
    """A panel's planned dates and how far ahead of each referrals close and the agenda goes.

    ``close_working_days``: referrals close at the meeting's cut-off time this many working
    days before a sitting; ``agenda_working_days``: the agenda goes out at the case-call time
    this many working days before. Both count working days, so that a Tuesday panel's
    referrals do not close over the weekend after its agenda went out on the Friday.
    """

    dates: frozenset[date] = frozenset()
    rule: MonthlyRule | None = None
    close_working_days: int = 0
    agenda_working_days: int = 0
    reminder_working_days: int = 0

    def planned(self, year: int, month: int) -> list[date]:
        """The sittings planned in a month, before any is moved off a bank holiday."""
        found = {d for d in self.dates if (d.year, d.month) == (year, month)}
        if self.rule is not None:
            found.add(self.rule.in_month(year, month))
        return sorted(found)

    def sits_on(self, day: date, is_working_day: Callable[[date], bool],
                cancelled: frozenset[date]) -> bool:
        """Whether a sitting is held on ``day``: planned there, or moved there from a day
        that was not a working day (so from this month or the one before)."""
        before = day.replace(day=1) - timedelta(days=1)
        for year, month in ((before.year, before.month), (day.year, day.month)):
            for planned in self.planned(year, month):
                if planned not in cancelled and moved(planned, is_working_day) == day:
                    return True
        return False


def moved(planned: date, is_working_day: Callable[[date], bool]) -> date:
    """The working day a planned sitting is held on: itself, or the next working day."""
    day = planned
    for _ in range(31):
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError("no working day within a month of a panel date: check days and skip_dates")
