"""The ports: what the use cases need from the world, as Protocols, and the values that cross
them. Adapters implement these; services import only this module, never an adapter.

- ``Clock``: the time (injected: tests freeze it, drills speed it up).
- ``Mailbox``: where replies arrive (IMAP, or a maildir for the demo), handing each email
  over whole as an ``Arrival`` and told afterwards where it ended.
- ``Postman``: hands queued emails (``OutboxRow``) to SMTP, telling each outcome at once.
- ``Leadership``: which of two processes sharing one PostgreSQL is the active one
  (``mailbot.standby``), and ``Office``, what ``mailbot status`` shows of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from mailbot.errors import SendError


@dataclass(frozen=True, slots=True)
class Arrival:
    """One email as the mailbox hands it over, travelling whole to the use case."""

    raw: bytes
    folder: str = ""
    uidvalidity: int | None = None
    uid: int | None = None
    arrived: datetime | None = None  # the server's INTERNALDATE, when it has one


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A queued email as the outbox holds it."""

    id: int
    key: str
    message_id: str
    recipients: tuple[str, ...]
    subject: str
    raw: bytes
    status: str
    attempts: int


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """What the inbound log keeps of one email: where it came from, how it was read, where it
    ended. Its ``message_key`` makes a second arrival of the same email a no-op."""

    message_key: str
    arrival: Arrival
    received_at: datetime
    processed_at: datetime
    sender: str
    partner: str | None
    subject: str
    verdict: str
    reason: str | None
    status: str
    raw: bytes
    meeting_day: date | None = None
    error: str | None = None
    disposition: str | None = None
    content_key: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, when, and from which email: what the audit trail records with it."""

    address: str  # an address, "mailbot", or the coordinator at the terminal
    at: datetime
    partner: str | None = None
    inbound_id: int | None = None  # None: typed at the terminal, or the bot's own doing


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A built email as the outbox queues it; ``key`` makes it go once."""

    key: str
    message_id: str
    recipients: tuple[str, ...]
    subject: str
    raw: bytes
    meeting: str | None = None  # the meeting it is from, for routing a reply by its thread


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision (or a review date) the chair recorded for a case."""

    reference: str
    decision: str  # accepted, declined, closed, review
    rationale: str = ""
    review_on: date | None = None


AfterSend = Callable[[OutboxRow, SendError | None], Awaitable[None]]


class Clock(Protocol):
    def now(self) -> datetime: ...


class Mailbox(Protocol):
    def fetch_new(self, limit: int = 500) -> list[Arrival]: ...
    def finish(self, item: Arrival, *, failed: bool = False) -> None: ...
    def finish_many(self, done: list[tuple[Arrival, bool]]) -> None: ...
    def already_sent(self, message_ids: list[str]) -> set[str]: ...
    def close(self) -> None: ...


class Postman(Protocol):
    """Sends stored emails; one connection for a batch, each outcome told to ``after`` at once."""

    async def send(self, rows: Sequence[OutboxRow], after: AfterSend | None = None
                   ) -> list[SendError | None]: ...


@dataclass(frozen=True, slots=True)
class Office:
    """Who is active, as the database knows it: the last process to take office, whether it
    still holds the lock, and the processes standing by."""

    epoch: int | None
    holder: str | None  # host:pid
    since: datetime | None
    held: bool
    standing_by: tuple[str, ...] = ()


class Leadership(Protocol):
    """One active process at a time. ``try_lock`` takes the lock if no other process holds
    it; ``take_office`` then bumps the epoch and returns it; ``check`` says, after waiting up
    to ``wait`` seconds for the server to speak, whether the lock is still held."""

    def try_lock(self) -> bool: ...
    def take_office(self) -> int: ...
    def check(self, wait: float) -> bool: ...
    def release(self) -> None: ...
    def office(self) -> Office: ...
