"""Sending: drain, claim, record, recover, refresh a late case call."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from mailbot.core import letters, notices
from mailbot.core.ports import OutboxRow, Postman
from mailbot.core.status import OutboxStatus
from mailbot.core.store import UnitOfWork
from mailbot.errors import FetchError, SendError
from mailbot.services.kernel import LATE_AFTER, RETRY_DELAYS, UseCase

log = logging.getLogger("mailbot")

class Outbox(UseCase):
    """Hands queued emails to SMTP, records each outcome the moment it is known, and after a
    crash decides what the email in flight became."""

    async def drain(self, postman: Postman) -> int:
        """Send every email that is due; return how many went. Safe to run at any time."""
        sent = 0
        while True:
            now = self.clock.now()
            rows = await asyncio.to_thread(self._claim, now)
            if not rows:
                return sent

            async def record(row: OutboxRow, error: SendError | None) -> None:
                await asyncio.to_thread(self._record, [row], [error], self.clock.now())

            results = await postman.send(rows, record)
            sent += sum(1 for r in results if r is None or r.partial)
            if any(r is not None and not r.permanent for r in results):
                return sent  # the server is struggling: wait for the next round

    def _claim(self, now: datetime) -> list[OutboxRow]:
        with self.unit() as tx:
            expired = tx.outbox.expire(now)
            if expired:
                self._tell_expired(tx, expired, now)
            rows = [self._refresh_late(tx, row, now) for row in tx.outbox.due(now)]
            for row in rows:
                tx.outbox.mark(row.id, status=OutboxStatus.SENDING, attempts=row.attempts + 1,
                               claimed_at=now)
            return rows

    def _tell_expired(self, tx: UnitOfWork, expired: list[tuple[str, str, str | None]],
                      now: datetime) -> None:
        log.error("%d emails expired unsent: %s", len(expired), ", ".join(k for k, _, _ in expired))
        self._queue(tx, notices.expired(self.stationery[self.settings.meeting.id], expired), now)

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
                now: datetime) -> None:
        with self.unit() as tx:
            for row, error in zip(rows, results, strict=True):
                if error is None or error.partial:
                    tx.outbox.mark(row.id, status=OutboxStatus.SENT, sent_at=now,
                                   last_error=str(error)[:2000] if error else None)
                elif error.permanent:
                    tx.outbox.mark(row.id, status=OutboxStatus.FAILED, last_error=str(error)[:2000])
                else:
                    delay = RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS) - 1)]
                    tx.outbox.mark(row.id, status=OutboxStatus.PENDING, last_error=str(error)[:2000],
                                   next_attempt_at=now + timedelta(seconds=delay))
            # The next email of the batch starts going now: its claim is as young as this
            # moment (what ``in_doubt_until`` counts from).
            tx.outbox.touch_sending(now)

    def in_doubt_until(self, settle: timedelta) -> datetime | None:
        """After a handover: until when an email the previous process left 'sending' may still
        be on its way, or None if none may.

        The old process sends one email at a time and records each outcome in a fenced
        transaction before the next goes, so once another process has taken office the old
        one can finish at most the email it had started: one that began no earlier than its
        row's ``claimed_at`` and ends within the SMTP timeout (``settle``). Judging it sooner
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
