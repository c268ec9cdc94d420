"""What every use case shares: the settings, the store, the clock, the per-meeting calendars
and stationery built once, the unit of work, and queueing a letter."""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mailbot.config import MeetingSettings, Settings
from mailbot.config.panel import sittings_of
from mailbot.core import letters
from mailbot.core.calendar import MeetingCalendar
from mailbot.core.compose import Letter, Render, build
from mailbot.core.directory import Directory
from mailbot.core.inbound import Context
from mailbot.core.model import Sender
from mailbot.core.ports import Actor, Clock, Outgoing
from mailbot.core.privacy import ContentPolicy, Level
from mailbot.core.store import Store, UnitOfWork

LATE_AFTER = timedelta(minutes=5)
RETRY_DELAYS = (30, 60, 120, 300, 600, 900)  # seconds; then every 15 minutes


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    REJECTED = "rejected"
    FAILED = "failed"


def calendar_of(meeting: MeetingSettings, settings: Settings) -> MeetingCalendar:
    return MeetingCalendar(settings.bot.zone, meeting.days, meeting.holidays,
                           frozenset(meeting.skip_dates), meeting.case_call, meeting.cutoff,
                           meeting.starts, sittings_of(meeting))


def stationery_of(settings: Settings, render: Render, own: Mapping[str, Render] | None = None
                  ) -> dict[str, letters.Stationery]:
    """What every letter of each meeting shares, by meeting id: its members are who it
    writes to, its coordinators who its notices go to; ``own``: the renderers of meetings
    with their own templates."""
    own = own or {}
    p = settings.privacy
    policy = ContentPolicy(p.secure_domains, Level(p.default_level), p.subject_tags, p.secure_route)
    return {
        m.id: letters.Stationery(own.get(m.id, render), settings.directory_of(m.id),
                                 settings.bot.display_name, settings.bot.address, m.id, m.name,
                                 m.starts, m.cutoff, m.dial_in,
                                 policy, p.confidentiality, p.marking, m.join_url, settings.bot.zone,
                                 m.reference_prefix)
        for m in settings.meetings
    }


@dataclass(frozen=True, slots=True)
class MeetingContext:
    """Everything one meeting's use cases need that does not change while the bot runs,
    built once by the kernel."""

    settings: MeetingSettings
    calendar: MeetingCalendar
    stationery: letters.Stationery

    @property
    def id(self) -> str:
        return self.settings.id

    @property
    def directory(self) -> Directory:
        return self.stationery.directory


def reading_context(settings: Settings, meeting: MeetingSettings, stationery: letters.Stationery,
                    today: date, *, check_sender: bool = True) -> Context:
    """How an email is read for ``meeting``: the one place this is decided, so that
    ``mailbot explain`` reads an email exactly as the running bot does (sender checks and
    the bot's own fingerprints included). ``check_sender=False`` is only for an email saved
    without the receiving server's headers, and explain says so."""
    privacy = settings.privacy
    return Context(settings.bot.address, settings.directory_of(meeting.id), meeting.reference_prefix, today,
                   stationery.fingerprints, privacy.require_dmarc_pass and check_sender,
                   privacy.trusted_authserv_ids)


