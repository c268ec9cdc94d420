"""The bot down across several days: on its return, one notice lists every scheduled email of
every day it missed, each claimed once; on a real SQLite database with the clock injected."""

from __future__ import annotations

from pathlib import Path

from mailbot.services import Outcome, Services
from tests.test_services import at, make, outbox, reply

CHAIR, POLICE = "adultmash@hillingdon.example", "mash@met.police.example"


def monday_as_usual(tmp_path: Path) -> Services:
    """Monday 23 November runs in full, and the meeting gives an action due that day."""
    s = make(tmp_path, at(23, "09:00"))
    assert s.ingest(reply(POLICE, "Case: Q.Z. - threats from ex-partner", "<c@p>")) is Outcome.APPLIED
    for hhmm in ("10:00", "11:30", "12:45"):
        s.clock.set(at(23, hhmm))  # type: ignore[attr-defined]
        s.due()
    plan = "Action: HR-2026-0001 | mash@met.police.example | 23/11/2026 | welfare visit\n"
    assert s.ingest(reply(CHAIR, plan, "<plan@h>")) is Outcome.APPLIED
    s.clock.set(at(23, "16:05"))  # type: ignore[attr-defined]
    s.due()
    return s


def missed_notices(s: Services) -> list[tuple[str, str]]:
    return [(k, subject) for k, subject in outbox(s) if k.startswith("notice:missed:")]


def test_down_from_tuesday_morning_to_wednesday_noon_is_one_notice_of_both_days(tmp_path: Path) -> None:
    s = monday_as_usual(tmp_path)
    assert missed_notices(s) == []
    s.clock.set(at(25, "11:45"))  # type: ignore[attr-defined]  down Tue 09:00 to Wed 11:45
    done = s.due()
    assert done[:5] == ["case-call 2026-11-24 skipped", "attendance 2026-11-24 skipped",
                        "digest 2026-11-24 skipped", "case-call 2026-11-25 skipped", "attendance 2026-11-25"]
    [(key, subject)] = missed_notices(s)
    assert key == "notice:missed:case-call:daily:2026-11-24"
    assert subject.endswith("mailbot: 4 scheduled emails not sent (2026-11-24 to 2026-11-25)")
    with s.store.transaction() as tx:
        [raw] = [r[0] for r in tx.conn.exec_driver_sql(f"select raw from outbox join outbox_raw using (key) where key = '{key}'")]
        skipped = tx.conn.exec_driver_sql(
            "select kind, day from runs where status = 'skipped' order by day, kind").fetchall()
    body = raw.decode("utf-8", "replace")
    for line in ("The case call for Tuesday 24 November 2026 was not sent",
                 "The attendance list for Tuesday 24 November 2026 was not sent",
                 "The overdue actions digest for Tuesday 24 November 2026 was not sent",
                 "The case call for Wednesday 25 November 2026 was not sent"):
        assert line in body
    assert [(k, str(d)) for k, d in skipped] == [("attendance", "2026-11-24"), ("case-call", "2026-11-24"),
                                                 ("digest", "2026-11-24"), ("case-call", "2026-11-25")]
    # Once: neither this process nor a restarted one tells it again.
    assert not any("skipped" in line for line in s.due())
    restarted = Services(s.settings, s.store, s.clock, s.render)
    assert not any("skipped" in line for line in restarted.due())
    assert len(missed_notices(restarted)) == 1


def test_a_new_database_reports_no_days_it_was_not_there_for(tmp_path: Path) -> None:
    s = make(tmp_path, at(25, "11:45"))
    assert s.due()[:2] == ["case-call 2026-11-25 skipped", "attendance 2026-11-25"]
    assert missed_notices(s) == [("notice:missed:case-call:daily:2026-11-25",
                                  "OFFICIAL-SENSITIVE: mailbot: case-call for 2026-11-25 not sent")]


def test_back_on_a_saturday_tells_of_the_week_s_last_days_at_once(tmp_path: Path) -> None:
    s = monday_as_usual(tmp_path)
    s.clock.set(at(28, "09:00"))  # type: ignore[attr-defined]  down Tuesday to Friday; back Saturday
    s.due()
    [(_, subject)] = missed_notices(s)
    # Four days' case calls, attendance lists and digests (the action stays overdue).
    assert subject.endswith("12 scheduled emails not sent (2026-11-24 to 2026-11-27)")
