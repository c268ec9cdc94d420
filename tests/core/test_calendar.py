"""Meeting days and times over every day of 2026 and 2027, clock changes included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mailbot.core.calendar import MeetingCalendar

LONDON = ZoneInfo("Europe/London")
CAL = MeetingCalendar(LONDON)

# England & Wales bank holidays, from GOV.UK's published list.
BANK_HOLIDAYS = {
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
    date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31),
    date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
}


def every_day(year: int) -> list[date]:
    day, out = date(year, 1, 1), []
    while day.year == year:
        out.append(day)
        day += timedelta(days=1)
    return out


def test_meeting_days_are_exactly_the_england_and_wales_working_days() -> None:
    for year in (2026, 2027):
        days = every_day(year)
        expected = [d for d in days if d.weekday() < 5 and d not in BANK_HOLIDAYS]
        assert [d for d in days if CAL.is_meeting_day(d)] == expected
        assert len(expected) == {2026: 253, 2027: 253}[year]


def test_the_case_call_is_at_ten_london_time_across_both_clock_changes() -> None:
    for year in (2026, 2027):
        for day in every_day(year):
            if not CAL.is_meeting_day(day):
                continue
            moment = CAL.at(day, time(10, 0))
            assert moment.astimezone(LONDON).time() == time(10, 0)
            summer = moment.astimezone(LONDON).utcoffset() == timedelta(hours=1)
            assert moment.astimezone(UTC).hour == (9 if summer else 10)
    # The changes themselves: last Sundays of March and October.
    assert CAL.at(date(2026, 3, 27), time(10)).astimezone(UTC).hour == 10
    assert CAL.at(date(2026, 3, 30), time(10)).astimezone(UTC).hour == 9
    assert CAL.at(date(2026, 10, 23), time(10)).astimezone(UTC).hour == 9
    assert CAL.at(date(2026, 10, 26), time(10)).astimezone(UTC).hour == 10


def test_late_replies_roll_to_the_next_meeting_day() -> None:
    friday = datetime(2026, 11, 27, 11, 40, tzinfo=LONDON)
    assert CAL.meeting_for(friday) == date(2026, 11, 30)  # Friday after the cut-off: Monday
    before_easter = datetime(2026, 4, 2, 12, 0, tzinfo=LONDON)
    assert CAL.meeting_for(before_easter) == date(2026, 4, 7)  # Good Friday, Easter Monday skipped
    assert CAL.meeting_for(datetime(2026, 11, 23, 11, 29, tzinfo=LONDON)) == date(2026, 11, 23)
    assert CAL.meeting_for(datetime(2026, 11, 28, 9, 0, tzinfo=LONDON)) == date(2026, 11, 30)


def test_skip_dates_and_other_regions() -> None:
    cal = MeetingCalendar(LONDON, skip_dates=frozenset({date(2026, 12, 24)}))
    assert not cal.is_meeting_day(date(2026, 12, 24))
    scotland = MeetingCalendar(LONDON, region="scotland")
    assert not scotland.is_meeting_day(date(2026, 1, 2))  # 2 January: Scotland only
    assert CAL.is_meeting_day(date(2026, 1, 2))
    assert scotland.is_meeting_day(date(2026, 4, 6))  # Easter Monday: not in Scotland


def test_the_scheduler_fires_at_ten_on_weekdays_all_year() -> None:
    from mailbot import config
    from mailbot.adapters.scheduler import build
    from mailbot.config import Settings
    from tests.conftest import EXAMPLE_CONFIG

    settings: Settings = config.load(EXAMPLE_CONFIG)

    async def nothing() -> None:
        return None

    scheduler = build(settings, nothing)
    trigger = scheduler.get_job("daily:case-call").trigger
    fire = trigger.get_next_fire_time(None, datetime(2026, 1, 1, tzinfo=LONDON))
    fires = []
    while fire.year < 2028:
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert all(f.astimezone(LONDON).time() == time(10, 0) for f in fires)
    assert all(f.astimezone(LONDON).weekday() < 5 for f in fires)
    weekdays = [d for y in (2026, 2027) for d in every_day(y) if d.weekday() < 5]
    assert [f.astimezone(LONDON).date() for f in fires] == weekdays