class Kernel:
    """Built once by the composition root; shared by every use case of one process."""

    def __init__(self, settings: Settings, store: Store, clock: Clock, render: Render,
                 own: Mapping[str, Render] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.render = render
        self.lock = threading.Lock()  # one unit of work at a time in this process
        self.calendars = {m.id: calendar_of(m, settings) for m in settings.meetings}
        today = clock.now().date()
        for cal in self.calendars.values():
            cal.warm(today)  # the holiday tables load once, at start, not inside a timed job
        self.stationery = stationery_of(settings, render, own)
        self.meetings = {m.id: MeetingContext(m, self.calendars[m.id], self.stationery[m.id])
                         for m in settings.meetings}

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        with self.lock, self.store.transaction() as tx:
            yield tx

    def mark_sent(self, row_id: int, next_id: int | None, now: datetime) -> None:
        """``Store.mark_sent``, as one unit of work: no other runs in this process meanwhile."""
        with self.lock:
            self.store.mark_sent(row_id, next_id, now)

    def queue(self, tx: UnitOfWork, letter: Letter, now: datetime, inbound_id: int | None = None,
              expires: datetime | None = None) -> bool:
        return tx.outbox.enqueue(self.outgoing(letter, now), now, inbound_id, expires)

    def queue_all(self, tx: UnitOfWork, letters: Sequence[Letter], now: datetime,
                  expires: datetime | None = None) -> None:
        """A fan-out's letters, queued in one statement."""
        tx.outbox.enqueue_all([self.outgoing(letter, now) for letter in letters], now, expires)

    def outgoing(self, letter: Letter, now: datetime) -> Outgoing:
        mid, raw = self.build(letter, now)
        return Outgoing(letter.key, mid, tuple(letter.to), letter.subject, raw, letter.meeting or None)

    def build(self, letter: Letter, now: datetime) -> tuple[str, bytes]:
        return build(letter, from_address=self.settings.bot.address,
                     from_name=self.settings.bot.display_name, now=now.astimezone(self.settings.bot.zone))

    def meeting(self, meeting_id: str) -> MeetingSettings:
        return next(m for m in self.settings.meetings if m.id == meeting_id)


@dataclass(frozen=True, slots=True)
class Origin:
    """Who asked, for which meeting, and when: what every change an email (or the terminal)
    makes is recorded with, and what its answers are keyed by."""

    sender: Sender
    meeting: MeetingSettings
    received: datetime  # when it arrived (counts for cut-offs), never after ``now``
    now: datetime  # when it is applied
    inbound_id: int | None  # None for the terminal
    thread: tuple[str, ...] = ()  # the Message-IDs the email answers, newest first

    @property
    def actor(self) -> Actor:
        return Actor(self.sender.address, self.now, self.sender.partner, self.inbound_id)


class UseCase:
    """A use case: its own methods over the shared kernel."""

    def __init__(self, kernel: Kernel) -> None:
        self.k = kernel

    @property
    def settings(self) -> Settings:
        return self.k.settings

    @property
    def store(self) -> Store:
        return self.k.store

    @property
    def clock(self) -> Clock:
        return self.k.clock

    @property
    def calendars(self) -> dict[str, MeetingCalendar]:
        return self.k.calendars

    @property
    def stationery(self) -> dict[str, letters.Stationery]:
        return self.k.stationery

    def room(self, meeting_id: str) -> MeetingContext:
        """One meeting's settings, calendar, stationery and members, built once."""
        return self.k.meetings[meeting_id]

    def unit(self) -> AbstractContextManager[UnitOfWork]:
        return self.k.unit()

    def _queue(self, tx: UnitOfWork, letter: Letter, now: datetime, inbound_id: int | None = None,
               expires: datetime | None = None) -> bool:
        return self.k.queue(tx, letter, now, inbound_id, expires)

    def _queue_all(self, tx: UnitOfWork, letters: Sequence[Letter], now: datetime,
                   expires: datetime | None = None) -> None:
        self.k.queue_all(tx, letters, now, expires)

    def _build(self, letter: Letter, now: datetime) -> tuple[str, bytes]:
        return self.k.build(letter, now)

    def _meeting(self, meeting_id: str) -> MeetingSettings:
        return self.k.meeting(meeting_id)

    @staticmethod
    def _call_label(meeting: MeetingSettings, day: date, today: date) -> str:
        what = "panel" if meeting.is_panel else "call"  # a panel's members meet, not dial in
        return (f"today's {meeting.starts:%H:%M} {what}" if day == today
                else f"the {letters.long_day(day)} {meeting.starts:%H:%M} {what}")

    @staticmethod
    def _due_label(cal: MeetingCalendar, due: date) -> str:
        label = letters.short_day(due)
        if not cal.is_working_day(due):
            why = cal.bank_holiday(due) or f"a {due:%A}"
            label += f" ({why}, not a working day)"
        return label

    def _label(self, cal: MeetingCalendar) -> Callable[[date], str]:
        def label(due: date) -> str:
            return self._due_label(cal, due)

        return label
