"""The database engine: SQLite (WAL) by default, PostgreSQL by URL, and the migrations.

On SQLite every transaction starts with BEGIN IMMEDIATE, so a writer never fails half-way with
SQLITE_BUSY and a snapshot read inside it stays true until it commits.

The SQLite file holds initials, concerns and raw emails: mailbot creates it readable by the
service user only, before anything is written, and SQLite gives its -wal, -shm and journal
files the database file's own mode.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from mailbot.errors import StoreError

PG_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
                 "tcp_user_timeout": 30_000}


def connect(url: str, busy_timeout: float = 30.0) -> Engine:
    """An engine for ``url``, with SQLite made safe for one writer process."""
    try:
        if url.startswith("sqlite"):
            _create_private(sqlite_file(url))
            engine = create_engine(url, connect_args={"timeout": busy_timeout})
            _sqlite_transactions(engine)
        else:
            # A database host that vanishes without a word (a cable, a firewall) would leave a
            # query waiting for hours on the kernel's defaults; these find it in about 30 s,
            # so the process gives up its office and can serve again once the host is back.
            engine = create_engine(url, pool_pre_ping=True, connect_args=PG_KEEPALIVES)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot use database {shown(url)}: {said(exc)}") from exc
    return engine


def shown(url: str) -> str:
    """The URL as logs and messages may show it: never its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return "(a database URL that cannot be read)"


def said(exc: BaseException) -> str:
    """What the database driver said, on one line (SQLAlchemy adds a "Background" link)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def sqlite_file(url: str) -> Path | None:
    """The file behind an SQLite URL; None for another database or an in-memory one."""
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError):
        return None
    name = parsed.database
    if not parsed.drivername.startswith("sqlite") or not name or name == ":memory:" \
            or name.startswith("file:"):
        return None
    return Path(name)


def _create_private(path: Path | None) -> None:
    # Created empty (a valid SQLite database) with mode 600 before SQLite writes a byte;
    # an existing file keeps its mode (check-config and the start line warn about it).
    if path is None:
        return
    # (It exists already, or its folder does not: SQLite says so in its own words.)
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def readable_by_others(url: str) -> str | None:
    """A warning when the SQLite database (or its -wal/-shm file) can be read by other users."""
    path = sqlite_file(url)
    if path is None:
        return None
    exposed = []
    for name in (str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        try:
            mode = os.stat(name).st_mode & 0o777
        except OSError:
            continue
        if mode & 0o077:
            exposed.append((name, mode))
    if not exposed:
        return None
    names = " ".join(name for name, _ in exposed)
    return (f"the database {exposed[0][0]} can be read by other users of this machine "
            f"(mode {exposed[0][1]:o}); run: chmod 600 {names}")


def _sqlite_transactions(engine: Engine) -> None:
    # pysqlite's own transaction handling skips BEGIN for reads; take it over
    # (SQLAlchemy's documented recipe) and make every transaction IMMEDIATE.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def newest_migration() -> str:
    """The head revision: each migration's revision is its file's number (a test holds it so)."""
    return max(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def schema_version(engine: Engine) -> str | None:
    """The revision the database is at; None when it has none yet (or cannot be read now)."""
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except SQLAlchemyError:
        return None


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (``mailbot db upgrade``, also run on start)."""
    if schema_version(engine) == newest_migration():
        # Up to date, as on nearly every start: Alembic is not even imported, which keeps
        # ten megabytes out of a long-running process and a tenth of a second off its start.
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except (SQLAlchemyError, OSError) as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise StoreError(f"cannot open or upgrade the database {where}: {said(exc)}") from exc


def insert_ignore(conn: Connection, table: Any, values: dict[str, Any], keys: Sequence[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted."""
    # The values go as parameters of a statement built once: building it with them, each
    # time, cost five times what SQLite took to run it, several times for every reply.
    stmt = _insert_ignore(table, tuple(keys), conn.dialect.name)
    return conn.execute(stmt, values).first() is not None


@functools.cache
def _insert_ignore(table: Any, keys: tuple[str, ...], dialect: str) -> Any:
    maker = sqlite_insert if dialect == "sqlite" else pg_insert
    # RETURNING, not rowcount: PostgreSQL's driver reports a rowcount that does not say
    # whether the row went in, and "already queued" must never read as "queued now".
    return maker(table).on_conflict_do_nothing(index_elements=list(keys)).returning(
        *table.primary_key.columns)


def insert_all(conn: Connection, table: Any, rows: Sequence[dict[str, Any]], keys: Sequence[str],
               replace: Sequence[str] = ()) -> None:
    """Many rows in one INSERT sent with executemany: a row whose ``keys`` are taken is left
    as it is, or has its ``replace`` columns set to the new row's."""
    if not rows:
        return
    maker = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    stmt = maker(table)
    stmt = stmt.on_conflict_do_update(index_elements=list(keys),
                                      set_={c: stmt.excluded[c] for c in replace}) \
        if replace else stmt.on_conflict_do_nothing(index_elements=list(keys))
    conn.execute(stmt, list(rows))
