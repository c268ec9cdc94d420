"""A meeting's log of referrals decided: accepted, declined or returned, with the justification."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from mailbot.core.calendar import MeetingCalendar
from mailbot.core.directory import short_name
from mailbot.services.kernel import UseCase


@dataclass(frozen=True, slots=True)
class Decided:
    """One line of the log."""

    day: date
    reference: str
    referrer: str
    decision: str
    justification: str


class PanelLog(UseCase):
    """What the chair decided at each sitting of a meeting between two dates."""

    def entries(self, meeting_id: str, start: date, end: date) -> list[Decided]:
        cal = self.calendars[meeting_id]
        directory = self.settings.directory
        found: list[Decided] = []
        with self.unit() as tx:
            for day in _sittings(cal, start, end):
                decided = tx.actions.decisions_of_day(meeting_id, day)
                cases = tx.cases.by_reference(meeting_id, list(decided))
                for ref, (decision, why) in decided.items():
                    code = cases[ref].referrer if ref in cases else ""
                    found.append(Decided(day, ref, short_name(directory.get(code)) if code else "coordinator",
                                         decision, why))
        return found


def _sittings(cal: MeetingCalendar, start: date, end: date) -> Iterator[date]:
    """The meeting days from ``start`` to ``end``; a published list may end sooner."""
    try:
        day = cal.meeting_day_on_or_after(start)
        while day <= end:
            yield day
            day = cal.next_meeting_day(day)
    except ValueError:
        return
