"""Which of two ``mailbot run`` processes sharing one PostgreSQL is active: a session advisory
lock held on a dedicated autocommit connection, and an epoch row bumped by each process that
takes office (the fencing token ``Store`` checks in every transaction).

Why the lock and not a lease row: a dead process's lock goes the moment its session ends, so
a crash hands over in milliseconds with no lease time to tune; the server itself ends the
session of a process that went silent (frozen, or cut off) through ``idle_session_timeout``,
set here for this connection only, never for the pool. The lock alone cannot promise that
the old process stops before the new one starts (measured: a blocked follower can win that
race), which is what the epoch is for. A lease row would suit a transaction-pooling proxy,
which would carry the session lock to other clients; mailbot connects directly.
"""

from __future__ import annotations

import contextlib
import select
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from mailbot.core.ports import Office
from mailbot.errors import StoreError

# One lock per database: "mailbot" in ASCII, as a bigint (classid, objid in pg_locks).
KEY = 0x6D61696C626F74
_TAKE_OFFICE = """
INSERT INTO leadership (name, epoch, holder, since) VALUES (%(name)s, 1, %(holder)s, now())
ON CONFLICT (name) DO UPDATE SET epoch = leadership.epoch + 1, holder = EXCLUDED.holder,
                                 since = EXCLUDED.since
RETURNING epoch"""
_LOCK_HOLDER = """
SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"""
_MAILBOTS = """
SELECT application_name FROM pg_stat_activity
WHERE datname = current_database() AND application_name LIKE 'mailbot %' ORDER BY backend_start"""


def connection_options(takeover_seconds: float) -> dict[str, Any]:
    """libpq settings for the lock connection, scaled to ``takeover_seconds`` (30 s: the
    server drops a silent holder after 10 s; a holder cut off from the server notices after
    6 s, before that, so that it stops first; keepalives find a dead peer in between)."""
    idle_ms = int(takeover_seconds * 1000 / 3)
    keepalive = max(1, int(takeover_seconds / 10))
    return {
        "autocommit": True,
        "connect_timeout": max(2, int(takeover_seconds / 5)),
        "keepalives": 1, "keepalives_idle": keepalive, "keepalives_interval": max(1, keepalive // 2),
        "keepalives_count": 3, "tcp_user_timeout": int(takeover_seconds * 1000 / 5),
        "options": f"-c idle_session_timeout={idle_ms} -c tcp_keepalives_idle={keepalive} "
                   f"-c tcp_keepalives_interval={max(1, keepalive // 2)} -c tcp_keepalives_count=3",
    }


def pool(url: str, takeover_seconds: float) -> Engine:
    """The active process's pooled connections. A process frozen inside a transaction holds
    its FOR SHARE on the leadership row, which would keep the next process from taking office
    for ever: the server ends such a transaction after a third of ``takeover_seconds``. The
    process's transactions never wait on anything but the database, so none idles that long."""
    idle_ms = int(takeover_seconds * 1000 / 3)
    options = {key: value for key, value in connection_options(takeover_seconds).items()
               if key not in ("autocommit", "options")}
    return create_engine(url, pool_pre_ping=True, connect_args={
        **options, "options": f"-c idle_in_transaction_session_timeout={idle_ms}"})


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL of the config, as libpq reads it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresLeadership:
    """The lock connection of one process: ``holder`` (host:pid) names it in pg_stat_activity,
    which is how ``mailbot status`` finds the processes standing by."""

    def __init__(self, url: str, holder: str, takeover_seconds: float = 30.0, office: str = "mailbot"
                 ) -> None:
        self.url, self.holder, self.office_name = libpq_url(url), holder, office
        self.options = connection_options(takeover_seconds)
        self.conn: psycopg.Connection[Any] | None = None

    def _connection(self) -> psycopg.Connection[Any]:
        if self.conn is None or self.conn.closed:
            try:
                self.conn = psycopg.connect(self.url, application_name=f"mailbot {self.holder}"[:63],
                                            **self.options)
            except psycopg.Error as exc:
                raise StoreError(f"cannot reach the database: {exc}") from exc
        return self.conn

    def try_lock(self) -> bool:
        """Take the lock if no other process holds it (never waits)."""
        row = self._run("SELECT pg_try_advisory_lock(%(key)s)", {"key": KEY})
        return bool(row and row[0])

    def take_office(self) -> int:
        """With the lock held: bump the epoch, which fences off every transaction of the
        process that held office before; the new epoch."""
        if self.conn is None or self.conn.closed:  # a new session would not hold the lock
            raise StoreError("lost the lock before taking office")
        row = self._run(_TAKE_OFFICE, {"name": self.office_name, "holder": self.holder})
        assert row is not None
        return int(row[0])

    def _run(self, sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        conn = self._connection()
        try:
            return conn.execute(sql, params).fetchone()
        except psycopg.Error as exc:
            self.release()  # the lock, if it was held, went with the session
            raise StoreError(f"cannot reach the database: {exc}") from exc

    def check(self, wait: float) -> bool:
        """Still in office? Waits on the socket, so a session the server ends (terminated,
        timed out, shut down) is heard at once, then asks the server (the heartbeat that also
        keeps ``idle_session_timeout`` away)."""
        conn = self.conn
        if conn is None or conn.closed:
            return False
        try:
            select.select([conn.fileno()], [], [], wait)
            conn.execute("SELECT 1")
        except (psycopg.Error, OSError, ValueError):
            self.release()
            return False
        return True

    def release(self) -> None:
        """Leave office, or stop standing by: the session ends and its lock with it."""
        conn, self.conn = self.conn, None
        if conn is not None and not conn.closed:
            with contextlib.suppress(psycopg.Error):
                conn.close()

    def office(self) -> Office:
        conn = self._connection()
        try:
            row = conn.execute("SELECT epoch, holder, since FROM leadership WHERE name = %s",
                               (self.office_name,)).fetchone()
            holders = [r[0] for r in conn.execute(_LOCK_HOLDER, (KEY >> 32, KEY & 0xFFFFFFFF))]
            names = [r[0] for r in conn.execute(_MAILBOTS)]
        except psycopg.Error as exc:
            raise StoreError(f"cannot read who is active: {exc}") from exc
        finally:
            self.release()
        me = f"mailbot {self.holder}"[:63]
        standing = tuple(n.removeprefix("mailbot ") for n in names if n not in holders and n != me)
        if row is None:
            return Office(None, None, None, bool(holders), standing)
        held = f"mailbot {row[1]}"[:63] in holders
        return Office(int(row[0]), str(row[1]), row[2], held, standing)
