"""Cancelling a one-off sitting: by the caller's agency or a coordinator, by email
(``Cancel meeting <ref>: <reason>``) or at the terminal (``mailbot meeting cancel``).

In one transaction the sitting is marked cancelled, any invitation still unsent is stopped
in the outbox (a partner never told of it is not told it is off), each partner invited is
sent the cancellation with the calendar entry's METHOD:CANCEL, and the coordinators are
told. Nothing is guessed: when the case has more than one sitting to come and the line names
no day and time, the sender is asked which. To move a sitting, cancel it and call it again.
"""

from __future__ import annotations

from mailbot.core.changes import Plan
from mailbot.core.directory import short_name
from mailbot.core.letters.oneoff import called_off, cancelled, invitation_key
from mailbot.core.model import CancelMeeting
from mailbot.core.oneoff import Sitting, SittingStatus
from mailbot.core.status import OutboxStatus
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import Origin, UseCase
from mailbot.services.oneoff import typed, when

_UNSENT = (OutboxStatus.PENDING, OutboxStatus.FAILED)  # never reached the partner: stopped


class Cancellations(UseCase):
    """A one-off sitting that will not take place."""

    def cancel(self, tx: UnitOfWork, command: CancelMeeting, origin: Origin, result: Plan) -> None:
        """Cancel the sitting the line names, or say why not (who may, or which one)."""
        found = self._which(tx, command, origin)
        problem = found if isinstance(found, str) else self._refused(found, origin)
        if isinstance(found, str) or problem or not tx.sittings.cancel(found):
            result.problems.append(f"line {command.line}: {problem or 'it was already cancelled'}; "
                                   "nothing was cancelled")
            return
        tx.audit.record(origin.actor, "meeting cancelled", found.reference, found.meeting, kind=found.kind,
                        day=str(found.day), starts=f"{found.starts:%H:%M}", note=command.reason)
        stopped = self._stop_unsent(tx, found, origin)
        told = tuple(c for c in found.partners if c not in stopped)
        s, now = self.stationery[found.meeting], origin.now
        starts = self.calendars[found.meeting].at(found.day, found.starts)
        for code in told:
            self._queue(tx, cancelled(s, found, s.directory.get(code), command.reason, now), now,
                        origin.inbound_id, expires=starts)
        self._queue(tx, called_off(s, found, origin.sender.address, command.reason, told, stopped), now,
                    origin.inbound_id)
        result.done.append(f"Cancelled the {found.kind} for {found.reference} on {when(found)}; told: "
                           f"{', '.join(s.names(told)) or 'nobody (no invitation had gone)'}; "
                           "the coordinators have been told")

    def _which(self, tx: UnitOfWork, command: CancelMeeting, origin: Origin) -> Sitting | str:
        """The one sitting to come the line names; else what to tell the sender."""
        cal = self.calendars[origin.meeting.id]
        ahead = [s for s in tx.sittings.of_case(origin.meeting.id, command.case)
                 if s.status is SittingStatus.CALLED and cal.at(s.day, s.starts) > origin.received]
        named = [s for s in ahead if command.day in (None, s.day) and command.starts in (None, s.starts)]
        if len(named) == 1:
            return named[0]
        if not named:
            return f"{command.case} has no one-off meeting to come" + (" then" if ahead else "")
        listed = "; ".join(when(s) for s in named)
        return (f"{command.case} has {len(named)} one-off meetings to come ({listed}): say which, with "
                f"its day and time, like 'Cancel meeting {command.case} {named[0].day:%d/%m/%Y} "
                f"{named[0].starts:%H:%M}: <reason>'")

    def _refused(self, sitting: Sitting, origin: Origin) -> str:
        """Why this sender may not cancel the sitting ("" when they may): only the agency that
        called it, or a coordinator, decides it will not take place."""
        sender, d = origin.sender, self.settings.directory
        caller = d.sender(sitting.called_by).partner
        if sender.coordinator or sender.address.casefold() == sitting.called_by.casefold() \
                or (caller is not None and caller == sender.partner):
            return ""
        who = short_name(d.get(caller)) if caller else sitting.called_by
        coordinators = ", ".join(short_name(p) for p in self.room(sitting.meeting).directory.coordinators())
        return (f"only {who}, who called it, or a coordinator ({coordinators}) may cancel the "
                f"{sitting.kind} for {sitting.reference}")

    def _stop_unsent(self, tx: UnitOfWork, sitting: Sitting, origin: Origin) -> tuple[str, ...]:
        """Invitations not yet sent are cancelled in the outbox; returns their partners."""
        stopped = []
        for code in sitting.partners:
            entry = tx.outbox.by_key(invitation_key(sitting, code))
            if entry is not None and entry.status in _UNSENT:
                tx.outbox.mark(entry.id, status=OutboxStatus.CANCELLED)
                tx.audit.record(origin.actor, "email cancelled", sitting.reference, sitting.meeting,
                                outbox_id=entry.id, key=entry.key, was=entry.status)
                stopped.append(code)
        return tuple(stopped)

    def cancel_by_hand(self, reference: str, at: str, reason: str, *, actor: str) -> Plan:
        """A coordinator cancelling a sitting at the terminal: the email's line, read and
        applied by the same rules."""
        commands, origin, result = typed(self, reference, f"Cancel meeting {reference} {at}: {reason}", actor)
        cancels = [c for c in commands if isinstance(c, CancelMeeting)]
        if cancels and not result.problems:
            with self.unit() as tx:
                self.cancel(tx, cancels[0], origin, result)
        return result
