"""The database behind a small Store: one transaction per unit of work, its records reached
through repositories (``mailbot.adapters.repositories``). There is no update or delete path
for the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from mailbot.adapters.engine import connect, upgrade
from mailbot.adapters.repositories import (
    ActionBook,
    AuditTrail,
    CaseBook,
    InboundLog,
    OutboxQueue,
    Retention,
    Runs,
)
from mailbot.errors import StoreError

__all__ = ["Store", "Tx", "connect", "upgrade"]


class Tx:
    """One transaction's view of the store, by kind of record."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.audit = AuditTrail(conn)
        self.inbound = InboundLog(conn)
        self.cases = CaseBook(conn, self.audit)
        self.actions = ActionBook(conn, self.audit, self.cases)
        self.runs = Runs(conn)
        self.outbox = OutboxQueue(conn)
        self.retention = Retention(conn)


class Store:
    """Opens one transaction per unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def close(self) -> None:
        """Close the pooled connections: a PostgreSQL server counts them until then."""
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        try:
            with self.engine.begin() as conn:
                yield Tx(conn)
        except OperationalError as exc:
            raise StoreError(f"database unavailable: {exc.orig}") from exc
