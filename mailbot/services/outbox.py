"""Sending: drain, claim, record, recover, refresh a late case call, tell what was refused."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mailbot.core import letters, notices
from mailbot.core.ports import OutboxRow, Postman
from mailbot.core.status import OutboxStatus
from mailbot.core.store import UnitOfWork
from mailbot.errors import FetchError, SendError
from mailbot.services.kernel import LATE_AFTER, RETRY_DELAYS, Kernel, UseCase

log = logging.getLogger("mailbot")

# A temporary failure (4xx, a lost connection, a refused or impossible sign-in) is tried this
# many times, about an hour by RETRY_DELAYS: long enough for a server restart, short enough
# that a person hears the same morning of a fault that will not mend itself (a password, a
# server that no longer offers AUTH). Then the email is failed and the coordinators are told.
# Notices to the coordinators are not given up on: they are how a person hears at all.
GIVE_UP_AFTER = 9

# Emails claimed at once, and sent over one connection: a large deployment's whole case call.
# Claiming it in hundreds cost a second claim and a second sign-in to the server, a tenth of
# the fan-out; more at once only holds more letters in memory (about 15 KB each).
BATCH = 500


@dataclass(frozen=True, slots=True)
class Told:
    """The refusals told in the notice still waiting to go. Refusals go into it as they come,
    in the very transaction that records each (so a crash cannot leave one untold), until it
    leaves: however many rounds a server refuses for, the coordinators get one notice of it.
    Only while that notice is itself being sent are new refusals held here, to be written
    when its outcome is recorded; a crash then loses them from the notice, not from
    'mailbot outbox --failed'."""

    key: str
    refused: tuple[notices.Refused, ...]
    written: int  # how many of them the stored notice holds


class Outbox(UseCase):
    """Hands queued emails to SMTP, records each outcome the moment it is known, and after a
    crash decides what the email in flight became."""

    def __init__(self, kernel: Kernel) -> None:
        super().__init__(kernel)
        self._told: Told | None = None

    async def drain(self, postman: Postman) -> int:
        """Send every email that is due; return how many went. Safe to run at any time."""
        sent = 0
        while True:
            now = self.clock.now()
            rows = await asyncio.to_thread(self._claim, now)
            if not rows:
                return sent

            following = {row.id: after.id for row, after in itertools.pairwise(rows)}

            async def record(row: OutboxRow, error: SendError | None,
                             following: dict[int, int] = following) -> None:
                await asyncio.to_thread(self._record, [row], [error], self.clock.now(),
                                        following.get(row.id))

            results = await postman.send(rows, record)
            sent += sum(1 for r in results if r is None or r.partial)
            if any(r is not None and not r.permanent for r in results):
                return sent  # the server is struggling: wait for the next round

    def _claim(self, now: datetime) -> list[OutboxRow]:
        with self.unit() as tx:
            expired = tx.outbox.expire(now)
            if expired:
                self._tell_expired(tx, expired, now)
            rows = [self._refresh_late(tx, row, now) for row in tx.outbox.due(now, BATCH)]
            tx.outbox.claim([row.id for row in rows], now)
            return rows

    def _tell_expired(self, tx: UnitOfWork, expired: list[tuple[str, str, str | None]],
                      now: datetime) -> None:
        log.error("%d emails expired unsent: %s", len(expired), ", ".join(k for k, _, _ in expired))
        # Each meeting's coordinators hear of their own partners left untold ("case-call:
        # panel:..." keys name the meeting); anything else goes to the first meeting's.
        by_meeting: dict[str, list[tuple[str, str, str | None]]] = {}
        for row in expired:
            named = row[0].split(":")[1] if row[0].count(":") >= 2 else ""
            meeting_id = named if named in self.stationery else self.settings.meeting.id
            by_meeting.setdefault(meeting_id, []).append(row)
        for meeting_id, rows in by_meeting.items():
            self._queue(tx, notices.expired(self.stationery[meeting_id], rows), now)

    def _refresh_late(self, tx: UnitOfWork, row: OutboxRow, now: datetime) -> OutboxRow:
        """A case call that failed to go on time is rewritten as a late one, with today's cases."""
        if not row.key.startswith("case-call:") or row.attempts == 0 or letters.is_late(row.subject):
            return row
        _, meeting_id, day_text, code = row.key.split(":", 3)
        meeting, day = self._meeting(meeting_id), date.fromisoformat(day_text)
        if now < self.calendars[meeting_id].at(day, meeting.case_call) + LATE_AFTER:
            return row
        letter = letters.case_call(self.stationery[meeting_id], tx.cases.day_view(meeting_id, day),
                                   self.settings.directory.get(code), late=True, now=now)
        mid, raw = self._build(letter, now)
        assert mid == row.message_id  # the same key: the same Message-ID
        tx.outbox.mark(row.id, subject=letter.subject, raw=raw)
        return dataclasses.replace(row, subject=letter.subject, raw=raw)

    def _record(self, rows: Sequence[OutboxRow], results: Sequence[SendError | None],
                now: datetime, next_id: int | None = None) -> None:
        told = self._told
        if len(rows) == 1 and results[0] is None and (told is None or told.key != rows[0].key):
            # Sent, and nothing to tell: what nearly every email of a fan-out comes to.
            self.k.mark_sent(rows[0].id, next_id, now)
            return
        with self.unit() as tx:
            refused: list[notices.Refused] = []
            for row, error in zip(rows, results, strict=True):
                said = self._mark(tx, row, error, now)
                if error is not None and said is not None:
                    refused += self._refusal(row, error, said)
            ours = told is not None and any(row.key == told.key for row in rows)
            if refused or ours:
                told = self._tell_refused(tx, told, refused, now, rows[0].id)
            # The next email of the batch starts going now: its claim is as young as this
            # moment (what ``in_doubt_until`` counts from). Only that one: touching every row
            # still waiting in the batch made a fan-out's writes grow with the square of it.
            if next_id is not None:
                tx.outbox.mark(next_id, claimed_at=now)
        self._told = told  # only once it is committed

    @staticmethod
    def _mark(tx: UnitOfWork, row: OutboxRow, error: SendError | None, now: datetime) -> str | None:
        """Record one outcome; what the server said when it refused the email for good (or
        for some recipients), None when it went or will be tried again."""
        said = str(error)[:2000] if error else None
        if error is None or error.partial:
            tx.outbox.mark(row.id, status=OutboxStatus.SENT, sent_at=now, last_error=said)
            return said
        if error.permanent or (row.attempts + 1 >= GIVE_UP_AFTER and not row.key.startswith("notice:")):
            said = said if error.permanent else f"{said} (gave up after {row.attempts + 1} tries)"
            tx.outbox.mark(row.id, status=OutboxStatus.FAILED, last_error=said)
            return said
        delay = RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS) - 1)]
        tx.outbox.mark(row.id, status=OutboxStatus.PENDING, last_error=said,
                       next_attempt_at=now + timedelta(seconds=delay))
        return None

    @staticmethod
    def _refusal(row: OutboxRow, error: SendError, said: str) -> list[notices.Refused]:
        """What the coordinators are told of one refusal; nothing for a refused notice, which
        is logged and listed by 'mailbot outbox --failed' but never itself noticed: no loop."""
        if row.key.startswith("notice:"):
            log.error("a notice to the coordinators was refused (%s): %s", row.key, said)
            return []
        log.error("refused by the mail server (%s): %s", row.key, said)
        return [notices.Refused(row.key, ",".join(row.recipients), row.subject, said, error.partial)]

    def _tell_refused(self, tx: UnitOfWork, told: Told | None, refused: list[notices.Refused],
                      now: datetime, first_id: int) -> Told | None:
        """Put the refusals in the notice still waiting to go, rewritten under its key (so its
        Message-ID stays); or, once that one has left, in a new notice with any refusals it did
        not hold. A notice in flight (in this very batch) is rewritten when its own outcome is
        recorded, which calls this again."""
        waiting = tx.outbox.by_key(told.key) if told is not None else None
        if told is not None and waiting is not None and waiting.status == OutboxStatus.SENDING:
            return Told(told.key, (*told.refused, *refused), told.written)
        if told is not None and waiting is not None and waiting.status == OutboxStatus.PENDING:
            told = Told(told.key, (*told.refused, *refused), told.written)
        else:  # none yet, or it has left: a new one
            unwritten = (*told.refused[told.written:], *refused) if told is not None else tuple(refused)
            if not unwritten:
                return None
            told, waiting = Told(f"notice:refused:{now:%Y%m%dT%H%M%S.%f}:{first_id}", unwritten, 0), None
        if told.written == len(told.refused):
            return told
        letter = notices.refused(self.stationery[self.settings.meeting.id], told.key, told.refused)
        if waiting is None:
            self._queue(tx, letter, now)
        else:
            tx.outbox.mark(waiting.id, subject=letter.subject, raw=self._build(letter, now)[1])
        return Told(told.key, told.refused, len(told.refused))

    def in_doubt_until(self, settle: timedelta) -> datetime | None:
        """After a handover, or a drain of this process cut short: until when an email left
        'sending' may still be on its way, or None if none may.

        The old process (or drain) sends one email at a time and records each outcome, fenced,
        before the next goes, so once another process has taken office the old one can finish
        at most the email it had started: one that began no earlier than its row's
        ``claimed_at`` and ends within the SMTP timeout (``settle``). Judging it sooner
        (``recover`` searching the Sent folder) could miss a copy about to land there and send
        it a second time.
        """
        with self.unit() as tx:
            last = tx.outbox.last_claim()
        if last is None or last + settle <= self.clock.now():
            return None
        return last + settle

    def recover(self, already_sent: Callable[[list[str]], set[str]] | None = None) -> tuple[int, int]:
        """On start: emails left 'sending' by a crash; returns (found sent, queued again).

        Each outcome is recorded the moment SMTP gives it, so a crash leaves at most
        one email whose fate is unknown: SMTP may have accepted it just before. Where
        the server keeps a copy of what was sent (``already_sent`` searches it by
        Message-ID), such an email is marked sent; otherwise it goes again, so at most
        one email per crash can arrive twice, with the same Message-ID, which mail
        clients show once in the thread.
        """
        with self.unit() as tx:
            stuck = tx.outbox.stuck_sending()
        found: set[str] = set()
        if stuck and already_sent is not None:
            try:
                found = already_sent([row.message_id for row in stuck])
            except FetchError as exc:  # better twice than never
                log.warning("cannot check the sent folder (%s): sending %d emails again", exc, len(stuck))
        now = self.clock.now()
        with self.unit() as tx:
            for row in stuck:
                if row.message_id in found:
                    tx.outbox.mark(row.id, status=OutboxStatus.SENT, sent_at=now,
                                   last_error="found in the sent folder after a restart")
                else:
                    tx.outbox.mark(row.id, status=OutboxStatus.PENDING)
        return len(found), len(stuck) - len(found)
