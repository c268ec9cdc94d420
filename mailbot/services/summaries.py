"""The action plan to partners and each owner's list of actions, one version per quiet period.

A summary is of a meeting's plan as stored, whoever changed it (the chair's email, the
terminal, the minutes), and goes out only once the plan has had no change for the
meeting's ``summary_quiet_minutes``: a chair correcting the minutes three times in five
minutes sends one version, not three. ``mailbot send summary`` and ``mailbot minutes``
send at once. Each version is keyed by the plan's hash, so no version goes twice, and
each is built (and dated) when it goes.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from mailbot.config import MeetingSettings
from mailbot.core import letters
from mailbot.core.actions import ActionView, plan_version
from mailbot.core.compose import Letter
from mailbot.core.decisions import described
from mailbot.core.directory import short_name
from mailbot.core.status import ActionState
from mailbot.core.store import UnitOfWork
from mailbot.services.kernel import UseCase
from mailbot.services.oneoff import OneOffs

log = logging.getLogger("mailbot")


class Summaries(UseCase):
    """When a meeting's plan changed, and the summaries of it once it is quiet."""

    def changed(self, tx: UnitOfWork, meeting: MeetingSettings, day: date, now: datetime) -> None:
        """The plan of the meeting on ``day`` changed: its summary waits for a quiet period."""
        tx.minutes.changed(meeting.id, day, now)

    def quiet_at(self, meeting: MeetingSettings, changed_at: datetime) -> datetime:
        return changed_at + timedelta(minutes=meeting.summary_quiet_minutes)

    def due(self, now: datetime) -> list[str]:
        """Send the summary of every plan quiet for its meeting's quiet period; for the log."""
        done: list[str] = []
        meetings = {m.id: m for m in self.settings.meetings}
        with self.unit() as tx:
            for meeting_id, day, changed_at in tx.minutes.unsummarised():
                meeting = meetings.get(meeting_id)
                if meeting is not None and now >= self.quiet_at(meeting, changed_at):
                    sent = self.send(tx, meeting, day, now)
                    done.append(f"summary {day}: {len(sent)} email{'s' if len(sent) != 1 else ''}")
        return done

    def send(self, tx: UnitOfWork, meeting: MeetingSettings, day: date, now: datetime) -> list[Letter]:
        """Queue the summaries of the plan's current version, built now; return those queued
        (none when this version already went)."""
        queued = [letter for letter in self.build(tx, meeting, day) if self._queue(tx, letter, now)]
        tx.minutes.summarised(meeting.id, day, now)
        return queued

    def build(self, tx: UnitOfWork, meeting: MeetingSettings, day: date) -> list[Letter]:
        """One action plan per partner that attended, was required or owns an action, and
        the coordinators; one list per owner."""
        s, d = self.stationery[meeting.id], self.settings.directory
        acts = [a for a in tx.actions.of_day(meeting.id, day) if a.status != ActionState.WITHDRAWN]
        decided = tx.actions.decisions_of_day(meeting.id, day)
        version = plan_version(acts, decided)
        view = tx.cases.day_view(meeting.id, day)
        attended = tx.minutes.attended(meeting.id, day)
        refs = list(dict.fromkeys([*(c.reference for c in view.cases), *decided, *(a.case for a in acts)]))
        known = tx.cases.by_reference(meeting.id, refs)
        cases: list[dict[str, object]] = [{"reference": r, "subject": known[r].subject if r in known else "",
                  "decision": described(decided.get(r, ("no decision recorded", ""))[0]),
                  "rationale": decided.get(r, ("", ""))[1],
                  "lead": known[r].lead if r in known else ""} for r in refs]
        rows = letters.action_rows(s, acts, self._label(self.calendars[meeting.id]))
        plan = letters.PlanView(
            day, version, cases, rows, attended=[short_name(p) for p in d if p.code in attended],
            apologies=[short_name(d.get(a.partner)) + (f" for {a.reference}" if a.reference else "")
                       for a in view.apologies])
        partners = {*view.required(d), *attended, *(a.owner_partner for a in acts if a.owner_partner),
                    *OneOffs(self.k).invited_on(tx, meeting.id, day)}  # a one-off sitting's guests
        out = [letters.summary(s, plan=plan, partner=partner)
               for partner in d if partner.code in partners or partner.coordinator]
        return out + self._owners(s, day, version, acts, rows)

    @staticmethod
    def _owners(s: letters.Stationery, day: date, version: str, acts: list[ActionView],
                rows: list[dict[str, object]]) -> list[Letter]:
        out = []
        for owner in dict.fromkeys(a.owner.lower() for a in acts):
            mine = [row for row, a in zip(rows, acts, strict=True) if a.owner.lower() == owner]
            out.append(letters.owner_actions(s, day=day, version=version, owner=owner, actions=mine))
        return out
