"""The database engine: SQLite (WAL) by default, PostgreSQL by URL, and the migrations.

On SQLite every transaction starts with BEGIN IMMEDIATE, so a writer never fails half-way with
SQLITE_BUSY and a snapshot read inside it stays true until it commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from mailbot.errors import StoreError


def connect(url: str, busy_timeout: float = 30.0) -> Engine:
    """An engine for ``url``, with SQLite made safe for one writer process."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": busy_timeout})
            _sqlite_transactions(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot use database {url!r}: {exc}") from exc
    return engine


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


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (``mailbot db upgrade``, also run on start)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"cannot upgrade the database: {exc}") from exc


def insert_ignore(conn: Connection, table: Any, values: dict[str, Any], keys: Sequence[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted."""
    maker = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    stmt = maker(table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
    # RETURNING, not rowcount: PostgreSQL's driver reports a rowcount that does not say
    # whether the row went in, and "already queued" must never read as "queued now".
    return conn.execute(stmt.returning(*table.primary_key.columns)).first() is not None
