"""kill -9 at random moments during a case-call fan-out and a backlog of replies.

The short drill runs in every test run; the long one (``slow``) makes at least
100 kills. Both check from the outside that every email went exactly once and
every reply was applied exactly once (tests/rig/drill.py says how).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.rig.drill import Drill, Report

pytestmark = [pytest.mark.servers, pytest.mark.usefixtures("database")]

WORKING_DAYS = [date(2026, 11, 23) + timedelta(days=d) for d in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)]


def drill(mail_servers, tmp_path: Path, *, days: int, kills_a_day: int, seed: int) -> Report:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    d = Drill(dc, smtp, tmp_path, extra_partners=30, seed=seed)
    for n, day in enumerate(WORKING_DAYS[:days]):
        d.run_day(n, day, 200, kills=kills_a_day, window=0.8)
    report = d.verify()
    print(f"\nkill -9 drill: {len(report.kills)} kills over {report.lives} lives, "
          f"{report.replies} replies, {report.emails} emails, {len(report.duplicates)} duplicates, "
          f"{report.found_in_sent} in-flight emails found already sent; kills during fan-out "
          f"{report.count('fan-out')}, during ingestion {report.count('ingest')}, "
          f"while sending {report.count('sending')}")
    return report


def test_killed_at_random_the_day_still_happens_exactly_once(mail_servers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = drill(mail_servers, tmp_path, days=1, kills_a_day=12, seed=1)
    assert report.duplicates == []
    assert len(report.kills) >= 8  # the day's work outlasts most of the lives
    assert report.count("ingest") >= 4 and report.count("fan-out") >= 1


@pytest.mark.slow
def test_a_hundred_kills_lose_and_duplicate_nothing(mail_servers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = drill(mail_servers, tmp_path, days=8, kills_a_day=14, seed=2)
    assert report.duplicates == []
    assert len(report.kills) >= 100
    assert report.count("ingest") >= 50 and report.count("fan-out") >= 8
