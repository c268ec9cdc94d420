"""One-off sittings for one case (strategy discussions, professionals' and best-interest
meetings): called by any member of the case's meeting, by email or at the terminal.

A sitting is stored once (by case, day and start), then in the same transaction each invited
partner is sent the invitation, the coordinators are told and the caller's answer says who
was invited; so a crash or the same email read twice never calls or sends twice. Replies to
the invitation come back to the case's meeting by their thread, and the chair's lines after
the sitting are filed under its day, whose action plan goes to the partners it invited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mailbot.core.changes import Plan
from mailbot.core.commands import parse_commands
from mailbot.core.directory import short_name
from mailbot.core.letters import long_day
from mailbot.core.letters.oneoff import called, invited
from mailbot.core.model import AddAction, CallMeeting, Command, DecideCase, ReviewCase, Sender
from mailbot.core.oneoff import Sitting, SittingStatus
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import Origin, UseCase
from mailbot.services.routing import chosen


class OneOffs(UseCase):
    """Calling a one-off sitting, and what the rest of the meeting's work asks of sittings."""

    def call(self, tx: UnitOfWork, command: CallMeeting, origin: Origin, result: Plan) -> None:
        """Store the sitting and queue its invitations, the coordinators' notice and the
        caller's answer line; a problem line instead when it may not or cannot be called."""
        problem = self._refused(tx, command, origin)
        if problem:
            result.problems.append(f"line {command.line}: {problem}; no meeting was called")
            return
        address = origin.sender.address
        sitting = Sitting(origin.meeting.id, command.case, command.meeting_kind, command.day, command.starts,
                          command.partners, address,
                          address if origin.inbound_id is None else f"inbound:{origin.inbound_id}")
        when = f"{long_day(sitting.day)} at {sitting.starts:%H:%M}"
        if not tx.sittings.call(sitting, origin.now):
            result.done.append(f"{command.case}: a sitting on {when} was already called; "
                               "nothing new was sent")
            return
        tx.audit.record(origin.actor, "meeting called", command.case, sitting.meeting, kind=sitting.kind,
                        day=str(sitting.day), starts=f"{sitting.starts:%H:%M}",
                        partners=list(sitting.partners))
        self._send(tx, sitting, origin)
        names = ", ".join(self.stationery[sitting.meeting].names(sitting.partners))
        result.done.append(f"Called a {sitting.kind} for {command.case} on {when}; invited: {names}; "
                           "the coordinators have been told")

    def _send(self, tx: UnitOfWork, sitting: Sitting, origin: Origin) -> None:
        """Each invited partner's invitation (stale once the sitting starts) and the notice."""
        s, now = self.stationery[sitting.meeting], origin.now
        case = tx.cases.by_reference(sitting.meeting, [sitting.reference])[sitting.reference]
        caller = self._caller(origin)
        starts = self.calendars[sitting.meeting].at(sitting.day, sitting.starts)
        for code in sitting.partners:
            self._queue(tx, invited(s, sitting, case, s.directory.get(code), caller, now), now,
                        origin.inbound_id, expires=starts)
        self._queue(tx, called(s, sitting, f"{origin.sender.address} ({caller})"), now, origin.inbound_id)

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
        meeting = chosen(self.settings, None, reference)
        room, now = self.room(meeting.id), self.clock.now()
        sender = Sender(actor, room.directory.coordinators()[0].code, True)
        commands, problems = parse_commands(
            f"Meeting {reference}: {kind} {at} - {partners}", sender=sender, directory=room.directory,
            reference_prefix=meeting.reference_prefix, today=room.calendar.local(now).date())
        result = Plan(problems=list(problems))
        calls = [c for c in commands if isinstance(c, CallMeeting)]
        if calls and not problems:
            try:
                with self.unit() as tx:
                    self.call(tx, calls[0], Origin(sender, meeting, now, now, None), result)
                    if dry_run or result.problems:
                        raise _Undo
            except _Undo:
                pass
        return result


class _Undo(Exception):
    """Leaves the transaction without a trace: a dry run, or a call refused."""
