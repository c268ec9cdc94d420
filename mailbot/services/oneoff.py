"""One-off sittings for one case (strategy discussions, professionals' and best-interest
meetings): called by any member of the case's meeting, by email or at the terminal.

A sitting is stored once (by case, day and start), then in the same transaction each invited
partner is sent the invitation, the coordinators are told and the caller's answer says who
was invited; so a crash or the same email read twice never calls or sends twice. Replies to
the invitation come back to the case's meeting by their thread, and the chair's lines after
the sitting are filed under its day, whose action plan goes to the partners it invited.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date

from mailbot.core.changes import ApologiesGiven, Plan
from mailbot.core.commands import parse_commands
from mailbot.core.directory import short_name
from mailbot.core.letters import long_day
from mailbot.core.letters.oneoff import INVITATION, added, called, invited, key_of
from mailbot.core.model import AddAction, Apologies, CallMeeting, Command, DecideCase, ReviewCase, Sender
from mailbot.core.oneoff import Sitting, SittingStatus
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import Origin, UseCase
from mailbot.services.routing import chosen


class OneOffs(UseCase):
    """Calling a one-off sitting, and what the rest of the meeting's work asks of sittings."""

    def call(self, tx: UnitOfWork, command: CallMeeting, origin: Origin, result: Plan) -> None:
        """Store the sitting and queue its invitations, the coordinators' notice and the
        caller's answer line; for a sitting already called, invite only the partners it has
        not invited yet. A problem line instead when it may not or cannot be called."""
        problem = self._refused(tx, command, origin)
        if problem:
            result.problems.append(f"line {command.line}: {problem}; no meeting was called")
            return
        address = origin.sender.address
        sitting = Sitting(origin.meeting.id, command.case, command.meeting_kind, command.day, command.starts,
                          command.partners, address,
                          address if origin.inbound_id is None else f"inbound:{origin.inbound_id}")
        if not tx.sittings.call(sitting, origin.now):
            self._more(tx, sitting, origin, result, command.line)
            return
        tx.audit.record(origin.actor, "meeting called", command.case, sitting.meeting, kind=sitting.kind,
                        day=str(sitting.day), starts=f"{sitting.starts:%H:%M}",
                        partners=list(sitting.partners))
        self._send(tx, sitting, origin, sitting.partners)
        names = ", ".join(self.stationery[sitting.meeting].names(sitting.partners))
        result.done.append(f"Called a {sitting.kind} for {command.case} on {when(sitting)}; "
                           f"invited: {names}; the coordinators have been told")

    def _more(self, tx: UnitOfWork, asked: Sitting, origin: Origin, result: Plan, line: int) -> None:
        """A call of a sitting already called: the partners it names that were not invited yet
        are invited now, and the coordinators told of them; those invited get nothing again."""
        found = tx.sittings.get(asked.meeting, asked.reference, asked.day, asked.starts)
        assert found is not None  # the call was refused because it is there
        if found.status is not SittingStatus.CALLED:
            result.problems.append(f"line {line}: the {found.kind} for {found.reference} on {when(found)} "
                                   "was cancelled; to meet again, call it at another time")
            return
        new = tuple(c for c in asked.partners if c not in found.partners)
        s = self.stationery[found.meeting]
        already = ", ".join(s.names([c for c in asked.partners if c in found.partners]))
        if not new:
            result.done.append(f"{found.reference}: a sitting on {when(found)} was already called; "
                               f"nothing new was sent ({already} already invited)")
            return
        grown = dataclasses.replace(found, partners=found.partners + new)
        tx.sittings.invite(grown)
        tx.audit.record(origin.actor, "meeting partners invited", found.reference, found.meeting,
                        day=str(found.day), starts=f"{found.starts:%H:%M}", partners=list(new))
        self._send(tx, grown, origin, new)
        result.done.append(f"Invited {', '.join(s.names(new))} to the {found.kind} for {found.reference} on "
                           f"{when(found)}" + (f"; already invited: {already}" if already else "")
                           + "; the coordinators have been told")

    def _send(self, tx: UnitOfWork, sitting: Sitting, origin: Origin, to: tuple[str, ...]) -> None:
        """The invitation of each partner in ``to`` (stale once the sitting starts) and the
        coordinators' notice: of the call, or of the partners added to it."""
        s, now = self.stationery[sitting.meeting], origin.now
        case = tx.cases.by_reference(sitting.meeting, [sitting.reference])[sitting.reference]
        caller = self._caller(origin)
        starts = self.calendars[sitting.meeting].at(sitting.day, sitting.starts)
        for code in to:
            self._queue(tx, invited(s, sitting, case, s.directory.get(code), caller, now), now,
                        origin.inbound_id, expires=starts)
        who = f"{origin.sender.address} ({caller})"
        first = to == sitting.partners  # a new sitting invites all it names; a call again, only more
        self._queue(tx, called(s, sitting, who) if first else added(s, sitting, to, who), now,
                    origin.inbound_id)

    def of_thread(self, tx: UnitOfWork, origin: Origin) -> Sitting | None:
        """The sitting of the meeting whose invitation the email answers, if any; cancelled too,
        so that a late "Partners for" in its thread is told so rather than changing the case call."""
        found = key_of(tx.outbox.key_of_thread(origin.thread, INVITATION))
        return tx.sittings.get(*found) if found is not None and found[0] == origin.meeting.id else None

    def apologies(self, tx: UnitOfWork, sitting: Sitting, given: Sequence[Apologies], origin: Origin,
                  result: Plan) -> None:
        """Apologies written in a sitting's invitation thread: recorded for its day and case (as
        its action plan shows them), not for the case's next regular meeting; the coordinators
        are told when the partner was invited, so they can arrange cover."""
        code = origin.sender.partner
        if code is None:  # only partners are read at all; kept for the type
            return
        if sitting.status is not SittingStatus.CALLED:
            result.done.append(f"The {sitting.kind} for {sitting.reference} on {when(sitting)} was "
                               "cancelled: no apologies are needed")
            return
        name = short_name(self.settings.directory.get(code))
        reason = next((c.reason for c in given if c.reason), "")
        tx.cases.apply(sitting.meeting, Plan(changes=[ApologiesGiven(code, sitting.reference, reason,
                                                                     sitting.day)]), origin.actor)
        what = f"the {sitting.kind} for {sitting.reference} on {when(sitting)}"
        why = f": {reason}" if reason else ""
        result.done.append(f"Apologies from {name} recorded for {what}{why}")
        if code in sitting.partners:
            result.for_coordinators.append((
                f"apologies from {name} for the {sitting.kind} for {sitting.reference}",
                f"{origin.sender.address} sends apologies from {name} for {what}{why}. {name} was invited: "
                "please arrange cover or tell the chair."))

    def _refused(self, tx: UnitOfWork, command: CallMeeting, origin: Origin) -> str:
        """Why this sender may not call this sitting ("" when they may)."""
        meeting = origin.meeting
        room = self.room(meeting.id)
        if not (origin.sender.coordinator or room.directory.is_member(origin.sender.partner)):
            return f"only a member of the {meeting.name} may call a meeting for {command.case}"
        if command.case not in tx.cases.by_reference(meeting.id, [command.case]):
            return f"{command.case} is not a case of the {meeting.name}"
        outside = [c for c in command.partners if not room.directory.is_member(c)]
        if outside:
            names = ", ".join(short_name(self.settings.directory.get(c)) for c in outside)
            return f"{names} {'is' if len(outside) == 1 else 'are'} not in the {meeting.name}"
        if room.calendar.at(command.day, command.starts) <= origin.received:
            return f"{long_day(command.day)} at {command.starts:%H:%M} has passed"
        return ""

    def _caller(self, origin: Origin) -> str:
        code = origin.sender.partner
        if origin.inbound_id is None or code is None:
            return "the coordinators"
        return short_name(self.settings.directory.get(code))

    def invited_on(self, tx: UnitOfWork, meeting_id: str, day: date) -> set[str]:
        """The partners invited to the meeting's sittings on ``day``: the plan after goes to them."""
        return {code for sitting in tx.sittings.on(meeting_id, day) if sitting.status is SittingStatus.CALLED
                for code in sitting.partners}

    def held_today(self, tx: UnitOfWork, commands: Sequence[Command], origin: Origin) -> date | None:
        """The day of a sitting that has started today and that the chair's lines are about:
        every case they name is one of its cases. None when they are not about one."""
        meeting = origin.meeting
        local = self.calendars[meeting.id].local(origin.received)
        named = {c.case for c in commands if isinstance(c, AddAction | DecideCase | ReviewCase)}
        started = {s.reference for s in tx.sittings.on(meeting.id, local.date())
                   if s.status is SittingStatus.CALLED and s.starts <= local.time()}
        return local.date() if named and named <= started else None

    def upcoming(self) -> list[Sitting]:
        """Every meeting's sittings that have not started, soonest first."""
        now = self.clock.now()
        with self.unit() as tx:
            found = tx.sittings.from_day(now.astimezone(self.settings.bot.zone).date())
        # A meeting taken out of the config keeps its rows; they are not listed as to come.
        return [s for s in found if s.status is SittingStatus.CALLED and s.meeting in self.calendars
                and self.calendars[s.meeting].at(s.day, s.starts) > now]

    def call_by_hand(self, reference: str, at: str, partners: str, *, kind: str, actor: str,
                     dry_run: bool = False) -> Plan:
        """A coordinator calling a sitting at the terminal: the email's line, read and applied
        by the same rules. A dry run, or a problem, stores and sends nothing."""
        commands, origin, result = typed(self, reference, f"Meeting {reference}: {kind} {at} - {partners}",
                                         actor)
        calls = [c for c in commands if isinstance(c, CallMeeting)]
        if calls and not result.problems:
            try:
                with self.unit() as tx:
                    self.call(tx, calls[0], origin, result)
                    if dry_run or result.problems:
                        raise _Undo
            except _Undo:
                pass
        return result


def typed(use_case: UseCase, reference: str, line: str, actor: str) -> tuple[list[Command], Origin, Plan]:
    """A line typed at the terminal, read as the same line in an email from a coordinator of
    the case's meeting would be: one grammar and one set of rules for both."""
    meeting = chosen(use_case.settings, None, reference)
    room, now = use_case.room(meeting.id), use_case.clock.now()
    sender = Sender(actor, room.directory.coordinators()[0].code, True)
    commands, problems = parse_commands(line, sender=sender, directory=room.directory,
                                        reference_prefix=meeting.reference_prefix,
                                        today=room.calendar.local(now).date())
    return list(commands), Origin(sender, meeting, now, now, None), Plan(problems=list(problems))


def when(sitting: Sitting) -> str:
    """"Saturday 28 November 2026 at 10:00": a sitting's day and time, for people."""
    return f"{long_day(sitting.day)} at {sitting.starts:%H:%M}"


class _Undo(Exception):
    """Leaves the transaction without a trace: a dry run, or a call refused."""
