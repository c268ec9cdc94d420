"""The database behind a small Store: one transaction per unit of work, its records reached
through repositories (``mailbot.adapters.repositories``). There is no update or delete path
for the audit log.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from mailbot.adapters.engine import connect, upgrade
from mailbot.adapters.repositories import (
    ActionBook,
    AuditTrail,
    CaseBook,
    InboundLog,
    MinutesBook,
    OutboxQueue,
    Retention,
    Runs,
    epoch_for_share,
    mark_sent,
)
from mailbot.adapters.sittings import SittingBook
from mailbot.errors import NotActive, StoreError

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
        self.minutes = MinutesBook(conn)
        self.sittings = SittingBook(conn)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that an error undoes alone (SAVEPOINT): one email of a
        batch. A lost database is a StoreError, as for the whole transaction."""
        try:
            with self.conn.begin_nested():
                yield
        except BaseException as exc:
            self.cases.forget()  # what it read may have come from what was just undone
            if isinstance(exc, DBAPIError) and (isinstance(exc, OperationalError)
                                                or exc.connection_invalidated):
                raise StoreError(f"database unavailable: {exc.orig}") from exc
            raise


class Store:
    """Opens one transaction per unit of work.

    With a ``fence`` (the epoch this process took office with, ``mailbot.standby``) every
    transaction first reads the leadership row FOR SHARE and raises ``NotActive`` if another
    process has taken office since. FOR SHARE conflicts with the new holder's epoch bump, so
    a transaction of the old process either commits before the bump or sees it and writes
    nothing: correctness does not hang on how fast the old process hears it lost the lock.
    """

    def __init__(self, engine: Engine, fence: int | None = None, office: str = "mailbot") -> None:
        self.engine = engine
        self.fence = fence
        self.office = office
        # PostgreSQL: a connection kept in autocommit from one ``mark_sent`` to the next, as
        # they follow each other through a fan-out. Taking one from the pool for each email
        # cost a round trip of its own (the ping that finds a dead one). Any transaction lets
        # it go first, so a pause (the next round starts with one) never leaves it to go stale.
        self._at_once: Connection | None = None
        self._holding = threading.Lock()

    def close(self) -> None:
        """Close the pooled connections: a PostgreSQL server counts them until then."""
        self._let_go()
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        if self._at_once is not None:
            self._let_go()
        try:
            with self.engine.begin() as conn:
                if self.fence is not None:
                    self._check_fence(conn)
                yield Tx(conn)
        except DBAPIError as exc:
            # A session the server ended (a transaction idle too long, say) comes as another
            # class of error, but the connection is gone all the same.
            if isinstance(exc, OperationalError) or exc.connection_invalidated:
                raise StoreError(f"database unavailable: {exc.orig}") from exc
            raise

    def mark_sent(self, row_id: int, next_id: int | None, now: datetime) -> None:
        """One email sent, and the next of its batch claimed ``now``, committed as one statement
        (fenced in that statement); raises ``NotActive`` as ``transaction`` does."""
        if self.engine.dialect.name == "sqlite":  # no round trips to save: the usual way
            with self.transaction() as tx:
                mark_sent(tx.conn, row_id, next_id, now, None)
            return
        fence = (self.office, self.fence) if self.fence is not None else None
        with self._holding:
            try:
                if self._at_once is None:
                    self._at_once = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                if not mark_sent(self._at_once, row_id, next_id, now, fence):
                    self._check_fence(self._at_once)
            except DBAPIError as exc:
                self._close_kept()  # the next is taken from the pool, pinged first
                if isinstance(exc, OperationalError) or exc.connection_invalidated:
                    raise StoreError(f"database unavailable: {exc.orig}") from exc
                raise

    def _let_go(self) -> None:
        with self._holding:
            self._close_kept()

    def _close_kept(self) -> None:
        if self._at_once is not None:
            conn, self._at_once = self._at_once, None
            with contextlib.suppress(DBAPIError):
                conn.close()

    def _check_fence(self, conn: Connection) -> None:
        epoch = epoch_for_share(conn, self.office)
        if epoch != self.fence:
            raise NotActive(f"no longer the active process: took office as epoch {self.fence}, "
                            f"the database is at epoch {epoch}")
