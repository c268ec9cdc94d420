"""What the referrer hears after the chair reads a referral: returned for more information
(``Return <ref>: <what is missing>``), or declined with the justification. For every meeting."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date

from mailbot.core import letters
from mailbot.core.changes import CaseWithdrawn, Plan
from mailbot.core.letters.panel import Referral, referral_declined, referral_returned
from mailbot.core.model import Command, DecideCase, Decision, ReturnCase
from mailbot.core.ports import Decided
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import Origin, UseCase


class Referrals(UseCase):
    """Returns and declines told to whoever made the referral."""

    def answer(self, tx: UnitOfWork, commands: Sequence[Command], origin: Origin, result: Plan) -> None:
        """After the chair's lines are stored: each Return applied, each recorded decline told."""
        for command in commands:
            if isinstance(command, ReturnCase):
                self._return(tx, command, origin, result)
            elif isinstance(command, DecideCase) and command.decision is Decision.DECLINED:
                self._declined(tx, command, origin)

    def _return(self, tx: UnitOfWork, command: ReturnCase, origin: Origin, result: Plan) -> None:
        """Off the agenda it is on, onto the next sitting's, and the referrer told what is missing."""
        meeting, ref, now = origin.meeting, command.case, origin.now
        cal, s = self.calendars[meeting.id], self.stationery[meeting.id]
        day = self._sitting_of(tx, meeting.id, ref, origin)
        try:
            after = cal.next_meeting_day(day) if day is not None else None
        except ValueError:  # the published dates have run out
            after = None
        if day is None or after is None:
            result.problems.append(f"line {command.line}: {ref} is not on the agenda of a coming sitting "
                                   "with one after it, so it was not returned")
            return
        tx.cases.put_on_agenda(meeting.id, after, ref, "returned",
                               f"returned on {letters.short_day(now.date())} for more information", now)
        tx.cases.apply(meeting.id, Plan(changes=[CaseWithdrawn(ref, f"returned: {command.missing}", day)]),
                       origin.actor)
        tx.actions.decide(meeting.id, day, Decided(ref, "returned", command.missing), origin.actor)
        closes = cal.closes_at(after)
        referral = Referral(ref, self._referrer(tx, meeting.id, ref), day, command.missing)
        self._queue(tx, referral_returned(s, referral, next_panel=after,
                                          closes=f"{closes:%H:%M} on {letters.long_day(closes.date())}"),
                    now, origin.inbound_id)
        result.done.append(f"{ref} returned to its referrer for more information; it comes off the agenda of "
                           f"{letters.long_day(day)} and will be reconsidered on {letters.long_day(after)}")

    def _sitting_of(self, tx: UnitOfWork, meeting_id: str, ref: str, origin: Origin) -> date | None:
        """The sitting whose agenda has the case: the coming one, else the one just held."""
        cal = self.calendars[meeting_id]
        days = [cal.upcoming_meeting(origin.received)]
        with contextlib.suppress(ValueError):  # no sitting was held before
            days.append(cal.meeting_held(origin.received))
        return next((d for d in days if tx.cases.day_view(meeting_id, d).has_case(ref)), None)

    def _declined(self, tx: UnitOfWork, command: DecideCase, origin: Origin) -> None:
        """Told once, and only when the chair's decline was recorded for the meeting held."""
        meeting = origin.meeting
        held = self.calendars[meeting.id].meeting_held(origin.received)
        recorded = tx.actions.decisions_of_day(meeting.id, held).get(command.case)
        if recorded is None or recorded[0] != Decision.DECLINED:
            return
        referral = Referral(command.case, self._referrer(tx, meeting.id, command.case), held, recorded[1])
        letter = referral_declined(self.stationery[meeting.id], referral)
        self._queue(tx, letter, origin.now, origin.inbound_id)

    def _referrer(self, tx: UnitOfWork, meeting_id: str, ref: str) -> tuple[str, ...]:
        """Whoever sent the referral, if a partner's address did; else the referring partner's."""
        directory = self.settings.directory
        case = tx.cases.by_reference(meeting_id, [ref]).get(ref)
        referrer = case.referrer if case is not None else ""
        for entry in tx.audit.log(ref):
            actor = str(entry["actor"])
            if entry["action"] == "case added" and directory.sender(actor).partner == referrer and referrer:
                return (actor,)
        if referrer:
            return directory.get(referrer).emails
        return tuple(addr for p in self.stationery[meeting_id].directory.coordinators() for addr in p.emails)
