"""One active process out of two on one PostgreSQL: the lock, the epoch that fences every
transaction of a process that lost office, ``mailbot status``, and the email in doubt at a
handover. The drill on the real servers is tests/e2e/test_standby.py."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import Engine, text

from mailbot import config
from mailbot.adapters.clock import SettableClock
from mailbot.adapters.db import Store
from mailbot.adapters.leader import PostgresLeadership, libpq_url, pool
from mailbot.adapters.templates import renderer
from mailbot.cli import main
from mailbot.core.ports import AfterSend, OutboxRow
from mailbot.errors import NotActive, SendError, StoreError
from mailbot.services import Outcome, Services
from tests.conftest import EXAMPLE_CONFIG
from tests.rig import database
from tests.rig.postgres import PostgresServer
from tests.rig.received import arrived

LONDON = ZoneInfo("Europe/London")
TEN = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture
def pg(postgres: PostgresServer) -> Iterator[PostgresServer]:
    """PostgreSQL only: SQLite serves one process and has no standby."""
    database.use(postgres)
    yield postgres
    database.clean_up()
    database.use(None)


def services(engine: Engine, fence: int | None = None, start: datetime = TEN) -> Services:
    return Services(config.load(EXAMPLE_CONFIG), Store(engine, fence=fence), SettableClock(start), renderer())


def leadership(engine: Engine, holder: str) -> PostgresLeadership:
    return PostgresLeadership(database.url_of(engine), holder, takeover_seconds=3)


@contextmanager
def contenders(engine: Engine, *holders: str) -> Iterator[tuple[PostgresLeadership, ...]]:
    """A process for each of ``holders`` that may take office, each lock given back at the end."""
    found = tuple(leadership(engine, holder) for holder in holders)
    try:
        yield found
    finally:
        for one in found:
            one.release()


def terminate(engine: Engine, holder: str) -> None:
    """What a cut of the network does to the process's lock connection, seen from the server."""
    with psycopg.connect(libpq_url(database.url_of(engine)), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = %s", (f"mailbot {holder}",))


def reply(mid: str) -> bytes:
    return arrived(f"From: mash@met.police.example\r\nTo: highrisk-bot@hillingdon.example\r\n"
                   f"Subject: RE: Case call\r\nMessage-ID: {mid}\r\n\r\n"
                   "Case: J.S. - drill concern\r\nPartners: CSC\r\n".encode())


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"select count(*) from {table}")).scalar_one())


def test_one_process_takes_office_and_the_other_only_once_it_is_gone(pg: PostgresServer,
                                                                     tmp_path: Path) -> None:
    engine = database.engine(tmp_path)
    with contenders(engine, "host-a:1", "host-b:2") as (a, b):
        assert a.try_lock() and a.take_office() == 1
        assert not b.try_lock() and not b.try_lock()
        assert a.check(0)
        a.release()  # a crash ends the session the same way
        assert b.try_lock() and b.take_office() == 2
        assert not a.try_lock()


def test_a_process_that_lost_office_writes_nothing_once_another_took_it(pg: PostgresServer,
                                                                         tmp_path: Path) -> None:
    engine = database.engine(tmp_path)
    with contenders(engine, "host-a:1", "host-b:2") as (a, b):
        assert a.try_lock()
        old = services(engine, fence=a.take_office())
        assert old.due() == ["case call 2026-11-23"]  # in office: it writes
        queued = count(engine, "outbox")
        terminate(engine, "host-a:1")
        assert not a.check(5)  # it hears its session was ended
        assert b.try_lock()
        new = services(engine, fence=b.take_office())
        # The old process, still running, tries to read a reply and to send: refused, unwritten.
        with pytest.raises(NotActive):
            old.ingest(reply("<r1@met.police.example>"))
        with pytest.raises(NotActive):
            asyncio.run(old.drain(Refuses()))
        assert count(engine, "inbound") == 0 and count(engine, "outbox") == queued
        assert new.ingest(reply("<r1@met.police.example>")) is Outcome.APPLIED


def test_a_process_frozen_inside_a_transaction_does_not_keep_the_next_from_office(
        pg: PostgresServer, tmp_path: Path) -> None:
    # Its transaction holds the leadership row FOR SHARE, which the next process's epoch bump
    # waits for: the server ends that transaction, and its commit fails.
    engine = database.engine(tmp_path)
    store = Store(database.track(pool(database.url_of(engine), takeover_seconds=3)), fence=None)
    with contenders(engine, "host-a:1", "host-b:2") as (a, b):
        assert a.try_lock()
        store.fence = a.take_office()
        with pytest.raises(StoreError), store.transaction() as tx:
            tx.outbox.counts()  # read under the fence, then frozen
            a.release()  # as the server does to the frozen process's lock session
            assert b.try_lock() and b.take_office() == 2


class TakenOverAfterFirst:
    """SMTP accepts the first email; before its outcome is recorded, another process takes office."""

    def __init__(self, other: PostgresLeadership) -> None:
        self.other = other

    async def send(self, rows: Sequence[OutboxRow], after: AfterSend | None = None) -> list[SendError | None]:
        assert after is not None and self.other.try_lock()
        self.other.take_office()
        await after(rows[0], None)
        raise AssertionError("recorded a send out of office")


