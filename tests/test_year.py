"""Two whole years on a frozen clock, 2026 and 2027: every case call, attendance list and
digest on the right days at the right London time, through both clock changes and every
England & Wales bank holiday.

The bank holidays below are typed in from GOV.UK's published list, not taken from the
``holidays`` package mailbot uses, so the test checks that package too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot.adapters import scheduler
from tests.test_services import make

pytestmark = pytest.mark.usefixtures("database")

LONDON = ZoneInfo("Europe/London")
BANK_HOLIDAYS = {
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
    date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31),
    date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
}
FIRST, LAST = date(2026, 1, 1), date(2027, 12, 31)


def days() -> list[date]:
    return [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def working(day: date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


@pytest.mark.slow
def test_two_years_of_mornings(tmp_path: Path) -> None:
    s = make(tmp_path, datetime(2026, 1, 2, 12, 30, tzinfo=LONDON))
    # One action left overdue for two years, so that every working day has a digest to send.
    s.add_case_by_hand(subject="T.W.", concern="threats", partners="Police", referrer="police",
                       actor="adultmash@hillingdon.example")
    s.by_hand("Action: HR-2026-0001 | mash@met.police.example | 5 January 2026 | check the flat",
              "adultmash@hillingdon.example")
    for day in days():
        for hhmm in ("09:59", "10:00", "11:29", "11:30", "15:59", "16:00", "23:59"):
            h, m = map(int, hhmm.split(":"))
            s.clock.set(datetime(day.year, day.month, day.day, h, m, tzinfo=LONDON))  # type: ignore[attr-defined]
            s.due()
    with s.store.transaction() as tx:
        rows = tx.conn.exec_driver_sql("select key, created_at from outbox").fetchall()
    sent: dict[str, dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
    for key, created in rows:
        kind = key.split(":")[0]
        moment = datetime.fromisoformat(str(created)).replace(tzinfo=UTC).astimezone(LONDON)
        sent[kind][moment.date()].add(f"{moment:%H:%M}")
    expected = [d for d in days() if working(d)]
    assert len(expected) == 253 + 253  # 261 weekdays and 8 bank holidays in each year
    assert sorted(sent["case-call"]) == expected
    assert sorted(sent["attendance"]) == expected
    assert sorted(sent["digest"]) == [d for d in expected if d > date(2026, 1, 5)]
    # Each at its London time, winter and summer alike, never a minute early.
    assert {t for times in sent["case-call"].values() for t in times} == {"10:00"}
    assert {t for times in sent["attendance"].values() for t in times} == {"11:30"}
    assert {t for times in sent["digest"].values() for t in times} == {"16:00"}
    assert len(rows) == len([r for r in rows if r[0].split(":")[0] in sent])
    assert sum(len(v) for v in sent["escalation"].values()) == 1


def test_the_wake_ups_follow_london_time_through_both_clock_changes() -> None:
    from mailbot import config
    from tests.conftest import EXAMPLE_CONFIG

    jobs = scheduler.build(config.load(EXAMPLE_CONFIG), check=_never)
    trigger = jobs.get_job("daily:case-call").trigger
    fire: datetime | None = datetime(2025, 12, 31, 12, tzinfo=UTC)
    utc_hours: dict[date, int] = {}
    while True:
        assert fire is not None
        fire = trigger.get_next_fire_time(None, fire + timedelta(seconds=1))
        if fire is None or fire.date() > LAST:
            break
        local = fire.astimezone(LONDON)
        assert (local.hour, local.minute, local.weekday() < 5) == (10, 0, True)
        utc_hours[local.date()] = fire.astimezone(UTC).hour
    # GMT until the last Sunday of March, BST until the last Sunday of October.
    for day, hour in utc_hours.items():
        summer = date(2026, 3, 29) <= day < date(2026, 10, 25) or date(2027, 3, 28) <= day < date(2027, 10, 31)
        assert hour == (9 if summer else 10), day
    assert len(utc_hours) == sum(1 for d in days() if d.weekday() < 5)


async def _never() -> None:
    raise AssertionError("not called")
