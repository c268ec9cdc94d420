"""Retention: the daily purge of personal details."""

from __future__ import annotations

import calendar
import logging
from datetime import date, datetime

from mailbot.core.ports import Actor
from mailbot.core.status import RunStatus
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import Kernel, UseCase

log = logging.getLogger("mailbot")

class Retention(UseCase):
    """Personal details deleted past retention, daily and claimed like a send."""

    def __init__(self, kernel: Kernel) -> None:
        super().__init__(kernel)
        self._purged_on: date | None = None

    def retention_start(self, now: datetime) -> datetime:
        """The moment before which personal details are deleted: ``retention_months`` ago."""
        local = now.astimezone(self.settings.bot.zone)
        months = local.year * 12 + local.month - 1 - self.settings.privacy.retention_months
        year, month = divmod(months, 12)
        day = min(local.day, calendar.monthrange(year, month + 1)[1])
        return local.replace(year=year, month=month + 1, day=day)

    def purge(self, *, actor: str = "mailbot") -> dict[str, int]:
        """Delete raw emails and personal details past retention; the audit trail keeps
        who did what and when, and records the purge itself with counts only."""
        now = self.clock.now()
        with self.unit() as tx:
            return self._purge(tx, now, actor)

    def _purge(self, tx: UnitOfWork, now: datetime, actor: str) -> dict[str, int]:
        before = self.retention_start(now)
        counts = tx.retention.purge(before, before.date())
        tx.audit.record(Actor(actor, now), "records purged", None, before=before.isoformat(),
                        months=self.settings.privacy.retention_months, counts=counts)
        log.info("purged records from before %s: %s", before.date(),
                 ", ".join(f"{n} {what}" for what, n in counts.items()))
        return counts

    def housekeeping(self) -> list[str]:
        """Daily upkeep that is not about a meeting: the retention purge, once a day from
        ``purge_time`` (a process down at that time purges when it is back)."""
        now = self.clock.now()
        local = now.astimezone(self.settings.bot.zone)
        if local.time() < self.settings.privacy.purge_time or self._purged_on == local.date():
            return []
        with self.unit() as tx:  # claimed and done in one transaction: a crash redoes both
            claimed = tx.runs.claim("mailbot", "purge", local.date(), RunStatus.DONE, now)
            if claimed:
                self._purge(tx, now, "mailbot")
        self._purged_on = local.date()  # no database write each round for the rest of the day
        return [f"purge {local.date()}"] if claimed else []
