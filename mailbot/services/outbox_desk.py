"""The outbox at the coordinator's desk: what was sent, what waits, what was refused and why;
putting a refused email back in the queue, or stopping one from going."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from mailbot.core.ports import Actor
from mailbot.core.status import OutboxStatus
from mailbot.core.store import OutboxEntry, UnitOfWork
from mailbot.errors import MailbotError
from mailbot.services.kernel import UseCase

# What each kind of 'mailbot send' queues, by outbox key (see the letters that make them).
_SENT_BY = {
    "case-call": ("case-call:{m}:{d}:",),
    "attendance": ("attendance:{m}:{d}:",),
    "summary": ("summary:{m}:{d}:", "owner-actions:{m}:{d}:"),
    "digest": ("digest:{m}:{d}",),
}

RETRYABLE = (OutboxStatus.FAILED, OutboxStatus.EXPIRED, OutboxStatus.PENDING)
CANCELLABLE = (OutboxStatus.PENDING, OutboxStatus.FAILED)


class OutboxDesk(UseCase):
    def entries(self, *, statuses: Sequence[str] = (), day: date | None = None) -> list[OutboxEntry]:
        """Emails queued on ``day`` (in the bot's zone), of these statuses; no day: any day."""
        zone = self.settings.bot.zone
        since = datetime.combine(day, time(0), tzinfo=zone) if day else None
        before = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone) if day else None
        with self.unit() as tx:
            return tx.outbox.entries(statuses=statuses, since=since, before=before)

    def of_send(self, what: str, day: date) -> list[OutboxEntry]:
        """The emails a 'mailbot send WHAT' for ``day`` is about; for the action plan, only its
        latest version (an earlier version's emails were true when they went)."""
        meeting = self.settings.meeting.id
        prefixes = [p.format(m=meeting, d=day) for p in _SENT_BY[what]]
        with self.unit() as tx:
            found = tx.outbox.entries(prefixes=prefixes)
        if what == "summary" and found:
            latest = found[-1].key.split(":")[3]
            found = [e for e in found if e.key.split(":")[3] == latest]
        return found

    def retry(self, row_id: int, actor: str) -> OutboxEntry:
        """Back in the queue with its tries reset: the same stored email, Message-ID included,
        so a partner who did get an earlier copy sees one email, not two."""
        with self.unit() as tx:
            entry = self._get(tx, row_id)
            if entry.status not in RETRYABLE:
                raise MailbotError(f"outbox #{row_id} is {entry.status}: "
                                   f"only failed, expired or waiting emails can be retried")
            return self._requeue(tx, entry, actor)

    def retry_failed(self, actor: str) -> list[OutboxEntry]:
        with self.unit() as tx:
            return [self._requeue(tx, e, actor) for e in tx.outbox.entries(statuses=[OutboxStatus.FAILED])]

    def _requeue(self, tx: UnitOfWork, entry: OutboxEntry, actor: str) -> OutboxEntry:
        now = self.clock.now()
        # No expiry: a coordinator who sends an old email again by hand knows why, as with
        # 'mailbot send'; and an expired one would only expire again at once. Due at once, and
        # never later than it already was, whatever this terminal's clock says.
        tx.outbox.mark(entry.id, status=OutboxStatus.PENDING, attempts=0,
                       next_attempt_at=min(now, entry.next_attempt_at), expires_at=None)
        tx.audit.record(Actor(actor, now), "email retried", None, self.settings.meeting.id,
                        outbox_id=entry.id, key=entry.key, was=entry.status,
                        last_error=entry.last_error)
        return self._get(tx, entry.id)

    def cancel(self, row_id: int, actor: str) -> OutboxEntry:
        """A waiting or failed email that must not go; recorded with who decided it."""
        now = self.clock.now()
        with self.unit() as tx:
            entry = self._get(tx, row_id)
            if entry.status not in CANCELLABLE:
                raise MailbotError(f"outbox #{row_id} is {entry.status}: only waiting or failed "
                                   f"emails can be cancelled")
            tx.outbox.mark(entry.id, status=OutboxStatus.CANCELLED)
            tx.audit.record(Actor(actor, now), "email cancelled", None, self.settings.meeting.id,
                            outbox_id=entry.id, key=entry.key, was=entry.status,
                            recipients=",".join(entry.recipients))
            return self._get(tx, entry.id)

    @staticmethod
    def _get(tx: UnitOfWork, row_id: int) -> OutboxEntry:
        entry = tx.outbox.entry(row_id)
        if entry is None:
            raise MailbotError(f"there is no email #{row_id} in the outbox ('mailbot outbox' lists them)")
        return entry