def outbox_status(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {r[0]: int(r[1]) for r in conn.execute(text("select status, count(*) from outbox group by status"))}


def test_a_send_recorded_after_another_took_office_is_refused_and_left_in_doubt(
        pg: PostgresServer, tmp_path: Path) -> None:
    # A sent email is recorded in one statement on a connection of its own: the fence must
    # hold there as in every transaction, or the old process could mark an email sent over
    # the new one's judgement of it.
    engine = database.engine(tmp_path)
    with contenders(engine, "host-a:1", "host-b:2") as (a, b):
        assert a.try_lock()
        old = services(engine, fence=a.take_office())
        assert old.due()
        a.release()
        with pytest.raises(NotActive):
            asyncio.run(old.drain(TakenOverAfterFirst(b)))
        assert outbox_status(engine) == {"sending": 10}  # the first too: for the new process to judge
        old.store.close()


def test_a_send_recorded_while_another_takes_office_waits_for_it_and_writes_nothing(
        pg: PostgresServer, tmp_path: Path) -> None:
    # The other process has bumped the epoch but not yet committed: the record waits on the
    # leadership row, then sees the new epoch and writes nothing.
    engine = database.engine(tmp_path)
    with contenders(engine, "host-a:1") as (a,):
        assert a.try_lock()
        store = Store(engine, fence=a.take_office())
        old = Services(config.load(EXAMPLE_CONFIG), store, SettableClock(TEN), renderer())
        assert old.due()
        with engine.connect() as conn:
            first = int(conn.execute(text("select min(id) from outbox")).scalar_one())
            conn.execute(text("update outbox set status = 'sending' where id = :id"), {"id": first})
            conn.commit()
        with psycopg.connect(libpq_url(database.url_of(engine))) as other:
            other.execute("UPDATE leadership SET epoch = epoch + 1 WHERE name = 'mailbot'")
            recorded: list[BaseException | None] = []
            thread = threading.Thread(target=lambda: recorded.append(
                catch(lambda: store.mark_sent(first, first + 1, TEN))))
            thread.start()
            thread.join(1.0)
            assert thread.is_alive()  # held by the uncommitted epoch bump
            other.commit()
        thread.join(10)
        assert isinstance(recorded[0], NotActive)
        assert outbox_status(engine) == {"sending": 1, "pending": 9}
        store.close()


def catch(call: Callable[[], None]) -> BaseException | None:
    try:
        call()
    except BaseException as exc:  # handed to the test's thread to judge
        return exc
    return None


class Refuses:
    """Never reached: a process out of office claims nothing to send."""

    async def send(self, rows: Sequence[OutboxRow], after: AfterSend | None = None) -> list[SendError | None]:
        raise AssertionError(f"sent {len(rows)} emails out of office")


class DiesMidBatch:
    """SMTP accepts the first email, then the process dies with the rest of the batch claimed."""

    def __init__(self, clock: SettableClock) -> None:
        self.clock = clock

    async def send(self, rows: Sequence[OutboxRow], after: AfterSend | None = None) -> list[SendError | None]:
        self.clock.advance(timedelta(seconds=10))
        assert after is not None
        await after(rows[0], None)
        raise SystemExit("killed")


@pytest.mark.usefixtures("database")
def test_an_email_in_flight_at_a_handover_is_judged_only_after_the_smtp_timeout(tmp_path: Path) -> None:
    # The rest of the batch was claimed at 10:00:00, but the next email started to go only
    # when the first was recorded at 10:00:10: it may still be on its way until 10:00:40.
    s = services(database.engine(tmp_path))
    assert s.due()
    clock = s.clock
    assert isinstance(clock, SettableClock)
    with pytest.raises(SystemExit):
        asyncio.run(s.drain(DiesMidBatch(clock)))
    settle = timedelta(seconds=30)
    assert s.outbox.in_doubt_until(settle) == TEN + timedelta(seconds=40)
    clock.advance(timedelta(seconds=29))
    assert s.outbox.in_doubt_until(settle) == TEN + timedelta(seconds=40)
    clock.advance(timedelta(seconds=1))
    assert s.outbox.in_doubt_until(settle) is None
    assert s.recover(None) == (0, 9)  # then judged: no Sent folder here, so they go again


def config_for(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "mailbot.toml"
    path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8")
                    .replace('url = "sqlite:///mailbot.db"', f'url = "{url}"'), encoding="utf-8")
    return path


def test_status_names_the_active_process_and_the_one_standing_by(
        pg: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = database.engine(tmp_path)
    cfg = config_for(tmp_path, database.url_of(engine))
    assert main(["--config", str(cfg), "status"]) == 1
    assert capsys.readouterr().out == "no process has been active yet\n"
    with contenders(engine, "host-a:101", "host-b:202") as (a, b):
        assert a.try_lock() and a.take_office() == 1
        assert not b.try_lock()
        assert main(["--config", str(cfg), "status"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0].startswith("active: host-a:101, epoch 1, since ")
        assert out[1:] == ["standing by: host-b:202"]
        a.release()
        assert main(["--config", str(cfg), "status"]) == 1
        assert capsys.readouterr().out.startswith("no process is active: the last was host-a:101, epoch 1")


def test_status_on_sqlite_says_there_is_one_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_for(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert main(["--config", str(cfg), "status"]) == 0
    assert capsys.readouterr().out.startswith("single process (SQLite): no standby")


def test_every_database_connection_notices_a_vanished_host(pg: PostgresServer, tmp_path: Path) -> None:
    """Not only the lock's connection: a query of the active process on a connection whose host
    vanished must fail within about 30 s, not wait for hours, so the process can serve again."""
    engine = database.engine(tmp_path)
    with engine.connect() as conn:
        params = conn.connection.driver_connection.info.get_parameters()  # type: ignore[union-attr]
    assert params["keepalives"] == "1" and int(params["keepalives_idle"]) <= 10
    assert int(params["tcp_user_timeout"]) <= 30_000
