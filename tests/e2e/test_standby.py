"""Two ``mailbot run`` processes on one PostgreSQL: the active one killed with SIGKILL, or cut
off from the database, at random moments during the case-call fan-out and a backlog of
replies; the other takes over. Every email still goes exactly once and every reply is applied
exactly once (tests/rig/drill.py says how that is read from the outside); the handover times
are printed. The short drill runs in every test run; the long one (``slow``) makes at least 50
kills and 10 cuts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_kill import WORKING_DAYS
from tests.rig import database
from tests.rig.postgres import PostgresServer
from tests.rig.standby import StandbyDrill

pytestmark = pytest.mark.servers


@pytest.fixture
def pg(postgres: PostgresServer) -> Iterator[PostgresServer]:
    """PostgreSQL only: with SQLite there is one process and no standby."""
    database.use(postgres)
    yield postgres
    database.clean_up()
    database.use(None)


def drill(mail_servers, tmp_path: Path, *, kills: int, cuts: int, a_day: tuple[int, int],  # type: ignore[no-untyped-def]
          replies: int, seed: int) -> StandbyDrill:
    dc, smtp = mail_servers
    d = StandbyDrill(dc, smtp, tmp_path, seed=seed)
    for n, day in enumerate(WORKING_DAYS):
        if len(d.report.kills) >= kills and d.cuts >= cuts:
            break
        d.run_standby_day(n, day, replies, kills=min(a_day[0], kills - len(d.report.kills)),
                          cuts=min(a_day[1], cuts - d.cuts), window=0.6)
    report = d.verify()
    print(f"\nstandby drill: {len(report.kills)} kills and {d.cuts} cuts of the active process over "
          f"{report.lives} processes, {report.replies} replies, {report.emails} emails, "
          f"{len(report.duplicates)} duplicates, {report.found_in_sent} in-flight emails found "
          f"already sent; kills during fan-out {report.count('fan-out')}, during ingestion "
          f"{report.count('ingest')}\n{d.summary()}")
    return d


def test_the_standby_takes_over_and_the_day_still_happens_exactly_once(
        pg: PostgresServer, mail_servers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    d = drill(mail_servers, tmp_path, kills=4, cuts=1, a_day=(4, 1), replies=200, seed=3)
    assert d.report.duplicates == []
    assert len(d.report.kills) >= 3 and d.cuts == 1
    assert d.report.count("ingest") >= 1 and d.report.count("fan-out") >= 1
    assert len(d.handovers) == len(d.report.kills) + d.cuts


def test_an_email_the_killed_process_was_sending_is_found_in_sent_not_sent_again(
        pg: PostgresServer, mail_servers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The server holds the email for 1 s after the kill; the standby takes office in well
    # under that, and would find no copy in Sent yet: it waits out the SMTP timeout (2 s).
    dc, smtp = mail_servers
    d = StandbyDrill(dc, smtp, tmp_path, seed=5)
    d.kill_mid_send(WORKING_DAYS[0], hold=1.0)
    report = d.verify()
    assert report.duplicates == []
    assert report.found_in_sent == 1


@pytest.mark.slow
def test_fifty_kills_and_ten_cuts_lose_and_duplicate_nothing(
        pg: PostgresServer, mail_servers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    d = drill(mail_servers, tmp_path, kills=50, cuts=10, a_day=(13, 3), replies=250, seed=4)
    assert d.report.duplicates == []
    assert len(d.report.kills) >= 50 and d.cuts >= 10
    assert d.report.count("ingest") >= 25 and d.report.count("fan-out") >= 4
