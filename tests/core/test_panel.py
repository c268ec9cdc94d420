"""A monthly panel's sittings: published dates or a rule, bank holidays, and when referrals
close and the agenda goes out."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from mailbot.core.calendar import MeetingCalendar
from mailbot.core.panel import MonthlyRule, RuleError, Sittings, parse_rule

LONDON = ZoneInfo("Europe/London")


def panel(rule: str = "", dates: tuple[date, ...] = (), skip: frozenset[date] = frozenset()
          ) -> MeetingCalendar:
    sittings = Sittings(frozenset(dates), parse_rule(rule) if rule else None, close_working_days=3,
                        agenda_working_days=2)
    return MeetingCalendar(LONDON, skip_dates=skip, case_call=time(10, 0), cutoff=time(12, 0),
                           starts=time(14, 0), sittings=sittings)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def sittings_between(cal: MeetingCalendar, start: date, end: date) -> list[date]:
    found, day = [], cal.meeting_day_on_or_after(start)
    while day <= end:
        found.append(day)
        if day == end:
            break
        day = cal.next_meeting_day(day)
    return found


@pytest.mark.parametrize(("text", "rule"), [
    ("second tuesday", MonthlyRule(2, 1)),
    ("Second Tuesday of the month", MonthlyRule(2, 1)),
    ("last fri", MonthlyRule(-1, 4)),
    ("first Mondays", MonthlyRule(1, 0)),
    ("fourth thursday of each month", MonthlyRule(4, 3)),
])
def test_a_rule_is_read_as_a_council_writes_it(text: str, rule: MonthlyRule) -> None:
    assert parse_rule(text) == rule


@pytest.mark.parametrize("text", ["fifth tuesday", "second tu", "tuesdays", "second day", ""])
def test_a_rule_that_names_no_one_day_is_refused(text: str) -> None:
    with pytest.raises(RuleError):
        parse_rule(text)


def test_second_tuesday_sits_once_a_month_and_on_no_other_day() -> None:
    cal = panel("second tuesday")
    assert sittings_between(cal, date(2026, 12, 1), date(2027, 4, 30)) == [
        date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13)]
    assert not cal.is_meeting_day(date(2026, 12, 9))


def test_a_sitting_on_a_bank_holiday_moves_to_the_next_working_day() -> None:
    cal = panel("last monday")
    assert not cal.is_meeting_day(date(2026, 8, 31))  # the summer bank holiday
    assert cal.is_meeting_day(date(2026, 9, 1))
    assert cal.next_meeting_day(date(2026, 8, 24)) == date(2026, 9, 1)
    # A moved sitting that crosses into the next month does not take that month's place.
    assert cal.next_meeting_day(date(2026, 9, 1)) == date(2026, 9, 28)


def test_published_dates_are_kept_and_a_bank_holiday_one_moves() -> None:
    cal = panel(dates=(date(2026, 12, 8), date(2026, 12, 28), date(2027, 1, 12)))
    assert sittings_between(cal, date(2026, 12, 1), date(2027, 1, 12)) == [
        date(2026, 12, 8), date(2026, 12, 29), date(2027, 1, 12)]
    with pytest.raises(ValueError, match="no meeting day"):  # the published list has run out
        cal.next_meeting_day(date(2027, 1, 12))


def test_a_skipped_date_cancels_its_sitting_rather_than_moving_it() -> None:
    cal = panel("second tuesday", skip=frozenset({date(2027, 1, 12)}))
    assert cal.next_meeting_day(date(2026, 12, 8)) == date(2027, 2, 9)


def test_referrals_close_three_working_days_before_at_the_cut_off_and_then_roll_on() -> None:
    cal = panel("second tuesday")
    assert cal.closes_at(date(2026, 12, 8)) == at(date(2026, 12, 3), 12)  # the Thursday before
    assert cal.meeting_for(at(date(2026, 12, 3), 11, 59)) == date(2026, 12, 8)
    assert not cal.after_close(at(date(2026, 12, 3), 11, 59))
    assert cal.meeting_for(at(date(2026, 12, 3), 12)) == date(2027, 1, 12)
    assert cal.after_close(at(date(2026, 12, 3), 12))
    # On the panel's own day, after it sat: the next one, and nothing "rolled".
    assert cal.meeting_for(at(date(2026, 12, 8), 16)) == date(2027, 1, 12)


def test_the_agenda_goes_out_two_working_days_before_over_weekends_and_holidays() -> None:
    cal = panel("second tuesday")
    assert cal.release_day(date(2026, 12, 8)) == date(2026, 12, 4)  # the Friday
    holiday = panel(dates=(date(2026, 12, 29),))
    # Back over Christmas Day and the Boxing Day substitute (28 December).
    assert holiday.release_day(date(2026, 12, 29)) == date(2026, 12, 23)


def test_working_days_still_count_every_weekday_for_a_panel() -> None:
    cal = panel("second tuesday")
    assert cal.is_working_day(date(2026, 12, 9)) and not cal.is_meeting_day(date(2026, 12, 9))
    assert cal.working_days_between(date(2026, 12, 7), date(2026, 12, 14)) == 5


def test_a_daily_meeting_releases_and_closes_on_its_own_day() -> None:
    cal = MeetingCalendar(LONDON)
    assert cal.release_day(date(2026, 12, 8)) == date(2026, 12, 8)
    assert cal.closes_at(date(2026, 12, 8)) == at(date(2026, 12, 8), 11, 30)
    assert cal.after_close(at(date(2026, 12, 8), 11, 30))
    assert not cal.after_close(at(date(2026, 12, 8), 11, 29))
