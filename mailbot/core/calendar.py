"""Meeting days, their times, and which meeting a reply belongs to.

Pure: every function takes the moment it is asked about. Times are wall-clock
times in the meeting's zone (Europe/London by default), so 10:00 stays 10:00
across both clock changes; UK clocks change at 01:00/02:00, so no meeting time
is ever skipped or repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays as holiday_data

from mailbot.core.panel import Sittings

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_REGIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


@dataclass(frozen=True)
class MeetingCalendar:
    """When one meeting sits: its days, bank holidays, skip dates and times of day."""

    zone: ZoneInfo
    days: tuple[str, ...] = _WEEKDAYS[:5]
    region: str = "england-and-wales"
    skip_dates: frozenset[date] = frozenset()
    case_call: time = time(10, 0)
    cutoff: time = time(11, 30)
    starts: time = time(12, 0)
    # A panel's sittings (core.panel): then meeting days are its sittings, and working days
    # (for due dates, reminders and escalation) are still ``days`` less holidays and skips.
    sittings: Sittings | None = None

    @cached_property
    def _bank_holidays(self) -> holiday_data.HolidayBase | None:
        subdiv = _REGIONS.get(self.region)
        if subdiv is None:
            return None
        # Always with a subdivision: 'GB' alone omits Easter Monday and August.
        return holiday_data.country_holidays("GB", subdiv=subdiv)

    def warm(self, around: date) -> None:
        """Load the bank holidays of the years around ``around`` now rather than mid-job."""
        for year in (around.year - 1, around.year, around.year + 1):
            self.bank_holiday(date(year, 1, 1))

    def bank_holiday(self, day: date) -> str | None:
        """The bank holiday's name on ``day``, if it is one."""
        found = self._bank_holidays
        return found.get(day) if found is not None else None

    def is_working_day(self, day: date) -> bool:
        return (
            _WEEKDAYS[day.weekday()] in self.days
            and day not in self.skip_dates
            and self.bank_holiday(day) is None
        )

    def is_meeting_day(self, day: date) -> bool:
        if self.sittings is None:  # a daily meeting sits on every working day
            return self.is_working_day(day)
        return self.sittings.sits_on(day, self.is_working_day, self.skip_dates)

    def next_meeting_day(self, after: date) -> date:
        """The first meeting day strictly after ``after``."""
        day = after + timedelta(days=1)
        for _ in range(400):
            if self.is_meeting_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no meeting day within a year: check days and skip_dates")

    def meeting_day_on_or_after(self, day: date) -> date:
        return day if self.is_meeting_day(day) else self.next_meeting_day(day)

    def at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.zone)

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        return moment.astimezone(self.zone)

    def meeting_for(self, received: datetime) -> date:
        """The meeting a case received at ``received`` goes to.

        A meeting day's own meeting until its cut-off; after the cut-off, or on
        a day with no meeting, the next meeting day.
        """
        local = self.local(received)
        day = local.date()
        if self.sittings is not None:  # a panel: the first sitting whose referrals are still open
            sitting = self.meeting_day_on_or_after(day)
            while local >= self.closes_at(sitting):
                sitting = self.next_meeting_day(sitting)
            return sitting
        if self.is_meeting_day(day) and local.time() < self.cutoff:
            return day
        return self.next_meeting_day(day)

    def after_close(self, received: datetime) -> bool:
        """Whether a referral received then missed the nearest meeting and rolled on."""
        local = self.local(received)
        if self.sittings is not None:
            return self.meeting_for(received) != self.meeting_day_on_or_after(local.date())
        return self.is_meeting_day(local.date()) and local.time() >= self.cutoff

    def working_days_before(self, day: date, count: int) -> date:
        """The working day ``count`` working days before ``day`` (``day`` itself for 0)."""
        for _ in range(count):
            day -= timedelta(days=1)
            while not self.is_working_day(day):
                day -= timedelta(days=1)
        return day

    def closes_at(self, sitting: date) -> datetime:
        """When referrals for a sitting close: its cut-off, or a panel's cut-off time the
        configured working days before."""
        ahead = self.sittings.close_working_days if self.sittings is not None else 0
        return self.at(self.working_days_before(sitting, ahead), self.cutoff)

    def release_day(self, sitting: date) -> date:
        """The day a sitting's agenda goes out: the day itself for a daily call."""
        ahead = self.sittings.agenda_working_days if self.sittings is not None else 0
        return self.working_days_before(sitting, ahead)

    def upcoming_meeting(self, received: datetime) -> date:
        """The next meeting that has not started: today's until its start (apologies sent
        between the cut-off and the start are still for today), else the next meeting day."""
        local = self.local(received)
        day = local.date()
        if self.is_meeting_day(day) and local.time() < self.starts:
            return day
        return self.next_meeting_day(day)

    def previous_meeting_day(self, before: date) -> date:
        day = before - timedelta(days=1)
        for _ in range(400):
            if self.is_meeting_day(day):
                return day
            day -= timedelta(days=1)
        raise ValueError("no meeting day within a year: check days and skip_dates")

    def meeting_held(self, received: datetime) -> date:
        """The meeting an email about outcomes follows: today's once it has started, else the last."""
        local = self.local(received)
        if self.is_meeting_day(local.date()) and local.time() >= self.starts:
            return local.date()
        return self.previous_meeting_day(local.date())

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
